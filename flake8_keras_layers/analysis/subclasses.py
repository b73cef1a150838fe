"""The project's subclasses of a class, for KL303's abstract-base exception.

Keras' own ``BaseConv(rank, filters, ...)`` leaves ``rank`` out of its
``get_config`` on purpose: every concrete subclass (``Conv2D``...) fixes it in
its ``super().__init__(rank=2, ...)`` call and does not take it, so no config
ever needs it. A base class cannot tell this about itself; its subclasses in
the same project can. They are found textually (``class X(Base...)``) in the
linted module and in the ``.py`` files of its top-level package, read once per
process; a name that merely matches only makes the rule quieter.
"""

from __future__ import annotations

import ast
import functools
import os
import re

from astroid import nodes

from . import project, syntax

MAX_FILES = 5000
_UNKNOWN = frozenset({"*"})  # a subclass that could not be read: counts as fixing the parameter
_CLASS_LINE = re.compile(r"^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)", re.M)


def _base_names(text: str) -> list[str]:
    names = []
    for part in text.split(","):
        part = part.strip()
        if part and "=" not in part:
            names.append(part.split(".")[-1].strip())
    return names


@functools.lru_cache(maxsize=8)
def _package_index(package_dir: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """Base class name -> ((file, subclass name), ...) over a package's sources."""
    index: dict[str, list[tuple[str, str]]] = {}
    seen = 0
    for directory, subdirs, files in os.walk(package_dir):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            seen += 1
            if seen > MAX_FILES:
                return {}  # too big to read: no subclass is known, so nothing is silenced by it
            path = os.path.join(directory, name)
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue
            for match in _CLASS_LINE.finditer(text):
                for base in _base_names(match.group(2)):
                    index.setdefault(base, []).append((path, match.group(1)))
    return {base: tuple(found) for base, found in index.items()}


@functools.lru_cache(maxsize=256)
def _init_params_in_file(path: str, class_name: str) -> frozenset | None:
    """Named ``__init__`` parameters of ``class_name`` in ``path``; None when it has no ``__init__``."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError, ValueError):
        return _UNKNOWN
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            inits = [item for item in node.body if isinstance(item, ast.FunctionDef) and item.name == "__init__"]
            if not inits:
                return None
            args = inits[-1].args  # the last definition is the one Python binds
            return frozenset(a.arg for a in args.posonlyargs + args.args + args.kwonlyargs)
    return _UNKNOWN


def _init_params(cls: nodes.ClassDef) -> frozenset | None:
    init = syntax.defined_method(cls, "__init__")
    return None if init is None else frozenset(a.name for a in init.args.arguments)


def subclass_inits(cls: nodes.ClassDef) -> list[frozenset | None]:
    """The ``__init__`` parameters of every project subclass of ``cls`` (None: it has no ``__init__``)."""
    module = cls.root()
    found = [
        _init_params(other)
        for other in module.nodes_of_class(nodes.ClassDef)
        if other is not cls and any(_base_names(base.as_string())[-1:] == [cls.name] for base in other.bases)
    ]
    path = getattr(module, "file", None)
    if not path or not os.path.isfile(path):
        return found
    modname, root = project.module_name_for(path)
    package_dir = os.path.join(root, modname.split(".")[0])
    if not os.path.isdir(package_dir):
        return found
    for file, name in _package_index(package_dir).get(cls.name, ()):
        if os.path.abspath(file) != os.path.abspath(path):
            found.append(_init_params_in_file(file, name))
    return found


def fixed_by_subclasses(cls: nodes.ClassDef, param: str) -> bool:
    """``cls`` has project subclasses, and each has its own ``__init__`` that does not take ``param``."""
    inits = subclass_inits(cls)
    return bool(inits) and all(init is not None and (init is _UNKNOWN or param not in init) for init in inits)
