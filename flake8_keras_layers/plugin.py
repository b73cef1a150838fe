"""The flake8 adapter: options, and turning diagnostics into flake8 results."""

from __future__ import annotations

import ast
from typing import Iterator

from . import __version__
from .knowledge import facts, versions
from . import debug
from .engine.driver import analyze
from .rules import BY_CODE


class KerasLayersChecker:
    name = "flake8-keras-layers"
    version = __version__

    target = versions.Target(None, "any")

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]):
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, option_manager) -> None:
        option_manager.add_option(
            "--keras-version",
            type=versions.option_type,
            default=None,
            parse_from_config=True,
            metavar="X.Y[.Z]",
            help="Keras release the project targets (default: the installed keras, "
            "else any known release). A 2.x value means keras/tf.keras are Keras 2.",
        )
        opt_in = sorted(rule.code for rule in BY_CODE.values() if rule.opt_in)
        if opt_in:
            option_manager.extend_default_ignore(opt_in)

    @classmethod
    def parse_options(cls, options) -> None:
        value = options.keras_version
        if isinstance(value, str):  # a config value argparse did not convert
            value = versions.option_type(value)
        cls.target = versions.resolve_target(value)
        debug.process_started()

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            found = analyze(
                "".join(self.lines), self.filename, self.target, facts.default(), self.tree
            )
        except Exception as error:  # noqa: BLE001 - flake8 aborts every file's report on one exception
            debug.internal_error(self.filename, "file", error)
            return
        for diagnostic in found:
            text = diagnostic.flake8_text(BY_CODE[diagnostic.code].name)
            yield diagnostic.line, diagnostic.col, text, type(self)
