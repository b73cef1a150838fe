"""KL103-KL106: where and how a layer creates its state (weights, variables, sub-layers)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from astroid import nodes

from ..analysis import flow, resolver, syntax
from ..knowledge import config_facts, stubs
from ..analysis.resolver import Ancestry, KerasClass
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


def _kept_in_self_container(node: nodes.NodeNG, me: str | None) -> bool:
    """``self.heads.append(Dense(...))`` or ``self.heads[i] = Dense(...)``: the layer is kept (a lazily
    built list of sub-layers, tf-models' ``_build_from_signature``), not made afresh and dropped."""
    parent = node.parent
    if isinstance(parent, nodes.Call) and node in parent.args and isinstance(parent.func, nodes.Attribute):
        return parent.func.attrname in ("append", "extend", "insert") and syntax.is_self_attr(parent.func.expr, me)
    if isinstance(parent, nodes.Assign) and parent.value is node:
        return any(isinstance(t, nodes.Subscript) and syntax.is_self_attr(t.value, me) for t in parent.targets)
    return False


def _kept(node: nodes.NodeNG, me: str | None) -> bool:
    return _stored_in(node, me) is not None or _kept_in_self_container(node, me)


def _returned_to_keeper(node: nodes.NodeNG, path) -> bool:
    """``return Dense(...)`` from a helper whose caller keeps the result under a guard (``if not self.built_:
    self.out = self._make_dense()``, tf-models' ``_make_output_dense``): made once and kept, like a layer
    stored directly. Unguarded, it is made anew on every call, which nothing else reports."""
    if not path or not isinstance(node.parent, nodes.Return):
        return False
    site = path[-1]
    return _kept(site, syntax.self_name(site.frame())) and any(flow.under_condition(s, s.scope()) for s in path)


def _short(call: nodes.Call, attr: str) -> str:
    """``self.proj = Dense(...)``: what a message needs to find the line, in a few characters."""
    func = call.func
    callee = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", "...")
    return f"self.{attr} = {callee}(...)"


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
                    attr = _stored_in(node, me)
                    yield Creation(node.parent, _short(node, attr or "?"), "layer", attr)


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
        # Found on the first guarded creation only: it infers every constructor call the class's other
        # methods store, and most call() methods create nothing under a guard.
        elsewhere: set[str] | None = None
        for method, path in reached:
            for creation in creations(method):
                guarded = _guarded(method, creation.node, path)
                if guarded and keras3 and elsewhere is None:
                    elsewhere = _attrs_created_outside_call(ctx, {id(m) for m, _ in reached})
                if guarded and (not keras3 or creation.attr in (elsewhere or ())):
                    # Keras 2 lazy creation is legitimate; a guard on state build()/__init__
                    # already made never passes.
                    continue
                yield self.at(creation.node, self.message(ctx, creation, path, guarded, keras3))

    def message(self, ctx, creation: Creation, path, guarded: bool, keras3: bool) -> str:
        where = f"{creation.what} in {ctx.cls.name}.call(){_via(path)}"
        fix = "create it in build()"
        if creation.kind == "variable" and creation.attr is None:
            return f"{where} makes an untracked variable on every call (never trained or saved); {fix}"
        if keras3:
            guard = ", even guarded" if guarded else ""
            return f"{where} raises ValueError 'cannot add new elements of state'{guard}; {fix}"
        kind = "layer" if creation.kind == "layer" else "variable"
        return f"{where} makes a fresh, untrained {kind} on every call (Keras 2); {fix}, or guard it"


def owns_weights(ctx: ClassContext, keras_class: KerasClass):
    """Whether instances of ``keras_class`` own weights in the target (a structural fact)."""
    return ctx.structure_holds(keras_class, "owns_weights")


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


def _where_to_create(call: nodes.Call) -> str:
    """``build()`` when the constructor's arguments read an input's shape (``Dense(x.shape[-1])``):
    only ``build()`` knows it; else ``__init__``."""
    reads_shape = any(a.attrname == "shape" for a in call.nodes_of_class(nodes.Attribute)) or any(
        isinstance(c.func, (nodes.Attribute, nodes.Name)) and getattr(c.func, "attrname", getattr(c.func, "name", ""))
        == "shape" for c in call.nodes_of_class(nodes.Call) if c is not call)
    return "build(), which gets the input shape" if reads_shape else "__init__"


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
                if not isinstance(node, nodes.Call) or _kept(node, me) or _returned_to_keeper(node, path):
                    continue  # kept on self, not fresh on every call: KL103's business
                made = resolver.constructed_class(node)
                if made is None:
                    continue
                if owns_weights(ctx, made.base):
                    yield self.at(
                        node,
                        f"{made.cls.name}(...) is constructed in {ctx.cls.name}.call(){_via(path)}: fresh, "
                        f"untracked {made.base.name} weights on every call; create it in {_where_to_create(node)}",
                    )
                    continue
                # A project layer over a weightless base (Layer) that makes weights of its own.
                where = weights_made_by_body(ctx, made) if made.chain else None
                if where is not None:
                    yield self.at(node, (
                        f"{made.cls.name}(...) is constructed in {ctx.cls.name}.call(){_via(path)}: its weights "
                        f"(line {where.lineno}) are fresh and untracked on every call; create it in "
                        f"{_where_to_create(node)}"
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
            base.name, "built_at_init_subclass", "built_at_init_subclass_with_build", ctx.releases(base).keras3
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
                yield self.at(creation.node, self.fit(*(
                    f"{creation.what} in {ctx.cls.name}.__init__(){_via(path)} raises ValueError: {base.name} "
                    f"locks its state in __init__ in Keras {verdict.short()}{note}; create it in build()"
                    for note in ctx.targeting_notes())))


def _is_string(node: nodes.NodeNG) -> bool:
    if isinstance(node, nodes.JoinedStr):
        return True
    values = resolver.safe_infer_all(node)
    return values is not None and all(isinstance(v, nodes.Const) and isinstance(v.value, str) for v in values)


# What a caller means by each positional argument: Keras 2 takes the name first, Keras 3 the shape.
_KERAS2_ORDER = ("name", "shape", "dtype", "initializer")
_KERAS3_ORDER = ("shape", "initializer", "dtype", "trainable")
_FORM_KEYWORDS = ("shape", "initializer")  # the keywords a probed call form names
_COUNT_FORM = ",".join(_KERAS3_ORDER)  # more than three positional arguments: 3.14 and later refuse them


def call_form(call: nodes.Call) -> str | None:
    """The probed form label of a ``self.add_weight(...)`` call (tools/probe_reload.py ADD_WEIGHT_FORMS):
    ``name,shape,initializer=`` is the name and the shape by position and ``initializer=`` by keyword.
    None for a call the rule leaves alone (``*args``, ``**kw``, a shape first with at most three positional)."""
    args = call.args or []
    keywords = [k.arg for k in call.keywords or []]
    if not args or isinstance(args[0], nodes.Starred):
        return None
    if _is_string(args[0]):
        if len(args) > len(_KERAS2_ORDER) or None in keywords or any(isinstance(a, nodes.Starred) for a in args):
            return "unprobed:name"  # *args, **kwargs or more arguments: the name is still taken as the shape
        order = _KERAS2_ORDER
    elif len(args) == len(_KERAS3_ORDER) and None not in keywords and _is_not_string(args[0]) and not any(
            isinstance(a, nodes.Starred) for a in args):
        order = _KERAS3_ORDER
    else:
        return None
    named = [k for k in _FORM_KEYWORDS if k in keywords]
    label = ",".join([*order[:len(args)], *(f"{k}=" for k in named)])
    # Another keyword for a slot filled by position (dtype= after three), or name= after a name: not probed.
    taken = set(_KERAS3_ORDER[:len(args)]) - set(_FORM_KEYWORDS)
    if taken & set(keywords) or (order is _KERAS2_ORDER and "name" in keywords):
        return f"unprobed:{label}"
    return label


def _is_not_string(node: nodes.NodeNG) -> bool:
    values = resolver.safe_infer_all(node)
    return values is not None and not any(isinstance(v, nodes.Const) and isinstance(v.value, str) for v in values)


def _quote(message: str) -> str:
    """Keras' message without the method it names (``Layer.add_weight() got ...`` -> ``got ...``)."""
    return re.sub(r"^[\w.]*add_weight\(\) ", "", message)


@dataclass(frozen=True)
class Failure:
    """Releases where one add_weight call form raised one error (Keras' message, when probed)."""
    error: str
    message: str | None
    releases: tuple
    probed: tuple


class AddWeightPositionalName(ModuleRule):
    code = "KL106"
    name = "add-weight-positional-name"
    summary = "add_weight() given the weight name (Keras 3 takes it as the shape) or four arguments positionally"
    callees = frozenset({"add_weight"})
    needs = "method"

    def check_module(self, ctx: ModuleContext) -> Iterator[Diagnostic]:
        # Only the ``keras`` namespace can be Keras 3 (tf_keras never is): its releases decide.
        within = ctx.target.releases("keras").keras3
        if within == ():
            return
        classes: dict[int, Ancestry | None] = {}
        for call in syntax.module_nodes(ctx.module, nodes.Call):
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
            if ancestry is None or not ctx.targets_keras3(ancestry.base):
                continue
            form = call_form(call)
            if form is None:
                continue
            failures = self.failures(form, ctx.releases(ancestry.base).keras3)
            if failures:
                yield self.at(call, self.message(cls, method, call, form, failures))

    @staticmethod
    def failures(form: str, within) -> list[Failure] | None:
        """Where the call form raises within the target, grouped by Keras' error, oldest first.

        A form the probe did not run (``unprobed:``) takes the name as the shape too: reported where every
        probed name-first form raised, without quoting one exception."""
        facts = config_facts.default()
        if not form.startswith("unprobed:"):
            outcomes = facts.call_outcomes("add_weight", form, within)
            if outcomes is None:
                return None
            return [Failure(error, message, tuple(group), outcomes.probed)
                    for (error, message), group in outcomes.groups if error is not None]
        named = [f for f in facts.call_forms("add_weight") if f.startswith("name")]
        found = [facts.call_outcomes("add_weight", f, within) for f in named]
        if not found or any(o is None for o in found):
            return None
        everywhere = set.intersection(*(set(o.where(lambda v: v[0] is not None)) for o in found if o))
        return [Failure("it fails", None, tuple(everywhere), found[0].probed)] if everywhere and found[0] else None

    @staticmethod
    def message(cls, method, call, form: str, failures: list[Failure]) -> str:
        head = f"{cls.name}.{method.name}(): add_weight() gets "
        if form == _COUNT_FORM:
            head, fix = head + "4 positional arguments: ", "use keywords after shape"
        else:
            name = call.args[0].as_string()
            fix = f"pass name={name if len(name) <= 30 else '...'}"
            generic = failures[0].message is None and failures[0].error == "it fails"
            head += "the name by position, which Keras 3 takes as the shape: " if generic else "the name by position: "

        def render(quoted: int) -> str:
            # Unquoted groups of one error read as one: "ValueError (Keras 3.0-3.15.1)", not twice.
            shown: list[tuple[str, str, tuple]] = []
            for index, failure in enumerate(failures):
                quote = f' "{_quote(failure.message)}"' if failure.message and index < quoted else ""
                if shown and not quote and not shown[-1][1] and shown[-1][0] == failure.error:
                    shown[-1] = (failure.error, "", shown[-1][2] + failure.releases)
                else:
                    shown.append((failure.error, quote, failure.releases))
            spans = [config_facts.short_span(releases, failures[0].probed) for _, _, releases in shown]
            parts = [f"{error}{quote} ({'' if i else 'Keras '}{spans[i]})" for i, (error, quote, _) in enumerate(shown)]
            return f"{head}{', '.join(parts)}; {fix}"

        # Quote Keras' messages, the oldest releases' first, while the line stays within 200 characters.
        return AddWeightPositionalName.fit(*(render(quoted) for quoted in range(len(failures), -1, -1)))
