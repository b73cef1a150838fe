"""Probe facts about what a user's subclass of a Keras class meets (KL108, KL109).

Runs inside the Keras subprocess, like probe_facts.py, which imports this module
after its own facts (registration order is measurement order, and these facts
construct many instances: measured last, they cannot disturb the others).

* ``init_resets`` (a family): which attributes a subclass assigning ``self.<attr>``
  before ``super().__init__()`` reads back replaced, and with what value;
* ``init_reset_varies`` (a family): which of those values change when the
  subclass also defines ``compute_mask``, ``build`` or ``call``;
* the global ``call_default_training_leaks``: a layer whose ``call()`` defaults
  ``training=True`` puts the layers called after it in training mode.
"""
from __future__ import annotations

import inspect

from probe_registry import Unmeasured, measures
from probe_sample import ClassSample, build_noop, error_text


class _Sentinel:
    """A value no Keras ``__init__`` assigns."""

    def __repr__(self):
        return "<kl-probe sentinel>"


# Methods a subclass may define that change what the class's __init__ assigns
# (``_supports_masking`` follows ``compute_mask``; ``built`` follows ``build`` where
# the class builds at __init__; ``_call_has_*`` follow ``call``'s signature).
RESET_SUBCLASS_METHODS = {
    "compute_mask": lambda self, inputs, mask=None: mask,
    "build": build_noop,
    "call": lambda self, inputs, training=None, mask=None: inputs,
}


def describe_value(value) -> str:
    """A value as a fact member shows it: literals by repr, anything else as <TypeName>."""
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, str) and len(value) <= 40:
        return repr(value)
    if type(value) in (list, tuple, dict, set) and not value:
        return repr(value)
    return f"<{type(value).__name__}>"


def _assigned_in_init(sample: ClassSample) -> set[str]:
    """Every attribute a plain subclass's construction sets on the instance (through ``__setattr__``
    or otherwise), and every property with a setter: the attributes a user might assign early."""
    seen: set[str] = set()

    def record(self, name, value):
        seen.add(name)
        sample.cls.__setattr__(self, name, value)

    obj = type("Recorder", (sample.cls,), {"__setattr__": record})(**sample.args())
    seen.update(vars(obj))
    for name in dir(sample.cls):
        attr = inspect.getattr_static(sample.cls, name, None)
        if isinstance(attr, property) and attr.fset is not None:
            seen.add(name)
    return seen


def _init_setting(cls, name: str, early):
    def __init__(self, **kwargs):
        setattr(self, name, early)
        cls.__init__(self, **kwargs)
    return __init__


def _early_assignment(sample: ClassSample, name: str, methods=()):
    """Construct a subclass whose ``__init__`` sets ``self.<name>`` before calling the class's
    ``__init__`` (and which defines ``methods``): ``(True, the value it ends up with)``, or
    ``(False, None)`` when the assignment survives, or it or the construction raises (no silent reset)."""
    cls = sample.cls
    plain = sample.plain_values.get(name)
    # A value unlike anything Keras assigns; if a setter rejects it, a value of the type
    # the attribute normally has that differs from it.
    candidates: list = [_Sentinel()]
    if isinstance(plain, bool):
        candidates.append(not plain)
    elif isinstance(plain, (int, float)):
        candidates.append(plain + 1)
    elif isinstance(plain, str):
        candidates.append(plain + "_kl_probe")
    for early in candidates:
        body = {"__init__": _init_setting(cls, name, early), **{m: RESET_SUBCLASS_METHODS[m] for m in methods}}
        try:
            after = getattr(type("EarlySet", (cls,), body)(**sample.args()), name)
        except Exception:  # noqa: BLE001
            continue
        if after is early or (type(after) is type(early) and after == early):
            return False, None
        return True, after
    return False, None


