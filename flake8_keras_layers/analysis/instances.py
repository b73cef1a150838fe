"""Which layer instance a call in ``call()`` reaches, under whatever name it is reached.

KL201, KL202 and KL903 ask whether one layer instance is called twice on a
path of ``call()``. The instance is identified by where it was made, not by
the text of the call:

- ``self.bn1 = self.bn2 = BatchNormalization()``, ``self.b = self.a`` and
  ``bn = BatchNormalization(); self.a = bn; self.b = bn`` make one instance;
- a local alias in ``call()`` (``bn = self.bn``) is the instance it names;
- a constant subscript of a list, tuple or dict attribute (``self.norms[0]``)
  is one element: of a literal, the element expression itself; of a
  comprehension, one element per index;
- a call of the class's own method (``self._norm_act(x)``), up to two calls
  deep, reaches the instances that method calls unconditionally.

Distinct things stay distinct: ``self.a, self.b = BN(), BN()`` are two
instances, as are ``[BN() for _ in range(n)]`` indexed by two constants. An
attribute assigned more than once is identified by its name alone (one
instance at call time), and anything made inside a loop, a container that is
modified after it is made, or an alias that is not a single plain assignment
is not followed: the call then reaches no known instance.
"""

from __future__ import annotations

from dataclasses import dataclass

import astroid
from astroid import nodes
from astroid.const import Context

from . import flow, resolver, syntax
from .resolver import Ancestry

# Helpers followed from call(), as KL103/KL104/KL107 do; methods that are not per call are not.
HELPER_DEPTH = 2
_NOT_PER_CALL = frozenset({"build", "__init__", "call"})
_LITERALS = (nodes.List, nodes.Tuple)
_COMPREHENSIONS = (nodes.ListComp, nodes.DictComp)
_STEPS = 8  # aliases followed before giving up (``self.b = self.a`` chains, cycles)


@dataclass(frozen=True)
class Instance:
    """One layer object: equal keys are provably the same object."""

    key: tuple
    kind_expr: nodes.NodeNG | None  # an expression whose inferred classes are the instance's
    attr: str | None = None  # set when only the attribute name identifies it

    @property
    def origin(self) -> nodes.NodeNG | None:
        """The expression that made it (``BatchNormalization()``), when one is known."""
        return self.kind_expr if self.attr is None else None


@dataclass(frozen=True)
class Use:
    """A call of an instance reached from ``call()``: ``call`` itself, through the helper calls ``path``."""

    call: nodes.Call
    path: tuple[nodes.Call, ...]
    methods: tuple[nodes.FunctionDef, ...]  # call() and the helpers entered, one more than ``path``
    instance: Instance

    @property
    def anchor(self) -> nodes.Call:
        """The call in ``call()`` that reaches the instance: where a finding is reported."""
        return self.path[0] if self.path else self.call

    @property
    def name(self) -> str:
        return self.call.func.as_string()

    @property
    def via(self) -> str:
        return "".join(f" via {site.func.as_string()}()" for site in self.path)


