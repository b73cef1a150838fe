"""KL302 and KL304: what ``__init__`` does with the arguments a config round-trip needs."""

from __future__ import annotations

from typing import Iterator

from astroid import bases, nodes

from ..knowledge import config_facts
from ..analysis import resolver, syntax
from ..knowledge.facts import Verdict
from .base import ClassContext, Diagnostic, Rule
from .config import chain_method, named_params
from ..analysis.config_keys import returned_config

# The keys Layer's own config carries (RULES.md KL302); an __init__ naming all of them needs no **kwargs.
_BASE_CONFIG_KEYS = frozenset({"name", "trainable", "dtype"})


def is_registered(klass: nodes.ClassDef) -> bool:
    """Decorated with ``register_keras_serializable`` (keras.saving / keras.utils / tf.keras.utils)."""
    for decorator in klass.decorators.nodes if klass.decorators else ():
        func = decorator.func if isinstance(decorator, nodes.Call) else decorator
        name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", None)
        if name == "register_keras_serializable":
            return True
    return False


def in_round_trips(ctx: ClassContext) -> bool:
    """It or a project base defines ``get_config``, or it is registered for ``.keras`` loading."""
    return is_registered(ctx.cls) or chain_method(ctx, "get_config")[1] is not None


class InitDropsKwargs(Rule):
    code = "KL302"
    name = "init-drops-kwargs"
    summary = "__init__ of a serializable layer does not accept **kwargs, or does not pass them to super().__init__"
    methods = frozenset({"__init__"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        init = ctx.method("__init__")
        if init is None or not in_round_trips(ctx):
            return
        supers = syntax.super_init_calls(init)
        if not supers:
            return  # KL107 (super-init-not-called) alone
        kwarg = init.args.kwarg
        if kwarg is None:
            if ctx.ancestry.is_a("Model") and not ctx.targets_keras3(ctx.ancestry.base):
                return  # a Keras 2 subclassed Model's base config is empty (tf_keras 2.21, measured)
            if self.config_carries_base(ctx) and not _BASE_CONFIG_KEYS <= {p.name for p in named_params(init)}:
                yield self.at(
                    init,
                    f"{ctx.cls.name}.__init__ does not accept **kwargs, but its config carries the base "
                    "layer's name, trainable and dtype: reload (from_config, load_model, clone_model) raises "
                    "TypeError \"unexpected keyword argument 'name'\"; take **kwargs and pass them to "
                    "super().__init__(**kwargs)",
                )
            return
        if any(k.arg is None for call in supers for k in call.keywords or []):
            return  # something is forwarded with ** (kwargs, or a dict made from them)
        uses = [n for n in syntax.walk_scope(init) if isinstance(n, nodes.Name) and n.name == kwarg]
        if uses:
            return  # kwargs are read or handed on some other way: not followed
        yield self.at(
            init,
            f"{ctx.cls.name}.__init__ accepts **{kwarg} but never passes them to super().__init__(): "
            "name, trainable=False and the dtype policy are silently ignored, at construction and on "
            f"reload; call super().__init__(**{kwarg})",
        )

    @staticmethod
    def config_carries_base(ctx: ClassContext) -> bool:
        """The config reaches Keras' own ``get_config`` (name, trainable, dtype) through every project
        ``get_config`` on the way; a project base that rebuilds its dict by hand stops it (SpatialDropout2D)."""
        index = 0
        while True:
            index, get_config = chain_method(ctx, "get_config", index)
            if get_config is None:
                return True  # Keras' get_config: the base config, or the automatic one
            config = returned_config(get_config)
            if config is None or not config.base:
                return False  # not followed, or built without the base: silent
            index += 1


def _plain_fault(node: nodes.NodeNG) -> str | None:
    """What ``node`` provably is when it is not a str/int/float/bool/None (or a list/dict of them)."""
    if isinstance(node, nodes.Lambda):
        return "a lambda"
    if isinstance(node, (nodes.List, nodes.Tuple, nodes.Set)):
        return next((f"a list holding {f}" for f in map(_plain_fault, node.elts) if f), None)
    if isinstance(node, nodes.Dict):
        return next((f"a dict holding {f}" for f in (_plain_fault(v) for _, v in node.items) if f), None)
    values = resolver.safe_infer_all(node)
    if not values:
        return None
    faults = []
    for value in values:
        if isinstance(value, (nodes.FunctionDef, nodes.Lambda, bases.BoundMethod, bases.UnboundMethod)):
            faults.append("a function")
        elif isinstance(value, nodes.ClassDef):
            faults.append("a class")
        elif isinstance(value, bases.Instance) and isinstance(value._proxied, nodes.ClassDef):
            ancestry = resolver.resolve_class(value._proxied)
            if ancestry is None:
                return None
            faults.append(f"a {value._proxied.name} instance")
        else:
            return None
    return faults[0] if faults else None


def construction_sites(cls: nodes.ClassDef) -> Iterator[nodes.Call]:
    """Calls in the class's module that provably construct this very class."""
    for call in cls.root().nodes_of_class(nodes.Call):
        func = call.func
        name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", None)
        if name != cls.name:
            continue
        values = resolver.safe_infer_all(func)
        if values and all(v is cls for v in values):
            yield call


def passed_arguments(call: nodes.Call, init: nodes.FunctionDef) -> Iterator[tuple[str, nodes.NodeNG]]:
    positional = [p.name for p in (init.args.args or [])[1:]]
    for index, arg in enumerate(call.args):
        if isinstance(arg, nodes.Starred) or index >= len(positional):
            return
        yield positional[index], arg
    for keyword in call.keywords or []:
        if keyword.arg is not None:
            yield keyword.arg, keyword.value


class ConfigNotSerializable(Rule):
    code = "KL304"
    name = "config-not-serializable"
    summary = "no get_config, and __init__ is given a layer, function or other non-plain value"
    methods = frozenset({"__init__"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        init = ctx.method("__init__")
        base = ctx.ancestry.base
        if init is None or not ctx.targets_keras3(base) or chain_method(ctx, "get_config")[1] is not None:
            return  # Keras 2 is not probed; a get_config of its own is KL303's business
        if ctx.method("from_config") is not None:
            return
        facts = config_facts.default()
        if not facts.uses_layer_get_config(base.name, ctx.releases(base).keras3):
            return  # the Keras base has a get_config of its own
        kind = "Model" if ctx.ancestry.is_a("Model") else "Layer"
        if kind == "Model" and not is_registered(ctx.cls):
            return  # subclassed models are often only ever saved by weights
        found = self.default_fault(ctx, init, facts, kind) or self.site_fault(ctx, init, facts, kind)
        if found is None:
            return
        param, fault, where, ranges = found
        verdict = Verdict(ranges, facts.versions[-1])
        yield self.at(
            init,
            f"{ctx.cls.name} has no get_config and '{param}' is {fault} ({where}): saving fails in Keras "
            f"{verdict.short()} ({ctx.targeting_note()}); define get_config/from_config",
        )

    def default_fault(self, ctx, init, facts, kind):
        within = ctx.releases(ctx.ancestry.base).keras3
        ranges = facts.global_ranges(f"auto_config_nonplain_default_fails_{kind}", within)
        if ranges is None:
            return None
        args = init.args
        positional = (args.args or [])[1:]
        pairs = list(zip(positional[len(positional) - len(args.defaults or []):], args.defaults or []))
        pairs += [(p, d) for p, d in zip(args.kwonlyargs or [], args.kw_defaults or []) if d is not None]
        for param, default in pairs:
            fault = _plain_fault(default)
            if fault:
                return param.name, fault, "its default", ranges
        return None

    def site_fault(self, ctx, init, facts, kind):
        within = ctx.releases(ctx.ancestry.base).keras3
        ranges = facts.global_ranges(f"auto_config_nonplain_argument_fails_{kind}", within)
        if ranges is None:
            return None
        params = {p.name for p in named_params(init)}
        for call in construction_sites(ctx.cls):
            for param, value in passed_arguments(call, init):
                fault = _plain_fault(value) if param in params else None
                if fault:
                    return param, fault, f"line {call.lineno}", ranges
        return None
