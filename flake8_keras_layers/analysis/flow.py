"""Can two statements of one function run in the same call?

Used to tell real layer reuse from calls on mutually exclusive paths. Two
calls are exclusive when they sit in different branches of one ``if`` or
conditional expression, under contradicting guards (``if p:`` / ``if not p:``,
``x == "a"`` / ``x == "b"``, ``x is None`` / ``x is not None``), or when the
first one's path ends (``return``/``raise``) before reaching the second.
An earlier ``if p:`` whose branch always leaves (``return``, ``raise``,
``continue``, ``break``) guards what follows it with ``not p``, as an
enclosing ``if not p:`` would. Anything else is assumed to run on one path.

``feeds`` asks the data-flow question of KL903: does a call take, through
local names, arithmetic and other calls, what an earlier call produced (one
chain of computation normalized twice), as opposed to two parallel inputs?
"""

from __future__ import annotations

from dataclasses import dataclass, field

from astroid import nodes

from . import budget

_LOOPS = (nodes.For, nodes.While, nodes.Comprehension)
_LEAVES = (nodes.Return, nodes.Raise, nodes.Continue, nodes.Break)
ENDS = (nodes.Return, nodes.Raise)
_CONDITIONAL = (nodes.If, nodes.IfExp, nodes.BoolOp, nodes.While)
_COMPREHENSIONS = (nodes.ListComp, nodes.SetComp, nodes.DictComp, nodes.GeneratorExp)


@dataclass
class _Facts:
    """What must be true for a node to run: per expression, a truth value and/or its possible constants."""

    truth: dict[str, bool] = field(default_factory=dict)
    equal: dict[str, set] = field(default_factory=dict)  # key -> allowed constants
    unequal: dict[str, set] = field(default_factory=dict)  # key -> excluded constants
    branches: dict[int, str] = field(default_factory=dict)  # id(if node) -> "body"/"orelse"


def _const(node: nodes.NodeNG):
    if isinstance(node, nodes.Const):
        return (True, node.value)
    if isinstance(node, (nodes.Tuple, nodes.List, nodes.Set)) and all(
        isinstance(e, nodes.Const) for e in node.elts
    ):
        return (True, {e.value for e in node.elts})
    return (False, None)


def _add_guard(facts: _Facts, test: nodes.NodeNG, holds: bool) -> None:
    if isinstance(test, nodes.UnaryOp) and test.op == "not":
        _add_guard(facts, test.operand, not holds)
        return
    if isinstance(test, nodes.BoolOp) and ((test.op == "and") == holds):
        # `a and b` holding, or `a or b` failing, fixes every operand.
        for value in test.values:
            _add_guard(facts, value, holds)
        return
    if isinstance(test, nodes.Compare) and len(test.ops) == 1:
        op, right = test.ops[0]
        is_const, value = _const(right)
        if is_const:
            key = test.left.as_string()
            positive = {"==": True, "is": True, "!=": False, "is not": False}.get(op)
            if op in ("in", "not in") and isinstance(value, set):
                positive, values = (op == "in"), value
            elif positive is not None:
                values = {value}
            else:
                values = None
            if values is not None:
                if positive == holds:
                    allowed = facts.equal.get(key)
                    facts.equal[key] = set(values) if allowed is None else allowed & set(values)
                else:
                    facts.unequal.setdefault(key, set()).update(values)
                return
    facts.truth.setdefault(test.as_string(), holds)


def block_leaves(block, kinds: tuple = _LEAVES) -> bool:
    """Every path through ``block`` leaves it by one of ``kinds`` (the default: return, raise, continue,
    break; ``ENDS``: return or raise, the call itself ends)."""
    return any(always_leaves(s, kinds) for s in block)


def always_leaves(statement: nodes.NodeNG, kinds: tuple = _LEAVES) -> bool:
    if isinstance(statement, kinds):
        return True
    if isinstance(statement, nodes.If):
        return block_leaves(statement.body, kinds) and block_leaves(statement.orelse, kinds)
    if isinstance(statement, nodes.With):
        return block_leaves(statement.body, kinds)
    return False