class Instances:
    """The instances ``call()`` of a class reaches, and where."""

    def __init__(self, cls: nodes.ClassDef, chain, method: nodes.FunctionDef):
        self.cls = cls
        self.chain = chain
        self.method = method
        self._kinds: dict[tuple, list[Ancestry] | None] = {}
        self._changed: dict[str, bool] = {}
        self.uses: dict[tuple, list[Use]] = {}
        for use in self._uses(method, (), (method,)):
            self.uses.setdefault(use.instance.key, []).append(use)

    # -- which instance an expression is -----------------------------------------

    def of(self, expr: nodes.NodeNG, owned: bool = True, steps: int = _STEPS) -> Instance | None:
        """The instance ``expr`` evaluates to. ``owned``: only one reached through a ``self`` attribute
        (in ``call()``: a layer made there is KL104's business, not a reused one)."""
        if steps <= 0:
            return None
        steps -= 1
        scope = expr.frame()
        if isinstance(expr, nodes.Attribute) and self._is_method(scope) and \
                syntax.is_self_attr(expr, syntax.self_name(scope)):
            return self._attribute(expr.attrname, steps, stored=not owned)
        if isinstance(expr, nodes.Name):
            value = _single_assigned_value(expr)
            return None if value is None else self.of(value, owned, steps)
        if isinstance(expr, nodes.Subscript):
            return self._element(expr, owned, steps)
        if owned or flow.in_loop(expr, scope):
            return None
        return Instance(("made", id(expr)), expr)

    def _is_method(self, scope: nodes.NodeNG) -> bool:
        return isinstance(scope, nodes.FunctionDef) and any(scope.parent is klass for klass in self.chain)

    def _attribute(self, attr: str, steps: int, stored: bool) -> Instance | None:
        """``self.<attr>``: read in call() (one object at call time), or ``stored`` in another attribute
        (``self.b = self.a``: then ``a`` must be assigned once, or it may have changed since)."""
        by_name = Instance(("attr", attr), None, attr)
        try:
            assignments = self.cls.instance_attr(attr)
        except (astroid.AstroidError, RecursionError):
            return None if stored else by_name
        if len(assignments) != 1 or flow.in_loop(assignments[0], assignments[0].frame()):
            return None if stored else by_name
        value = _assigned_value(assignments[0])
        found = None if value is None else self.of(value, owned=False, steps=steps)
        return found or by_name

    def _element(self, expr: nodes.Subscript, owned: bool, steps: int) -> Instance | None:
        index = _constant(expr.slice)
        if index is None:
            return None
        container = self.of(expr.value, owned, steps)
        if container is None or self._modified(container):
            return None
        made = container.origin
        if isinstance(made, _LITERALS) and isinstance(index, int):
            if -len(made.elts) <= index < len(made.elts):
                element = made.elts[index]
                return None if isinstance(element, nodes.Starred) else self.of(element, False, steps)
            return None
        if isinstance(made, nodes.Dict):
            if not all(isinstance(k, nodes.Const) for k, _ in made.items):
                return None  # ``**other`` or a computed key might provide it
            values = [v for k, v in made.items if k.value == index]
            return self.of(values[-1], False, steps) if values else None
        if isinstance(made, _COMPREHENSIONS):
            element = made.elt if isinstance(made, nodes.ListComp) else made.value
            return Instance(container.key + (index,), element)
        return None

    def _modified(self, container: Instance) -> bool:
        """Whether the attribute holding a container may change after it is made (also: held elsewhere)."""
        attr = container.attr or _attribute_of(container.origin)
        if attr is None:
            return True  # a local list may be changed through its name: not followed
        if attr not in self._changed:
            self._changed[attr] = any(_changes(method, attr) for klass in self.chain
                                      for method in syntax.defined_methods(klass))
        return self._changed[attr]

    def kinds(self, instance: Instance) -> list[Ancestry] | None:
        """The Keras ancestries of the classes the instance may be; None unless all are provably Keras."""
        if instance.key not in self._kinds:
            if instance.attr is not None:
                found = resolver.self_attribute_ancestries(self.cls, instance.attr)
            else:
                found = _ancestries(instance.kind_expr)
            self._kinds[instance.key] = found
        return self._kinds[instance.key]

    # -- where call() reaches them -------------------------------------------------

    def _uses(self, method: nodes.FunctionDef, path: tuple, methods: tuple):
        me = syntax.self_name(method)
        for node in syntax.walk_scope(method):
            if not isinstance(node, nodes.Call):
                continue
            helper = None
            if syntax.is_self_attr(node.func, me) and node.func.attrname not in _NOT_PER_CALL:
                helper = syntax.chain_method(self.chain, node.func.attrname)[1]
            instance = None if helper is not None else self.of(node.func)
            if instance is None and (helper is None or len(path) >= HELPER_DEPTH
                                     or any(helper is m for m in methods)):
                continue
            if path and _conditional(node, method):
                continue  # a helper's arguments may decide whether it runs: not followed
            if helper is not None:
                yield from self._uses(helper, path + (node,), methods + (helper,))
            elif instance is not None:
                yield Use(node, path, methods, instance)

    def in_loop(self, use: Use) -> bool:
        """Whether the use may run more than once per call of ``call()``."""
        steps = use.path + (use.call,)
        return any(flow.in_loop(step, method) for step, method in zip(steps, use.methods))

    def exclusive(self, first: Use, second: Use) -> bool:
        """Whether two uses (in source order) never both run in one call of ``call()``."""
        a, b = first.path + (first.call,), second.path + (second.call,)
        for level, (step_a, step_b) in enumerate(zip(a, b)):
            if step_a is not step_b:
                return flow.exclusive(step_a, step_b, first.methods[level])
        return False

    def sequential(self, first: Use, second: Use) -> bool:
        """Whether ``second`` provably takes what ``first`` produced (flow.feeds), decided on the calls
        where their paths part: the anchors in ``call()``, or the calls inside the helper both go through."""
        a, b = first.path + (first.call,), second.path + (second.call,)
        for level, (step_a, step_b) in enumerate(zip(a, b)):
            if step_a is not step_b:
                return flow.feeds(step_a, step_b, first.methods[level])
        return False


