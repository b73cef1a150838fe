"""Which keys a ``get_config`` returns, followed through the common ways configs are built.

``config = super().get_config(); config.update({...}); return config``,
``config.update(key=...)``, ``config["key"] = ...``, ``{**super().get_config(), ...}``,
``dict(super().get_config(), key=...)``, ``dict(list(base.items()) + list(config.items()))``
(the Keras 2 idiom) and ``base | config`` are followed; anything else (a config
object's ``to_dict()``, a helper the dict is handed to, ``pop``/``del``) makes
the answer unknown, and the config rules stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass

from astroid import nodes

from . import syntax

# Dict methods that neither add nor remove keys.
_READERS = frozenset({"get", "items", "keys", "values", "copy", "__contains__"})
_BLOCKS = (nodes.If, nodes.For, nodes.While, nodes.Try, nodes.With)


@dataclass(frozen=True)
class ConfigDict:
    keys: frozenset[str]  # literal keys present on some path
    complete: bool  # no key beyond ``keys`` and the base config's can be present
    base: bool  # some path includes ``super().get_config()``

    def merge(self, other: "ConfigDict") -> "ConfigDict":
        return ConfigDict(self.keys | other.keys, self.complete and other.complete, self.base or other.base)

    def plus(self, key: nodes.NodeNG) -> "ConfigDict":
        if isinstance(key, nodes.Const) and isinstance(key.value, str):
            return ConfigDict(self.keys | {key.value}, self.complete, self.base)
        return ConfigDict(self.keys, False, self.base)


EMPTY = ConfigDict(frozenset(), True, False)
BASE = ConfigDict(frozenset(), True, True)


def is_super_get_config(node: nodes.NodeNG, self_arg: str | None) -> bool:
    return syntax.is_super_call(node, self_arg, "get_config")


class _Unknown(Exception):
    """The dict cannot be followed."""


class _Interpreter:
    def __init__(self, func: nodes.FunctionDef):
        self.me = syntax.self_name(func)
        self.vars: dict[str, ConfigDict] = {}
        self.returns: list[ConfigDict] = []

    # -- expressions -------------------------------------------------------
    def value(self, node: nodes.NodeNG) -> ConfigDict:
        if isinstance(node, nodes.Dict):
            result = EMPTY
            for key, item in node.items:
                result = result.merge(self.value(item)) if isinstance(key, nodes.DictUnpack) else result.plus(key)
            return result
        if isinstance(node, nodes.Name) and node.name in self.vars:
            return self.vars[node.name]
        if isinstance(node, nodes.BinOp) and node.op in ("+", "|"):
            return self.value(node.left).merge(self.value(node.right))
        if isinstance(node, nodes.Call):
            return self.call_value(node)
        raise _Unknown

    def call_value(self, node: nodes.Call) -> ConfigDict:
        if is_super_get_config(node, self.me):
            return BASE
        func = node.func
        if isinstance(func, nodes.Name) and func.name in ("dict", "list") and len(node.args) <= 1:
            result = self.value(node.args[0]) if node.args else EMPTY
            if func.name == "list" and node.keywords:
                raise _Unknown
            return self.with_keywords(result, node.keywords)
        if isinstance(func, nodes.Attribute) and func.attrname in ("items", "copy") and not node.args:
            return self.value(func.expr)
        raise _Unknown

    def with_keywords(self, result: ConfigDict, keywords) -> ConfigDict:
        for keyword in keywords or ():
            if keyword.arg is None:
                result = result.merge(self.value(keyword.value))
            else:
                result = ConfigDict(result.keys | {keyword.arg}, result.complete, result.base)
        return result

    # -- statements ----------------------------------------------------------
    def run(self, body, nested: bool) -> None:
        for stmt in body:
            self.statement(stmt, nested)

    def assign(self, name: str, value: ConfigDict, nested: bool) -> None:
        if nested and name in self.vars:
            value = value.merge(self.vars[name])  # either branch may have run
        self.vars[name] = value

    def statement(self, stmt: nodes.NodeNG, nested: bool) -> None:
        if isinstance(stmt, _BLOCKS):
            self.untracked_uses(stmt, shallow=True)
            for block in ("body", "orelse", "handlers", "finalbody"):
                for part in getattr(stmt, block, None) or ():
                    if isinstance(part, nodes.ExceptHandler):
                        self.run(part.body, True)
                    else:
                        self.statement(part, True)
            return
        if isinstance(stmt, nodes.Return):
            if stmt.value is None:
                raise _Unknown
            self.returns.append(self.value(stmt.value))
            return
        if isinstance(stmt, (nodes.Assign, nodes.AnnAssign)) and self.assignment(stmt, nested):
            return
        if isinstance(stmt, nodes.AugAssign) and isinstance(stmt.target, nodes.AssignName):
            if stmt.target.name in self.vars and stmt.op == "|=":
                self.vars[stmt.target.name] = self.vars[stmt.target.name].merge(self.value(stmt.value))
                return
        if isinstance(stmt, nodes.Expr) and isinstance(stmt.value, nodes.Call) and self.method_call(stmt.value):
            return
        self.untracked_uses(stmt)

    def assignment(self, stmt, nested: bool) -> bool:
        targets = stmt.targets if isinstance(stmt, nodes.Assign) else [stmt.target]
        if len(targets) != 1 or stmt.value is None:
            return False
        target = targets[0]
        if isinstance(target, nodes.AssignName):
            try:
                value = self.value(stmt.value)
            except _Unknown:
                self.untracked_uses(stmt.value)
                self.vars.pop(target.name, None)
                return True
            self.assign(target.name, value, nested)
            return True
        if isinstance(target, nodes.Subscript) and isinstance(target.value, nodes.Name):
            name = target.value.name
            if name in self.vars:
                self.untracked_uses(stmt.value)
                self.vars[name] = self.vars[name].plus(target.slice)
                return True
        return False

    def method_call(self, call: nodes.Call) -> bool:
        func = call.func
        if not (isinstance(func, nodes.Attribute) and isinstance(func.expr, nodes.Name)):
            return False
        name = func.expr.name
        if name not in self.vars:
            return False
        state = self.vars[name]
        if func.attrname == "update" and len(call.args) <= 1:
            if call.args:
                state = state.merge(self.value(call.args[0]))
            self.vars[name] = self.with_keywords(state, call.keywords)
            return True
        if func.attrname == "setdefault" and call.args:
            self.vars[name] = state.plus(call.args[0])
            return True
        if func.attrname in _READERS:
            return True
        raise _Unknown  # pop, del, clear...: keys removed, not followed

    def untracked_uses(self, node: nodes.NodeNG, shallow: bool = False) -> None:
        """A tracked dict used any other way (handed to a helper, deleted from) is not followed."""
        children = node.get_children()
        if shallow:  # a block's own test/iterable only; its statements are walked one by one
            children = [c for c in children if not c.is_statement]
        for child in children:
            for sub in [child, *child.nodes_of_class(nodes.Name)]:
                if isinstance(sub, nodes.Name) and sub.name in self.vars and not self.read_only(sub):
                    raise _Unknown
            if isinstance(child, nodes.Delete):
                raise _Unknown

    @staticmethod
    def read_only(name: nodes.Name) -> bool:
        parent = name.parent
        if isinstance(parent, nodes.Attribute) and parent.attrname in _READERS:
            return True
        if isinstance(parent, nodes.Subscript) and parent.value is name:
            return True  # config["key"] read
        return isinstance(parent, nodes.Compare)


def returned_config(func: nodes.FunctionDef) -> ConfigDict | None:
    """The keys ``func`` (a ``get_config``) returns on any path, or None when not followed."""
    interpreter = _Interpreter(func)
    try:
        interpreter.run(func.body, False)
    except (_Unknown, RecursionError):
        return None
    if not interpreter.returns:
        return None
    result = interpreter.returns[0]
    for other in interpreter.returns[1:]:
        result = result.merge(other)
    return result
