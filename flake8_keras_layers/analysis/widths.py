"""The last dimension of the tensors in ``call()``, where it is provable.

Followed through straight-line code only: a width is known after a Keras
layer whose output width is a literal constructor argument (``Conv2D(16, 3)``,
``Dense(units=8)``; the parameter is the probed ``width_param`` fact) and is
kept through layers that preserve it (the probed ``width_preserving`` fact:
pooling, dropout, activations, normalization...). Anything else -- a loop, a
``try``, a project layer, a variable width, ``channels_first`` -- makes it
unknown, and unknown widths never conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from astroid import nodes

from . import syntax
from ..knowledge.facts import Knowledge
from .resolver import Ancestry, KerasClass, constructed_class
from ..knowledge.versions import Target

# A layer built with one of these keywords set to anything but its default does
# not act on the last dimension; stay silent rather than guess.
_LAST_AXIS_DEFAULTS = {"data_format": "channels_last", "axis": -1}


@dataclass(frozen=True)
class LayerSite:
    """A Keras layer instance and the constructor call that made it."""

    ancestry: Ancestry
    constructor: nodes.Call


def _acts_on_last_axis(constructor: nodes.Call) -> bool:
    for keyword in constructor.keywords or ():
        if keyword.arg is None:
            return False  # **kwargs may set data_format
        if keyword.arg in _LAST_AXIS_DEFAULTS:
            value = keyword.value
            if not (isinstance(value, nodes.Const) and value.value == _LAST_AXIS_DEFAULTS[keyword.arg]):
                if not (isinstance(value, nodes.UnaryOp) and value.as_string() == "-1"):
                    return False
    return True


def self_layer_site(cls: nodes.ClassDef, attr: str) -> LayerSite | None:
    """The one constructor call assigned to ``self.<attr>`` when it makes a plain Keras layer."""
    try:
        assignments = cls.instance_attr(attr)
    except Exception:  # noqa: BLE001 - astroid's NotFound and friends: unknown attribute
        return None
    if len(assignments) != 1:
        return None
    statement = assignments[0].parent
    if not isinstance(statement, nodes.Assign) or not isinstance(statement.value, nodes.Call):
        return None
    return plain_keras_layer(statement.value)


def plain_keras_layer(constructor: nodes.Call) -> LayerSite | None:
    ancestry = constructed_class(constructor)
    if ancestry is None or ancestry.chain:  # a project subclass may change call() or build()
        return None
    if not _acts_on_last_axis(constructor):
        return None
    return LayerSite(ancestry, constructor)


class Widths:
    """Widths of the first argument of every ``self.<layer>(...)`` call on straight-line code of ``call()``."""

    def __init__(self, cls: nodes.ClassDef, method: nodes.FunctionDef, knowledge: Knowledge, target: Target):
        self.cls = cls
        self.method = method
        self.knowledge = knowledge
        self.target = target
        self.me = syntax.self_name(method)
        self._sites: dict[str, LayerSite | None] = {}
        self._inputs: dict[int, int | None] = {}
        self._block(method.body, {})

    def input_width(self, call: nodes.Call) -> int | None:
        """The provable last dimension of ``call``'s first argument, else None."""
        return self._inputs.get(id(call))

    # -- layers ------------------------------------------------------------------

    def site(self, attr: str) -> LayerSite | None:
        if attr not in self._sites:
            self._sites[attr] = self_layer_site(self.cls, attr)
        return self._sites[attr]

    def _holds(self, keras_class: KerasClass, fact: str) -> bool:
        # A structural fact: the releases Target.releases says stand for the class's namespace.
        within = self.target.releases(keras_class.family).structure
        return self.knowledge.class_holds(keras_class.name, fact, within) is not None

    def output_width(self, site: LayerSite, input_width: int | None) -> int | None:
        keras_class = site.ancestry.base
        entry = self.knowledge.classes.get(keras_class.name)
        if entry is None:
            return None
        if entry.width_param:
            return _literal_argument(site.constructor, entry.width_param, entry.params)
        if self._holds(keras_class, "width_preserving"):
            return input_width
        return None

    # -- expressions and statements ----------------------------------------------

    def width(self, expr: nodes.NodeNG, env: dict[str, int | None]) -> int | None:
        if isinstance(expr, nodes.Name):
            return env.get(expr.name)
        if not isinstance(expr, nodes.Call) or not expr.args:
            return None
        func = expr.func
        if syntax.is_self_attr(func, self.me):
            site = self.site(func.attrname)
        elif isinstance(func, nodes.Call):  # Dense(8)(x)
            site = plain_keras_layer(func)
        else:
            return None
        if site is None:
            return None
        return self.output_width(site, self.width(expr.args[0], env))

    def _record(self, node: nodes.NodeNG, env: dict[str, int | None]) -> None:
        """Input widths of the layer calls in one simple statement or expression."""
        for call in [node, *syntax.walk_scope(node)]:
            if isinstance(call, nodes.Call) and syntax.is_self_attr(call.func, self.me) and call.args:
                self._inputs[id(call)] = self.width(call.args[0], env)

    def _block(self, statements, env: dict[str, int | None]) -> dict[str, int | None]:
        for statement in statements:
            if isinstance(statement, (nodes.Assign, nodes.AnnAssign, nodes.AugAssign, nodes.Expr,
                                      nodes.Return)):
                self._record(statement, env)
                self._assign(statement, env)
            elif isinstance(statement, nodes.If):
                self._record(statement.test, env)
                body = self._block(statement.body, dict(env))
                orelse = self._block(statement.orelse, dict(env))
                env = _merge(body, orelse, statement)
            elif isinstance(statement, nodes.With):
                for item, _ in statement.items:
                    self._record(item, env)
                env = self._block(statement.body, env)
            else:  # loops, try, nested definitions...: widths inside are not followed
                for name in statement.nodes_of_class(nodes.AssignName):
                    env[name.name] = None
        return env

    def _assign(self, statement: nodes.NodeNG, env: dict[str, int | None]) -> None:
        targets = getattr(statement, "targets", None) or [getattr(statement, "target", None)]
        if (
            isinstance(statement, (nodes.Assign, nodes.AnnAssign))
            and len(targets) == 1
            and isinstance(targets[0], nodes.AssignName)
            and statement.value is not None
        ):
            env[targets[0].name] = self.width(statement.value, env)
            return
        for name in statement.nodes_of_class(nodes.AssignName):
            env[name.name] = None


def _merge(body: dict, orelse: dict, statement: nodes.If) -> dict:
    """Widths after an ``if``: a branch that returns or raises does not reach past it."""
    ends = [_ends(statement.body), _ends(statement.orelse) if statement.orelse else False]
    if ends[0] and not ends[1]:
        return orelse
    if ends[1] and not ends[0]:
        return body
    return {k: v for k, v in body.items() if k in orelse and orelse[k] == v} | {
        k: None for k in set(body) ^ set(orelse)
    }


def _ends(block) -> bool:
    return bool(block) and isinstance(block[-1], (nodes.Return, nodes.Raise))


def _literal_argument(call: nodes.Call, param: str, params: tuple[str, ...]) -> int | None:
    """The literal int passed for ``param`` by keyword, or by position when the parameter order is known."""
    value = next((k.value for k in call.keywords or () if k.arg == param), None)
    if value is None and param in params:
        index = params.index(param)
        if any(isinstance(a, nodes.Starred) for a in call.args[: index + 1]):
            return None
        if index < len(call.args):
            value = call.args[index]
    if isinstance(value, nodes.Const) and type(value.value) is int:
        return value.value
    return None
