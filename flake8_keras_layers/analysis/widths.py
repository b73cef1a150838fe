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

from ..knowledge.facts import Knowledge
from . import flow
from .syntax import walk_scope
from .instances import Instance, Instances, Use
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


def plain_keras_layer(constructor: nodes.Call) -> LayerSite | None:
    ancestry = constructed_class(constructor)
    if ancestry is None or ancestry.chain:  # a project subclass may change call() or build()
        return None
    if not _acts_on_last_axis(constructor):
        return None
    return LayerSite(ancestry, constructor)


class Widths:
    """Widths of the first argument of every call on straight-line code of ``call()``."""

    def __init__(self, instances: Instances, knowledge: Knowledge, target: Target):
        self.instances = instances
        self.knowledge = knowledge
        self.target = target
        self._sites: dict[tuple, LayerSite | None] = {}
        self._inputs: dict[int, int | None] = {}
        self._block(instances.method.body, {})

    def input_width(self, call: nodes.Call) -> int | None:
        """The provable last dimension of ``call``'s first argument, else None."""
        return self._inputs.get(id(call))

    def use_width(self, use: Use) -> int | None:
        """The provable input width of a use: in a helper, when each helper hands its first parameter
        on unchanged, the width at the call in ``call()``."""
        steps = use.path + (use.call,)
        for level in range(len(steps) - 1, 0, -1):
            if not _passes_first_parameter(steps[level], use.methods[level], steps[level - 1]):
                return None
        return self.input_width(steps[0])

    # -- layers ------------------------------------------------------------------

    def site(self, instance: Instance | None) -> LayerSite | None:
        """The plain Keras layer an instance is, with the constructor call that made it."""
        if instance is None:
            return None
        if instance.key not in self._sites:
            made = instance.origin
            self._sites[instance.key] = plain_keras_layer(made) if isinstance(made, nodes.Call) else None
        return self._sites[instance.key]

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
        if isinstance(func, nodes.Call):  # Dense(8)(x)
            site = plain_keras_layer(func)
        else:
            site = self.site(self.instances.of(func))
        if site is None:
            return None
        return self.output_width(site, self.width(expr.args[0], env))

    def _record(self, node: nodes.NodeNG, env: dict[str, int | None]) -> None:
        """Input widths of the layer calls in one simple statement or expression."""
        for call in [node, *walk_scope(node)]:
            if isinstance(call, nodes.Call) and call.args:
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
    ends = [flow.block_leaves(statement.body, flow.ENDS), flow.block_leaves(statement.orelse, flow.ENDS)]
    if ends[0] and not ends[1]:
        return orelse
    if ends[1] and not ends[0]:
        return body
    return {k: v for k, v in body.items() if k in orelse and orelse[k] == v} | {
        k: None for k in set(body) ^ set(orelse)
    }


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


def _passes_first_parameter(call: nodes.Call, method: nodes.FunctionDef, site: nodes.Call) -> bool:
    """``call``'s first argument is ``method``'s first parameter, never rebound, given positionally at ``site``."""
    params = method.args.args or []
    if len(params) < 2 or not call.args or not isinstance(call.args[0], nodes.Name):
        return False
    name = params[1].name
    if call.args[0].name != name or method.locals.get(name) != [params[1]]:
        return False
    return bool(site.args) and not isinstance(site.args[0], nodes.Starred)
