"""Where the linted file sits in its project: its module name and the directories imports resolve from.

A file's module name comes from the packages (directories with
``__init__.py``) above it; the directory above the topmost package is a
search root, so ``from mypkg.base import MyLayer`` resolves from any file of
the project, on disk or in an editor buffer given ``--stdin-display-name``.
Nothing is imported: astroid parses the project's sources.
"""

from __future__ import annotations

import functools
import os

STDIN_NAMES = frozenset({"stdin", "-", "<stdin>"})


def is_stdin(filename: str) -> bool:
    return filename in STDIN_NAMES


def module_name_for(path: str) -> tuple[str, str]:
    """(dotted module name, search root) of a source file path."""
    path = os.path.abspath(path)
    directory, filename = os.path.split(path)
    stem = os.path.splitext(filename)[0]
    parts = [] if stem == "__init__" else [stem]
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
        if not package:
            break
    return ".".join(parts) or stem, directory


def search_roots(filename: str) -> tuple[str, ...]:
    """The directories imports of ``filename`` resolve from: its package root, then the working directory.

    The working directory counts for stdin too: otherwise ``flake8 -`` and
    ``python -m flake8 -`` (whose sys.path starts with it) would disagree.
    """
    if is_stdin(filename):
        return (os.getcwd(),)
    return (module_name_for(filename)[1], os.getcwd())


def keras_source_root(filename: str) -> str | None:
    """The directory holding ``keras/src/version.py`` at or above ``filename``: the linted project is Keras
    itself (its source tree, sdist or wheel), whose own ``keras.src`` modules resolve from there."""
    if is_stdin(filename):
        return None
    return _keras_root_above(os.path.dirname(os.path.abspath(filename)))


@functools.lru_cache(maxsize=256)
def _keras_root_above(directory: str) -> str | None:
    if os.path.isfile(os.path.join(directory, "keras", "src", "version.py")):
        return directory
    parent = os.path.dirname(directory)
    return None if parent == directory else _keras_root_above(parent)
