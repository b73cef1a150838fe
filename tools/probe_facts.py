"""The facts tools/probe_keras.py measures, one function each, run inside a Keras subprocess.

A fact is a function registered with ``@measures(name)``: it gets the class's
``ClassSample`` (tools/probe_sample.py) and returns True or False, or raises
``Unmeasured("why")`` when it cannot tell (the fact is then unknown in that
release, and the reason is noted under its name).  A class-level value
(``per_release=False``: ``width_param``) is returned as is and stored beside
the facts with ``<name>_measured``.  A family (``family=True``: ``init_resets``)
measures many facts at once: it returns the names of its members that hold,
each compiled into the per-release fact ``<family>.<member>``; a member not
returned is false in that release, and an unmeasured family makes all of its
members unknown there.  Measurements run in registration order,
so one may read a fact measured before it (``sample.facts``).  Any other
exception ends the class's probe, as its timeout does (noted under ``probe``):
the facts not measured by then stay unknown.  Adding a fact is adding a
function here (or in probe_subclass.py, for what a user's subclass meets) and its
row in tools/SCHEMA.md (and bumping PROBE_REVISION); the registry is
probe_registry.py.

``exists`` is not a function: every class ``keras_classes.public_classes``
finds exists in that release.
"""
from __future__ import annotations

import json
import os
import platform
import time

from keras_classes import public_bases, public_classes
from probe_registry import MEASUREMENTS, Unmeasured, measures
from probe_sample import WIDTHS, ClassSample, build_noop, error_text, last_dim, weight_shapes

# Bump when a measurement changes what it measures: cached raw files with an
# older revision are re-probed.
PROBE_REVISION = 5
CLASS_TIMEOUT = 120  # seconds per class
NOT_FOR_MODELS = "not measured for models (no meaningful sample instance)"


def _built_after_init(sample: ClassSample, make_class) -> bool:
    try:
        return bool(make_class()(**sample.args()).built)
    except Exception as e:  # noqa: BLE001
        raise Unmeasured(error_text(e))


@measures("built_at_init")
def built_at_init(sample: ClassSample) -> bool:
    return _built_after_init(sample, lambda: sample.cls)


@measures("built_at_init_subclass")
def built_at_init_subclass(sample: ClassSample) -> bool:
    return _built_after_init(sample, lambda: type("Sub", (sample.cls,), {}))


@measures("built_at_init_subclass_with_build")
def built_at_init_subclass_with_build(sample: ClassSample) -> bool:
    """When true, Keras never calls the subclass's ``build()``."""
    return _built_after_init(sample, lambda: type("SubWithBuild", (sample.cls,), {"build": build_noop}))


@measures("activation_instance_roundtrip_fails")
def activation_instance_roundtrip_fails(sample: ClassSample) -> bool:
    """``from_config(get_config())`` raises for an ``activation`` given as a layer instance."""
    cls = sample.cls
    if "activation" not in sample.pnames:
        return False
    try:
        cls.from_config(cls(**sample.args()).get_config())
    except Exception as e:  # noqa: BLE001
        raise Unmeasured("plain roundtrip fails: " + error_text(e))
    try:
        args = sample.args()
        args["activation"] = sample.keras.layers.ReLU()
        layer = cls(**args)
    except Exception as e:  # noqa: BLE001
        raise Unmeasured("cannot construct: " + error_text(e))
    try:
        cls.from_config(layer.get_config())
    except Exception as e:  # noqa: BLE001
        sample.notes["activation_instance_roundtrip_error"] = error_text(e)
        return True
    return False


def _weights_from_build(sample: ClassSample):
    built = sample.built_weights
    if built is None:
        raise Unmeasured()
    return built


