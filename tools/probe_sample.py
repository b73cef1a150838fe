"""What the Keras probe feeds one layer class: sample constructor arguments and sample inputs.

Runs inside the Keras subprocess (``keras`` and ``numpy`` are passed in).  The
tables here are hand-written *inputs*, never facts.  A ``ClassSample`` builds
them once per class and shares with every measurement (tools/probe_facts.py)
what more than one of them needs: the constructor arguments that work, and the
sample calls, made once and in a fixed order so that a class's random state,
and so every measurement, repeats from run to run.
"""
from __future__ import annotations

import functools
import inspect


def error_text(e: BaseException) -> str:
    """An exception as a raw-file note."""
    return f"{type(e).__name__}: {str(e).strip()[:300]}"


def _sample_args(keras):
    """Probe inputs: sample values for constructor parameters, by parameter name.

    Each value is a list of zero-argument factories (fresh objects per
    construction); alternative i is used for every parameter on attempt i.
    """
    L = keras.layers
    ops = keras.ops

    def widen(inputs):  # Lambda / JaxLayer function that does NOT preserve the last dim
        return ops.concatenate([inputs, inputs], axis=-1)

    def const(v):
        return lambda: v

    return {
        "activation": [const("relu")],
        "axes": [const(1)],
        "call_fn": [const(widen)],
        "cell": [lambda: L.SimpleRNNCell(7)],
        "cells": [lambda: [L.SimpleRNNCell(7), L.SimpleRNNCell(7)]],
        "dims": [const((2, 1))],
        "equation": [const("ab,bc->ac")],
        "factor": [const(0.1), const(2)],
        "filters": [const(7)],
        "function": [const(widen)],
        "head_dim": [const(2)],
        "height": [const(2)],
        "width": [const(2)],
        "height_factor": [const(0.1)],
        "width_factor": [const(0.1)],
        "input_dim": [const(10)],
        "output_dim": [const(7)],
        "kernel_size": [const(1)],
        "key_dim": [const(2)],
        "layer": [lambda: L.Dense(7), lambda: L.LSTM(7)],
        "layers": [lambda: [L.Dense(7)]],
        "max_number": [const(2)],
        "n": [const(2)],
        "num_bins": [const(4)],
        "num_heads": [const(2)],
        "num_query_heads": [const(2)],
        "num_key_value_heads": [const(1)],
        "output_shape": [const(7)],
        "output_size": [const(2)],
        "pool_size": [const(2)],
        "rate": [const(0.5)],
        "scale": [const(0.5)],
        "stddev": [const(0.1)],
        "target_shape": [const((-1,))],
        "units": [const(7)],
    }


# Optional arguments added only when a class cannot be constructed / called
# with its required arguments alone.
FALLBACK_INIT = {"shape": (3,), "num_tokens": 4, "params": {}}
FALLBACK_CALL = {"groups": 1}
# Optional arguments always passed when the constructor has them: the audio
# layers' defaults (fft_length=2048, ...) make one eager jax call take minutes.
# bin_boundaries: Discretization's usual non-adapted use (its built state
# depends on it).
ALWAYS_INIT = {"fft_length": 16, "frame_length": 8, "sequence_length": 8,
               "sequence_stride": 4, "bin_boundaries": [0.5]}
WIDTHS = (3, 5)  # the input's last dimension in the two sample calls


def _input_kinds(np):
    """Sample inputs as (name, maker(width) -> (args, kwargs)); batch size 2."""
    rng = np.random.default_rng(0)

    def f(*shape):
        return rng.uniform(0.0, 1.0, size=shape).astype("float32")

    return [
        ("r2", lambda w: ((f(2, w),), {})),
        ("r3", lambda w: ((f(2, 6, w),), {})),
        ("r4", lambda w: ((f(2, 6, 6, w),), {})),
        ("r5", lambda w: ((f(2, 4, 4, 4, w),), {})),
        ("r6", lambda w: ((f(2, 2, 3, 3, 3, w),), {})),
        ("list_r3", lambda w: (([f(2, 6, w), f(2, 6, w)],), {})),
        ("two_r3", lambda w: ((f(2, 6, w), f(2, 6, w)), {})),
        ("list_r2", lambda w: (([f(2, w), f(2, w)],), {})),
        ("int_r2", lambda w: ((rng.integers(0, 2, size=(2, w)).astype("int32"),), {})),
    ]


def build_noop(self, input_shape):
    """A ``build`` override that only calls the base's (the subclass shape some facts measure)."""
    super(type(self), self).build(input_shape)


def last_dim(out):
    """The last dimension of a single-tensor output, else None."""
    shape = getattr(out, "shape", None)
    if shape is None or isinstance(out, (list, tuple, dict)) or len(shape) == 0:
        return None
    return shape[-1]


def weight_shapes(layer) -> list[tuple[int, ...]]:
    return sorted(tuple(int(d) for d in v.shape) for v in layer.weights)


