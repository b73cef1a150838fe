"""Opt-in KL9xx portability rules: TensorFlow ops in a Keras 3 layer, Python lambdas in Lambda layers."""

from __future__ import annotations

from typing import Iterator

from astroid import nodes

from ..analysis import backend_guards, resolver, syntax
from ..analysis.resolver import KerasClass
from ..knowledge import config_facts, stubs
from .base import ClassContext, Diagnostic, ModuleContext, ModuleRule, Rule


def _short_call(dotted: str) -> str:
    return dotted if len(dotted) <= 40 else dotted[:37] + "..."


def _local_class(node: nodes.NodeNG, name: str) -> nodes.ClassDef | None:
    """The class ``name`` is bound to in the same module, when that is its only binding."""
    try:
        _, assignments = node.scope().lookup(name)
    except Exception:  # noqa: BLE001
        return None
    if len(assignments) == 1 and isinstance(assignments[0], nodes.ClassDef):
        return assignments[0]
    return None


def _root_name(node: nodes.NodeNG) -> nodes.Name | None:
    while isinstance(node, nodes.Attribute):
        node = node.expr
    return node if isinstance(node, nodes.Name) else None


def _imports_keras(module: nodes.Module) -> bool:
    for node in module.nodes_of_class((nodes.Import, nodes.ImportFrom)):
        names = [mod for mod, _ in node.names] if isinstance(node, nodes.Import) else [node.modname]
        if any(name.split(".")[0] == "keras" for name in names):
            return True
    return False


class BackendSpecificOp(Rule):
    code = "KL901"
    name = "backend-specific-op"
    summary = "a Keras 3 layer calls tf.* ops in call(): it breaks under the JAX and PyTorch backends"
    methods = frozenset({"call"})
    opt_in = True

    def check(self, ctx: ClassContext) -> Iterator[Diagnostic]:
        call_method = ctx.method("call")
        if call_method is None or not ctx.targets_keras3(ctx.ancestry.base):
            return
        module = ctx.cls.root()
        if not _imports_keras(module) or self.written_against_tf_keras(ctx.cls):
            return
        reported: list[nodes.Call] = []
        decorators = set(call_method.decorators.nodes_of_class(nodes.Call)) if call_method.decorators else set()
        for node in syntax.walk_scope(call_method):
            if not isinstance(node, nodes.Call) or not isinstance(node.func, nodes.Attribute) or node in decorators:
                continue  # @tf.function on call() is not an op on the layer's tensors
            if (syntax.imported_name(node.func) or "").split(".")[0] != "tensorflow":
                continue
            if backend_guards.guard_polarity(node) is not None:
                continue  # the guard itself (tf.executing_eagerly(), tf.is_tensor(x)) runs under any backend
            if backend_guards.runs_only_under_tensorflow(node, call_method):
                continue  # a branch only TensorFlow execution takes (tf.data tracing, backend() == "tensorflow")
            dotted = node.func.as_string()
            if ".keras." in f"{dotted}." or any(node in r.nodes_of_class(nodes.Call) for r in reported):
                continue  # tf.keras.ops is Keras; a call nested in a reported one is one finding
            reported.append(node)
            yield self.at(
                node,
                f"{ctx.cls.name}.call() uses {_short_call(dotted)}() in a Keras 3 layer: TensorFlow ops fail "
                "on JAX and PyTorch tensors; use the keras.ops equivalent",
            )

    @staticmethod
    def written_against_tf_keras(cls: nodes.ClassDef) -> bool:
        """A base spelled through TensorFlow (tf.keras.layers.Layer, from tensorflow.keras import ...)."""
        for base in cls.bases:
            root = _root_name(base)
            if root is None:
                return True
            local = _local_class(base, root.name)
            if local is not None:
                if local is cls or BackendSpecificOp.written_against_tf_keras(local):
                    return True
                continue
            module = syntax.imported_name(root)
            if module is None or module.split(".")[0] != "keras":
                return True
        return False