@measures("owns_weights", layers_only=True)
def owns_weights(sample: ClassSample) -> bool:
    """A fresh instance called on the first sample input that works has weights."""
    calls = sample.calls
    if not calls.working:
        return len(_weights_from_build(sample)[WIDTHS[0]]) > 0
    try:
        return len(calls.working[0][1][WIDTHS[0]][0].weights) > 0
    except Exception as e:  # noqa: BLE001
        raise Unmeasured(error_text(e))


@measures("shape_dependent_weights", layers_only=True)
def shape_dependent_weights(sample: ClassSample) -> bool:
    """The weight shapes differ between the two input widths."""
    calls = sample.calls
    if not calls.working:
        built = _weights_from_build(sample)
        return built[WIDTHS[0]] != built[WIDTHS[1]]
    owns = sample.facts["owns_weights"]
    if owns is False:
        return False
    both = calls.at_both_widths
    if not (owns and both):
        raise Unmeasured("no sample input works at two widths")
    try:
        at = both[0][1]
        return weight_shapes(at[WIDTHS[0]][0]) != weight_shapes(at[WIDTHS[1]][0])
    except Exception as e:  # noqa: BLE001
        raise Unmeasured(error_text(e))


@measures("width_preserving", layers_only=True)
def width_preserving(sample: ClassSample) -> bool:
    """For every sample input kind that works at both widths, the output's last dimension is the input's."""
    if not sample.calls.working:
        raise Unmeasured()
    verdicts = []
    for kind, at in sample.calls.at_both_widths:
        dims = [last_dim(at[w][1]) for w in WIDTHS]
        if None in dims:
            continue
        verdicts.append((kind[0], all(int(d) == w for d, w in zip(dims, WIDTHS))))
    sample.res["width_preserving_by_input"] = dict(verdicts)
    if not verdicts:
        raise Unmeasured("no single-tensor output at two widths")
    return all(v for _, v in verdicts)


@measures("width_param", per_release=False, layers_only=True)
def width_param(sample: ClassSample) -> str | None:
    """The first constructor parameter (required ints first, then int/None defaults) which,
    set to 7 and then 11, makes the output's last dimension 7 and 11."""
    calls = sample.calls
    if not calls.working:
        raise Unmeasured()
    first_kind, first = calls.working[0]
    if last_dim(first[WIDTHS[0]][1]) is None:
        return None
    candidates = []
    for p in sample.params:
        if p.name in sample.required:
            v = sample.args(calls.extra).get(p.name)
            if isinstance(v, int) and not isinstance(v, bool):
                candidates.append(p.name)
    for p in sample.params:
        if p.name in sample.required or p.name in candidates:
            continue
        if p.default is None or (isinstance(p.default, int) and not isinstance(p.default, bool)):
            candidates.append(p.name)
    for name in candidates:
        if all(_sets_width(sample, first_kind, name, value) for value in (7, 11)):
            return name
    return None


def _sets_width(sample: ClassSample, kind, name: str, value: int) -> bool:
    args = sample.args(sample.calls.extra)
    args[name] = value
    try:
        d = last_dim(sample.call(args, kind, WIDTHS[0])[1])
    except Exception:  # noqa: BLE001
        return False
    return d is not None and int(d) == value


# What a user's subclass meets (KL108, KL109): measured after every fact above.
import probe_subclass  # noqa: E402  (registers its facts here, in this order)

CLASS_FACTS = ("exists",) + tuple(m.name for m in MEASUREMENTS if m.per_release and not m.family)
FAMILY_FACTS = tuple(m.name for m in MEASUREMENTS if m.family)
GLOBAL_FACTS = (
    "add_weight_positional_name_typeerror",
    "add_weight_positional_name_valueerror",
    "call_default_training_leaks",
)


def new_entry() -> dict:
    facts: dict[str, bool | None] = {f: None for f in CLASS_FACTS}
    facts["exists"] = True
    families: dict[str, list[str] | None] = {f: None for f in FAMILY_FACTS}
    return {"facts": facts, "families": families, "notes": {}, "width_param": None,
            "width_param_measured": False}


