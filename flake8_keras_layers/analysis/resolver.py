"""Which Keras classes a user's class or value really is, by astroid inference.

Inference either fully succeeds or the answer is None: a base that does not
infer to exactly one class (missing module, dynamic base, cycle, ambiguity)
makes the whole hierarchy unknown, and rules stay silent on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import astroid
from astroid import bases, nodes, util

from . import budget
from ..knowledge import stubs

# Project classes followed up a hierarchy before giving up (rebuild.deep_classes relies on it).
MAX_DEPTH = 64


@dataclass(frozen=True)
class KerasClass:
    family: str  # "keras" (Keras 3 unless a 2.x target) or "tf_keras" (Keras 2)
    name: str  # canonical public name, e.g. "MaxPooling2D"

    @property
    def display(self) -> str:
        namespace = "" if self.name in ("Model", "Sequential") else "layers."
        return f"{self.family}.{namespace}{self.name}"


@dataclass(frozen=True)
class Ancestry:
    """A user class's MRO split into its own chain and the Keras classes it reaches."""

    cls: nodes.ClassDef
    chain: tuple[nodes.ClassDef, ...]  # project classes before the first Keras class
    keras: tuple[KerasClass, ...]  # Keras classes, MRO order

    @property
    def base(self) -> KerasClass:
        return self.keras[0]

    def is_a(self, name: str) -> bool:
        return any(k.name == name for k in self.keras)


def safe_infer_all(node: nodes.NodeNG, limit: int = 8) -> list | None:
    """Every value ``node`` may have, or None when any of them is unknown."""
    values: list = []
    budget.spend()
    try:
        for value in node.infer():
            if isinstance(value, util.UninferableBase) or len(values) >= limit:
                return None
            values.append(value)
    except (astroid.InferenceError, astroid.AstroidError, RecursionError, StopIteration):
        return None
    return values or None


def _bases_resolve(cls: nodes.ClassDef, visiting: set[int], depth: int) -> bool:
    """True when every base up the hierarchy infers to exactly one class, with no cycle."""
    if stubs.keras_identity(cls) is not None:
        return True
    if depth > MAX_DEPTH or id(cls) in visiting:
        return False
    visiting.add(id(cls))
    try:
        for base in cls.bases:
            values = safe_infer_all(base)
            if values is None:
                return False
            if not all(isinstance(v, nodes.ClassDef) for v in values):
                return False
            classes = {id(v): v for v in values}
            if len(classes) != 1:
                return False
            (base_cls,) = classes.values()
            if not _bases_resolve(base_cls, visiting, depth + 1):
                return False
        return True
    finally:
        visiting.discard(id(cls))


def resolve_class(cls: nodes.ClassDef) -> Ancestry | None:
    """The Keras ancestry of ``cls``, or None if it is not provably a Keras class."""
    if stubs.keras_identity(cls) is None and (not cls.bases or not _bases_resolve(cls, set(), 0)):
        return None
    try:
        mro = cls.mro()
    except (astroid.AstroidError, RecursionError):
        return None
    chain: list[nodes.ClassDef] = []
    keras: list[KerasClass] = []
    for klass in mro:
        identity = stubs.keras_identity(klass)
        if identity is not None:
            keras.append(KerasClass(*identity))
        elif not keras:
            chain.append(klass)
    if not keras:
        return None
    return Ancestry(cls, tuple(chain), tuple(keras))


def instance_classes(node: nodes.NodeNG) -> list[nodes.ClassDef] | None:
    """The classes of the instances ``node`` may evaluate to (None constants ignored).

    None when any possible value is unknown or is not an instance.
    """
    values = safe_infer_all(node)
    if values is None:
        return None
    classes = []
    for value in values:
        if isinstance(value, nodes.Const) and value.value is None:
            continue
        if not isinstance(value, bases.Instance) or isinstance(value, bases.BoundMethod):
            return None
        proxied = value._proxied
        if not isinstance(proxied, nodes.ClassDef):
            return None
        classes.append(proxied)
    return classes or None


def self_attribute_ancestries(cls: nodes.ClassDef, attr: str) -> list[Ancestry] | None:
    """Keras ancestries of every value ``self.<attr>`` is assigned, here or in a base class.

    None unless every assigned value is provably an instance of a Keras class.
    """
    try:
        assignments = cls.instance_attr(attr)
    except (astroid.AstroidError, RecursionError):
        return None
    result: list[Ancestry] = []
    for assignment in assignments:
        classes = instance_classes(assignment)
        if classes is None:
            return None
        for klass in classes:
            ancestry = resolve_class(klass)
            if ancestry is None:
                return None
            result.append(ancestry)
    return result or None


def constructed_class(call: nodes.Call) -> Ancestry | None:
    """The Keras ancestry of the class ``call`` provably instantiates (``Dense(8)``), else None."""
    values = safe_infer_all(call.func)
    if values is None or len({id(v) for v in values}) != 1 or not isinstance(values[0], nodes.ClassDef):
        return None
    return resolve_class(values[0])


def init_skipping_layer(call: nodes.Call, ancestry: Ancestry) -> str | None:
    """The receiver of an ``__init__`` call that provably never runs ``Layer.__init__`` (``super(Layer, self)``
    starts the lookup after Layer; ``object.__init__(self)``), as written; None when it may run it."""
    receiver = call.func.expr if isinstance(call.func, nodes.Attribute) else None
    if isinstance(receiver, nodes.Call) and isinstance(receiver.func, nodes.Name) and receiver.func.name == "super":
        named = receiver.args[0] if receiver.args else None
    else:
        named = receiver
    if named is None:
        return None
    values = safe_infer_all(named)
    if values is None or len({id(v) for v in values}) != 1 or not isinstance(values[0], nodes.ClassDef):
        return None
    klass = values[0]
    if named is receiver or receiver is None:  # ``X.__init__(self)``: only object's is known to skip Layer's
        return named.as_string() if klass.qname() == "builtins.object" else None
    identity = stubs.keras_identity(klass)
    names = [k.name for k in ancestry.keras]
    if identity is None or identity[1] not in names or "Layer" not in names:
        return None  # the class's own or a project base: the lookup reaches Keras' __init__
    if names.index(identity[1]) < names.index("Layer"):
        return None  # e.g. super(Dense, self): Layer.__init__ still runs
    return receiver.as_string()