class LambdaNotLoadable(ModuleRule):
    code = "KL902"
    name = "lambda-not-loadable"
    summary = "layers.Lambda(lambda ...): .keras/.h5 files holding it refuse to load unless safe_mode=False"
    callees = frozenset({"Lambda"})
    needs = "callee"
    opt_in = True

    def check_module(self, ctx: ModuleContext) -> Iterator[Diagnostic]:
        for call in syntax.module_nodes(ctx.module, nodes.Call):
            # Cheap first: the file pre-filter already asks for a callee named Lambda (aliases are
            # not followed), and inferring every call's argument made big files slow.
            callee = call.func.attrname if isinstance(call.func, nodes.Attribute) else getattr(call.func, "name", None)
            if callee not in self.callees:
                continue
            function = call.args[0] if call.args else next(
                (k.value for k in call.keywords or [] if k.arg == "function"), None
            )
            if function is None or not self.is_python_lambda(function):
                continue
            values = resolver.safe_infer_all(call.func)
            if not values or not all(isinstance(v, nodes.ClassDef) for v in values):
                continue
            identities = {stubs.keras_identity(v) for v in values}
            lambda_class = KerasClass("keras", "Lambda")
            if identities != {("keras", "Lambda")} or not ctx.targets_keras3(lambda_class):
                continue
            refusals, everywhere = self.refusals(ctx.releases(lambda_class).keras3)
            if refusals:
                yield self.at(function, self.message(self.display(call), refusals, everywhere))

    @classmethod
    def message(cls, lambda_name: str, refusals: list[str], everywhere: str) -> str:
        verb = "refuse" if len(refusals) > 1 else "refuses"
        when = f" (Keras {everywhere})" if everywhere else ""
        text = (f"{lambda_name} holds a Python lambda: {' and '.join(refusals)} {verb} it unless safe_mode=False"
                f"{when}; use a registered function")
        if len(text) <= cls.message_budget():
            return text
        # Every loader with its own releases does not fit one line: the rule's page has the table.
        loaders = " and ".join(part.split(" (")[0] for part in refusals)
        return (f"{lambda_name} holds a Python lambda: {loaders} {verb} it unless safe_mode=False in some targeted "
                "releases; use a registered function")

    @staticmethod
    def display(call: nodes.Call) -> str:
        """``Lambda 'double'`` when the call names it, else ``Lambda``."""
        name = next((k.value for k in call.keywords or [] if k.arg == "name"), None)
        if isinstance(name, nodes.Const) and isinstance(name.value, str) and 0 < len(name.value) <= 30:
            return f"Lambda {name.value!r}"
        return "Lambda"

    @staticmethod
    def refusals(within) -> tuple[list[str], str]:
        """Which loaders refuse a Python lambda in which targeted releases (probed), as short phrases; a
        loader refusing it in every targeted release goes without its releases, and when none has any,
        the second item names the targeted releases (else it is empty)."""
        facts = config_facts.default()
        spans: dict[str, str] = {}
        targeted = ""
        for form in ("load .keras", "load .h5", "from_config"):
            outcomes = facts.call_outcomes("Lambda", form, within)
            if outcomes is None:
                continue
            refused = outcomes.where(lambda value: value[0] is not None)
            targeted = outcomes.span(outcomes.where(lambda value: True))
            if refused:
                spans[form] = "" if len(refused) == len(outcomes.where(lambda value: True)) else outcomes.span(refused)
        said = False

        def releases(span: str, sep: str) -> str:
            nonlocal said
            if not span:
                return ""
            text, said = f"{sep}{'' if said else 'Keras '}{span}", True
            return text

        files = [(form.split()[1], span) for form, span in spans.items() if form.startswith("load")]
        parts = []
        if len(files) == 2 and files[0][1] == files[1][1]:
            parts.append(f"load_model (.keras, .h5{releases(files[0][1], ': ')})")
        elif files:
            parts.append("load_model (" + "; ".join(ext + releases(span, ": ") for ext, span in files) + ")")
        if "from_config" in spans:
            parts.append("from_config" + (f" ({releases(spans['from_config'], '')})" if spans["from_config"] else ""))
        return parts, "" if said else targeted

    @staticmethod
    def is_python_lambda(node: nodes.NodeNG) -> bool:
        if isinstance(node, nodes.Lambda):
            return True
        values = resolver.safe_infer_all(node)
        return values is not None and all(
            isinstance(v, nodes.Lambda) and not isinstance(v, nodes.FunctionDef) for v in values
        )