def probe_class(keras, np, cls, namespace: str, res: dict) -> None:
    """Measure one class into ``res`` (from ``new_entry``; filled as it goes, so a
    timeout keeps what was measured).  Facts: True/False, None = unknown."""
    sample = ClassSample.prepare(keras, np, cls, namespace, res)
    if sample is None:
        return
    for m in MEASUREMENTS:
        if m.layers_only and namespace == "models":
            if m.per_release:
                res["notes"][m.name] = NOT_FOR_MODELS
            continue
        try:
            value = m.measure(sample)
        except Unmeasured as why:
            if str(why):
                res["notes"][m.name] = str(why)
            continue
        if m.family:
            res["families"][m.name] = sorted(value)
        elif m.per_release:
            res["facts"][m.name] = value
        else:
            res[m.name] = value
            res[f"{m.name}_measured"] = True


def probe_globals(keras, np):
    """Facts about Keras itself (not one class), and notes on them."""
    out, notes = {}, {}

    class PositionalName(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", shape=(2,))

    exc = None
    try:
        PositionalName().build((1, 2))
    except Exception as e:  # noqa: BLE001
        exc = e
    notes["add_weight_positional_name"] = error_text(exc) if exc else "no error"
    out["add_weight_positional_name_typeerror"] = isinstance(exc, TypeError)
    out["add_weight_positional_name_valueerror"] = isinstance(exc, ValueError)
    # Cross-check through __call__ (not stored as a fact; for the raw record).
    try:
        PositionalName()(np.zeros((1, 2), "float32"))
        notes["add_weight_positional_name_via_call"] = "no error"
    except Exception as e:  # noqa: BLE001
        notes["add_weight_positional_name_via_call"] = error_text(e)
    out["call_default_training_leaks"] = probe_subclass.call_default_training_leaks(keras, np, notes)
    return out, notes


class _ClassTimeout(BaseException):
    pass


def probe_release(only=None) -> dict:
    """The raw facts of the Keras release this process imports (``only``: these class names)."""
    import signal
    import warnings

    warnings.filterwarnings("ignore")
    import numpy as np
    import keras

    t0 = time.time()
    found = public_classes(keras)
    classes = {}

    def on_alarm(signum, frame):
        raise _ClassTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    for public in found:
        if only is not None and public.name not in only:
            continue
        t1 = time.time()
        entry = new_entry()
        # random augmentation layers pick random ops: seed so results repeat
        keras.utils.set_random_seed(0)
        signal.alarm(CLASS_TIMEOUT)
        try:
            probe_class(keras, np, public.cls, public.namespace, entry)
        except _ClassTimeout:
            entry["notes"]["probe"] = "timeout (facts not measured by then stay unknown)"
        except Exception as e:  # noqa: BLE001
            entry["notes"]["probe"] = error_text(e)
        finally:
            signal.alarm(0)
        entry.update({
            "namespace": public.namespace,
            "name": public.cls.__name__,
            "aliases": [n for n in public.names if n != public.name],
            "module": public.cls.__module__,
            "bases": public_bases(public.cls, found),
            "seconds": round(time.time() - t1, 2),
        })
        classes[public.name] = entry
    glob, gnotes = probe_globals(keras, np)
    try:
        import jax
        jax_version = jax.__version__
    except Exception:  # noqa: BLE001
        jax_version = None
    return {
        "probe_revision": PROBE_REVISION,
        "keras_version": keras.__version__,
        "backend": keras.backend.backend(),
        "python": platform.python_version(),
        "jax": jax_version,
        "numpy": np.__version__,
        "classes": classes,
        "globals": glob,
        "globals_notes": gnotes,
        "seconds": round(time.time() - t0, 1),
    }


def write_release(out_path: str, only=None) -> None:
    """Entry point of the Keras subprocess: ``probe_release`` as JSON into ``out_path``."""
    data = probe_release(only)
    tmp = out_path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    os.replace(tmp, out_path)
