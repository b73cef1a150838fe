"""KL1xx: the build lifecycle of a layer and where its state is created."""

from __future__ import annotations

from typing import Iterator

from .. import syntax
from .base import ClassContext, Diagnostic, Rule


def resets_built_after_super_init(ctx: ClassContext) -> bool | None:
    """Whether some ``__init__`` in the class's own chain sets ``self.built = False``
    after ``super().__init__()``; None when Keras' ``__init__`` is provably never reached."""
    for klass in ctx.ancestry.chain:
        init = next(
            (n for n in klass.body if getattr(n, "name", None) == "__init__" and hasattr(n, "args")),
            None,
        )
        if init is None:
            continue
        supers = syntax.super_init_calls(init)
        if not supers:
            return None  # Keras' __init__ never runs, so it never marks the layer built.
        first = min(call.lineno for call in supers)
        if any(node.lineno > first for node in syntax.assigns_self_attr(init, "built", False)):
            return True
    return False


class BuildNeverCalled(Rule):
    code = "KL101"
    name = "build-never-called"
    summary = "build() is never called: the Keras base marks the layer built in __init__"
    methods = frozenset({"build"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        build = ctx.method("build")
        if build is None:
            return
        base = ctx.ancestry.base
        verdict = ctx.affected_by(base, "built_at_init_subclass_with_build")
        if verdict is None or resets_built_after_super_init(ctx) is not False:
            return
        yield self.at(
            build,
            f"{ctx.cls.name}.build() is never called: {base.display} marks the layer "
            f"built in __init__ in Keras {verdict.describe()} ({ctx.targeting_note()}); "
            f"set `self.built = False` after `super().__init__()` in {ctx.cls.name}.__init__",
        )
