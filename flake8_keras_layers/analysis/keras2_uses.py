"""Which Keras a file runs, from the APIs it uses: one public Keras 2 name no Keras 3 release has
(knowledge/keras2_api.py) and the file's ``keras`` namespace is Keras 2 only.

Read from the ``ast`` tree, before astroid, once per file that reaches the
rules. Only exact names count: a dotted name whose root is bound, everywhere in
the file, by imports of one module alone (``import tensorflow as tf``, ``from
tensorflow.keras import backend as K``); a name bound any other way, by
imports of different modules, by a relative or a star import (the whole file
then), is unsure and counts as nothing. So is a use that may never run where
it would fail: inside a ``try`` statement, under a test or decorator that
looks at versions or Keras (``if tf.__version__ < "2.16"``, a function's
``@skipif``), or in an annotation.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field

from ..knowledge import keras2_api
from ..knowledge.versions import Target

# A test that may keep the code under it from running on Keras 3.
_GUARD = re.compile(r"version|keras|hasattr|getattr|TYPE_CHECKING|legacy|tf_?[12]\b|skip", re.IGNORECASE)
# A decorator that may keep a function's body from running there (a class body always runs: not its decorators).
_SKIPS = re.compile(r"version|skip|xfail|keras_?2|tf_?[12]\b|legacy|only|requires", re.IGNORECASE)
_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))
_UNBOUND = ""  # a name bound by something other than an import


@dataclass(frozen=True)
class Use:
    shown: str  # the listed name as a message shows it: tf.keras.backend.placeholder
    line: int

    def note(self) -> str:
        return f"{self.shown} (line {self.line}) is Keras 2 only"


def narrow(target: Target, tree: ast.AST, source: str) -> Target:
    """``target`` for the file, Keras 2 only for its ``keras`` namespace when it uses a Keras 2 only API."""
    if target.keras.keras2_only:
        return target  # nothing left to narrow
    api = keras2_api.default()
    if not (api.mentioned(source) and _may_use(tree, source, api)):
        return target  # the usual case: no listed name in the text: no walk
    try:
        use = first_use(tree, api)
    except RecursionError:
        return target  # a tree too deep to walk: unsure
    return target if use is None else target.keras2_only(use.note())


def first_use(tree: ast.AST, api: keras2_api.Keras2Api) -> Use | None:
    walk = _Walk()
    walk.visit(tree, guards=(), called=False)
    if walk.star:
        return None  # any name may come from it
    found = []
    for dotted, line, guards in walk.imports:
        shown = api.keras2_only(dotted, False)
        if shown is not None and not _guarded(guards):
            found.append(Use(shown, line))
    for root, parts, line, called, guards in walk.chains:
        module = walk.bound_to(root)
        shown = api.keras2_only(".".join([module, *parts]), called) if module else None
        if shown is not None and not _guarded(guards):
            found.append(Use(shown, line))
    # tf.keras can be tf_keras (TF_USE_LEGACY_KERAS) beside a Keras 3 `keras`: its uses say nothing about
    # the file's plain `keras`, which the narrowed target would cover too.
    if any(m == "keras" or m.startswith("keras.") for modules in walk.bindings.values() for m in modules):
        found = [use for use in found if not use.shown.startswith("tf.keras")]
    return min(found, key=lambda use: use.line, default=None)


def _may_use(tree: ast.AST, source: str, api: keras2_api.Keras2Api) -> bool:
    """Whether the file may use a listed name: it imports one (or a module under one), or the text has a name an
    import binds followed by the attributes that reach one (``tf.keras.backend.placeholder``). The imports are
    read from the statements alone: cheap next to the walk of every node, which keras' own source (importing
    ``keras`` but using no listed name) would otherwise pay."""
    patterns = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, module, imported in _bound(node):
                if api.continuations(imported) == "":
                    return True
                attributes = api.continuations(module)
                if attributes:
                    patterns.append(_chain(name, attributes))
        else:
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                todo.extend(getattr(node, name, ()))
    return any(pattern.search(source) for pattern in patterns)


@functools.lru_cache(maxsize=256)
def _chain(name: str, attributes: str) -> re.Pattern[str]:
    """``name`` as a whole word, then ``attributes``. The word boundary is asserted after the name, not
    before it (``\\bname``): the same matches, but a pattern that starts with a literal lets ``re`` jump
    from one occurrence of the name to the next (keras-hub: 0.10 -> 0.01 s); compiled once per pair."""
    word = re.escape(name)
    return re.compile(rf"{word}(?<=\b{word}){attributes}")


def _bound(node: ast.Import | ast.ImportFrom):
    """(name bound, module or name it is bound to, what is imported) per imported name; none for a relative or
    a star import."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            root = alias.name.split(".")[0]
            yield (alias.asname, alias.name, alias.name) if alias.asname else (root, root, alias.name)
    elif not node.level and node.module:
        for alias in node.names:
            if alias.name != "*":
                imported = f"{node.module}.{alias.name}"
                yield alias.asname or alias.name, imported, imported


