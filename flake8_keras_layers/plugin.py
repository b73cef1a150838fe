"""The flake8 adapter: options, and turning diagnostics into flake8 results."""

from __future__ import annotations

import ast
import configparser
import functools
import os
import sys
from typing import Iterator

from . import __version__
from . import debug
from .analysis import project
from .engine import prefilter, triggers
from .knowledge import versions

# The analysis (astroid, the rules), the facts and the target (``packaging``, ``tomllib``) are imported
# by the first file that passes the pre-filter or the first --keras-version: most flake8 runs on most
# files need none of them (about 40 ms of every run's start).


class KerasLayersChecker:
    name = "flake8-keras-layers"
    version = __version__

    # The option's target, when given; otherwise each file's project decides (target.for_directory).
    option_target: versions.Target | None = None
    # Where unchanged files' results are kept between runs (engine/cache.py); None: not kept.
    cache_dir: str | None = None

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]):
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, option_manager) -> None:
        option_manager.add_option(
            "--keras-version",
            type=_keras_version,
            default=None,
            parse_from_config=True,
            metavar="VERSION",
            help="Keras release(s) the project targets: X.Y[.Z] or a range such as '>=3.8,<3.11' "
            "(default: the project's declared keras/tensorflow requirements, else the installed keras, "
            "else any known release). A 2.x value means keras/tf.keras are Keras 2.",
        )
        option_manager.add_option(
            "--keras-cache-dir",
            default=None,
            parse_from_config=True,
            normalize_paths=True,  # flake8's rule: a value with a "/" is relative to the config file
            metavar="DIR",
            help="where the results of unchanged files are kept between runs (default: "
            "$FLAKE8_KERAS_LAYERS_CACHE_DIR, else the user's cache directory, ~/.cache/flake8-keras-layers)",
        )
        option_manager.add_option(
            "--no-keras-cache",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="analyse every file, keeping no results between runs",
        )
        opt_in = sorted(trigger.code for trigger in triggers.ALL if trigger.opt_in)
        if opt_in:
            option_manager.extend_default_ignore(opt_in)

    @classmethod
    def parse_options(cls, options) -> None:
        debug.process_started()
        if getattr(options, "no_keras_cache", False):
            cls.cache_dir = None
        else:
            from .engine import cache  # noqa: PLC0415 - see the imports

            cls.cache_dir = getattr(options, "keras_cache_dir", None) or cache.default_dir()
        spec = options.keras_version
        if spec is None:
            cls.option_target = None
            return
        from .knowledge import target  # noqa: PLC0415 - see the imports

        if isinstance(spec, str):  # argparse converts config values too, but stay safe
            spec = target.option_type(spec)
        cls.option_target = target.from_option(spec, _option_source(options, spec))

    def file_target(self) -> versions.Target:
        if self.option_target is not None:
            return self.option_target
        from .knowledge import target  # noqa: PLC0415 - see the imports

        directory = os.getcwd() if project.is_stdin(self.filename) else os.path.dirname(
            os.path.abspath(self.filename))
        return target.for_directory(directory, debug.source_skipped)

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            source = "".join(self.lines)
            screened = prefilter.screen(triggers.ALL, source, self.tree)
            if screened is None:
                debug.file_started()  # as analyze() counts the files it settles
                return
            from .engine import cache  # noqa: PLC0415 - see the imports

            target = functools.cache(self.file_target)  # the cache's key needs it; without a cache, maybe nobody
            store = cache.store(self.cache_dir) if self._cacheable() else None
            found = cache.analyze(store, source, self.filename, target, lambda: self._analyze(source, screened, target))
        except Exception as error:  # noqa: BLE001 - flake8 aborts every file's report on one exception
            debug.internal_error(self.filename, "file", error)
            return
        for line, col, text in found:
            yield line, col, text, type(self)

    def _cacheable(self) -> bool:
        """Keras' own tree is left out (its modules stand in for the stubs: knowledge/stubs.py), and a buffer
        without a path has no entry to keep."""
        return not (self.cache_dir is None or project.is_stdin(self.filename)
                    or project.keras_source_root(self.filename))

    def _analyze(self, source: str, screened, target) -> list[tuple[int, int, str]]:
        from .engine.driver import analyze  # noqa: PLC0415 - see the imports
        from .knowledge import facts  # noqa: PLC0415
        from .rules import BY_CODE  # noqa: PLC0415

        # The target and the facts are passed unread: a file may yet be settled without them.
        found = analyze(source, self.filename, target, facts.default, self.tree, screened=screened)
        return [(d.line, d.col, d.flake8_text(BY_CODE[d.code].name)) for d in found]


def _keras_version(text: str):
    """argparse ``type=`` for --keras-version (knowledge/target.py's option_type, imported when given)."""
    from .knowledge import target  # noqa: PLC0415 - see the imports

    return target.option_type(text)


def _option_source(options, spec) -> str:
    """Where the option's value came from, for messages. flake8 hands config values over as argparse
    defaults, indistinguishable from the command line's, and drops ``--config`` from the options: so the
    command line is read for the option and for the config files it names."""
    argv = sys.argv[1:]
    if any(arg.split("=")[0] == "--keras-version" for arg in argv) or getattr(options, "isolated", False):
        return f"--keras-version {spec.text}"
    named = _argv_values(argv, "--config")
    files: list[str | None] = [*named[-1:]] or [_discovered_config()]
    files += list(getattr(options, "append_config", None) or _argv_values(argv, "--append-config"))
    for path in reversed(files):  # flake8 reads them in order: the last one wins
        value = _config_value(path)
        if value is not None:
            return f"keras-version {value.strip()} in {os.path.basename(path or '')}"
    return f"keras-version {spec.text} in the flake8 config"


def _argv_values(argv: list[str], option: str) -> list[str]:
    values = []
    for index, arg in enumerate(argv):
        if arg.startswith(option + "="):
            values.append(arg[len(option) + 1:])
        elif arg == option and index + 1 < len(argv):
            values.append(argv[index + 1])
    return values


def _config_value(path: str | None) -> str | None:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path or (), encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return None
    for name in ("keras-version", "keras_version"):
        if parser.has_option("flake8", name):
            return parser.get("flake8", name)
    return None


def _discovered_config() -> str | None:
    try:
        from flake8.options.config import _find_config_file  # noqa: PLC0415 - flake8's own discovery
        return _find_config_file(os.path.abspath("."))
    except Exception:  # noqa: BLE001 - a flake8 without it: the command line is named instead
        return None
