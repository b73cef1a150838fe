"""Pre-filter step 4: what astroid cannot import, whatever the project holds.

astroid refuses every module under the Keras roots that no stub provides
(knowledge/stubs.py): ``from tf_keras.src.engine import base_layer`` binds a
name that infers to nothing, and so does every attribute of it. Asked by the
driver, which knows the stub modules, and not in Keras' own source tree, whose
``keras.src`` modules are read (the driver's part). Two verdicts on a file:

- ``classes``: its module-level classes with such a base. The resolver finds
  no Keras class above them, so no class rule runs on them.
- ``silent``: its module rules none of whose calls can report, by what
  each rule ``needs`` of a call (rules.ModuleRule.needs):
  - ``"callee"``, a callee that infers to a class: not one that is such a
    name or an attribute of one, a class of ``classes`` by its name, or an
    attribute of ``super()`` in one of ``classes`` whose every base is such a
    name (astroid finds nothing above it);
  - ``"method"``, a call in a method of a class: not one whose innermost
    class is one of ``classes``, or that has no class around it.

tf_keras' own source, and code on TensorFlow's private Keras, then never
reaches astroid. A star import, a name bound any other way (or in a scope
around the call), ``global``, a relative import, the name assigned as an
attribute anywhere in the module (``m.core = ...``: astroid adds it to the
module itself if ``m`` is this module), or a class with type parameters
leave it to astroid.
"""

from __future__ import annotations

import ast
import builtins
import functools
import re
from collections import Counter
from typing import Iterable

from .ast_walk import BLOCK_FIELDS, statements
from .prefilter import SCOPES, BoundAround, Triggered, bound_names, callee_name, generic