def _public_params(cls):
    """The named constructor parameters of ``cls`` (no *args/**kwargs), or None without a signature."""
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return None
    return [p for p in list(sig.parameters.values())[1:] if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


class Calls:
    """The sample calls that work: ``working`` lists (kind, {width: (layer, output)}) per input kind."""

    def __init__(self, working, extra, errors):
        self.working = working
        self.extra = extra  # constructor extras that made the calls work
        self.errors = errors

    @property
    def at_both_widths(self):
        return [(kind, r) for kind, r in self.working if all(w in r for w in WIDTHS)]


class ClassSample:
    """One class, constructed with sample arguments; what its measurements share.

    ``prepare`` returns None when the class cannot be constructed at all (the
    reason is noted under ``init``).  The calls and builds are made on first
    use and kept, so measurements running in registry order see one sequence
    of Keras operations whatever each of them reads.
    """

    def __init__(self, keras, np, cls, namespace, res, params):
        self.keras = keras
        self.cls = cls
        self.namespace = namespace
        self.res = res
        self.facts = res["facts"]
        self.notes = res["notes"]
        self.params = params
        self.pnames = [p.name for p in params]
        self.required = [p.name for p in params if p.default is inspect.Parameter.empty]
        self.samples = _sample_args(keras)
        self.kinds = _input_kinds(np)
        self.alt = 0  # which alternative of the sample arguments constructs
        self.init_extra = None  # the FALLBACK_INIT it needed, if any
        self.plain_values: dict = {}  # attribute -> its value on a plain instance (init_resets)
        self.reset_values: dict | None = None  # attribute -> the value __init__ replaces it with

    @classmethod
    def prepare(sample_type, keras, np, cls, namespace, res):
        params = _public_params(cls)
        if params is None:
            res["notes"]["init"] = "no signature"
            return None
        res["params"] = [p.name for p in params]
        sample = sample_type(keras, np, cls, namespace, res, params)
        missing = [n for n in sample.required if n not in sample.samples]
        if missing:
            res["notes"]["init"] = f"no sample value for required parameter(s) {missing}"
            return None
        errors = []
        for extra in (None, FALLBACK_INIT):
            for alt in range(max([len(sample.samples[n]) for n in sample.required] + [1])):
                try:
                    cls(**sample._args(alt, extra))
                except Exception as e:  # noqa: BLE001
                    errors.append(error_text(e))
                    continue
                sample.alt, sample.init_extra = alt, extra
                res["sample_args"] = {k: repr(v)[:80] for k, v in sample.args().items()}
                return sample
        res["notes"]["init"] = errors[-1] if errors else "cannot construct"
        return None

    def args(self, extra=None):
        """Fresh constructor arguments that construct the class; ``extra`` replaces the
        extras construction needed (``init_extra``)."""
        return self._args(self.alt, self.init_extra if extra is None else extra)

    def _args(self, alt, extra):
        """The required arguments (alternative ``alt``), then ``ALWAYS_INIT`` and ``extra``
        where the constructor has them."""
        args = {n: self.samples[n][min(alt, len(self.samples[n]) - 1)]() for n in self.required}
        for k, v in list(ALWAYS_INIT.items()) + list((extra or {}).items()):
            if k in self.pnames and k not in args:
                args[k] = v
        return args

    def call(self, args, kind, width):
        """A fresh layer from ``args`` called on the sample input ``kind`` at ``width``."""
        layer = self.cls(**args)
        a, kw = kind[1](width)
        return layer, layer(*a, **kw)

    @functools.cached_property
    def calls(self) -> Calls:
        """Call fresh instances on every sample input kind at both widths (with ``FALLBACK_CALL``
        only if the constructor has one of its arguments and nothing works without it)."""
        working, errors, extra = [], [], self.init_extra
        for fallback in ({}, FALLBACK_CALL):
            if fallback and not any(k in self.pnames for k in fallback):
                continue
            merged = dict(self.init_extra or {})
            merged.update(fallback)
            for kind in self.kinds:
                results = {}
                for w in WIDTHS:
                    try:
                        results[w] = self.call(self.args(merged), kind, w)
                    except Exception as e:  # noqa: BLE001
                        errors.append(f"{kind[0]} w={w}: {error_text(e)[:160]}")
                        if w == WIDTHS[0]:
                            break
                if results:
                    working.append((kind, results))
            if working:
                extra = merged
                break
        self.notes["call_errors"] = errors
        if working:
            self.res["sample_inputs"] = [k[0] for k, _ in working]
        else:
            self.notes["call"] = errors[-1] if errors else "no working sample input"
        return Calls(working, extra, errors)

    @functools.cached_property
    def built_weights(self):
        """When no sample call works (e.g. RNN cells need states): the weight shapes after
        ``layer.build(shape)`` at both widths, for the first single-tensor input kind that builds."""
        for kind in self.kinds:
            try:
                a, _ = kind[1](WIDTHS[0])
                if len(a) != 1 or isinstance(a[0], list):
                    continue
                built = {}
                for w in WIDTHS:
                    layer = self.cls(**self.args(self.calls.extra))
                    layer.build(tuple(kind[1](w)[0][0].shape))
                    built[w] = weight_shapes(layer)
            except Exception as e:  # noqa: BLE001
                self.calls.errors.append(f"build {kind[0]}: {error_text(e)}")
                continue
            self.res["weights_from"] = f"build {kind[0]}"
            return built
        return None
