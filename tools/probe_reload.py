"""Reload, call and serialization facts for tools/probe_config.py (KL302, KL106, KL902).

Runs inside the Keras subprocess (``keras`` and ``numpy`` are passed in, never
imported here). Every fact is what a real release did with a small sample:

* ``reload_passes(keras, cls, args, base_keys)``: which keys of the base layer
  config (``name``, ``trainable``, ``dtype``: the keys of a ``Layer`` subclass
  whose ``get_config`` is ``super().get_config()``) ``cls.from_config`` hands
  by keyword to the constructor of a subclass that takes no ``**kwargs``, in
  the order they arrive. Measured as a user would hit it: the subclass's
  ``__init__`` takes only the keywords seen so far, and each reload's
  ``TypeError "unexpected keyword argument 'k'"`` adds ``k``, until the
  constructor body runs. ``Layer.from_config`` passes every key
  (``cls(**config)``); ``Sequential.from_config`` only ``name``.
* ``auto_config_keys``: the base keys Keras' automatic config (a ``Layer`` or
  ``Model`` subclass without ``get_config``, whose ``__init__`` lacks
  ``**kwargs``) carries, without and with a ``name`` parameter.
* ``add_weight_outcomes``: the exception (type and first sentence, the
  sample's values elided) of ``self.add_weight`` called in each of a few forms.
* ``lambda_outcomes``: whether a Lambda holding a Python lambda is refused by
  ``load_model`` from ``.keras`` and ``.h5`` files and by ``Lambda.from_config``.
* ``machine_switches``: for a few constructor switches that pick a hardware
  kernel (``use_cudnn``, ``flash_attention``), per class taking one: whether
  Keras' own ``get_config`` leaves it out, and whether the layer built with it
  set to ``True`` fails when called on this machine (no GPU: the probe runs on
  CPU). A switch Keras keeps out of its configs so that a model saved where the
  kernel exists still loads and runs elsewhere.

The samples (call forms, values) are hand-written *inputs*; what Keras does
with them is measured.
"""
from __future__ import annotations

import os
import re
import tempfile

_STOP = "KL-PROBE-STOP"
_UNEXPECTED = re.compile(r"unexpected keyword argument '(\w+)'")

# add_weight call forms, labelled as tools and the plugin name them (rules/state.py ``call_form``):
# positional arguments by the parameter a Keras 2 (name first) or Keras 3 (shape first) caller means,
# then the shape=/initializer= keywords.
ADD_WEIGHT_FORMS = {
    "name": 'self.add_weight("w")',
    "name,shape=": 'self.add_weight("w", shape=(2,))',
    "name,initializer=": 'self.add_weight("w", initializer="ones")',
    "name,shape=,initializer=": 'self.add_weight("w", shape=(2,), initializer="ones")',
    "name,shape": 'self.add_weight("w", (2,))',
    "name,shape,initializer=": 'self.add_weight("w", (2,), initializer="ones")',
    "name,shape,dtype": 'self.add_weight("w", (2,), "float32")',
    "name,shape,dtype,initializer": 'self.add_weight("w", (2,), "float32", "ones")',
    "shape,name=": 'self.add_weight((2,), name="w")',
    "shape,initializer,dtype,trainable": 'self.add_weight((2,), "ones", "float32", True)',
}
# How the Lambda outcomes were reached (docs tables).
LAMBDA_FORMS = {
    "load .keras": 'model.save("model.keras"); keras.models.load_model("model.keras")',
    "load .h5": 'model.save("model.h5"); keras.models.load_model("model.h5")',
    "from_config": "keras.layers.Lambda.from_config(layer.get_config())",
}
# Switches to try: class, parameter, the other constructor arguments, how many inputs its call takes.
SWITCHES = (
    ("LSTM", "use_cudnn", {"units": 3}, 1),
    ("GRU", "use_cudnn", {"units": 3}, 1),
    ("MultiHeadAttention", "flash_attention", {"num_heads": 2, "key_dim": 4}, 2),
    ("GroupQueryAttention", "flash_attention", {"head_dim": 4, "num_query_heads": 2, "num_key_value_heads": 1}, 2),
)
# The sample values, as Keras may print them, elided from the recorded messages.
_SAMPLE_VALUES = ("('w',)", "(2,)", "'w'", "'ones'", "'float32'")


class _Stop(Exception):
    pass


def _chain(exc):
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


def _stopped(exc) -> bool:
    return any(isinstance(e, _Stop) or _STOP in str(e) for e in _chain(exc))


def _failing_key(exc) -> str | None:
    for e in _chain(exc):
        found = _UNEXPECTED.search(str(e))
        if found:
            return found.group(1)
    return None


def first_sentence(text: str) -> str:
    """Keras' message up to its first sentence end, the sample's values elided."""
    text = text.strip().split("\n")[0]
    text = re.split(r"\.(?:\s|$)", text, maxsplit=1)[0]
    for value in _SAMPLE_VALUES:
        text = text.replace(value, "...")
    return re.sub(r":\s*\.\.\.$", "", text)[:160]


def outcome(run) -> dict:
    """``{"error": None}`` when ``run()`` returns, else the exception's type and first sentence."""
    try:
        run()
    except Exception as exc:  # noqa: BLE001 - any failure is the measurement
        return {"error": type(exc).__name__, "message": first_sentence(str(exc))}
    return {"error": None, "message": None}


def explicit_subclass(cls, extra=None):
    """A subclass of ``cls`` whose ``get_config`` is its base's (so not Keras' automatic config)."""
    body = {"get_config": lambda self: cls.get_config(self)}
    body.update(extra or {})
    return type(cls.__name__, (cls,), body)


