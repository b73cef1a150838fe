"""Which Keras classes a user's class or value really is, by astroid inference.

Inference either fully succeeds or the answer is None: a base that does not
infer to exactly one class (missing module, dynamic base, cycle, ambiguity)
makes the whole hierarchy unknown, and rules stay silent on it.

One ambiguity is understood: alternatives that are the same Keras class in
different families, as ``try: import tf_keras as keras`` / ``except
ImportError: import keras`` makes them. Such a class's ``Ancestry.families``
lists the families (first alternative first); its rules then run once per
family, inside ``family_view(family)``, where every such alternative is that
family's (engine/driver.py keeps what every family reports). Outside a view,
they stay ambiguous.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterator

import astroid
from astroid import bases, nodes, util

from . import budget, callees, held
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
    # Its Keras bases are one class in each of these families (first alternative first); () when not.
    families: tuple[str, ...] = ()

    @property
    def base(self) -> KerasClass:
        return self.keras[0]

    def is_a(self, name: str) -> bool:
        return any(k.name == name for k in self.keras)


# The family rules are running for (family_view); process-wide, like the budget (engine/session.py).
_VIEW: list[str] = []


@contextlib.contextmanager
def family_view(family: str) -> Iterator[None]:
    """Inside it, a Keras class, instance or module that is one of several cross-family alternatives is
    ``family``'s (``keras.layers.Dense`` after ``try: import tf_keras as keras``... is one class)."""
    _VIEW.append(family)
    try:
        yield
    finally:
        _VIEW.pop()


def safe_infer_all(node: nodes.NodeNG, limit: int = 8, collapse: bool = True) -> list | None:
    """Every value ``node`` may have, or None when any of them is unknown (in a family view, cross-family
    alternatives of one Keras object count once: ``collapse``)."""
    values: list = []
    budget.spend()
    try:
        for value in node.infer():
            if isinstance(value, util.UninferableBase) or len(values) >= limit:
                return None
            values.append(value)
    except (astroid.InferenceError, astroid.AstroidError, RecursionError, StopIteration):
        return None
    if collapse and _VIEW and len(values) > 1:
        chosen, families = cross_family(values)
        if chosen is not None:
            return [chosen]
    return values or None


def _stub_key(value) -> tuple[str, tuple] | None:
    """(family, what it is) of a Keras stub class, an instance of one, or a stub module; None otherwise."""
    if isinstance(value, nodes.ClassDef):
        identity = stubs.keras_identity(value)
        return None if identity is None else (identity[0], ("class", identity[1]))
    if isinstance(value, bases.Instance) and not isinstance(value, bases.BoundMethod) and \
            isinstance(value._proxied, nodes.ClassDef):
        identity = stubs.keras_identity(value._proxied)
        return None if identity is None else (identity[0], ("instance", identity[1]))
    if isinstance(value, nodes.Module):
        identity = stubs.module_identity(value)
        return None if identity is None else (identity[0], ("module", identity[1]))
    return None


def cross_family(values: list) -> tuple[object | None, tuple[str, ...]]:
    """For values that are one Keras object in several families: the viewed family's value (else the
    first) and the families, first alternative first; (None, ()) for anything else."""
    distinct = list({id(v): v for v in values}.values())
    keys = [_stub_key(v) for v in distinct]
    if len(distinct) < 2 or any(k is None for k in keys) or len({k[1] for k in keys}) != 1:  # type: ignore[index]
        return None, ()
    families = tuple(k[0] for k in keys)  # type: ignore[index]
    if len(set(families)) != len(families):
        return None, ()
    wanted = _VIEW[-1] if _VIEW and _VIEW[-1] in families else families[0]
    return distinct[families.index(wanted)], families


def _bases_resolve(cls: nodes.ClassDef, visiting: set[int], depth: int, spans: set[tuple[str, ...]]) -> bool:
    """True when every base up the hierarchy infers to exactly one class (or to one Keras class in several
    families: their families go to ``spans``), with no cycle."""
    if stubs.keras_identity(cls) is not None:
        return True
    if depth > MAX_DEPTH or id(cls) in visiting:
        return False
    visiting.add(id(cls))
    try:
        for base in cls.bases:
            values = safe_infer_all(base, collapse=False)
            if values is None:
                return False
            if not all(isinstance(v, nodes.ClassDef) for v in values):
                return False
            classes = list({id(v): v for v in values}.values())
            if len(classes) != 1:
                chosen, families = cross_family(classes)
                if chosen is None:
                    return False
                spans.add(families)
                classes = [chosen]
            if not _bases_resolve(classes[0], visiting, depth + 1, spans):
                return False
        return True
    finally:
        visiting.discard(id(cls))


def resolve_class(cls: nodes.ClassDef, alternatives: bool = False) -> Ancestry | None:
    """The Keras ancestry of ``cls``, or None if it is not provably a Keras class. One whose Keras bases are
    cross-family alternatives is None too, unless ``alternatives`` is set or a family view is open."""
    spans: set[tuple[str, ...]] = set()
    if stubs.keras_identity(cls) is None and (not cls.bases or not _bases_resolve(cls, set(), 0, spans)):
        return None
    if len(spans) > 1 or (spans and not (alternatives or _VIEW)):
        return None
    families = next(iter(spans), ())
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
    if families:
        # astroid builds the MRO from one of the alternatives; every family's stubs have the same classes.
        if any(k.family not in families for k in keras):
            return None  # a fixed family mixed in: not one class per family
        family = _VIEW[-1] if _VIEW and _VIEW[-1] in families else families[0]
        keras = [KerasClass(family, k.name) for k in keras]
    return Ancestry(cls, tuple(chain), tuple(keras), families)


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
    if callees.is_keras_non_class(call.func):
        budget.spend()  # as the inference it replaces
        return None  # ``ops.matmul``: nothing under the Keras roots has that attribute (callees.py)
    if callees.is_imported_function(call.func):
        return None  # known without astroid building the function's module (callees.py)
    if held.holds_instance(call.func):
        budget.spend()  # as the inference it replaces: the budget's steps stay those of every run before
        return None  # an instance held in self.<attr> (held.py)
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