class Denied:
    """Step 4's verdicts on one module's ``tree`` (``source``, its text, spares a walk; ``stub_modules``: every
    module a stub provides; ``rules``: the module rules ``silent`` decides on), each computed when asked."""

    def __init__(self, tree: ast.AST, roots: tuple[str, ...], stub_modules: frozenset[str],
                 rules: Iterable[Triggered] = (), source: str | None = None):
        self._tree = tree
        self._roots = roots
        self._stub_modules = stub_modules
        self._rules = [rule for rule in rules if getattr(rule, "needs", "")]
        self._source = source if source is not None and source.isascii() else None  # else NFKC: see prefilter
        self._imported: dict[str, list[str]] = {}  # name -> the module each of its import bindings imports
        self._star = self._read_imports()
        self._around = BoundAround()
        self._assigned_names: dict[str, bool] = {}

    @functools.cached_property
    def classes(self) -> frozenset[int]:
        """Lines of the module-level classes with a base astroid cannot import."""
        return frozenset(c.lineno for c in self._denied_classes)

    @functools.cached_property
    def silent(self) -> frozenset[str]:
        """Codes of the module rules that no call of the module can make report."""
        if not self._rules or not any(map(self.refused, self._imported)):
            return frozenset()  # nothing refused: not worth a walk for calls outside classes
        denied = self._denied_classes
        self._denied = {id(c) for c in denied}
        self._by_name = {c.name for c in denied if self._bound[c.name] == 1 and c.name not in self._global
                         and not self._assigned(c.name)}
        # astroid finds nothing above these: every base infers to nothing, so their MRO is themselves alone.
        self._alone = {id(c) for c in denied if all(self.refused(_root(b) or "") for b in c.bases)}
        calls = self._walk[0]
        return frozenset(rule.code for rule in self._rules if all(
            self._cannot_report(getattr(rule, "needs"), *found) for found in calls if _triggers(rule, found[0])))

    @functools.cached_property
    def _denied_classes(self) -> list[ast.ClassDef]:
        return [c for c in getattr(self._tree, "body", ()) if isinstance(c, ast.ClassDef) and not generic(c)
                and any(self.refused(n) for n in map(_root, c.bases) if n)]

    @functools.cached_property
    def _bound(self) -> Counter[str]:
        return bound_names(self._tree, enter=False)

    @functools.cached_property
    def _global(self) -> set[str]:
        if self._source is not None and "global" not in self._source:
            return set()
        return {n for node in statements(self._tree) if isinstance(node, ast.Global) for n in node.names}

    def _assigned(self, name: str) -> bool:
        """Whether the module assigns ``name`` as an attribute (``m.core = ...``, ``builtins.super = ...``): astroid
        adds it to whatever the object infers to, this very module (imported by itself) or builtins included.
        The module is walked only when the text has the name right after a dot or at the start of a line."""
        if name not in self._assigned_names:
            written = self._source is None or _after_dot_or_line_start(self._source, name)
            self._assigned_names[name] = written and name in self._walk[1]
        return self._assigned_names[name]

    def _read_imports(self) -> bool:
        """Fills ``_imported`` from the module's scope (statements, not entering functions or classes);
        whether there is a star import."""
        pending: list[ast.AST] = [self._tree]
        while pending:
            node = pending.pop()
            for name in BLOCK_FIELDS:
                block = getattr(node, name, None)
                if type(block) is list:
                    pending.extend(s for s in block if not isinstance(s, SCOPES))
            if isinstance(node, ast.ImportFrom):
                if any(alias.name == "*" for alias in node.names):
                    return True
                for alias in node.names:
                    self._imported.setdefault(alias.asname or alias.name, []).append(
                        node.module if not node.level and node.module else "")
            elif isinstance(node, ast.Import):
                for alias in node.names:  # astroid imports the whole dotted name only for ``import a.b as c``
                    self._imported.setdefault(alias.asname or alias.name.partition(".")[0], []).append(
                        alias.name if alias.asname else alias.name.partition(".")[0])
        return False

    def refused(self, name: str) -> bool:
        """``name`` is bound at module level only by imports from modules astroid refuses."""
        modules = self._imported.get(name, ())
        return (not self._star and bool(modules) and not hasattr(builtins, name)
                and all(m.partition(".")[0] in self._roots and m not in self._stub_modules for m in modules)
                and len(modules) == self._bound[name] and name not in self._global and not self._assigned(name))

    @functools.cached_property
    def _walk(self) -> tuple[list[tuple[ast.Call, tuple[ast.AST, ...], ast.ClassDef | None]], set[str]]:
        """One walk of the module: the calls that trigger one of the rules, each with the scopes and the
        innermost class around it, and the names assigned as attributes."""
        calls = []
        stored: set[str] = set()
        pending: list[tuple[ast.AST, tuple[ast.AST, ...], ast.ClassDef | None]] = [(self._tree, (), None)]
        while pending:
            node, scopes, klass = pending.pop()
            kind = type(node)
            if kind is ast.Attribute and type(node.ctx) is not ast.Load:  # type: ignore[attr-defined]
                stored.add(node.attr)  # type: ignore[attr-defined]
            elif kind is ast.Call and any(_triggers(rule, node) for rule in self._rules):  # type: ignore[arg-type]
                calls.append((node, scopes, klass))
            if isinstance(node, SCOPES):
                scopes = (*scopes, node)
                klass = node if kind is ast.ClassDef else klass  # type: ignore[assignment]
            for field in node._fields:
                value = getattr(node, field, None)
                if isinstance(value, ast.AST):
                    pending.append((value, scopes, klass))
                elif type(value) is list:
                    pending.extend((item, scopes, klass) for item in value if isinstance(item, ast.AST))
        return calls, stored  # type: ignore[return-value]

    def _cannot_report(self, needs: str, call: ast.Call, scopes: tuple[ast.AST, ...],
                       klass: ast.ClassDef | None) -> bool:
        if needs == "method":
            return klass is None or id(klass) in self._denied
        if needs != "callee":
            return False
        func = call.func
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name):
            if self._around(scopes, root.id):
                return False
            return self.refused(root.id) or (func is root and root.id in self._by_name)
        return (isinstance(func, ast.Attribute) and func.value is root and func.attr != "__class__"
                and self._bare_super(root, scopes) and klass is not None and id(klass) in self._alone)

    def _bare_super(self, node: ast.AST, scopes: tuple[ast.AST, ...]) -> bool:
        """``super()``, the builtin's."""
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
                and not node.args and not node.keywords and not self._bound["super"]
                and "super" not in self._global and not self._around(scopes, "super")
                and not self._assigned("super"))


def _after_dot_or_line_start(text: str, name: str) -> bool:
    """Whether ``name`` occurs after a dot, or first on a line (spaces aside): an attribute ``x.name`` can be
    written with a comment, a continuation or, in brackets, a newline after the dot, and each of those ends
    the line. Linear: the spaces skipped before distinct occurrences are distinct."""
    for found in re.finditer(re.escape(name) + r"\b", text):
        start = found.start()
        while start and text[start - 1] in " \t\f":
            start -= 1
        if start == 0 or text[start - 1] in ".\n\r":
            return True
    return False


def _root(expr: ast.AST) -> str | None:
    """The name an attribute chain starts from (``a`` of ``a.b.c``)."""
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _triggers(rule: Triggered, call: ast.Call) -> bool:
    """As prefilter.called: the call's last name is one of the rule's callees, or it passes one of its keywords."""
    return callee_name(call) in getattr(rule, "callees", ()) or any(
        k.arg in getattr(rule, "keywords", ()) for k in call.keywords if k.arg is not None)