def _holds_after(statement: nodes.NodeNG, facts: _Facts) -> None:
    """What a statement that completed normally proves: ``if p: return`` leaves ``not p`` behind."""
    if not isinstance(statement, nodes.If):
        return
    body, orelse = block_leaves(statement.body), block_leaves(statement.orelse)
    if body == orelse:
        return  # neither branch leaves, or both do (then nothing after it runs)
    ran = "orelse" if body else "body"
    facts.branches[id(statement)] = ran
    _add_guard(facts, statement.test, not body)
    for inner in getattr(statement, ran):  # the branch that ran completed too (an elif that returns)
        _holds_after(inner, facts)


def _facts_for(node: nodes.NodeNG, scope: nodes.NodeNG) -> _Facts:
    facts = _Facts()
    child, parent = node, node.parent
    while parent is not None and child is not scope:
        if isinstance(parent, (nodes.If, nodes.IfExp)) and child is not parent.test:
            in_body = child in parent.body if isinstance(parent, nodes.If) else child is parent.body
            facts.branches[id(parent)] = "body" if in_body else "orelse"
            _add_guard(facts, parent.test, in_body)
        block = _block_of(child, parent)
        if block is not None:
            for earlier in block[:block.index(child)]:
                _holds_after(earlier, facts)
        child, parent = parent, parent.parent
    return facts


