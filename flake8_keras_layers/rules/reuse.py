"""KL2xx: one layer instance called more than once inside ``call()``."""

from __future__ import annotations

from typing import ClassVar, Iterator

from astroid import nodes

from ..analysis import flow, resolver, syntax
from ..analysis.widths import Widths
from .base import ClassContext, Diagnostic, Rule


def self_layer_calls(call_method: nodes.FunctionDef) -> dict[str, list[nodes.Call]]:
    """``self.<attr>(...)`` calls in ``call()``, by attribute, in source order."""
    me = syntax.self_name(call_method)
    calls: dict[str, list[nodes.Call]] = {}
    for node in syntax.walk_scope(call_method):
        if isinstance(node, nodes.Call) and syntax.is_self_attr(node.func, me):
            calls.setdefault(node.func.attrname, []).append(node)
    return calls


# KL201, KL202 and KL903 look at the same call() of the same class: walk and infer it once.
def _layer_calls(ctx: ClassContext, call_method: nodes.FunctionDef) -> dict[str, list[nodes.Call]]:
    return ctx.cached(("self_layer_calls",), lambda: self_layer_calls(call_method))


def _attribute_kinds(ctx: ClassContext, attr: str):
    return ctx.cached(("attribute_kinds", attr), lambda: resolver.self_attribute_ancestries(ctx.cls, attr))


def _widths(ctx: ClassContext, call_method: nodes.FunctionDef) -> Widths:
    return ctx.cached(("widths",), lambda: Widths(ctx.cls, call_method, ctx.knowledge, ctx.target))


def reused_calls(calls: list[nodes.Call], scope: nodes.FunctionDef, loop_is_reuse: bool = True):
    """(call, earlier call on the same path or None when a loop repeats it) for every reuse."""
    for index, call in enumerate(calls):
        if loop_is_reuse and flow.in_loop(call, scope):
            yield call, None
            continue
        earlier = next((c for c in calls[:index] if not flow.exclusive(c, call, scope)), None)
        if earlier is not None:
            yield call, earlier


class InstanceReuseRule(Rule):
    """Reports layer instances of a given Keras family called again on one path of ``call()``."""

    methods = frozenset({"call"})
    family: frozenset[str]  # canonical Keras class names whose instances (and subclasses') count
    loop_is_reuse: ClassVar[bool] = True  # a single call inside a loop is reuse

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        call_method = ctx.method("call")
        if call_method is None:
            return
        for attr, calls in _layer_calls(ctx, call_method).items():
            looped = self.loop_is_reuse and any(flow.in_loop(c, call_method) for c in calls)
            if len(calls) < 2 and not looped:
                continue
            kinds = _attribute_kinds(ctx, attr)
            if not kinds or not all(any(k.is_a(n) for n in self.family) for k in kinds):
                continue
            keras_name = kinds[0].base.display
            widths = _widths(ctx, call_method)
            for call, earlier in reused_calls(calls, call_method, self.loop_is_reuse):
                conflict = None  # (this input's width, the first call's) when they provably differ
                if earlier is not None:
                    first, now = widths.input_width(earlier), widths.input_width(call)
                    if first is not None and now is not None and first != now:
                        conflict = (now, first)
                yield self.at(call, self.message(ctx, attr, keras_name, earlier, conflict))

    def message(self, ctx: ClassContext, attr: str, keras_name: str, earlier, conflict) -> str:
        raise NotImplementedError


class BatchNormReused(InstanceReuseRule):
    code = "KL201"
    name = "batchnorm-reused"
    summary = "one BatchNormalization instance called on several feature maps in call()"
    family = frozenset({"BatchNormalization"})

    def message(self, ctx, attr, keras_name, earlier, conflict) -> str:
        where = "inside a loop" if earlier is None else f"again (first call at line {earlier.lineno})"
        widths = "raises 'expected axis -1 of input shape to have value N' when their widths differ"
        if conflict:
            widths = (f"here its input is {conflict[0]} wide but was {conflict[1]} wide at line "
                      f"{earlier.lineno}, so this call raises 'expected axis -1 of input shape to have value "
                      f"{conflict[1]}'")
        return (
            f"self.{attr} ({keras_name}) is called {where} in {ctx.cls.name}.call(): "
            f"one instance mixes the moving mean/variance of different feature maps and {widths}; "
            f"create one BatchNormalization per use (self.{attr}_1, self.{attr}_2, ...)"
        )


class NormalizationParamsShared(InstanceReuseRule):
    code = "KL903"
    name = "normalization-params-shared"
    summary = "one LayerNormalization/GroupNormalization/RMSNormalization instance called twice on one path"
    family = frozenset({"LayerNormalization", "GroupNormalization", "RMSNormalization"})
    # Opt-in: two-stream and merged self/cross attention share them on purpose. A loop over
    # time steps or streams is sharing by design, so only repeated calls on one path count.
    opt_in = True
    loop_is_reuse = False

    def message(self, ctx, attr, keras_name, earlier, conflict) -> str:
        conflict = (f"; its input is {conflict[0]} wide here but was {conflict[1]} wide there, which also fails"
                    if conflict else "")
        return (
            f"self.{attr} ({keras_name}) is called again in {ctx.cls.name}.call() (first call at line "
            f"{earlier.lineno}): both inputs share one scale and offset{conflict}; create one "
            f"normalization layer per input unless the sharing is deliberate"
        )


class ReusedLayerShapeConflict(Rule):
    code = "KL202"
    name = "reused-layer-shape-conflict"
    summary = "one layer instance with input-shape-dependent weights called on inputs of provably different widths"
    methods = frozenset({"call"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        call_method = ctx.method("call")
        if call_method is None:
            return
        for attr, calls in _layer_calls(ctx, call_method).items():
            if len(calls) < 2:
                continue
            kinds = _attribute_kinds(ctx, attr)
            if not kinds or len(kinds) != 1 or kinds[0].is_a("BatchNormalization"):
                continue  # batch normalization is KL201's, whatever the widths
            base = kinds[0].base
            if ctx.structure_holds(base, "shape_dependent_weights") is None:
                continue
            widths = _widths(ctx, call_method)
            if widths.site(attr) is None:
                continue  # a project subclass, channels_first, or not one plain constructor
            for index, call in enumerate(calls):
                now = widths.input_width(call)
                if now is None:
                    continue
                earlier = next((
                    e for e in calls[:index]
                    if widths.input_width(e) not in (None, now) and not flow.exclusive(e, call, call_method)
                ), None)
                if earlier is not None:
                    yield self.at(call, (
                        f"self.{attr} ({base.display}) is called on an input {now} wide in "
                        f"{ctx.cls.name}.call(), but it was built at line {earlier.lineno} for an input "
                        f"{widths.input_width(earlier)} wide: its weights depend on the input width, so this "
                        f"raises ValueError (\"expected axis -1 of input shape to have value "
                        f"{widths.input_width(earlier)}\"); give each input its own {base.name}"
                    ))
