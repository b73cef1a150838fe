"""KL1xx: the lifecycle of a layer: its construction and its build."""

from __future__ import annotations

from typing import Iterator

from astroid import nodes

from ..analysis import flow, resolver, syntax
from ..knowledge import config_facts, stubs
from ..knowledge.facts import Verdict
from ..knowledge.versions import fold_ranges
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
        head = f"{ctx.cls.name}.build() never runs: {base.name} is built in __init__ in Keras {verdict.short()}"
        fix = "; set self.built = False after super().__init__()"
        yield self.at(build, self.fit(*(f"{head}{note}{fix}" for note in ctx.targeting_notes())))

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
                if method.name == "__init__" and _reset_by_keras_init(ctx, method, assign):
                    continue
                yield self.at(
                    assign,
                    f"`self.built = True` in {ctx.cls.name}.{method.name}() marks the layer built, so "
                    f"{ctx.cls.name}.build() never runs and its state is missing; remove it (Keras sets it "
                    "after build())",
                )


def _reset_by_keras_init(ctx: ClassContext, init: nodes.FunctionDef, assign: nodes.NodeNG) -> bool:
    """``self.built = True`` placed before ``super().__init__()``, whose Keras ``__init__`` sets it back to
    False (probed: ``init_resets.built=False``): the line has no effect, build() runs."""
    supers = syntax.super_init_calls(init)
    return bool(supers) and assign.lineno < min(call.lineno for call in supers) and \
        ctx.affected_by(ctx.ancestry.base, "init_resets.built=False") is not None


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


def keras_init_skipped(ctx: ClassContext) -> list[str] | None:
    """The class's ``__init__`` provably never runs ``Layer.__init__`` and Keras will notice: the classes
    whose ``__init__`` it calls instead (empty: none at all); None when it is reached, may be, or the
    failure never shows (KL107's finding; the config rules leave such a class to it)."""
    # KL107 and KL305 ask it of the same class: walked once.
    return ctx.cached(("keras_init_skipped",), lambda: _keras_init_skipped(ctx))


def _keras_init_skipped(ctx: ClassContext) -> list[str] | None:
    init = ctx.method("__init__")
    if init is None or _always_raises(init) or _bypasses_keras_call(ctx):
        return None
    # super().__init__() reached directly, under a condition, or through the class's own
    # helpers (two calls deep) counts; `self` passed to an unknown function might reach it.
    skipping = []
    for method, _path in syntax.reachable_methods(init, ctx.ancestry.chain, skip={"__init__"}):
        if _may_init_elsewhere(method):
            return None
        for call in syntax.super_init_calls(method):
            receiver = resolver.init_skipping_layer(call, ctx.ancestry)
            if receiver is None:
                return None
            skipping.append(receiver)
    return skipping


