"""Which rules could report in a file, decided before any astroid work.

Most files of a project define no layer: they must cost next to nothing.
Two steps, each a necessary condition of a rule's trigger, never a guess:

1. the text (a regular expression and substring tests, no parsing): a class
   rule needs ``def <method>`` for one of its ``methods`` (or, for a rule a
   mixin may trigger, a class with several bases), a module rule one
   of its ``callees`` or ``keywords`` written somewhere. Only for ASCII sources: Python folds non-ASCII
   identifiers (NFKC), so ``def ｂuild`` defines ``build``.
2. the ``ast`` tree flake8 already parsed: a class with bases that itself
   defines one of the methods, or has several bases for a rule a mixin may
   trigger (statements only are visited, not
   expressions), or a call by one of the callee names or keywords (every
   node, and only when a module rule passed step 1).
3. of those classes, the ones that cannot be Keras whatever the project holds
   (``plain_classes``): every base a builtin class or such a class of the
   file's own, by names nothing else in the file binds. A file of plain
   classes (most code without Keras) then never reaches astroid.
4. what astroid cannot import (denied.py, asked by the driver, which knows
   the stub modules): the classes whose base is a name only imported from a
   module under the Keras roots that no stub provides
   (``tf_keras.src.engine.base_layer``), and the module rules whose every
   call is in such a class or calls such a name. tf_keras' own source, and
   code on TensorFlow's private Keras, then never reaches astroid either.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator, Protocol, TypeVar

from .ast_walk import BLOCK_FIELDS, statements


class Triggered(Protocol):
    """What the pre-filter reads of a rule: a rules.Rule, or its triggers.Trigger (no import of the rules)."""

    @property
    def code(self) -> str: ...
    @property
    def methods(self) -> frozenset[str]: ...
    @property
    def mixed_in(self) -> bool: ...
    @property
    def module_rule(self) -> bool: ...
    def wants(self, own_methods, bases: int) -> bool: ...


R = TypeVar("R", bound=Triggered)

# `def name` / `async def name`, also split by a backslash continuation. The word boundary is asserted
# after the keyword, not before (``\bdef``): the same matches, but a pattern that starts with a literal
# lets ``re`` jump from one "def" to the next (keras-hub: 0.11 -> 0.005 s for the 816 files).
_DEF = re.compile(r"def(?<=\bdef)[\s\\]+(\w+)")
# A class statement with a comma among its bases (a superset of "several bases").
_SEVERAL_BASES = re.compile(r"class(?<=\bclass)[\s\\]+\w+[\s\\]*\([^)]*,")


def _needles(rule: Triggered) -> frozenset[str]:
    return getattr(rule, "callees", frozenset()) | getattr(rule, "keywords", frozenset())


def text_allows(rules: tuple[R, ...], source: str) -> tuple[R, ...]:
    """The rules the text of ``source`` does not rule out (step 1)."""
    if not source.isascii():
        return rules
    defined: set[str] | None = None
    kept = []
    for rule in rules:
        if rule.module_rule:
            if not any(needle in source for needle in _needles(rule)):
                continue
        else:
            if defined is None:
                defined = set(_DEF.findall(source))
            if not rule.methods & defined and not (rule.mixed_in and _SEVERAL_BASES.search(source)):
                continue
        kept.append(rule)
    return tuple(kept)


@dataclass
class FileSummary:
    """What the stdlib AST says about the classes of a file (step 2)."""

    class_methods: dict[int, set[str]] = field(default_factory=dict)  # line -> own methods
    class_bases: dict[int, int] = field(default_factory=dict)  # line -> number of bases

    @classmethod
    def of(cls, tree: ast.AST) -> "FileSummary":
        summary = cls()
        summary._collect_classes(tree)
        return summary

    def _collect_classes(self, tree: ast.AST) -> None:
        for node in statements(tree):
            if isinstance(node, ast.ClassDef) and node.bases:
                self.class_bases[node.lineno] = len(node.bases)
                self.class_methods[node.lineno] = {
                    item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                }

    def wants_class(self, line: int, rules: tuple[Triggered, ...]) -> bool:
        own = self.class_methods.get(line)
        return own is not None and any(rule.wants(own, self.class_bases[line]) for rule in rules)


@dataclass(frozen=True)
class Screen:
    """What steps 1 to 3 leave of a file: the rules that may report, the classes they may report on."""

    tree: ast.AST  # the file's tree (parsed here when flake8's was not given)
    codes: frozenset[str]  # of the class rules the text allows and the module rules the calls allow
    wanted: frozenset[int]  # lines of the classes a class rule may report on


def screen(rules: tuple[Triggered, ...], source: str, tree: ast.AST | None = None) -> Screen | None:
    """Steps 1 to 3; None when no rule can report in the file (or it does not parse: flake8 reports that)."""
    rules = text_allows(rules, source)
    if not rules:
        return None  # the usual case: no AST walk
    if tree is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    class_rules = tuple(r for r in rules if not r.module_rule)
    module_rules = tuple(r for r in rules if r.module_rule)
    module_rules = called(tree, module_rules) if module_rules else ()
    summary = FileSummary.of(tree) if class_rules else FileSummary()
    wanted = {line for line in summary.class_methods if summary.wants_class(line, class_rules)}
    if wanted:
        wanted -= plain_classes(tree)
    if not wanted and not module_rules:
        return None
    return Screen(tree, frozenset(r.code for r in (*class_rules, *module_rules)), frozenset(wanted))


def called(tree: ast.AST, rules: tuple[R, ...]) -> tuple[R, ...]:
    """The module ``rules`` a call of ``tree`` triggers, in their order: one by a callee name (the
    last name of the called expression) or with a keyword of the rule. Every node is visited as by
    ``ast.walk``, on a list instead of generators, and the walk stops once every rule is triggered
    (keras-hub: 0.21 -> 0.13 s for the files that reach this step)."""
    callees: dict[str, list[R]] = {}
    keywords: dict[str, list[R]] = {}
    for rule in rules:
        for name in getattr(rule, "callees", ()):
            callees.setdefault(name, []).append(rule)
        for name in getattr(rule, "keywords", ()):
            keywords.setdefault(name, []).append(rule)
    triggered: set[int] = set()
    pending = [tree]
    while pending and len(triggered) < len(rules):
        node = pending.pop()
        if isinstance(node, ast.Call):
            name = callee_name(node)
            if name is not None:
                triggered.update(id(rule) for rule in callees.get(name, ()))
            for keyword in node.keywords:
                if keyword.arg is not None:  # None: **mapping
                    triggered.update(id(rule) for rule in keywords.get(keyword.arg, ()))
        for field_name in node._fields:
            value = getattr(node, field_name, None)
            if isinstance(value, ast.AST):
                pending.append(value)
            elif isinstance(value, list):
                pending.extend(item for item in value if isinstance(item, ast.AST))
    return tuple(rule for rule in rules if id(rule) in triggered)


def callee_name(call: ast.Call) -> str | None:
    """The last name of the called expression (``Lambda`` of ``layers.Lambda(...)``): what ``callees`` match."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name if isinstance(name, str) else None


