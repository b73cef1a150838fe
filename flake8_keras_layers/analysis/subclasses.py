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
from dataclasses import dataclass, field
import os
import re

from astroid import nodes

from . import project, syntax

MAX_FILES = 5000
_CLASS_LINE = re.compile(r"^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)", re.M)
_CALLED = re.compile(r"(?<![\w.])(\w+)\(")
_PROSE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|#[^\n]*')  # docstrings and comments name, not call


@dataclass(frozen=True)
class Subclass:
    """What KL303 needs of a project subclass: the ``__init__`` it defines (None: it has none), whether
    that takes ``**kwargs``, and whether it defines its own ``get_config``."""

    params: frozenset[str] | None
    kwargs: bool = False
    own_config: bool = False
    unread: bool = False  # its file could not be read: counts as fixing any parameter


_UNREAD = Subclass(params=frozenset(), unread=True)


def _base_names(text: str) -> list[str]:
    names = []
    for part in text.split(","):
        part = part.strip()
        if part and "=" not in part:
            names.append(part.split(".")[-1].strip())
    return names


@dataclass(frozen=True, eq=False)
class _Index:
    subclasses: dict[str, tuple[tuple[str, str], ...]]  # base class name -> ((file, subclass name), ...)
    # Every file's text: a name's calls are looked for when asked, in the files that mention it. Finding
    # every file's calls up front cost an editor's one-file lint 0.1 s (keras-hub, 816 files).
    texts: tuple[str, ...]
    asked: dict[str, bool] = field(default_factory=dict)

    def called(self, name: str) -> bool:
        """Whether some file calls ``name`` as ``name(`` (``class X(`` lines, docstrings and comments excluded)."""
        if name not in self.asked:
            self.asked[name] = any(name in text and name in _CALLED.findall(_CLASS_LINE.sub("", _PROSE.sub("", text)))
                                   for text in self.texts)
        return self.asked[name]


@functools.lru_cache(maxsize=8)
def _package_index(package_dir: str) -> _Index | None:
    """Subclasses and called names over a package's sources (None: too big to read)."""
    index: dict[str, list[tuple[str, str]]] = {}
    texts: list[str] = []
    seen = 0
    for directory, subdirs, files in os.walk(package_dir):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            seen += 1
            if seen > MAX_FILES:
                return None  # too big to read: no subclass is known, so nothing is silenced by it
            path = os.path.join(directory, name)
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue
            for match in _CLASS_LINE.finditer(text):
                for base in _base_names(match.group(2)):
                    index.setdefault(base, []).append((path, match.group(1)))
            texts.append(text)
    return _Index({base: tuple(found) for base, found in index.items()}, tuple(texts))


def _describe(init_args, has_init: bool, own_config: bool) -> Subclass:
    if not has_init:
        return Subclass(params=None, own_config=own_config)
    return Subclass(params=frozenset(init_args[0]), kwargs=init_args[1], own_config=own_config)


@functools.lru_cache(maxsize=256)
def _subclass_in_file(path: str, class_name: str) -> Subclass:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError, ValueError):
        return _UNREAD
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            methods = {item.name: item for item in node.body if isinstance(item, ast.FunctionDef)}
            init = methods.get("__init__")  # the dict keeps the last definition: the one Python binds
            if init is None:
                return _describe(None, False, "get_config" in methods)
            args = init.args
            names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
            return _describe((names, args.kwarg is not None), True, "get_config" in methods)
    return _UNREAD


def _subclass_in_module(cls: nodes.ClassDef) -> Subclass:
    init = syntax.defined_method(cls, "__init__")
    own_config = syntax.defined_method(cls, "get_config") is not None
    if init is None:
        return _describe(None, False, own_config)
    return _describe(([a.name for a in init.args.arguments], init.args.kwarg is not None), True, own_config)


def _package(cls: nodes.ClassDef) -> tuple[str | None, _Index | None]:
    """The linted module's path and its top-level package's index (None, None: not on disk)."""
    path = getattr(cls.root(), "file", None)
    if not path or not os.path.isfile(path):
        return None, None
    modname, root = project.module_name_for(path)
    package_dir = os.path.join(root, modname.split(".")[0])
    return (path, _package_index(package_dir)) if os.path.isdir(package_dir) else (path, None)


def subclasses(cls: nodes.ClassDef) -> list[Subclass]:
    """Every project subclass of ``cls``: in its module, then in its top-level package's other files."""
    module = cls.root()
    found = [
        _subclass_in_module(other)
        for other in module.nodes_of_class(nodes.ClassDef)
        if other is not cls and any(_base_names(base.as_string())[-1:] == [cls.name] for base in other.bases)
    ]
    path, index = _package(cls)
    if path is None or index is None:
        return found
    for file, name in index.subclasses.get(cls.name, ()):
        if os.path.abspath(file) != os.path.abspath(path):
            found.append(_subclass_in_file(file, name))
    return found


def fixed_by_subclasses(cls: nodes.ClassDef, param: str) -> bool:
    """``cls`` has project subclasses, and each has its own ``__init__`` that does not take ``param``."""
    found = subclasses(cls)
    return bool(found) and all(s.params is not None and (s.unread or param not in s.params) for s in found)


def abstract_base(cls: nodes.ClassDef) -> bool:
    """``cls`` is only ever a base: nothing in its package calls ``cls(...)``, and each project subclass
    has its own ``__init__`` and ``get_config`` (so decides its own config), or is itself such a base
    with nothing of its own (tfa's ``_BaseMonotonicAttentionMechanism``). What the base's ``get_config``
    leaves out is then the subclasses' business (tfa's ``AttentionMechanism``)."""
    _, index = _package(cls)
    return index is not None and _only_a_base(index, cls.name, depth=2)


def _only_a_base(index: _Index, name: str, depth: int) -> bool:
    found = index.subclasses.get(name, ())
    if not found or index.called(name):
        return False
    for file, subclass in found:
        described = _subclass_in_file(file, subclass)
        if described.unread or (described.params is not None and described.own_config):
            continue
        if described.params is None and not described.own_config and depth and _only_a_base(index, subclass, depth - 1):
            continue
        return False
    return True
