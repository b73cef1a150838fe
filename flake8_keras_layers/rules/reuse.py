"""KL2xx: one layer instance called more than once inside ``call()``."""

from __future__ import annotations

from typing import Iterator

from astroid import nodes

from .. import flow, resolver, syntax
from .base import ClassContext, Diagnostic, Rule


def self_layer_calls(call_method: nodes.FunctionDef) -> dict[str, list[nodes.Call]]:
    """``self.<attr>(...)`` calls in ``call()``, by attribute, in source order."""
    me = syntax.self_name(call_method)
    calls: dict[str, list[nodes.Call]] = {}
    for node in syntax.walk_scope(call_method):
        if isinstance(node, nodes.Call) and syntax.is_self_attr(node.func, me):
            calls.setdefault(node.func.attrname, []).append(node)
    return calls


def reused_calls(calls: list[nodes.Call], scope: nodes.FunctionDef):
    """(call, earlier call on the same path or None when a loop repeats it) for every reuse."""
    for index, call in enumerate(calls):
        if flow.in_loop(call, scope):
            yield call, None
            continue
        earlier = next((c for c in calls[:index] if not flow.exclusive(c, call, scope)), None)
        if earlier is not None:
            yield call, earlier


class InstanceReuseRule(Rule):
    """Reports layer instances of a given Keras family called again on one path of ``call()``."""

    methods = frozenset({"call"})
    family: frozenset[str]  # canonical Keras class names whose instances (and subclasses') count

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        call_method = ctx.method("call")
        if call_method is None:
            return
        for attr, calls in self_layer_calls(call_method).items():
            if len(calls) < 2 and not any(flow.in_loop(c, call_method) for c in calls):
                continue
            kinds = resolver.self_attribute_ancestries(ctx.cls, attr)
            if not kinds or not all(any(k.is_a(n) for n in self.family) for k in kinds):
                continue
            keras_name = kinds[0].base.display
            for call, earlier in reused_calls(calls, call_method):
                yield self.at(call, self.message(ctx, attr, keras_name, earlier))

    def message(self, ctx: ClassContext, attr: str, keras_name: str, earlier) -> str:
        raise NotImplementedError


class BatchNormReused(InstanceReuseRule):
    code = "KL201"
    name = "batchnorm-reused"
    summary = "one BatchNormalization instance called on several feature maps in call()"
    family = frozenset({"BatchNormalization"})

    def message(self, ctx, attr, keras_name, earlier) -> str:
        where = "inside a loop" if earlier is None else f"again (first call at line {earlier.lineno})"
        return (
            f"self.{attr} ({keras_name}) is called {where} in {ctx.cls.name}.call(): "
            "one instance mixes the moving mean/variance of different feature maps and raises "
            "'expected axis -1 of input shape to have value N' when their widths differ; "
            f"create one BatchNormalization per use (self.{attr}_1, self.{attr}_2, ...)"
        )