_BUILTIN_CLASSES = frozenset(name for name, value in vars(builtins).items() if isinstance(value, type))
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def plain_classes(tree: ast.AST) -> frozenset[int]:
    """Lines of the classes that provably are no Keras class (step 3): astroid resolves each base to a
    builtin class or to a class of the file's top level defined above, itself plain, so the resolver
    finds no Keras class in the hierarchy and no class rule runs. A base's name bound anywhere in the
    module's own scope (assigned, imported, ``global``...) or in a scope around the class, or a star
    import, leaves the class unproven."""
    classes: list[tuple[ast.ClassDef, tuple[ast.AST, ...]]] = []  # with the scopes around each
    module_bound = bound_names(tree, enter=False)
    pending: list[tuple[ast.AST, tuple[ast.AST, ...]]] = [(tree, ())]
    while pending:  # statements only: classes, functions, imports and ``global`` are all statements
        node, scopes = pending.pop()
        inner = (*scopes, node) if isinstance(node, SCOPES) else scopes
        for name in BLOCK_FIELDS:
            block = getattr(node, name, None)
            if type(block) is list:
                pending.extend((statement, inner) for statement in block)
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return frozenset()
        if isinstance(node, ast.Global):
            module_bound.update(node.names)
        elif isinstance(node, ast.ClassDef) and node.bases:
            classes.append((node, scopes))
    top = {s.name: s for s in getattr(tree, "body", ()) if isinstance(s, ast.ClassDef) and module_bound[s.name] == 1}
    bound_around = BoundAround()
    known: dict[int, bool] = {}  # plain or not, for the top-level classes, in source order: a base comes first

    def plain(cls: ast.ClassDef, scopes: tuple[ast.AST, ...]) -> bool:
        return not generic(cls) and all(
            isinstance(b, ast.Name) and not bound_around(scopes, b.id) and (
                (b.id in _BUILTIN_CLASSES and not module_bound[b.id])
                or (b.id in top and top[b.id].lineno < cls.lineno and known.get(id(top[b.id]), False)))
            for b in cls.bases)

    for statement in getattr(tree, "body", ()):
        if isinstance(statement, ast.ClassDef):
            known[id(statement)] = plain(statement, ())
    return frozenset(cls.lineno for cls, scopes in classes if known.get(id(cls)) or (
        id(cls) not in known and plain(cls, scopes)))


