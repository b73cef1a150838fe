"""Which code in a function runs only when TensorFlow executes it: guards a JAX or PyTorch run never passes.

A Keras 3 layer may call TensorFlow ops where only TensorFlow can be running:
inside ``tf.data``/``tf.function`` tracing (``not tf.executing_eagerly()``),
when ``keras.backend.backend() == "tensorflow"`` (also ``keras.config``), on a
value that is a TensorFlow tensor (``isinstance(x, tf.Tensor)``,
``tf.is_tensor(x)``), in a branch that imports TensorFlow itself, or under a
project helper whose every non-false return is one of those (one level, e.g.
``def in_tf_function(): return not tf.executing_eagerly()``). Code is guarded
when it sits in the branch such a guard selects, or follows an
``if <the opposite>: return`` in its own block.

``tf.executing_eagerly()`` on its own guards nothing: eager execution is also
what a JAX run with TensorFlow installed reports.
"""

from __future__ import annotations

from astroid import nodes

from . import flow, resolver, syntax


def _is_tensorflow(name: str | None, *attrs: str) -> bool:
    return name is not None and name.split(".")[0] == "tensorflow" and name.split(".")[-1] in attrs


def _is_backend_query(call: nodes.NodeNG) -> bool:
    """``keras.backend.backend()`` / ``keras.config.backend()`` (or through ``keras.src.backend``)."""
    if not isinstance(call, nodes.Call) or call.args or call.keywords:
        return False
    name = syntax.imported_name(call.func, none_fallback=True)
    return name is not None and name.split(".")[0] == "keras" and name.split(".")[-1] == "backend" and (
        name.split(".")[-2:-1] in (["backend"], ["config"])
    )


def guard_polarity(test: nodes.NodeNG, depth: int = 0) -> bool | None:
    """True: ``test`` holds only under TensorFlow; False: it fails only under TensorFlow; None: neither."""
    if isinstance(test, nodes.UnaryOp) and test.op == "not":
        inner = guard_polarity(test.operand, depth)
        return None if inner is None else not inner
    if isinstance(test, nodes.BoolOp):
        # `a and b` holds only if each does, fails if either does; `a or b` the other way round.
        polarities = [guard_polarity(value, depth) for value in test.values]
        one, every = (True, False) if test.op == "and" else (False, True)
        if one in polarities:
            return one
        if all(p is every for p in polarities):
            return every
        return None
    if isinstance(test, nodes.Compare) and len(test.ops) == 1 and _is_backend_query(test.left):
        op, right = test.ops[0]
        if isinstance(right, nodes.Const) and op in ("==", "!="):
            if right.value == "tensorflow":
                return op == "=="
        return None
    if not isinstance(test, nodes.Call):
        return None
    name = syntax.imported_name(test.func, none_fallback=True)
    if _is_tensorflow(name, "executing_eagerly") and not test.args:
        return False
    if _is_tensorflow(name, "is_tensor", "is_symbolic_tensor"):
        return True
    if isinstance(test.func, nodes.Name) and test.func.name == "isinstance" and len(test.args) == 2:
        kinds = test.args[1].elts if isinstance(test.args[1], nodes.Tuple) else [test.args[1]]
        if all(_is_tensorflow(syntax.imported_name(k, none_fallback=True), "Tensor", "SparseTensor", "RaggedTensor")
               for k in kinds):
            return True
        return None
    return _helper_polarity(test, depth) if depth == 0 else None


def _helper_polarity(call: nodes.Call, depth: int) -> bool | None:
    """A project function (one level) whose every return that can be true is the same guard."""
    values = resolver.safe_infer_all(call.func)
    if not values or len(values) != 1 or not isinstance(values[0], nodes.FunctionDef):
        return None
    function = values[0]
    if call.args or call.keywords:
        return None
    polarities = set()
    for ret in function.nodes_of_class(nodes.Return):
        if ret.scope() is not function:
            continue
        if ret.value is None or isinstance(ret.value, nodes.Const) and not ret.value.value:
            continue  # a false return never passes the guard
        polarities.add(guard_polarity(ret.value, depth + 1))
    return True if polarities == {True} else None


def _imports_tensorflow(block: list[nodes.NodeNG]) -> bool:
    for statement in block:
        if isinstance(statement, nodes.Import) and any(mod.split(".")[0] == "tensorflow" for mod, _ in statement.names):
            return True
        if isinstance(statement, nodes.ImportFrom) and statement.modname.split(".")[0] == "tensorflow":
            return True
    return False


def runs_only_under_tensorflow(node: nodes.NodeNG, scope: nodes.NodeNG) -> bool:
    """``node``, inside ``scope`` (a function), runs only when TensorFlow executes it."""
    child = node
    for parent in node.node_ancestors():
        if isinstance(parent, (nodes.If, nodes.IfExp)) and child is not parent.test:
            in_body = child in parent.body if isinstance(parent, nodes.If) else child is parent.body
            polarity = guard_polarity(parent.test)
            if polarity is not None and polarity == in_body:
                return True
            if isinstance(parent, nodes.If) and _imports_tensorflow(parent.body if in_body else parent.orelse):
                return True
        block = _block_of(parent, child)
        if block is not None and _after_early_exit(block, child):
            return True
        if parent is scope:
            return False
        child = parent
    return False


def _block_of(parent: nodes.NodeNG, child: nodes.NodeNG) -> list | None:
    for field in ("body", "orelse", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and child in block:
            return block
    return None


def _after_early_exit(block: list, child: nodes.NodeNG) -> bool:
    """An earlier ``if <guard that fails only under TensorFlow>: ... return`` leaves only TensorFlow here."""
    for statement in block[: block.index(child)]:
        if isinstance(statement, nodes.If) and not statement.orelse and flow.block_leaves(statement.body, flow.ENDS):
            if guard_polarity(statement.test) is False:
                return True
    return False
