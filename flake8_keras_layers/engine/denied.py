"""Pre-filter step 4: what astroid cannot import, whatever the project holds.

astroid refuses every module under the Keras roots that no stub provides
(knowledge/stubs.py): ``from tf_keras.src.engine import base_layer`` binds a
name that infers to nothing, and so does every attribute of it. Asked by the
driver, which knows the stub modules, and not in Keras' own source tree, whose
``keras.src`` modules are read (the driver's part). Two verdicts on a file:

- ``classes``: its module-level classes with such a base. The resolver finds
  no Keras class above them, so no class rule runs on them.
- ``silent_rules``: its module rules none of whose calls can report, by what
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
from typing import Iterable

from .ast_walk import BLOCK_FIELDS, statements
from .prefilter import SCOPES, BoundAround, Triggered, bound_names, generic


class Denied:
    """Step 4's verdicts on one module's ``tree``; ``stub_modules``: every module a stub provides."""

    def __init__(self, tree: ast.AST, roots: tuple[str, ...], stub_modules: frozenset[str]):
        self._tree = tree
        self._roots = roots
        self._stub_modules = stub_modules
        self._imported: dict[str, list[str]] = {}  # name -> the module each of its import bindings imports
        self._star = self._read_imports()
        self._bound = bound_names(tree, enter=False)
        self._global = {n for node in statements(tree) if isinstance(node, ast.Global) for n in node.names}
        self._around = BoundAround()
        top = [s for s in getattr(tree, "body", ()) if isinstance(s, ast.ClassDef)]
        denied = [] if self._star else [c for c in top if not generic(c) and any(
            self.refused(n) for n in map(_root, c.bases) if n)]
        self.classes = frozenset(c.lineno for c in denied)
        self._denied = {id(c) for c in denied}
        self._by_name = {c.name: c for c in denied if self._bound[c.name] == 1 and c.name not in self._global
                         and c.name not in self._assigned_attributes}
        # astroid finds nothing above these: every base infers to nothing, so their MRO is themselves alone.
        self._alone = {id(c) for c in denied if all(self.refused(_root(b) or "") for b in c.bases)}

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
        return (not self._star and bool(modules) and len(modules) == self._bound[name]
                and name not in self._global and not hasattr(builtins, name)
                and all(m.partition(".")[0] in self._roots and m not in self._stub_modules for m in modules)
                and name not in self._assigned_attributes)

    @functools.cached_property
    def _assigned_attributes(self) -> frozenset[str]:
        """Names the module assigns as attributes (``m.core = ...``, ``builtins.super = ...``): astroid adds them
        to whatever the object infers to, this very module (imported by itself) or builtins included."""
        return frozenset(n.attr for n in ast.walk(self._tree)
                         if isinstance(n, ast.Attribute) and not isinstance(n.ctx, ast.Load))

    def silent_rules(self, rules: Iterable[Triggered]) -> frozenset[str]:
        """The codes of the module ``rules`` that no call of the module can make report."""
        silent = {rule.code: rule for rule in rules if getattr(rule, "needs", "")}
        if not silent or not (self._denied or any(map(self.refused, self._imported))):
            return frozenset()  # nothing refused (most files): not worth a walk for calls outside classes
        pending: list[tuple[ast.AST, tuple[ast.AST, ...], ast.ClassDef | None]] = [(self._tree, (), None)]
        while pending and silent:
            node, scopes, klass = pending.pop()
            if isinstance(node, ast.Call):
                for code, rule in list(silent.items()):
                    if _triggers(rule, node) and not self._cannot_report(getattr(rule, "needs"), node, scopes, klass):
                        del silent[code]
            inner = (*scopes, node) if isinstance(node, SCOPES) else scopes
            klass = node if isinstance(node, ast.ClassDef) else klass
            pending.extend((child, inner, klass) for child in ast.iter_child_nodes(node))
        return frozenset(silent)

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
                and "super" not in self._assigned_attributes)


def _root(expr: ast.AST) -> str | None:
    """The name an attribute chain starts from (``a`` of ``a.b.c``)."""
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return expr.id if isinstance(expr, ast.Name) else None


def _triggers(rule: Triggered, call: ast.Call) -> bool:
    """As prefilter.called: the call's last name is one of the rule's callees, or it passes one of its keywords."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name in getattr(rule, "callees", ()) or any(
        k.arg in getattr(rule, "keywords", ()) for k in call.keywords if k.arg is not None)
