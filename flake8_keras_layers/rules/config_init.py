"""KL302 and KL304: what ``__init__`` does with the arguments a config round-trip needs."""

from __future__ import annotations

from typing import Iterator

from astroid import bases, nodes

from ..knowledge import config_facts
from ..analysis import resolver, syntax
from ..knowledge.facts import Verdict
from .base import ClassContext, Diagnostic, Rule
from ..analysis.params import named_params
from .config import chain_method
from ..analysis.config_keys import returned_config

# Keras 2 is not probed: its base config is name, trainable, dtype in this order and from_config is
# cls(**config) (tf_keras 2.21, tests/witness/test_kl302_witness.py); a probed release's facts decide Keras 3.
_KERAS2_BASE_KEYS = ("name", "trainable", "dtype")


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


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


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
            failing = self.reload_failure(ctx, init)
            if failing:
                spans: dict[str, list[str]] = {}
                for key, span in failing:
                    spans.setdefault(key, []).append(span)
                if len(spans) == 1:
                    ((key, found),) = spans.items()
                    error = f"\"unexpected keyword argument '{key}'\" (Keras {', '.join(found)})"
                else:  # the releases disagree on the first key __init__ does not take
                    error = "\"unexpected keyword argument ...\" " + ", ".join(
                        f"'{key}' (Keras {', '.join(found)})" for key, found in spans.items())
                yield self.at(init, self.fit(*(
                    f"{ctx.cls.name}.__init__ lacks **kwargs: reload raises TypeError {error}; {fix}"
                    for fix in ("take **kwargs and pass them to super().__init__()", "take and forward **kwargs"))))
            return
        if any(k.arg is None for call in supers for k in call.keywords or []):
            return  # something is forwarded with ** (kwargs, or a dict made from them)
        uses = [n for n in syntax.walk_scope(init) if isinstance(n, nodes.Name) and n.name == kwarg]
        if uses:
            return  # kwargs are read or handed on some other way: not followed
        lost = self.lost_keys(ctx, init, supers)
        if lost:
            verb = "is" if len(lost) == 1 else "are"
            yield self.at(init, self.fit(*(
                f"{ctx.cls.name}.__init__ takes **{kwarg} but never passes them to super().__init__(): "
                f"{_join(lost)} {verb} {ignored}; call super().__init__(**{kwarg})"
                for ignored in ("silently ignored", "ignored"))))

    def reload_failure(self, ctx: ClassContext, init: nodes.FunctionDef) -> list[tuple[str, str]]:
        """[(the keyword reload fails on, where)] over the target's releases; empty when it reloads or is unknown.

        What reaches ``__init__`` is measured per release: the keys the Keras base's ``from_config`` passes
        on (``Sequential`` passes only ``name``), or for Keras' automatic config (no ``get_config``
        anywhere) the keys it keeps. The first key ``__init__`` does not name is the one Python reports.
        """
        if chain_method(ctx, "from_config")[1] is not None:
            return []  # the project's own from_config decides what reaches __init__: not followed
        explicit = self.config_carries_base(ctx)
        if explicit is None:
            return []
        params = {p.name for p in named_params(init)}
        base, facts = ctx.ancestry.base, config_facts.default()
        releases = ctx.releases(base)
        found: list[tuple[str, str]] = []
        if releases.has_keras3:
            within = releases.keras3
            if explicit or not facts.uses_layer_get_config(base.name, within):
                outcomes = facts.reload_passes(base.name, within)
            else:
                kind = "Model" if ctx.ancestry.is_a("Model") else "Layer"
                outcomes = facts.auto_reload_passes(kind, "name" in params, within)
            if outcomes is None:
                return []  # not measured for every targeted release: silent
            failing: dict[str, list] = {}
            for passes, group in outcomes.groups:
                key = next((k for k in passes if k not in params), None)
                if key is not None:
                    failing.setdefault(key, []).extend(group)
            found = [(key, outcomes.span(group)) for key, group in failing.items()]
        if releases.keras2 and self.keras2_reload_fails(ctx, base, explicit, facts):
            key = next((k for k in _KERAS2_BASE_KEYS if k not in params), None)
            if key is not None:
                found.insert(0, (key, "2"))
        return found

    @staticmethod
    def keras2_reload_fails(ctx: ClassContext, base, explicit: bool, facts) -> bool:
        """Keras 2's automatic config keeps only what ``__init__`` takes, and a subclassed Model's base config
        is empty (tf_keras 2.21): only an explicit config of a Layer carries the base keys there."""
        if ctx.ancestry.is_a("Model"):
            return False
        # A class the probe never saw (tf_keras only) may use the automatic config: only explicit counts.
        return explicit or facts.uses_layer_get_config(base.name, None) is False

    @staticmethod
    def config_carries_base(ctx: ClassContext) -> bool | None:
        """Through every project ``get_config`` on the way, the config reaches Keras' own: True when some
        project ``get_config`` starts it (explicit), False when none exists (Keras' own, or its automatic
        config), None when a project base rebuilds its dict without the base (SpatialDropout2D) or the
        chain is not followed."""
        index, explicit = 0, False
        while True:
            index, get_config = chain_method(ctx, "get_config", index)
            if get_config is None:
                return explicit
            config = returned_config(get_config)
            if config is None or not config.base:
                return None  # not followed, or built without the base: silent
            explicit = True
            index += 1

    @staticmethod
    def lost_keys(ctx: ClassContext, init: nodes.FunctionDef, supers: list[nodes.Call]) -> list[str]:
        """The base config keys a caller's keyword never reaches Keras with: not handed to super().__init__
        as that keyword (or positionally) from the __init__ parameter of that name."""
        params = {p.name for p in named_params(init)}
        handed: set[str] = set()
        for call in supers:
            for keyword in call.keywords or []:
                if keyword.arg in params and any(n.name in params for n in _names(keyword.value)):
                    handed.add(keyword.arg)
            for arg in call.args:
                handed.update(n.name for n in _names(arg) if n.name in params)
        base = ctx.ancestry.base
        outcomes = config_facts.default().layer_config_keys(ctx.releases(base).structure)
        keys = _KERAS2_BASE_KEYS if outcomes is None else tuple(
            dict.fromkeys(k for value, _ in outcomes.groups for k in value))
        return [k for k in keys if k not in handed]


def _names(node: nodes.NodeNG) -> list[nodes.Name]:
    return [node] if isinstance(node, nodes.Name) else list(node.nodes_of_class(nodes.Name))


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
    for call in syntax.module_nodes(cls.root(), nodes.Call):
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
        head = f"{ctx.cls.name} has no get_config and '{param}' is {fault} ({where}): saving fails in Keras "
        fix = "; define get_config/from_config"
        yield self.at(init, self.fit(*(f"{head}{verdict.short()}{note}{fix}" for note in ctx.targeting_notes())))

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
