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
from astroid.builder import AstroidBuilder
from astroid.manager import AstroidManager

from . import stubs
from .knowledge import Knowledge

# astroid caches every module it parses, forever; flake8 keeps one process per
# job for the whole run, so bound it (the cost is re-parsing after a clear).
MAX_CACHED_MODULES = 600

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


def _add_search_root(root: str) -> None:
    # Appended, not prepended: the project must not shadow the standard library.
    if root and root not in sys.path:
        sys.path.append(root)


def prepare(knowledge: Knowledge) -> AstroidManager:
    """The astroid manager, with the Keras stubs in place and its cache bounded."""
    manager = astroid.MANAGER
    if len(manager.astroid_cache) > MAX_CACHED_MODULES:
        manager.clear_cache()
    stubs.install(knowledge, manager)
    return manager


def build_module(source: str, filename: str, knowledge: Knowledge) -> astroid.nodes.Module | None:
    """The linted file as an astroid module, or None if it does not parse."""
    manager = prepare(knowledge)
    if filename in _STDIN_NAMES:
        modname, path = "stdin", None
    else:
        modname, root = module_name_for(filename)
        _add_search_root(root)
        _add_search_root(os.getcwd())
        path = os.path.abspath(filename)
    try:
        return AstroidBuilder(manager).string_build(source, modname=modname, path=path)
    except (astroid.AstroidError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