def _description(sample: ClassSample, name: str, methods=()) -> str | None:
    """``describe_value`` of the value ``name`` ends up with (None: not replaced); a string that
    differs between two constructions (a generated name) is described by its type."""
    replaced, first = _early_assignment(sample, name, methods)
    if not replaced:
        return None
    text = describe_value(first)
    if isinstance(first, str) and not text.startswith("<"):
        replaced, second = _early_assignment(sample, name, methods)
        if not replaced or describe_value(second) != text:
            return "<str>"
    return text


@measures("init_resets", family=True)
def init_resets(sample: ClassSample) -> list[str]:
    """Members ``<attr>=<value>``: a subclass that sets ``self.<attr>`` before calling the class's
    ``__init__`` reads ``<value>`` back after construction (its own value is silently replaced).
    ``<value>`` is ``describe_value``'s, or ``<argument>`` when the probe passed the constructor
    argument of that name (``units`` for Dense): the value is then the caller's."""
    try:
        candidates = _assigned_in_init(sample)
        plain = sample.cls(**sample.args())
    except Exception as e:  # noqa: BLE001
        raise Unmeasured(error_text(e))
    for name in candidates:
        try:
            sample.plain_values[name] = getattr(plain, name)
        except Exception:  # noqa: BLE001
            continue
    found = {}
    for name in sorted(candidates):
        value = _description(sample, name)
        if value is not None:
            found[name] = value
    sample.reset_values = found
    # set from a constructor argument the probe passed: its value is the sample's, not Keras'
    passed = set(sample.args())
    return [f"{name}={'<argument>' if name.lstrip('_') in passed else value}" for name, value in found.items()]


@measures("init_reset_varies", family=True)
def init_reset_varies(sample: ClassSample) -> list[str]:
    """Members ``<method>:<attr>``: for an attribute ``init_resets`` found, the value it ends up with
    differs (or it is no longer replaced) when the subclass also defines ``<method>``."""
    if sample.reset_values is None:
        raise Unmeasured("init_resets not measured")
    return [f"{method}:{name}" for name, value in sample.reset_values.items()
            for method in RESET_SUBCLASS_METHODS if _description(sample, name, (method,)) != value]


def _training_mode_downstream(keras, np, first_layer) -> dict:
    """``model(x)`` (no ``training``) on a subclassed Model calling ``first_layer``, then a
    BatchNormalization, then a Dropout: which of the two ran in training mode."""

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.first = first_layer
            self.norm = keras.layers.BatchNormalization()
            self.drop = keras.layers.Dropout(0.5)

        def call(self, x):
            return self.drop(self.norm(self.first(x)))

    x = np.random.default_rng(0).uniform(1.0, 3.0, size=(8, 4)).astype("float32")
    model = Net()
    out = keras.ops.convert_to_numpy(model(x))
    moving_mean = keras.ops.convert_to_numpy(model.norm.moving_mean)
    return {"batch_norm": bool(np.any(moving_mean != 0)), "dropout": int(np.sum(out == 0))}


def call_default_training_leaks(keras, np, notes: dict) -> bool:
    """KL109: a layer whose ``call()`` defaults ``training=True``, called first inside a model called
    without ``training``, makes the BatchNormalization and the Dropout called after it run in
    training mode (moving mean updated, values dropped); the same model whose layer defaults
    ``training=None`` is the control, and must run both in inference mode."""

    class DefaultsTrue(keras.layers.Layer):
        def call(self, x, training=True):
            return x

    class DefaultsNone(keras.layers.Layer):
        def call(self, x, training=None):
            return x

    try:
        leaked = _training_mode_downstream(keras, np, DefaultsTrue())
        control = _training_mode_downstream(keras, np, DefaultsNone())
    except Exception as e:  # noqa: BLE001
        notes["call_default_training_leaks"] = error_text(e)
        return False
    notes["call_default_training_leaks"] = {"training=True": leaked, "training=None": control}
    if control["batch_norm"] or control["dropout"]:
        return False  # the control already trains: the measurement says nothing
    return leaked["batch_norm"] and leaked["dropout"] > 0