def base_keys(keras) -> list:
    """The keys of a plain Layer's config when its subclass defines ``get_config`` (the base config)."""
    return list(explicit_subclass(keras.layers.Layer)().get_config())


def reload_passes(cls, config: dict, keys) -> list | None:
    """The ``keys`` that ``cls.from_config(config)`` passes by keyword to a subclass taking no **kwargs,
    in arrival order; None when the reload fails some other way (unknown)."""
    taken: list = []
    for _ in range(80):
        namespace = {"_Stop": _Stop}
        params = "".join(f", {k}=None" for k in taken)
        # *positional: wrappers and RNNs hand their layer or cell on by position (cls(layer, **config)).
        exec(f"def __init__(self, *positional{params}):\n    raise _Stop({_STOP!r})", namespace)  # noqa: S102
        spy = explicit_subclass(cls, {"__init__": namespace["__init__"]})
        try:
            spy.from_config(dict(config))
        except Exception as exc:  # noqa: BLE001
            if _stopped(exc):
                return [k for k in taken if k in keys]
            key = _failing_key(exc)
            if key is None or key in taken:
                return None
            taken.append(key)
        else:
            return None  # from_config never constructed the class
    return None


def class_reload(cls, args: dict, keys) -> list | None:
    """``reload_passes`` for the config of a ``cls`` subclass built from the sample ``args``."""
    config = explicit_subclass(cls)(**args).get_config()
    return reload_passes(cls, config, keys)


def auto_config_keys(keras, keys) -> dict:
    """``{"Layer": {"plain": [...], "named": [...]}, "Model": ...}``: the base keys in the automatic config
    of a subclass without get_config whose ``__init__`` takes ``units`` (and ``name``) but no **kwargs."""
    out = {}
    for base in (keras.layers.Layer, keras.Model):
        found = {}
        for kind, params in (("plain", ""), ("named", ", name=None")):
            namespace = {"base": base}
            exec(f"def __init__(self, units=1{params}):\n"  # noqa: S102
                 "    base.__init__(self)\n    self.units = units\n", namespace)
            sub = type("Auto" + base.__name__, (base,), {"__init__": namespace["__init__"]})
            try:
                found[kind] = [k for k in sub(3).get_config() if k in keys]
            except Exception:  # noqa: BLE001 - unknown in this release
                continue
        out[base.__name__] = found
    return out


def add_weight_outcomes(keras, np) -> dict:
    """{form: outcome} for ``self.add_weight`` in each of ADD_WEIGHT_FORMS, called from ``build``."""
    out = {}
    for form, source in ADD_WEIGHT_FORMS.items():
        namespace: dict = {}
        exec(f"def build(self, input_shape):\n    self.w = {source}\n", namespace)  # noqa: S102
        layer_type = type("Probe", (keras.layers.Layer,), {"build": namespace["build"], "call": lambda self, x: x})
        out[form] = outcome(lambda: layer_type()(np.ones((1, 2), "float32")))
    return out


def lambda_outcomes(keras) -> dict:
    """Outcomes of reloading a Lambda holding a Python lambda: a model saved as ``.keras`` and as ``.h5``
    then ``load_model`` (defaults), and ``Lambda.from_config`` on its config outside any saving scope."""
    inputs = keras.Input((4,))
    layer = keras.layers.Lambda(lambda x: x * 2.0, name="double")
    model = keras.Model(inputs, layer(inputs))
    out = {"from_config": outcome(lambda: keras.layers.Lambda.from_config(layer.get_config()))}
    with tempfile.TemporaryDirectory(prefix="kl-probe-lambda-") as tmp:
        for ext in ("keras", "h5"):
            path = os.path.join(tmp, f"model.{ext}")
            try:
                model.save(path)
            except Exception:  # noqa: BLE001 - cannot save: unknown in this release
                continue
            out[f"load .{ext}"] = outcome(lambda: keras.models.load_model(path))
    return out


def machine_switches(keras, np) -> dict:
    """{parameter: {class: {"omitted": bool, "fails_on_cpu": bool, "error": outcome}}} for the SWITCHES this
    release takes. ``fails_on_cpu``: the call raises with the switch True and works with it False (the
    same sample), so the failure is the missing kernel's, not the sample's."""
    import inspect

    out: dict = {}
    for name, param, args, inputs in SWITCHES:
        cls = getattr(keras.layers, name, None)
        try:
            if cls is None or param not in inspect.signature(cls.__init__).parameters:
                continue  # not taken in this release: not measured
            layer = cls(**args, **{param: True})
            omitted = param not in layer.get_config()
        except Exception:  # noqa: BLE001 - cannot even be made: unknown in this release
            continue
        x = np.ones((2, 4, 8), "float32")
        on = _kernel_outcome(lambda: layer(*([x] * inputs)))
        off = outcome(lambda: cls(**args, **{param: False})(*([x] * inputs)))
        out.setdefault(param, {})[cls.__name__] = {"omitted": omitted, "error": on,
                                                   "fails_on_cpu": on["error"] is not None and off["error"] is None}
    return out


def _kernel_outcome(run) -> dict:
    """``outcome``, with the message line that names the kernel (Keras wraps it in "Exception encountered
    when calling ..."): the record of why the switch failed."""
    try:
        run()
    except Exception as exc:  # noqa: BLE001 - any failure is the measurement
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in str(exc).splitlines()]
        named = [line for line in lines if re.search(r"cudnn|flash|kernel", line, re.IGNORECASE)]
        return {"error": type(exc).__name__, "message": (named or lines or [""])[0][:200]}
    return {"error": None, "message": None}
