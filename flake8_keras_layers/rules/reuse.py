"""KL2xx: one layer instance called more than once inside ``call()``.

Which instance a call reaches, under whatever name and through whichever of
the class's helpers, is analysis/instances.py's; a finding is reported at the
call in ``call()`` that reaches the instance again.
"""

from __future__ import annotations

from typing import ClassVar, Iterator

from ..analysis.instances import Instances, Use
from ..analysis.widths import Widths
from .base import ClassContext, Diagnostic, Rule


# KL201, KL202 and KL903 look at the same call() of the same class: walk and infer it once.
def _instances(ctx: ClassContext) -> Instances | None:
    call_method = ctx.method("call")
    if call_method is None:
        return None
    return ctx.cached(("instances",), lambda: Instances(ctx.cls, ctx.ancestry.chain, call_method))


def _widths(ctx: ClassContext, instances: Instances) -> Widths:
    return ctx.cached(("widths",), lambda: Widths(instances, ctx.knowledge, ctx.target))


def reused(instances: Instances, uses: list[Use], reported: set[int], loop_is_reuse: bool = True,
           sequential_only: bool = False):
    """(use, earlier use on the same path, or None when a loop repeats it) for every reuse, one per call
    in ``call()`` not yet in ``reported`` (a helper that reaches instances twice is one finding, at its call).
    ``sequential_only``: only a use whose input provably comes from another use's result (then that one
    ran first, whichever comes first in the source: ``norm(block(norm(x)))`` is reported at the outer call)."""
    for index, use in enumerate(uses):
        if id(use.anchor) in reported:
            continue
        if loop_is_reuse and instances.in_loop(use):
            reported.add(id(use.anchor))
            yield use, None
            continue
        if sequential_only:
            earlier = next((u for i, u in enumerate(uses) if i != index and instances.sequential(u, use)
                            and not instances.exclusive(*((u, use) if i < index else (use, u)))), None)
        else:
            earlier = next((u for u in uses[:index] if not instances.exclusive(u, use)), None)
        if earlier is not None:
            reported.add(id(use.anchor))
            yield use, earlier


def _first_line(use: Use, earlier: Use) -> int:
    return (earlier.call if earlier.anchor is use.anchor else earlier.anchor).lineno


def _same(use: Use, earlier: Use | None) -> str:
    """The earlier name the same instance was reached by (an alias, a chained assignment), if another."""
    return f"also {earlier.name}" if earlier is not None and earlier.name != use.name else ""


def _described(use: Use, keras_name: str, earlier: Use | None) -> str:
    """``self.bn (BatchNormalization, also self.bn2)``: the instance, its Keras class, its other name."""
    return f"{use.name} ({', '.join(filter(None, (keras_name, _same(use, earlier))))})"


class InstanceReuseRule(Rule):
    """Reports layer instances of a given Keras family called again on one path of ``call()``."""

    methods = frozenset({"call"})
    family: frozenset[str]  # canonical Keras class names whose instances (and subclasses') count
    loop_is_reuse: ClassVar[bool] = True  # a single call inside a loop is reuse
    sequential_only: ClassVar[bool] = False  # only a call on what an earlier one produced is reuse

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        instances = _instances(ctx)
        if instances is None:
            return
        reported: set[int] = set()
        for uses in instances.uses.values():
            looped = self.loop_is_reuse and any(instances.in_loop(u) for u in uses)
            if len(uses) < 2 and not looped:
                continue
            kinds = instances.kinds(uses[0].instance)
            if not kinds or not all(any(k.is_a(n) for n in self.family) for k in kinds):
                continue
            keras_name = kinds[0].base.name
            widths = _widths(ctx, instances)
            for use, earlier in reused(instances, uses, reported, self.loop_is_reuse, self.sequential_only):
                conflict = None  # (this input's width, the first call's) when they provably differ
                if earlier is not None:
                    first, now = widths.use_width(earlier), widths.use_width(use)
                    if first is not None and now is not None and first != now:
                        conflict = (now, first)
                yield self.at(use.anchor, self.message(ctx, use, keras_name, earlier, conflict))

    def message(self, ctx: ClassContext, use: Use, keras_name: str, earlier: Use | None, conflict) -> str:
        raise NotImplementedError


