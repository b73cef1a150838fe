"""KL303 and KL305: what a ``get_config`` returns against what the constructor takes.

Keras reloads a layer with ``cls(**layer.get_config())`` (``from_config``), so
every key must be a constructor argument, and every constructor argument that
matters must be a key. Both are checked only when the returned dict can be
followed (``config_keys``) and reload provably goes through ``cls(**config)``.
"""

from __future__ import annotations

import difflib
from typing import Iterator

import astroid
from astroid import nodes

from ..knowledge import config_facts
from ..analysis import syntax
from .base import ClassContext, Diagnostic, Rule
from .lifecycle import keras_init_skipped
from ..analysis.config_keys import ConfigDict, returned_config
from ..analysis.params import (carried_values, construction_only, has_default, kept_unread, named_params,
                               names_passed_to_super, not_plain_data, spells, stored_under_keys)
from ..analysis.subclasses import abstract_base, fixed_by_subclasses, subclasses


def chain_method(ctx: ClassContext, name: str, start: int = 0):
    """(index in the project chain, method) of the first chain class from ``start`` defining ``name``."""
    return syntax.chain_method(ctx.ancestry.chain, name, start)


def _ever_set(cls: nodes.ClassDef, attr: str) -> bool:
    """``self.<attr>`` is assigned somewhere in the class or its bases, or the class body defines it."""
    for lookup in (cls.instance_attr, cls.getattr):
        try:
            if lookup(attr):
                return True
        except (astroid.AstroidError, RecursionError):
            continue
    return False


def reload_is_plain(ctx: ClassContext) -> bool:
    """Reload is ``cls(**config)``: no ``from_config`` in the chain, or one that only adjusts values
    and ends in ``cls(**config)`` (a renaming ``from_config`` cannot be followed)."""
    _, from_config = chain_method(ctx, "from_config")
    if from_config is None:
        return True
    params = from_config.args.args or []
    if len(params) < 2:
        return False
    cls_arg, config_arg = params[0].name, params[1].name
    for node in from_config.nodes_of_class((nodes.Call, nodes.Delete)):
        if isinstance(node, nodes.Delete):
            return False
        func = node.func
        if isinstance(func, nodes.Attribute) and func.attrname in ("pop", "popitem", "clear") and (
            isinstance(func.expr, nodes.Name) and func.expr.name == config_arg
        ):
            return False
        if isinstance(func, nodes.Name) and func.name == cls_arg:
            if node.args or any(k.arg is None and not (
                isinstance(k.value, nodes.Name) and k.value.name == config_arg
            ) for k in node.keywords or []):
                return False
    return True


def inherited_keys(ctx: ClassContext, start: int) -> frozenset[str] | None:
    """Keys the project bases' ``get_config`` add from chain index ``start`` on (None: not followed)."""
    keys: frozenset[str] = frozenset()
    index = start
    while True:
        index, method = chain_method(ctx, "get_config", index)
        if method is None:
            return keys  # the rest is the Keras base's get_config
        config = returned_config(method)
        if config is None or not config.complete:
            return None
        keys |= config.keys
        if not config.base:
            return keys
        index += 1