class SuperInitNotCalled(Rule):
    code = "KL107"
    name = "super-init-not-called"
    summary = "a Layer/Model __init__ never calls super().__init__()"
    methods = frozenset({"__init__"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        init = ctx.method("__init__")
        skipping = keras_init_skipped(ctx)
        if init is None or skipping is None:
            return
        base = ctx.ancestry.base
        keras3 = ctx.targets_keras3(base)
        failures = (["the first call raises RuntimeError 'you forgot to call super().__init__()'",
                     "the first call raises RuntimeError"] if keras3
                    else ["Keras 2 fails as soon as the layer is used"])
        cause = (f"calls {skipping[0]}.__init__(), which skips Layer.__init__" if skipping
                 else "never calls super().__init__()")
        yield self.at(init, self.fit(*(f"{ctx.cls.name}.__init__() {cause}: {failure}; call "
                                       "super().__init__(**kwargs) first" for failure in failures)))


# Methods whose definition in the subclass changes what some Keras __init__ assigns
# (probed: init_reset_varies.<method>:<attr>).
_SHAPING_METHODS = ("compute_mask", "build", "call")


def _keras_init_reached(ctx: ClassContext) -> bool:
    """Every project ``__init__`` after the class's own passes ``super().__init__()`` on to Keras."""
    inits = (syntax.defined_method(klass, "__init__") for klass in ctx.ancestry.chain[1:])
    return all(syntax.super_init_calls(init) for init in inits if init is not None)


def _assigned_by_project_bases(ctx: ClassContext) -> set[str]:
    found: set[str] = set()
    for index in range(1, len(ctx.ancestry.chain)):
        init = syntax.defined_method(ctx.ancestry.chain[index], "__init__")
        if init is not None:
            for method, _path in syntax.reachable_methods(init, ctx.ancestry.chain[index:], skip={"__init__"}):
                found.update(target.attrname for target, _value in syntax.self_attr_assignments(method))
    return found


def _render(value: str) -> str:
    """A probed value (``False``, ``None``, ``<InputSpec>``, ``<str>``) as a message says it."""
    if value == "<str>":
        return "a generated string"
    if value.startswith("<") and value.endswith(">"):
        kind = value[1:-1]
        return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind}"
    return value


def _functional(ctx: ClassContext, supers: list[nodes.Call]) -> bool:
    """A Model subclass built as a functional model (``super().__init__(inputs, outputs)``): Keras then runs
    Functional's __init__, which the probe (a plain ``Model()``) does not measure."""
    return ctx.ancestry.is_a("Model") and any(
        _positional(call) or any(k.arg in ("inputs", "outputs") for k in call.keywords or ()) for call in supers)


def _reaches_next_init(ctx: ClassContext, call: nodes.Call) -> bool:
    """The ``__init__`` call starts at the next class of the MRO (``super()``, ``super(Own, self)``,
    ``Base.__init__(self)``), so the Keras base's own ``__init__``, which the probe measured, runs."""
    receiver = call.func.expr
    if isinstance(receiver, nodes.Call):  # super(...)
        named = receiver.args[0] if receiver.args else None
        return named is None or (isinstance(named, nodes.Name) and named.name == ctx.cls.name)
    values = resolver.safe_infer_all(receiver)
    if values is None or len(values) != 1 or not isinstance(values[0], nodes.ClassDef):
        return False
    following = ctx.ancestry.chain[1] if len(ctx.ancestry.chain) > 1 else None
    if following is not None:
        return values[0] is following
    base = ctx.ancestry.base
    return stubs.keras_identity(values[0]) == (base.family, base.name)


def _positional(call: nodes.Call) -> list[nodes.NodeNG]:
    return [arg for arg in call.args if not (isinstance(arg, nodes.Name) and arg.name == "self")]


def _may_pass(call: nodes.Call, keyword: str) -> bool:
    """``super().__init__(...)`` passes ``keyword`` by name, or passes arguments by position that may hold it."""
    return bool(_positional(call)) or any(k.arg == keyword for k in call.keywords or ())


def _same_value(assigned: nodes.NodeNG | None, probed: str) -> bool:
    return isinstance(assigned, nodes.Const) and repr(assigned.value) == probed


class AttributeResetBySuperInit(Rule):
    code = "KL108"
    name = "attribute-reset-by-super-init"
    summary = "an attribute assigned before super().__init__(), which assigns it again: the value is lost"
    methods = frozenset({"__init__"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        init = ctx.method("__init__")
        base = ctx.ancestry.base
        if init is None or not ctx.targets_keras3(base):
            return
        supers = syntax.super_init_calls(init)
        if not supers or not _keras_init_reached(ctx) or _functional(ctx, supers) or not all(
                _reaches_next_init(ctx, call) for call in supers):
            return  # no super().__init__() is KL107's finding; a helper calling it is not followed
        first = min(call.lineno for call in supers)
        me = syntax.self_name(init)
        if not any(syntax.is_self_attr(node, me) and node.lineno < first for node in syntax.walk_scope(init)):
            return  # nothing touches self before Keras' __init__ runs (most classes)
        early, late = [], set()
        for method, path in syntax.reachable_methods(init, ctx.ancestry.chain, skip={"__init__"}):
            for target, value in syntax.self_attr_assignments(method):
                site = path[0] if path else target
                if site.lineno < first:
                    if any(call.lineno > site.lineno and not flow.exclusive(site, call, init) for call in supers):
                        early.append((target, value, path))
                else:
                    late.add(target.attrname)
        if not early:
            return
        skip = late | _assigned_by_project_bases(ctx)
        for target, value, path in early:
            attr = target.attrname
            if attr in skip or any(syntax.class_binds(klass, attr) for klass in ctx.ancestry.chain):
                continue  # re-assigned after Keras' __init__, or a class attribute/property of the project's
            if attr == "built" and syntax.chain_method(ctx.ancestry.chain, "build")[1] is not None:
                continue  # a dead line, build() runs; moved after super().__init__() it would stop build() (KL102)
            found = self.reset_value(ctx, attr)
            if found is None or _same_value(value, found[0]):
                continue
            keyword = self.keyword_for(ctx, attr)
            if keyword is not None and any(_may_pass(call, keyword) for call in supers):
                continue
            yield self.at(target.statement(), self.message(ctx, target, path, found, keyword))

    def reset_value(self, ctx: ClassContext, attr: str) -> tuple[str, Verdict] | None:
        """The value the Keras base's ``__init__`` gives ``attr`` (newest probed) and every release where
        it replaces it, if it does in the target; None when it does not, or the class's shape changes it."""
        base = ctx.ancestry.base
        values = [member.partition("=")[2] for member in ctx.knowledge.members(base.name, "init_resets")
                  if member.partition("=")[0] == attr]
        holding = [(value, verdict) for value in values
                   if (verdict := ctx.affected_by(base, f"init_resets.{attr}={value}")) is not None]
        if not holding or any(value == "<argument>" for value, _ in holding):
            return None  # a required constructor argument: the caller's value, whatever it is
        for method in _SHAPING_METHODS:
            if syntax.chain_method(ctx.ancestry.chain, method)[1] is not None and ctx.affected_by(
                    base, f"init_reset_varies.{method}:{attr}") is not None:
                return None
        newest = max(holding, key=lambda found: found[1].ranges[-1][1])[0]
        ranges = fold_ranges(ctx.knowledge.versions, lambda version: any(
            first <= version <= last for _, verdict in holding for first, last in verdict.ranges))
        return newest, Verdict(ranges, ctx.knowledge.versions[-1])

    def keyword_for(self, ctx: ClassContext, attr: str) -> str | None:
        """The base's constructor keyword that sets ``attr`` (``trainable`` for ``_trainable``), if any."""
        keyword = attr.lstrip("_")
        base = ctx.ancestry.base
        return keyword if config_facts.default().accepts(base.name, keyword, ctx.releases(base).keras3) else None

    def message(self, ctx: ClassContext, target: nodes.AssignAttr, path, found, keyword: str | None) -> str:
        """The attribute, what it ends up as, the releases and the fix; the longest form that fits the line."""
        value, verdict = found
        head = f"self.{target.attrname} set"
        by = f"by {ctx.ancestry.base.name} (Keras {verdict.short()})"
        vias = [f" in self.{path[0].func.attrname}()", ""] if path else [""]
        if keyword is None:
            forms = [f"{head}{via} before super().__init__() is reset to {_render(value)} {by}; set it after"
                     for via in vias]
        else:
            defaults = ([] if value.startswith("<") else [f" (default {value})"]) + [""]
            forms = [f"{head}{via} before super().__init__() is reset from {keyword}={default} {by}; {fix}"
                     for default in defaults for fix in ("pass it to super().__init__()", "pass it to that call")
                     for via in vias]
        return self.fit(*(form + note for note in ctx.targeting_notes() for form in forms))