def _block_of(child: nodes.NodeNG, parent: nodes.NodeNG) -> list | None:
    """The statement list of ``parent`` that holds ``child``, if any."""
    for name in ("body", "orelse", "handlers", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and child in block:
            return block
    return None


def _contradict(a: _Facts, b: _Facts) -> bool:
    if any(b.branches.get(key, side) != side for key, side in a.branches.items()):
        return True
    if any(b.truth.get(key, value) != value for key, value in a.truth.items()):
        return True
    for first, second in ((a, b), (b, a)):
        for key, allowed in first.equal.items():
            if key in second.equal and not (allowed & second.equal[key]):
                return True
            if key in second.unequal and allowed <= second.unequal[key]:
                return True
    return False


def _path_ends_before(first: nodes.NodeNG, second: nodes.NodeNG, scope: nodes.NodeNG) -> bool:
    """Whether every path through ``first`` returns or raises before reaching ``second``."""
    child = first
    while child is not scope and child.parent is not None:
        parent = child.parent
        for block_name in ("body", "orelse", "handlers", "finalbody"):
            block = getattr(parent, block_name, None)
            if isinstance(block, list) and child in block:
                if isinstance(parent, nodes.Try) and block_name == "finalbody":
                    break
                start = block.index(child)
                for index in range(start, len(block)):
                    if second is block[index] or block[index] in second.node_ancestors():
                        return False  # reached before the path ends
                    if always_leaves(block[index], ENDS):
                        return not any(
                            isinstance(p, nodes.Try) and second in _descendants(p.finalbody)
                            for p in first.node_ancestors()
                        )
                break
        if isinstance(parent, (*_LOOPS, *_COMPREHENSIONS)):
            return False  # the next iteration may reach it
        child = parent
    return False


def _descendants(block) -> set:
    found = set()
    for statement in block:
        found.add(statement)
        found.update(statement.nodes_of_class(nodes.NodeNG))
    return found


def exclusive(first: nodes.NodeNG, second: nodes.NodeNG, scope: nodes.NodeNG) -> bool:
    """Whether ``first`` and ``second`` (in source order) never both run in one call of ``scope``."""
    budget.spend()  # rules compare calls pairwise: counted (budget.py)
    if _contradict(_facts_for(first, scope), _facts_for(second, scope)):
        return True
    return _path_ends_before(first, second, scope)


def in_loop(node: nodes.NodeNG, scope: nodes.NodeNG) -> bool:
    """Whether ``node`` may run more than once per call of ``scope``."""
    child = node
    for parent in node.node_ancestors():
        if parent is scope:
            return False
        if isinstance(parent, (nodes.For, nodes.While)) and child not in (
            getattr(parent, "iter", None),
            getattr(parent, "test", None),
        ) and child not in parent.orelse:
            return True
        if isinstance(parent, _COMPREHENSIONS):
            first_iter = parent.generators[0].iter
            if node is not first_iter and first_iter not in node.node_ancestors():
                return True
        child = parent
    return False


def under_condition(node: nodes.NodeNG, scope: nodes.NodeNG) -> bool:
    """Whether ``node`` runs only when some test in ``scope`` allows it (if/while/and/or/x if c else y)."""
    child = node
    for parent in node.node_ancestors():
        if parent is scope:
            return False
        if isinstance(parent, _CONDITIONAL) and child is not getattr(parent, "test", None):
            if not isinstance(parent, nodes.BoolOp) or child is not parent.values[0]:
                return True
        child = parent
    return False


_NESTED = (nodes.FunctionDef, nodes.AsyncFunctionDef, nodes.Lambda, nodes.ClassDef)


def may_leave_before(node: nodes.NodeNG, scope: nodes.NodeNG) -> bool:
    """Whether a statement before ``node`` in a block enclosing it (within ``scope``) may return, raise,
    continue or break, so that ``node`` may not run."""
    child = node
    for parent in node.node_ancestors():
        block = _block_of(child, parent)
        if block is not None:
            for earlier in block[:block.index(child)]:
                if isinstance(earlier, _LEAVES) or any(earlier.nodes_of_class(_LEAVES, skip_klass=_NESTED)):
                    return True
        if parent is scope:
            return False
        child = parent
    return False


# -- does a value come from an earlier call's result? ------------------------------

_DERIVE_STEPS = 256  # expressions looked at per question (each assignment once)
# Calls whose result says something about a tensor (its shape, its type), not a value computed from it.
_METADATA = frozenset({"shape", "int_shape", "shape_list", "get_shape", "rank", "ndim", "size", "dtype",
                       "is_tensor", "is_keras_tensor", "isinstance", "len", "type",
                       "zeros_like", "ones_like", "full_like", "empty_like"})


def feeds(earlier: nodes.Call, later: nodes.Call, scope: nodes.FunctionDef) -> bool:
    """Whether an argument of ``later`` provably derives from the result of ``earlier`` in ``scope``:
    ``earlier`` nested in it, or reaching it through local names, arithmetic, subscripts and other calls.

    A local name derives when every assignment of it that may reach the reading on a path through
    ``earlier`` does: the last plain ``name = value`` (or ``+=``) that every such path runs (one that
    holds ``earlier`` does), and any assignment after it (in a branch, a ``with``). Not followed, so
    never a derivation: tuple unpacking, loop, ``with`` and ``except`` targets, a name assigned after
    the reading in a loop around it, attribute and container stores and reads (``self.h``, ``[h, g]``,
    ``outs[0]``, ``h.shape``, ``h.numpy()``), shape-like calls (``ops.shape(h)``), lambdas and
    comprehensions."""
    budget.spend()
    values = [*later.args, *(k.value for k in later.keywords or () if k.arg is not None)]
    derivation = _Derivation(earlier, scope)
    return any(derivation.value(v) for v in values)


def _position(node: nodes.NodeNG) -> tuple[int, int]:
    return (node.lineno or 0, node.col_offset or 0)


class _Derivation:
    def __init__(self, call: nodes.Call, scope: nodes.FunctionDef):
        self.call, self.scope = call, scope
        self.steps = _DERIVE_STEPS
        self.known: dict[int, bool] = {}  # id(assignment target) -> derived

    def value(self, expr: nodes.NodeNG) -> bool:
        self.steps -= 1
        if self.steps < 0:
            return False
        if expr is self.call:
            return True
        if isinstance(expr, nodes.Name):
            return self._name(expr.name, expr)
        if isinstance(expr, nodes.BinOp):
            return self.value(expr.left) or self.value(expr.right)
        if isinstance(expr, nodes.UnaryOp):
            return self.value(expr.operand)
        if isinstance(expr, nodes.Subscript):
            return self.value(expr.value)  # h[:, 0] (a container read is refused: its value is not followed)
        if isinstance(expr, nodes.IfExp):
            return self.value(expr.body) and self.value(expr.orelse)
        if isinstance(expr, nodes.NamedExpr):
            return self.value(expr.value)
        if isinstance(expr, nodes.Call):
            func = expr.func
            name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", None)
            if name in _METADATA:
                return False
            return any(self.value(v) for v in (*expr.args, *(k.value for k in expr.keywords or ()
                                                             if k.arg is not None)))
        return False

    def _name(self, name: str, at: nodes.NodeNG) -> bool:
        """Whether local ``name`` read at ``at`` holds a value derived from the call."""
        if _position(at) < _position(self.call) or at.scope() is not self.scope:
            return False  # read before the call ran (loops are refused below), or in a lambda/comprehension
        bindings = self.scope.locals.get(name, [])
        if any(_inside_loop_around(b, at, self.scope) and not _completes_before(b, at) for b in bindings):
            return False  # an assignment after the reading comes round again with the loop
        before = [b for b in bindings if _completes_before(b, at)]
        # On a path through the call, the assignment holding it ran (``if pre: x = norm(x)``).
        dominating = [b for b in before if _runs_before(b, at, self.scope) or self._made_by_call(b)]
        if not dominating:
            return False  # a parameter, a global, or only assignments a path may skip
        last = max(dominating, key=_position)
        reaching = [last] + [b for b in before if _position(b) > _position(last)]
        return all(self._assigned(b) for b in reaching)

    def _made_by_call(self, target: nodes.NodeNG) -> bool:
        statement = target.parent
        return isinstance(statement, (nodes.Assign, nodes.AnnAssign, nodes.AugAssign)) \
            and statement in self.call.node_ancestors()

    def _assigned(self, target: nodes.NodeNG) -> bool:
        if id(target) not in self.known:
            self.known[id(target)] = self._stores(target)
        return self.known[id(target)]

    def _stores(self, target: nodes.NodeNG) -> bool:
        statement = target.parent
        if isinstance(statement, nodes.Assign) and target in statement.targets:
            return self.value(statement.value)
        if isinstance(statement, nodes.AnnAssign) and statement.value is not None:
            return self.value(statement.value)
        if isinstance(statement, nodes.AugAssign) and isinstance(target, nodes.AssignName):
            return self.value(statement.value) or self._name(target.name, statement)
        return False  # a parameter, tuple unpacking, a loop/with/except target, an import...


def _completes_before(binding: nodes.NodeNG, at: nodes.NodeNG) -> bool:
    """Whether the statement of ``binding`` ends before ``at`` starts (``x = f(x)`` reads the old ``x``)."""
    statement = binding.statement()
    if statement is at or statement in at.node_ancestors():
        return False
    return _position(statement) < _position(at)


def _runs_before(binding: nodes.NodeNG, at: nodes.NodeNG, scope: nodes.NodeNG) -> bool:
    """Whether every path from the start of ``scope`` to ``at`` runs the statement of ``binding``:
    it sits, alone or inside ``with`` blocks, in a block that also holds ``at``."""
    if isinstance(binding.parent, nodes.Arguments):
        return True  # a parameter: bound before anything runs (and never derived)
    child = binding.statement()
    ancestors = set(at.node_ancestors())
    while child is not scope and child.parent is not None:
        parent = child.parent
        block = _block_of(child, parent)
        if block is None:
            return False
        later = block[block.index(child) + 1:]
        if any(s is at or s in ancestors for s in later):
            return True
        if not isinstance(parent, nodes.With):
            return False  # an if, loop or try: a path may skip it
        child = parent
    return False


def _inside_loop_around(binding: nodes.NodeNG, at: nodes.NodeNG, scope: nodes.NodeNG) -> bool:
    """Whether ``binding`` is inside a loop (within ``scope``) that also encloses ``at``."""
    loops = {id(p) for p in at.node_ancestors() if isinstance(p, (nodes.For, nodes.While))}
    for parent in binding.node_ancestors():
        if parent is scope:
            return False
        if id(parent) in loops:
            return True
    return False
