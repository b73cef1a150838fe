"""Places the linted file in its project so astroid can follow its imports.

A file's module name comes from the packages (directories with
``__init__.py``) above it; the directory above the topmost package is a
search root, so ``from mypkg.base import MyLayer`` resolves from any file of
the project, on disk or in an editor buffer given ``--stdin-display-name``.
Nothing is imported: astroid parses the project's sources.
"""

from __future__ import annotations

import os
import sys

import astroid
from astroid.manager import AstroidManager

from . import caches, rebuild, stubs
from .knowledge import Knowledge

_STDIN_NAMES = {"stdin", "-", "<stdin>"}


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
    """The directories build_module adds to the search path for ``filename`` (no side effect)."""
    if filename in _STDIN_NAMES:
        return (os.getcwd(),)
    return (module_name_for(filename)[1], os.getcwd())


def _add_search_root(root: str) -> None:
    # Appended, not prepended: the project must not shadow the standard library.
    if root and root not in sys.path:
        sys.path.append(root)


def prepare(knowledge: Knowledge) -> AstroidManager:
    """The astroid manager, with the Keras stubs in place and its cache bounded."""
    manager = astroid.MANAGER
    # astroid caches every module it parses, forever, and flake8 keeps one
    # process per job for the whole run: bounded in caches.py.
    caches.bound(manager)
    stubs.install(knowledge, manager)
    return manager


def build_module(source: str, filename: str, knowledge: Knowledge, tree=None,
                 deep: frozenset[int] = frozenset()) -> astroid.nodes.Module | None:
    """The linted file as an astroid module, or None if it does not parse (``tree``, ``deep``: rebuild.build)."""
    manager = prepare(knowledge)
    if filename in _STDIN_NAMES:
        modname, path = "stdin", None
    else:
        modname, root = module_name_for(filename)
        _add_search_root(root)
        path = os.path.abspath(filename)
    # The working directory counts for stdin too: otherwise `flake8 -` and
    # `python -m flake8 -` (whose sys.path starts with it) would disagree.
    _add_search_root(os.getcwd())
    try:
        return rebuild.build(manager, source, modname, path, tree, deep)
    except (astroid.AstroidError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
