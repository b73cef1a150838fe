"""KL301: a layer instance given as ``activation=`` (Conv2D(..., activation=layers.ReLU()))."""

from __future__ import annotations

from typing import Iterator

from astroid import nodes

from ..analysis import resolver, syntax
from ..knowledge import stubs
from ..analysis.resolver import KerasClass
from .base import Diagnostic, ModuleContext, ModuleRule

# A project subclass defining any of these may serialize ``activation`` its own way.
_CONFIG_METHODS = frozenset({"__init__", "get_config", "from_config"})


def receiving_class(call: nodes.Call) -> KerasClass | None:
    """The Keras class whose config holds ``activation``: the called Keras layer, or the Keras base of
    a project subclass that leaves construction and config to it."""
    values = resolver.safe_infer_all(call.func)
    if not values or len({id(v) for v in values}) != 1 or not isinstance(values[0], nodes.ClassDef):
        return None
    ancestry = resolver.resolve_class(values[0])
    if ancestry is None:
        return None
    for klass in ancestry.chain:
        if any(syntax.defined_method(klass, name) is not None for name in _CONFIG_METHODS):
            return None
    return ancestry.base


def activation_layer(value: nodes.NodeNG) -> KerasClass | None:
    """The Keras layer class ``value`` provably is an instance of (directly or through a name), else None.

    Only Keras' own layers: a project layer (even a ReLU subclass) is found through ``custom_objects``
    on reload and round-trips (measured on 3.9.2); Keras' are looked up among activation functions only.
    """
    classes = resolver.instance_classes(value)
    if classes is None:
        return None
    found = [stubs.keras_identity(klass) for klass in classes]
    if found[0] is None or any(identity is None for identity in found):
        return None
    return KerasClass(*found[0])


class ActivationLayerInstance(ModuleRule):
    code = "KL301"
    name = "activation-layer-instance"
    summary = "activation= given a layer instance: from_config and .keras reload raise TypeError"
    keywords = frozenset({"activation"})
    needs = "callee"

    def check_module(self, ctx: ModuleContext) -> Iterator[Diagnostic]:
        for call in syntax.module_nodes(ctx.module, nodes.Call):
            keyword = next((k for k in call.keywords or [] if k.arg == "activation"), None)
            if keyword is None or isinstance(keyword.value, nodes.Const):
                continue  # strings and None, cheaply
            receiver = receiving_class(call)
            if receiver is None:
                continue
            verdict = ctx.affected_by(receiver, "activation_instance_roundtrip_fails")
            if verdict is None:
                continue
            layer = activation_layer(keyword.value)
            if layer is None:
                continue
            yield self.at(keyword.value, self.fit(*(
                f"activation= of {receiver.name} is a {layer.name} instance: reload raises TypeError in Keras "
                f"{verdict.short()}{note}; pass a string or function, or apply it after"
                for note in ctx.targeting_notes())))
