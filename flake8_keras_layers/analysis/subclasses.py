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
import dataclasses
import functools
from dataclasses import dataclass, field
import os
import re

from astroid import nodes

from . import project, reads, syntax

MAX_FILES = 5000
_CLASS_LINE = re.compile(r"^[ \t]*class[ \t]+(\w+)[ \t]*\(([^)]*)\)", re.M)
_PROSE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|#[^\n]*')  # docstrings and comments name, not use
# Mentions that cannot make an instance: imports, and isinstance/issubclass/super(...) arguments.
_NOT_USE = re.compile(r"^[ \t]*(?:from[ \t]+\S+[ \t]+)?import[ \t]+(?:\([^)]*\)|[^\n]*)"
                      r"|\b(?:isinstance|issubclass|super)\((?:[^()]|\([^()]*\))*\)", re.M)


@dataclass(frozen=True)
class Subclass:
    """What KL303 needs of a project subclass: the ``__init__`` it defines (None: it has none), whether
    that takes ``**kwargs``, and whether it defines its own ``get_config``."""

    params: frozenset[str] | None
    kwargs: bool = False
    own_config: bool = False
    unread: bool = False  # its file could not be read: counts as fixing any parameter
    forwards: frozenset[str] = frozenset()  # names its ``__init__`` hands to the base's ``__init__``
    inherits_config: bool = False  # its ``get_config`` starts from ``super().get_config()``
    config_strings: frozenset[str] = frozenset()  # the strings its ``get_config`` spells (its keys)

    def keeps_out(self, param: str) -> bool:
        """The base's omission of ``param`` carries over into this subclass's config: it hands ``param`` on
        and builds its config on the base's without adding it back."""
        return param in self.forwards and self.inherits_config and param not in self.config_strings


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
    # Every file's text: a name's uses are looked for when asked, in the files that mention it. Finding
    # every file's names up front cost an editor's one-file lint 0.1 s (keras-hub, 816 files).
    texts: tuple[str, ...]
    asked: dict[str, bool] = field(default_factory=dict)

    def used(self, name: str) -> bool:
        """Whether some file uses ``name`` where it might make an instance (``base.Mechanism(...)``,
        ``partial(Base)``): outside docstrings, comments, ``class X(Base)`` lines, imports and
        isinstance/issubclass/super(...) calls."""
        if name not in self.asked:
            word = re.compile(rf"\b{re.escape(name)}\b")
            self.asked[name] = any(name in text and word.search(_NOT_USE.sub("", _CLASS_LINE.sub("", _PROSE.sub(
                "", text)))) for text in self.texts)
        return self.asked[name]


@functools.lru_cache(maxsize=8)
def _package_index(package_dir: str) -> _Index | None:
    """Subclasses and texts of a package's sources (None: too big to read)."""
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
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):  # unreadable: counts as fixing
        return _UNREAD
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            methods = {item.name: item for item in node.body if isinstance(item, ast.FunctionDef)}
            init = methods.get("__init__")  # the dict keeps the last definition: the one Python binds
            config = methods.get("get_config")
            if init is None:
                return _describe(None, False, config is not None)
            args = init.args
            names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
            described = _describe((names, args.kwarg is not None), True, config is not None)
            return dataclasses.replace(described, forwards=_forwarded(init), **_config_shape(config))
    return _UNREAD


def _forwarded(init: ast.FunctionDef) -> frozenset[str]:
    """Names used in the arguments of ``super().__init__(...)`` / ``Base.__init__(self, ...)`` and the
    keywords given there: what the subclass hands to the base's constructor."""
    found: set[str] = set()
    for call in ast.walk(init):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "__init__":
            found.update(k.arg for k in call.keywords if k.arg)
            for arg in [*call.args, *(k.value for k in call.keywords)]:
                found.update(n.id for n in ast.walk(arg) if isinstance(n, ast.Name))
    return frozenset(found)


def _config_shape(config: ast.FunctionDef | None) -> dict:
    if config is None:
        return {}
    inherits = any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr == "get_config"
                   and isinstance(c.func.value, ast.Call) and getattr(c.func.value.func, "id", None) == "super"
                   for c in ast.walk(config))
    strings = frozenset(n.value for n in ast.walk(config) if isinstance(n, ast.Constant) and isinstance(n.value, str))
    return {"inherits_config": inherits, "config_strings": strings}


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
    reads.tree(package_dir)  # every file of it may decide, for the result cache (reads.py)
    return (path, _package_index(package_dir)) if os.path.isdir(package_dir) else (path, None)


def subclasses(cls: nodes.ClassDef) -> list[Subclass]:
    """Every project subclass of ``cls``: in its module, then in its top-level package's other files."""
    module = cls.root()
    found = [
        _subclass_in_module(other)
        for other in syntax.module_nodes(module, nodes.ClassDef)
        if other is not cls and any(_base_names(base.as_string())[-1:] == [cls.name] for base in other.bases)
    ]
    path, index = _package(cls)
    if path is None or index is None:
        return found
    for file, name in index.subclasses.get(cls.name, ()):
        if os.path.abspath(file) != os.path.abspath(path):
            found.append(_subclass_in_file(file, name))
    return found


def fixed_by_subclasses(found: list[Subclass], param: str) -> bool:
    """There are project subclasses (``subclasses(cls)``), and each has its own ``__init__`` that does not
    take ``param``."""
    return bool(found) and all(s.params is not None and (s.unread or param not in s.params) for s in found)


def abstract_base(cls: nodes.ClassDef, param: str) -> bool:
    """``cls`` is only ever a base as far as ``param`` goes: nothing in its package uses ``cls`` where it
    could make an instance, and each project subclass has its own ``__init__`` and ``get_config`` that do not
    carry the base's omission of ``param`` over (``Subclass.keeps_out``), or is itself such a base with
    nothing of its own (tfa's ``_BaseMonotonicAttentionMechanism``). What the base's ``get_config`` leaves
    out is then the subclasses' business (tfa's ``AttentionMechanism``)."""
    _, index = _package(cls)
    return index is not None and _only_a_base(index, cls.name, param, depth=2)


def _only_a_base(index: _Index, name: str, param: str, depth: int) -> bool:
    found = index.subclasses.get(name, ())
    if not found or index.used(name):
        return False
    for file, subclass in found:
        described = _subclass_in_file(file, subclass)
        if described.unread:
            continue
        if described.params is not None and described.own_config and not described.keeps_out(param):
            continue
        if (described.params is None and not described.own_config and depth
                and _only_a_base(index, subclass, param, depth - 1)):
            continue
        return False
    return True