class BatchNormReused(InstanceReuseRule):
    code = "KL201"
    name = "batchnorm-reused"
    summary = "one BatchNormalization instance called on several feature maps in call()"
    family = frozenset({"BatchNormalization"})

    def message(self, ctx, use, keras_name, earlier, conflict) -> str:
        where = "in a loop" if earlier is None else f"again (first at line {_first_line(use, earlier)})"
        effect = "the moving statistics of different inputs mix"
        if conflict:
            effect = (f"input {conflict[0]} wide, {conflict[1]} before: ValueError 'expected axis -1 ... value "
                      f"{conflict[1]}'")
        # The rule's name already says BatchNormalization: only another name of the instance is added.
        alias = f" ({_same(use, earlier)})" if _same(use, earlier) else ""
        return f"{use.name}{alias} is called {where} in {ctx.cls.name}.call(){use.via}: {effect}; use one per input"


class NormalizationParamsShared(InstanceReuseRule):
    code = "KL903"
    name = "normalization-params-shared"
    summary = ("one LayerNormalization/GroupNormalization/RMSNormalization instance applied again to what it "
               "produced (two depths)")
    family = frozenset({"LayerNormalization", "GroupNormalization", "RMSNormalization"})
    # Opt-in. Two streams (XLNet, PARSeq) and merged self/cross attention share one on purpose, and a
    # loop over time steps or streams shares it by design: only one chain normalized twice counts.
    opt_in = True
    loop_is_reuse = False
    sequential_only = True

    def message(self, ctx, use, keras_name, earlier, conflict) -> str:
        effects = ("one scale and offset serve two depths of the block", "one scale and offset for two depths")
        if conflict:
            effects = (f"input {conflict[0]} wide, {conflict[1]} before, which fails",) * 2
        first = f" (first at line {_first_line(use, earlier)})"
        return self.fit(*(
            f"{who} runs again{later} in {ctx.cls.name}.call(){via}{where}: {effect}; "
            "use one per sub-block unless deliberate"
            for later, effect in zip((" downstream", " downstream", ""), effects + effects[1:])
            for where in (first, "") for who in (_described(use, keras_name, earlier), use.name)
            for via in (use.via, "")))


class ReusedLayerShapeConflict(Rule):
    code = "KL202"
    name = "reused-layer-shape-conflict"
    summary = "one layer instance with input-shape-dependent weights called on inputs of provably different widths"
    methods = frozenset({"call"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        instances = _instances(ctx)
        if instances is None:
            return
        reported: set[int] = set()  # one finding per call in call()
        for uses in instances.uses.values():
            if len(uses) < 2:
                continue
            kinds = instances.kinds(uses[0].instance)
            if not kinds or len(kinds) != 1 or kinds[0].is_a("BatchNormalization"):
                continue  # batch normalization is KL201's, whatever the widths
            base = kinds[0].base
            if ctx.structure_holds(base, "shape_dependent_weights") is None:
                continue
            widths = _widths(ctx, instances)
            if widths.site(uses[0].instance) is None:
                continue  # a project subclass, channels_first, or not one plain constructor
            for index, use in enumerate(uses):
                now = widths.use_width(use)
                if now is None or id(use.anchor) in reported:
                    continue
                earlier = next((
                    e for e in uses[:index]
                    if widths.use_width(e) not in (None, now) and not instances.exclusive(e, use)
                ), None)
                if earlier is not None:
                    reported.add(id(use.anchor))
                    first = widths.use_width(earlier)
                    yield self.at(use.anchor, (
                        f"{_described(use, base.name, earlier)} gets an input {now} wide in "
                        f"{ctx.cls.name}.call(){use.via}, built for {first} at line "
                        f"{_first_line(use, earlier)}: ValueError 'expected axis -1 ... value {first}'; "
                        "use one per input"
                    ))