def _constant(node: nodes.NodeNG) -> int | str | None:
    """A literal int (also negative) or str subscript."""
    if isinstance(node, nodes.UnaryOp) and node.op == "-":
        value = _constant(node.operand)
        return -value if isinstance(value, int) else None
    if isinstance(node, nodes.Const) and type(node.value) in (int, str):
        return node.value
    return None


def _changes(method: nodes.FunctionDef, attr: str) -> bool:
    """``self.x[i] = ...``, ``del self.x[i]``, ``self.x += ...`` or any ``self.x.<method>(...)`` in ``method``."""
    me = syntax.self_name(method)
    for node in syntax.walk_scope(method):
        if isinstance(node, nodes.Subscript) and syntax.is_self_attr(node.value, me, attr) \
                and node.ctx != Context.Load:
            return True
        if isinstance(node, nodes.Attribute) and syntax.is_self_attr(node.expr, me, attr):
            return True
        if isinstance(node, nodes.AugAssign) and syntax.is_self_attr(node.target, me, attr):
            return True
    return False


def _conditional(node: nodes.NodeNG, method: nodes.FunctionDef) -> bool:
    """Under a test, or after a statement that may return early: in a helper, its arguments may decide."""
    if flow.under_condition(node, method):
        return True
    return flow.may_leave_before(node, method)


def _single_assigned_value(name: nodes.Name) -> nodes.NodeNG | None:
    """The value of the one plain assignment ``name = value`` that binds ``name`` in its function."""
    try:
        scope, assignments = name.lookup(name.name)
    except (astroid.AstroidError, RecursionError):
        return None
    if not isinstance(scope, nodes.FunctionDef) or len(assignments) != 1:
        return None
    target = assignments[0]
    statement = target.parent
    if not isinstance(target, nodes.AssignName) or not isinstance(statement, (nodes.Assign, nodes.AnnAssign)):
        return None  # a parameter, a loop variable, an unpacked tuple...
    if flow.in_loop(statement, scope):
        return None  # a new object on every iteration
    return statement.value


def _assigned_value(target: nodes.NodeNG) -> nodes.NodeNG | None:
    """What ``self.x = value`` (also chained, annotated, or element-wise from a literal tuple) stores."""
    statement = target.parent
    if isinstance(statement, nodes.AnnAssign):
        return statement.value
    if isinstance(statement, nodes.Assign):
        return statement.value
    if isinstance(statement, (nodes.Tuple, nodes.List)) and isinstance(statement.parent, nodes.Assign):
        value = statement.parent.value
        if isinstance(value, (nodes.Tuple, nodes.List)) and statement in statement.parent.targets \
                and len(value.elts) == len(statement.elts) \
                and not any(isinstance(e, nodes.Starred) for e in (*value.elts, *statement.elts)):
            return value.elts[statement.elts.index(target)]
    return None


def _attribute_of(made: nodes.NodeNG | None) -> str | None:
    """The self attribute a container literal is stored in, when it is assigned to exactly one."""
    statement = made.parent if made is not None else None
    if isinstance(statement, nodes.Assign) and statement.value is made:
        attrs = [t.attrname for t in statement.targets if isinstance(t, nodes.AssignAttr)]
        if len(attrs) == 1:
            return attrs[0]
    return None


def _ancestries(expr: nodes.NodeNG | None) -> list[Ancestry] | None:
    if expr is None:
        return None
    classes = resolver.instance_classes(expr)
    if classes is None:
        return None
    found = [resolver.resolve_class(klass) for klass in classes]
    return None if any(a is None for a in found) else found  # type: ignore[return-value]