def generic(cls: ast.ClassDef) -> bool:
    """A class with type parameters (``class C[T](Base)``, Python 3.12): astroid looks its bases' names up in
    the class's own body first, where Python does not."""
    return bool(getattr(cls, "type_params", None))


class BoundAround:
    """Whether one of the scopes around a node binds a name (anywhere inside it): each scope walked once."""

    def __init__(self) -> None:
        self._bound: dict[int, Counter[str]] = {}

    def __call__(self, scopes: tuple[ast.AST, ...], name: str) -> bool:
        for scope in scopes:
            if id(scope) not in self._bound:
                self._bound[id(scope)] = bound_names(scope, enter=True)
            if self._bound[id(scope)][name]:
                return True
        return False


def bound_names(node: ast.AST, enter: bool) -> Counter[str]:
    """Every name bound under ``node``, counted (a ``def``, a class, an import, a target, a parameter, a
    handler's or a pattern's capture); without ``enter``, not inside nested functions and classes, whose
    own names still count."""
    bound: Counter[str] = Counter()
    pending = list(ast.iter_child_nodes(node))
    while pending:
        child = pending.pop()
        if isinstance(child, ast.alias):
            bound[child.asname or child.name.partition(".")[0]] += 1
        elif isinstance(child, ast.Name):
            bound[child.id] += not isinstance(child.ctx, ast.Load)
        else:
            for attribute in ("name", "arg", "rest"):
                value = getattr(child, attribute, None)
                if isinstance(value, str):
                    bound[value] += 1
        if enter or not isinstance(child, SCOPES):
            pending.extend(ast.iter_child_nodes(child))
        else:  # what the enclosing scope evaluates: decorators, bases, defaults, annotations (a walrus binds there)
            pending.extend(n for f in ("decorator_list", "bases", "keywords") for n in getattr(child, f, ()))
            if not isinstance(child, ast.ClassDef):
                pending.extend(_evaluated_outside(child))
    return bound


def _evaluated_outside(function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> Iterator[ast.AST]:
    """A function's defaults and annotations: expressions its enclosing scope evaluates."""
    arguments = function.args
    yield from (d for d in (*arguments.defaults, *arguments.kw_defaults) if d is not None)
    parameters = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg)
    yield from (p.annotation for p in parameters if p is not None and p.annotation is not None)
    returns = getattr(function, "returns", None)
    if returns is not None:
        yield returns