class ConfigMissingArg(Rule):
    code = "KL303"
    name = "config-missing-arg"
    summary = "get_config omits a constructor argument, or returns a key no constructor accepts"
    methods = frozenset({"get_config"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        get_config = ctx.method("get_config")
        config = returned_config(get_config) if get_config is not None else None
        if config is None or not reload_is_plain(ctx):
            return
        init_index, init = chain_method(ctx, "__init__")
        if init is None:
            return  # the Keras base's own constructor: its parameters are its get_config's business
        missing = self.missing(ctx, config, init_index, init)
        unset = self.unset_read(ctx, get_config, [p.name for p in missing]) if missing else None
        if unset is not None:  # saving fails before any reload: that is the failure to name
            attr, meant = unset
            yield self.at(get_config, f"{ctx.cls.name}.get_config() reads self.{attr}, which is never set: saving "
                                      f"raises AttributeError; use self.{meant}")
            return
        if missing:
            carried = carried_values(ctx.cls, get_config, init, config.keys)
            missing = [p for p in missing if not kept_unread(init, p.name, carried)]
        unknown = self.unaccepted(ctx, config, init_index)
        if not missing and not unknown:
            return
        # The worst consequence leads: a reload that fails, then values silently lost.
        required = [p.name for p in missing if not has_default(init, p)]
        defaulted = [p.name for p in missing if has_default(init, p)]
        # A class or an InputSpec is not plain data: the fix serialises it and rebuilds it in from_config.
        serialise = [p.name for p in missing if not_plain_data(init, p)]

        def render(shown: int) -> str:
            if not shown:  # only how many: the shortest form
                failing = ", ".join([f"{_count(required, 'required arg')} missing"] * bool(required)
                                    + [f"{_count(unknown, 'unknown key')}"] * bool(unknown))
                parts = [f"{failing} (reload raises TypeError)"] if failing else []
                parts += [f"{_count(defaulted, 'arg')} reset to defaults"] if defaulted else []
                fix = "serialise, rebuild in from_config" if serialise else "match the keys to __init__"
                return f"{ctx.cls.name}.get_config(): {', '.join(parts)}; {fix}"
            parts = []
            if required:
                parts.append(f"omits required {_names(required, shown)} (reload raises TypeError)")
            if unknown:
                parts.append(f"returns {_names(unknown, shown)}, which no constructor takes (reload raises TypeError)")
            if defaulted:
                parts.append(f"omits {_names(defaulted, shown)} (reloads with the default)")
            fix = (f"serialise {_names(serialise, shown)} in get_config, rebuild it in from_config" if serialise
                   else "make its keys the __init__ arguments")
            return f"{ctx.cls.name}.get_config() {'; '.join(parts)}; {fix}"

        yield self.at(get_config, self.fit(*(render(shown) for shown in (3, 2, 1, 0))))

    @staticmethod
    def unset_read(ctx: ClassContext, get_config: nodes.FunctionDef, missing: list[str]) -> tuple[str, str] | None:
        """(``self.<attr>`` that ``get_config`` reads and nothing ever sets, the attribute meant) when the
        attribute is a near miss of a missing parameter (``out_dim`` for ``output_dim``): a typo, not an
        attribute Keras' own base sets (its constructor's names are excluded, and a near miss is asked for)."""
        me = syntax.self_name(get_config)
        base = ctx.ancestry.base
        keras_names = config_facts.default().accepted_names(base.name, ctx.releases(base).structure) or frozenset()
        for node in get_config.nodes_of_class(nodes.Attribute):
            attr = node.attrname
            if not syntax.is_self_attr(node, me) or attr in keras_names or attr in missing:
                continue
            if _ever_set(ctx.cls, attr):
                continue
            meant = difflib.get_close_matches(attr, missing, n=1, cutoff=0.6)
            if meant and _ever_set(ctx.cls, meant[0]):
                return attr, meant[0]
        return None

    def missing(self, ctx: ClassContext, config: ConfigDict, init_index: int, init) -> list:
        if not config.complete:
            return []
        covered = set(config.keys)
        # A parameter the Keras base also takes is in its config (Dense's ``activation``...); without the
        # base config, name/trainable/dtype are KL305's finding, not this one's.
        base = ctx.ancestry.base
        keras_params = config_facts.default().accepted_names(base.name, ctx.releases(base).structure)
        if keras_params is None:
            return []
        covered |= keras_params
        if config.base:
            inherited = inherited_keys(ctx, 1)
            if inherited is None:
                return []
            covered |= inherited
            for klass in ctx.ancestry.chain[init_index:]:
                klass_init = syntax.defined_method(klass, "__init__")
                if klass_init is not None:
                    covered |= names_passed_to_super(klass_init)
        covered |= stored_under_keys(init, config.keys)
        # A hardware-kernel switch stays out of the config on purpose, as Keras' own layers keep it (probed).
        covered |= config_facts.default().machine_switches
        model = ctx.ancestry.is_a("Model")
        found = [p for p in named_params(init)
                 if p.name not in covered and not construction_only(init, p.name, config.keys, model)]
        owner = ctx.ancestry.chain[init_index]
        known = subclasses(owner) if found else []  # read once, asked per parameter
        return [p for p in found if not fixed_by_subclasses(known, p.name) and not abstract_base(owner, p.name)]

    def unaccepted(self, ctx: ClassContext, config: ConfigDict, init_index: int) -> list[str]:
        inits = (syntax.defined_method(k, "__init__") for k in ctx.ancestry.chain)
        if any(init is not None and init.args.vararg for init in inits):
            return []  # *args constructors (functional-model tasks) are not followed
        found = [key for key in config.keys if accepted(ctx, init_index, key) is False]
        if found:
            # An abstract base may return keys its concrete subclasses take (keras-hub's Task), by name or
            # through **kwargs that a method of the base reads by key (kimm's set_properties).
            known = subclasses(ctx.cls)
            found = [key for key in found if not any(
                s.params is None or s.unread or key in s.params
                or (s.kwargs and spells(ctx.cls, {key}, but="get_config")) for s in known)]
        return sorted(found)


def accepted(ctx: ClassContext, index: int, key: str) -> bool | None:
    """Whether ``cls(**{key: ...})`` gets past every constructor from chain index ``index`` (None: unsure)."""
    while True:
        index, init = chain_method(ctx, "__init__", index)
        if init is None:
            base = ctx.ancestry.base  # Keras 2 constructors are not probed: None (unsure) for them
            return config_facts.default().accepts(base.name, key, ctx.releases(base).keras3)
        # A key spelt out in __init__ (``kwargs.pop("config_file", ...)``) is taken from **kwargs.
        if key in {p.name for p in named_params(init)} or spells(init, {key}):
            return True
        kwarg = init.args.kwarg
        if kwarg is None:
            return False
        if not _forwards_kwargs(init, kwarg):
            return None  # swallowed, or passed on in a way not followed
        index += 1


def _forwards_kwargs(init: nodes.FunctionDef, kwarg: str) -> bool:
    """``**kwargs`` reaches ``super().__init__`` unchanged in name (``pop`` of other keys is fine)."""
    return any(
        k.arg is None and isinstance(k.value, nodes.Name) and k.value.name == kwarg
        for call in syntax.super_init_calls(init)
        for k in call.keywords or []
    )


def _count(names: list, noun: str) -> str:
    return f"{len(names)} {noun}{'s' if len(names) > 1 else ''}"


def _names(names, shown: int = 3) -> str:
    """At most ``shown`` names, then how many more: the message stays one editor line."""
    names = list(names)
    text = ", ".join(f"'{n}'" for n in names[:shown])
    return text + (f" and {len(names) - shown} more" if len(names) > shown else "")


class ConfigDropsBase(Rule):
    code = "KL305"
    name = "config-drops-base"
    summary = "get_config builds its dict without super().get_config(): name, trainable and dtype are lost"
    methods = frozenset({"get_config"})

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        get_config = ctx.method("get_config")
        config = returned_config(get_config) if get_config is not None else None
        if config is None or config.base or not config.complete or "name" in config.keys:
            return  # a config that spells out "name" rebuilds the base part by hand, on purpose
        if ctx.ancestry.is_a("Model") and not ctx.targets_keras3(ctx.ancestry.base):
            return  # a Keras 2 subclassed Model's base config is empty: nothing is dropped
        if keras_init_skipped(ctx) is not None:
            return  # KL107 (super-init-not-called) alone: the fix here would make get_config crash
        init = chain_method(ctx, "__init__")[1]
        # Without **kwargs in __init__, the base keys the fix adds would make reload raise TypeError.
        kwargs = "" if init is None or init.args.kwarg else ", and take **kwargs in __init__"
        yield self.at(
            get_config,
            f"{ctx.cls.name}.get_config() drops the base config: name, trainable and dtype are lost on "
            f"reload; start from super().get_config(){kwargs}",
        )
