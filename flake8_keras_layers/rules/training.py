"""KL109: how Keras resolves the ``training`` argument of a call()."""

from __future__ import annotations

from typing import Iterator

import astroid
from astroid import nodes

from ..analysis import syntax
from .base import ClassContext, Diagnostic, Rule


def truthy_training_default(call: nodes.FunctionDef) -> nodes.Const | None:
    """The default of ``call()``'s ``training`` parameter when it is a truthy constant (``True``, ``1``)."""
    try:
        default = call.args.default_value("training")
    except (astroid.NoDefault, astroid.AstroidError):
        return None
    if isinstance(default, nodes.Const) and default.value is not Ellipsis and bool(default.value):
        return default
    return None


class TrainingDefaultTrue(Rule):
    code = "KL109"
    name = "training-default-true"
    summary = "call() defaults training=True: a call without training= runs the layers after it in training mode"
    methods = frozenset({"call"})
    # Opt-in: on the ecosystem corpus 6 of 11 were right (benchmarks/ecosystem/labels.tsv); the other 5 are a
    # tf.keras project whose declared tensorflow admits Keras 3 but whose layers do not run there.
    opt_in = True

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        call = ctx.method("call")
        if call is None:
            return
        default = truthy_training_default(call)
        if default is None or syntax.chain_method(ctx.ancestry.chain, "__call__")[1] is not None:
            return  # an own __call__ may resolve `training` itself
        verdict = ctx.global_affected_by(ctx.ancestry.base, "call_default_training_leaks")
        if verdict is None:
            return
        default_text = default.as_string()
        forms = [f"{owner}call(training={default_text}): model(x) runs later BatchNorm/Dropout in training mode "
                 f"(Keras {verdict.short()}); default to None" for owner in (f"{ctx.cls.name}.", "")]
        message = self.fit(*(form + note for note in ctx.targeting_notes() for form in forms))
        yield self.at(default, message)
