"""The flake8 adapter: options, and turning diagnostics into flake8 results."""

from __future__ import annotations

import ast
import configparser
import os
from typing import Iterator

from . import __version__
from .analysis import project
from .knowledge import facts, target, versions
from .engine import debug
from .engine.driver import analyze
from .rules import BY_CODE


class KerasLayersChecker:
    name = "flake8-keras-layers"
    version = __version__

    # The option's target, when given; otherwise each file's project decides (target.for_directory).
    option_target: versions.Target | None = None

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]):
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, option_manager) -> None:
        option_manager.add_option(
            "--keras-version",
            type=target.option_type,
            default=None,
            parse_from_config=True,
            metavar="VERSION",
            help="Keras release(s) the project targets: X.Y[.Z] or a range such as '>=3.8,<3.11' "
            "(default: the project's declared keras/tensorflow requirements, else the installed keras, "
            "else any known release). A 2.x value means keras/tf.keras are Keras 2.",
        )
        opt_in = sorted(rule.code for rule in BY_CODE.values() if rule.opt_in)
        if opt_in:
            option_manager.extend_default_ignore(opt_in)

    @classmethod
    def parse_options(cls, options) -> None:
        value = options.keras_version
        if value is None:
            cls.option_target = None
            return
        if isinstance(value, str):  # a config value: flake8 sets it without argparse's conversion
            spec = target.option_type(value)
            where = f"keras-version {spec.text} in {_config_file_name(options)}"
        else:
            spec, where = value, f"--keras-version {value.text}"
        cls.option_target = target.from_option(spec, where)

    def file_target(self) -> versions.Target:
        if self.option_target is not None:
            return self.option_target
        directory = os.getcwd() if project.is_stdin(self.filename) else os.path.dirname(
            os.path.abspath(self.filename))
        return target.for_directory(directory, debug.source_skipped)

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            found = analyze(
                "".join(self.lines), self.filename, self.file_target(), facts.default(), self.tree
            )
        except Exception as error:  # noqa: BLE001 - flake8 aborts every file's report on one exception
            debug.internal_error(self.filename, "file", error)
            return
        for diagnostic in found:
            text = diagnostic.flake8_text(BY_CODE[diagnostic.code].name)
            yield diagnostic.line, diagnostic.col, text, type(self)


def _config_file_name(options) -> str:
    """The flake8 config file that sets keras-version (for messages), as flake8 would have found it."""
    files = [options.config] if getattr(options, "config", None) else [_discovered_config()]
    files += list(getattr(options, "append_config", None) or ())
    for path in reversed(files):
        parser = configparser.RawConfigParser()
        try:
            parser.read(path or (), encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError, OSError):
            continue
        if any(parser.has_option("flake8", name) for name in ("keras-version", "keras_version")):
            return os.path.basename(path)
    return "the flake8 config"


def _discovered_config() -> str | None:
    try:
        from flake8.options.config import _find_config_file  # noqa: PLC0415 - flake8's own discovery
        return _find_config_file(os.path.abspath("."))
    except Exception:  # noqa: BLE001 - a flake8 without it: the message says "the flake8 config"
        return None
