"""KL103-KL106: where and how a layer creates its state (weights, variables, sub-layers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from astroid import nodes

from ..analysis import flow, resolver, syntax
from ..knowledge import stubs
from ..analysis.resolver import Ancestry, KerasClass
from ..knowledge.versions import Target
from .base import ClassContext, Diagnostic, ModuleContext, ModuleRule, Rule

WEIGHT_CREATORS = frozenset({"add_weight", "add_variable"})
# Methods that run before or as the build, never per call: not followed from call().
_NOT_PER_CALL = frozenset({"build", "__init__"})


@dataclass(frozen=True)
class Creation:
    node: nodes.NodeNG  # reported here
    what: str  # as the user wrote it, shortened
    kind: str  # "weight", "variable" or "layer"
    attr: str | None  # the `self.<attr>` it is stored in, if any


def _is_variable_constructor(call: nodes.Call) -> bool:
    """``keras.Variable(...)``, ``tf.Variable(...)`` or a ``Variable`` imported from a Keras/TF root."""
    func = call.func
    if isinstance(func, nodes.Attribute) and func.attrname == "Variable":
        values = resolver.safe_infer_all(func.expr)
        return values is not None and all(
            isinstance(v, nodes.Module) and v.name.partition(".")[0] in stubs.ROOTS for v in values
        )
    if isinstance(func, nodes.Name) and func.name == "Variable":
        _scope, assigns = func.lookup("Variable")
        return bool(assigns) and all(
            isinstance(a, nodes.ImportFrom) and a.modname.partition(".")[0] in stubs.ROOTS for a in assigns
        )
    return False


def _stored_in(node: nodes.NodeNG, me: str | None) -> str | None:
    """The attribute of ``self.<attr> = node`` (or an annotated one), else None."""
    parent = node.parent
    if isinstance(parent, (nodes.Assign, nodes.AnnAssign)) and parent.value is node:
        targets = parent.targets if isinstance(parent, nodes.Assign) else [parent.target]
        for target in targets:
            if syntax.is_self_attr(target, me):
                return target.attrname
    return None


def _short(node: nodes.NodeNG) -> str:
    text = node.as_string()
    return text if len(text) <= 60 else text[:57] + "..."


def creations(func: nodes.FunctionDef) -> Iterator[Creation]:
    """Every weight, variable and stored sub-layer ``func`` creates (not in nested functions)."""
    me = syntax.self_name(func)
    for node in syntax.walk_scope(func):
        if isinstance(node, nodes.Call):
            if syntax.is_self_attr(node.func, me) and node.func.attrname in WEIGHT_CREATORS:
                yield Creation(node, f"self.{node.func.attrname}(...)", "weight", _stored_in(node, me))
            elif _is_variable_constructor(node):
                yield Creation(node, f"{node.func.as_string()}(...)", "variable", _stored_in(node, me))
            elif isinstance(node.parent, (nodes.Assign, nodes.AnnAssign)) and _stored_in(node, me):
                if resolver.constructed_class(node) is not None:
                    yield Creation(node.parent, _short(node.parent), "layer", _stored_in(node, me))


def _via(path) -> str:
    return "".join(f" via self.{site.func.attrname}()" for site in path)


def _guarded(method: nodes.FunctionDef, node: nodes.NodeNG, path) -> bool:
    if flow.under_condition(node, method):
        return True
    return any(flow.under_condition(site, site.scope()) for site in path)


def _attrs_created_outside_call(ctx: ClassContext, per_call: set[int]) -> set[str]:
    """``self.<attr>`` state (weights, layers) created by a class method that does not run per call."""
    found: set[str] = set()
    for klass in ctx.ancestry.chain:
        for method in syntax.defined_methods(klass):
            if id(method) not in per_call:
                found.update(c.attr for c in creations(method) if c.attr)
    return found


class StateCreatedInCall(Rule):
    code = "KL103"
    name = "state-created-in-call"
    summary = "weights, variables or sub-layers created inside call()"
    methods = frozenset({"call"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        call = ctx.method("call")
        if call is None:
            return
        keras3 = ctx.targets_keras3(ctx.ancestry.base)
        reached = list(syntax.reachable_methods(call, ctx.ancestry.chain, skip=_NOT_PER_CALL))
        elsewhere = _attrs_created_outside_call(ctx, {id(m) for m, _ in reached})
        for method, path in reached:
            for creation in creations(method):
                guarded = _guarded(method, creation.node, path)
                if guarded and (not keras3 or creation.attr in elsewhere):
                    # Keras 2 lazy creation is legitimate; a guard on state build()/__init__
                    # already made never passes.
                    continue
                yield self.at(creation.node, self.message(ctx, creation, path, guarded, keras3))

    def message(self, ctx, creation: Creation, path, guarded: bool, keras3: bool) -> str:
        where = f"{creation.what} in {ctx.cls.name}.call(){_via(path)}"
        fix = "create it in build() (or __init__) and only use it in call()"
        if creation.kind == "variable" and creation.attr is None:
            return (f"{where} makes a new variable on every call that no layer tracks (never trained, "
                    f"never saved); {fix}")
        if keras3:
            guard = ", even behind its guard" if guarded else ""
            return (f"{where}: Keras 3 locks a layer's state once it is built, so this raises ValueError "
                    "\"You cannot add new elements of state (variables or sub-layers) to a layer that is already "
                    f"built\"{guard}; {fix}")
        return (f"{where} runs on every call: Keras 2 creates and tracks a fresh, untrained "
                f"{'layer' if creation.kind == 'layer' else 'variable'} each time; {fix}, "
                "or guard lazy creation (`if self.x is None:`)")


def owns_weights(ctx: ClassContext, keras_class: KerasClass):
    """Whether instances of ``keras_class`` own weights (Keras 2: as in any probed Keras 3 release)."""
    target = ctx.target if ctx.targets_keras3(keras_class) else Target(None, "any")
    return ctx.knowledge.class_holds(keras_class.name, "owns_weights", target)


def weights_made_by_body(ctx: ClassContext, made: Ancestry, depth: int = 2) -> nodes.NodeNG | None:
    """Where a project layer's own classes make weights: ``self.add_weight(...)``, a variable or a
    weight-owning layer stored on ``self`` (a project one followed ``depth`` levels); None if nowhere."""
    for klass in made.chain:
        for method in syntax.defined_methods(klass):
            for creation in creations(method):
                if creation.kind != "layer":
                    if creation.kind == "weight" or creation.attr:
                        return creation.node
                    continue
                sub = resolver.constructed_class(creation.node.value)
                if sub is not None and (owns_weights(ctx, sub.base) or (
                        depth > 0 and sub.chain and weights_made_by_body(ctx, sub, depth - 1) is not None)):
                    return creation.node
    return None


class LayerCreatedInCall(Rule):
    code = "KL104"
    name = "layer-created-in-call"
    summary = "a layer with weights constructed inside call(): fresh, untracked weights on every call"
    methods = frozenset({"call"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        call = ctx.method("call")
        if call is None:
            return
        for method, path in syntax.reachable_methods(call, ctx.ancestry.chain, skip=_NOT_PER_CALL):
            me = syntax.self_name(method)
            for node in syntax.walk_scope(method):
                if not isinstance(node, nodes.Call) or _stored_in(node, me):
                    continue  # stored on self: KL103's business
                made = resolver.constructed_class(node)
                if made is None:
                    continue
                if owns_weights(ctx, made.base):
                    yield self.at(
                        node,
                        f"{made.cls.name}(...) is constructed in {ctx.cls.name}.call(){_via(path)}: "
                        f"{made.base.display} owns weights, so every call makes fresh, untrained weights "
                        f"that no layer tracks or saves; create it in __init__ as self.<name> and call it here",
                    )
                    continue
                # A project layer over a weightless base (Layer) that makes weights of its own.
                where = weights_made_by_body(ctx, made) if made.chain else None
                if where is not None:
                    yield self.at(node, (
                        f"{made.cls.name}(...) is constructed in {ctx.cls.name}.call(){_via(path)}: it makes "
                        f"weights (line {where.lineno}), fresh and untracked on every call; create it in "
                        "__init__ as self.<name> and call it here"
                    ))


class StateAddedAfterBuilt(Rule):
    code = "KL105"
    name = "state-added-after-built"
    summary = "sub-layers or weights created in __init__ of a layer Keras builds and locks at __init__"
    methods = frozenset({"__init__"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        init = ctx.method("__init__")
        if init is None or syntax.chain_method(ctx.ancestry.chain, "build")[1] is not None:
            return  # a build() override makes Keras leave the layer unbuilt (and unlocked)
        base = ctx.ancestry.base
        if not ctx.targets_keras3(base):
            return
        # Measured: Keras locks the state at __init__ exactly when a subclass without build() is built
        # there but one with build() is not (`_build_at_init`); bases that set `built` in every case
        # (Reshape, and the stateless family before 3.10.0) do not lock it.
        verdict = ctx.knowledge.class_holds_unless(
            base.name, "built_at_init_subclass", "built_at_init_subclass_with_build", ctx.target
        )
        supers = syntax.super_init_calls(init)
        if verdict is None or not supers:
            return
        first = min(call.lineno for call in supers)
        for method, path in syntax.reachable_methods(init, ctx.ancestry.chain, skip=_NOT_PER_CALL):
            for creation in creations(method):
                site = path[0] if path else creation.node
                if site.lineno <= first:
                    continue
                yield self.at(
                    creation.node,
                    f"{creation.what} in {ctx.cls.name}.__init__(){_via(path)} after super().__init__(): "
                    f"{base.display} marks a subclass without build() built and locks its state in "
                    f"__init__ in Keras {verdict.describe()} ({ctx.targeting_note()}), so this raises "
                    "ValueError \"You cannot add new elements of state ... already built\"; "
                    f"subclass keras.layers.Layer and hold a {base.name} instead (or define build() in "
                    f"{ctx.cls.name} and create the state there)",
                )


def _is_string(node: nodes.NodeNG) -> bool:
    if isinstance(node, nodes.JoinedStr):
        return True
    values = resolver.safe_infer_all(node)
    return values is not None and all(isinstance(v, nodes.Const) and isinstance(v.value, str) for v in values)


class AddWeightPositionalName(ModuleRule):
    code = "KL106"
    name = "add-weight-positional-name"
    summary = "add_weight() given the weight name positionally: Keras 3's first parameter is shape"
    callees = frozenset({"add_weight"})

    def check_module(self, ctx: ModuleContext) -> Iterator[Diagnostic]:
        typeerror = ctx.knowledge.global_holds("add_weight_positional_name_typeerror", ctx.target)
        valueerror = ctx.knowledge.global_holds("add_weight_positional_name_valueerror", ctx.target)
        if typeerror is None and valueerror is None:
            return
        classes: dict[int, Ancestry | None] = {}
        for call in ctx.module.nodes_of_class(nodes.Call):
            func = call.func
            if not (isinstance(func, nodes.Attribute) and func.attrname == "add_weight" and call.args):
                continue
            method = call.scope()
            if not isinstance(method, nodes.FunctionDef) or not isinstance(method.parent, nodes.ClassDef):
                continue
            if not syntax.is_self_attr(func, syntax.self_name(method)):
                continue
            cls = method.parent
            if id(cls) not in classes:
                classes[id(cls)] = resolver.resolve_class(cls)
            ancestry = classes[id(cls)]
            if ancestry is None or not ctx.targets_keras3(ancestry.base) or not _is_string(call.args[0]):
                continue
            yield self.at(call, self.message(ctx, cls, method, call, typeerror, valueerror))

    def message(self, ctx, cls, method, call, typeerror, valueerror) -> str:
        name = call.args[0].as_string()
        shape_keyword = any(k.arg == "shape" for k in call.keywords or ())
        fails = []
        if typeerror is not None:
            error = ("TypeError \"got multiple values for argument 'shape'\"" if shape_keyword
                     else "ValueError (the name is taken as the shape)")
            fails.append(f"{error} in Keras {typeerror.describe()}")
        if valueerror is not None:
            fails.append(f"ValueError \"`name` must be passed as a keyword argument\" in Keras "
                         f"{valueerror.describe()}")
        return (
            f"self.add_weight({name}, ...) in {cls.name}.{method.name}() passes the weight name as the "
            f"first positional argument, but Keras 3's first parameter is shape: {' and '.join(fails)} "
            f"({ctx.targeting_note()}); pass it as name={name}"
        )