# What may keep a use from running, innermost last: a ``try`` statement (None), a test or a decorator.
Guards = tuple[tuple[re.Pattern[str], ast.AST] | None, ...]


def _guarded(guards: Guards) -> bool:
    """Read only for a use that would count: most files have none, and their tests are never printed."""
    return any(guard is None or guard[0].search(ast.unparse(guard[1])) for guard in guards)


@dataclass
class _Walk:
    bindings: dict[str, set[str]] = field(default_factory=dict)  # name -> modules ("" for anything else)
    imports: list[tuple[str, int, Guards]] = field(default_factory=list)  # (module or name imported, line, guards)
    chains: list[tuple[str, list[str], int, bool, Guards]] = field(default_factory=list)  # (root, attributes, ...)
    star: bool = False

    def bound_to(self, name: str) -> str | None:
        modules = self.bindings.get(name, set())
        return next(iter(modules)) if len(modules) == 1 and _UNBOUND not in modules else None

    def bind(self, name: str, module: str = _UNBOUND) -> None:
        self.bindings.setdefault(name, set()).add(module)

    def visit(self, node: ast.AST, guards: Guards, called: bool) -> None:
        if isinstance(node, (ast.Attribute, ast.Name)):
            self.chain(node, guards, called)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            self.imported(node, guards)
            return
        self.binds(node)
        if isinstance(node, _TRY):
            guards += (None,)
        elif isinstance(node, (ast.If, ast.IfExp, ast.While)):
            guards += ((_GUARD, node.test),)
        elif isinstance(node, ast.BoolOp):
            guards += ((_GUARD, node),)
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            guards += tuple((_GUARD, test) for gen in node.generators for test in gen.ifs)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            guards += tuple((_SKIPS, decorator) for decorator in node.decorator_list)
        for name, value in ast.iter_fields(node):
            if name in ("annotation", "returns"):
                self.annotation(value)
                continue
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    self.visit(child, guards, called=isinstance(node, ast.Call) and name == "func")

    def annotation(self, node) -> None:
        """Annotations may never be evaluated: their names are not uses (a walrus in one still binds)."""
        if isinstance(node, ast.AST):
            for child in ast.walk(node):
                if isinstance(child, ast.NamedExpr) and isinstance(child.target, ast.Name):
                    self.bind(child.target.id)

    def chain(self, top: ast.Attribute | ast.Name, guards: Guards, called: bool) -> None:
        parts: list[str] = []
        node: ast.expr = top
        while isinstance(node, ast.Attribute):
            parts.insert(0, node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            self.visit(node, guards, called=False)  # ``f().x``: the call's own names
            return
        if isinstance(top, ast.Name) and not isinstance(top.ctx, ast.Load):
            self.bind(top.id)
        elif isinstance(top.ctx, ast.Load):
            self.chains.append((node.id, parts, top.lineno, called, guards))

    def imported(self, node: ast.Import | ast.ImportFrom, guards: Guards) -> None:
        if isinstance(node, ast.ImportFrom) and (node.level or not node.module):
            for alias in node.names:
                self.bind(alias.asname or alias.name)  # a module of the project: unsure
        self.star = self.star or any(alias.name == "*" for alias in node.names)
        for name, module, imported in _bound(node):
            self.bind(name, module)
            self.imports.append((imported, node.lineno, guards))

    def binds(self, node: ast.AST) -> None:
        """Every other way a name gets bound (the ``Name`` targets are chains)."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.bind(node.name)
        elif isinstance(node, ast.arg):
            self.bind(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self.bind(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            self.bind(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            self.bind(node.rest)
        elif type(node).__name__ in ("TypeVar", "ParamSpec", "TypeVarTuple"):
            self.bind(getattr(node, "name", ""))
