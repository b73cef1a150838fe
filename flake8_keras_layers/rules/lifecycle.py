"""KL1xx: the build lifecycle of a layer and where its state is created."""

from __future__ import annotations

from typing import Iterator

from astroid import nodes

from ..analysis import resolver, syntax
from .base import ClassContext, Diagnostic, Rule


def resets_built_after_super_init(ctx: ClassContext) -> bool | None:
    """Whether some ``__init__`` in the class's own chain sets ``self.built = False`` after
    ``super().__init__()``, itself or through the class's helpers; None when Keras' ``__init__`` is
    provably never reached."""
    for klass in ctx.ancestry.chain:
        init = syntax.defined_method(klass, "__init__")
        if init is None:
            continue
        supers = syntax.super_init_calls(init)
        if not supers:
            return None  # Keras' __init__ never runs, so it never marks the layer built.
        first = min(call.lineno for call in supers)
        for method, path in syntax.reachable_methods(init, ctx.ancestry.chain, skip={"__init__"}):
            for node in syntax.assigns_self_attr(method, "built", False):
                if (path[0] if path else node).lineno > first:
                    return True
    return False


class BuildNeverCalled(Rule):
    code = "KL101"
    name = "build-never-called"
    summary = "build() is never called: the Keras base marks the layer built in __init__"
    methods = frozenset({"build"})
    mixed_in = True  # ``class P(ScaleMixin, AveragePooling2D)``: the mixin's build() is skipped too

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        build = ctx.method("build")
        owner = ctx.cls
        if build is None:
            index, build = syntax.chain_method(ctx.ancestry.chain, "build")
            if build is None or index is None:
                return
            owner = ctx.ancestry.chain[index]
            if self.reported_on_its_own(ctx, owner):
                return
        base = ctx.ancestry.base
        verdict = ctx.affected_by(base, "built_at_init_subclass_with_build")
        if verdict is None or resets_built_after_super_init(ctx) is not False:
            return
        if owner is not ctx.cls:
            yield self.at(ctx.cls, (
                f"{ctx.cls.name} gets build() from {owner.name}, but {base.name} marks it built in __init__ in "
                f"Keras {verdict.describe()}: build() never runs; set self.built = False after super().__init__()"
            ))
            return
        yield self.at(
            build,
            f"{ctx.cls.name}.build() never runs: {base.name} is built in __init__ in Keras "
            f"{verdict.short()} ({ctx.targeting_note()}); set self.built = False after super().__init__()",
        )

    @staticmethod
    def reported_on_its_own(ctx: ClassContext, owner: nodes.ClassDef) -> bool:
        """A Keras class that defines the build() is checked itself (a plain mixin is not: its
        build() is fine until a class combines it with a base that skips it)."""
        ancestry = resolver.resolve_class(owner)
        return ancestry is not None and \
            ctx.affected_by(ancestry.base, "built_at_init_subclass_with_build") is not None


def _calls_self_build(func: nodes.FunctionDef) -> bool:
    return any(call.func.attrname == "build" for call in syntax.self_method_calls(func))


class BuiltSetBeforeBuild(Rule):
    code = "KL102"
    name = "built-set-before-build"
    summary = "`self.built = True` outside build() in a layer that defines build(): build() never runs"
    methods = frozenset({"build"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        build = ctx.method("build")
        if build is None:
            return
        # Setting `built` from build() itself, a helper it calls, or call() (which runs only
        # after build) is harmless; so is a method that builds explicitly (`self.build(...)`).
        harmless = {id(m) for m, _ in syntax.reachable_methods(build, ctx.ancestry.chain)}
        call = ctx.method("call")
        if call is not None:
            harmless.update(id(m) for m, _ in syntax.reachable_methods(call, ctx.ancestry.chain))
        for method in syntax.defined_methods(ctx.cls):
            if id(method) in harmless:
                continue
            if _calls_self_build(method):
                continue
            for assign in syntax.assigns_self_attr(method, "built", True):
                yield self.at(
                    assign,
                    f"`self.built = True` in {ctx.cls.name}.{method.name}() marks the layer built, so "
                    f"{ctx.cls.name}.build() never runs and its state is missing; remove it (Keras sets it "
                    "after build())",
                )


def _always_raises(func: nodes.FunctionDef) -> bool:
    body = [s for s in func.body if not (isinstance(s, nodes.Expr) and isinstance(s.value, nodes.Const))]
    return bool(body) and any(isinstance(s, nodes.Raise) for s in body)


def _may_init_elsewhere(func: nodes.FunctionDef) -> bool:
    """``self`` handed to a function (``init_layer(self, ...)``) that might call ``Layer.__init__``."""
    me = syntax.self_name(func)
    for node in syntax.walk_scope(func):
        if syntax.is_super_init_call(node, me) or _is_super(node):
            continue  # judged as __init__ calls (``object.__init__(self)``, ``super(Layer, self)``)
        if isinstance(node, nodes.Call) and not syntax.is_self_attr(node.func, me):
            passed = list(node.args) + [k.value for k in node.keywords or ()]
            if any(isinstance(a, nodes.Name) and a.name == me for a in passed):
                return True
    return False


def _is_super(node: nodes.NodeNG) -> bool:
    return isinstance(node, nodes.Call) and isinstance(node.func, nodes.Name) and node.func.name == "super"


def _bypasses_keras_call(ctx: ClassContext) -> bool:
    """A ``__call__`` of the project's own that never reaches ``super().__call__``: Keras' call machinery,
    which is where the missing initialisation fails, never runs (a plain container of sub-layers)."""
    own_call = syntax.chain_method(ctx.ancestry.chain, "__call__")[1]
    if own_call is None:
        return False
    me = syntax.self_name(own_call)
    return not any(syntax.is_super_call(node, me, "__call__") for node in syntax.walk_scope(own_call))


class SuperInitNotCalled(Rule):
    code = "KL107"
    name = "super-init-not-called"
    summary = "a Layer/Model __init__ never calls super().__init__()"
    methods = frozenset({"__init__"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        init = ctx.method("__init__")
        if init is None or _always_raises(init) or _bypasses_keras_call(ctx):
            return
        # super().__init__() reached directly, under a condition, or through the class's own
        # helpers (two calls deep) counts; `self` passed to an unknown function might reach it.
        skipping = []
        for method, _path in syntax.reachable_methods(init, ctx.ancestry.chain, skip={"__init__"}):
            if _may_init_elsewhere(method):
                return
            for call in syntax.super_init_calls(method):
                receiver = resolver.init_skipping_layer(call, ctx.ancestry)
                if receiver is None:
                    return
                skipping.append(receiver)
        base = ctx.ancestry.base
        keras3 = ctx.targets_keras3(base)
        failure = ("the first call raises RuntimeError 'you forgot to call super().__init__()'" if keras3
                   else "Keras 2 fails as soon as the layer is used")
        cause = (f"calls {skipping[0]}.__init__(), which skips Layer.__init__" if skipping
                 else "never calls super().__init__()")
        yield self.at(init, f"{ctx.cls.name}.__init__() {cause}: {failure}; call super().__init__(**kwargs) first")
