#!/usr/bin/env python3
"""Measure facts about Keras 3 layer classes by running real Keras releases.

    python tools/probe_keras.py [--versions 3.6.0 3.10.0 ...]
                                [--out flake8_keras_layers/knowledge/data/keras_facts.json]
                                [--raw-dir DIR] [-j 2] [--force]

For every requested release (default: every Keras 3 final release on PyPI) a
subprocess (tools/kerasenv.run_keras) imports that release, probes every public
layer class and writes one JSON document of raw facts (cached per version in
``--raw-dir``).  The raw documents are then compiled into the schema described
in tools/SCHEMA.md.  Nothing version-specific is written by hand here: the only
hand-written tables are *probe inputs* (sample constructor arguments by
parameter name, sample input tensors).

Library use (e.g. from a test):
    probe_version("3.6.0") -> dict            raw facts of one release (live run)
    compile_facts([raw, ...]) -> dict         the schema document
    lookup(doc, "MaxPooling2D", "built_at_init_subclass_with_build", "3.6.0")
        -> True / False / None (None: unknown in that version, or not probed)
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
import tempfile
import time

TOOLS_DIR = pathlib.Path(__file__).resolve().parent
REPO_DIR = TOOLS_DIR.parent
DEFAULT_OUT = REPO_DIR / "flake8_keras_layers" / "knowledge" / "data" / "keras_facts.json"
sys.path.insert(0, str(TOOLS_DIR))
import kerasenv  # noqa: E402

# Bump when the inner probe changes what it measures: cached raw files with an
# older revision are re-probed.
PROBE_REVISION = 4

# Keras backend the probe runs on.  The measured facts are backend-independent
# (3.0.0-3.0.1 and 3.6.0 were probed on both jax and numpy with identical
# results, except JaxLayer which only works on jax); numpy is ~10x faster
# because every eager jax op on a new shape is compiled by XLA.  A release whose
# numpy backend cannot run the probe (3.0.5's numpy backend imports torch) is
# probed on jax instead.  Classes left with unknown facts on numpy (JaxLayer is
# jax-only; 3.10-3.11's numpy backend calls np.reshape(newshape=), gone in
# numpy 2) are re-probed on jax, and the jax result is kept for them.
PROBE_BACKENDS = ("numpy", "jax")
# unknowns that no backend can fix
_HOPELESS = ("ImportError", "no sample value for required parameter")

CLASS_FACTS = (
    "exists",
    "built_at_init",
    "built_at_init_subclass",
    "built_at_init_subclass_with_build",
    "owns_weights",
    "shape_dependent_weights",
    "width_preserving",
    "activation_instance_roundtrip_fails",
)
GLOBAL_FACTS = (
    "add_weight_positional_name_typeerror",
    "add_weight_positional_name_valueerror",
)


def vkey(version: str) -> tuple:
    return kerasenv._vkey(version)


# ---------------------------------------------------------------------------
# Inner probe: runs inside the Keras subprocess (imports keras lazily).
# ---------------------------------------------------------------------------

class _ClassTimeout(BaseException):
    pass


def _sample_args(keras):
    """Probe inputs: sample values for constructor parameters, by parameter name.

    Each value is a list of zero-argument factories (fresh objects per
    construction); alternative i is used for every parameter on attempt i.
    Hand-written *inputs*, not facts.
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
# with its required arguments alone (probe inputs, not facts).
_FALLBACK_INIT = {"shape": (3,), "num_tokens": 4, "params": {}}
_FALLBACK_CALL = {"groups": 1}
# Optional arguments always passed when the constructor has them: the audio
# layers' defaults (fft_length=2048, ...) make one eager jax call take minutes.
# bin_boundaries: Discretization's usual non-adapted use (its built state
# depends on it).
_ALWAYS_INIT = {"fft_length": 16, "frame_length": 8, "sequence_length": 8,
                "sequence_stride": 4, "bin_boundaries": [0.5]}


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


def _err(e: BaseException) -> str:
    return f"{type(e).__name__}: {str(e).strip()[:300]}"


def _public_params(cls):
    import inspect
    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return None
    out = []
    for p in list(sig.parameters.values())[1:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        out.append(p)
    return out


def _new_entry():
    facts = {f: None for f in CLASS_FACTS}
    facts["exists"] = True
    return {"facts": facts, "notes": {}, "width_param": None, "width_param_measured": False}


def _probe_class(keras, np, cls, namespace, res):
    """Measure one class into ``res`` (from _new_entry; filled progressively, so a
    timeout keeps what was measured).  Facts: True/False, None = unknown."""
    import inspect

    samples = _sample_args(keras)
    kinds = _input_kinds(np)
    facts = res["facts"]
    notes = res["notes"]

    params = _public_params(cls)
    if params is None:
        notes["init"] = "no signature"
        return res
    pnames = [p.name for p in params]
    res["params"] = pnames
    required = [p.name for p in params if p.default is inspect.Parameter.empty]
    missing = [n for n in required if n not in samples]
    if missing:
        notes["init"] = f"no sample value for required parameter(s) {missing}"
        return res
    n_alt = max([len(samples[n]) for n in required] + [1])

    def make_args(i, extra=None):
        args = {n: samples[n][min(i, len(samples[n]) - 1)]() for n in required}
        for k, v in list(_ALWAYS_INIT.items()) + list((extra or {}).items()):
            if k in pnames and k not in args:
                args[k] = v
        return args

    # --- construction ------------------------------------------------------
    init_variants = []  # (alternative index, extra) that construct
    errors = []
    for extra in (None, _FALLBACK_INIT):
        for i in range(n_alt):
            try:
                cls(**make_args(i, extra))
            except Exception as e:  # noqa: BLE001
                errors.append(_err(e))
                continue
            init_variants.append((i, extra))
            break
        if init_variants:
            break
    if not init_variants:
        notes["init"] = errors[-1] if errors else "cannot construct"
        return res
    alt, init_extra = init_variants[0]
    res["sample_args"] = {k: repr(v)[:80] for k, v in make_args(alt, init_extra).items()}

    def build_noop(self, input_shape):
        super(type(self), self).build(input_shape)

    try:
        facts["built_at_init"] = bool(cls(**make_args(alt, init_extra)).built)
    except Exception as e:  # noqa: BLE001
        notes["built_at_init"] = _err(e)
    try:
        sub = type("Sub", (cls,), {})
        facts["built_at_init_subclass"] = bool(sub(**make_args(alt, init_extra)).built)
    except Exception as e:  # noqa: BLE001
        notes["built_at_init_subclass"] = _err(e)
    try:
        sub_b = type("SubWithBuild", (cls,), {"build": build_noop})
        facts["built_at_init_subclass_with_build"] = bool(sub_b(**make_args(alt, init_extra)).built)
    except Exception as e:  # noqa: BLE001
        notes["built_at_init_subclass_with_build"] = _err(e)

    # --- activation instance round trip -----------------------------------
    if "activation" in pnames:
        facts["activation_instance_roundtrip_fails"] = None
        try:
            plain = cls(**make_args(alt, init_extra))
            cls.from_config(plain.get_config())
        except Exception as e:  # noqa: BLE001
            notes["activation_instance_roundtrip_fails"] = "plain roundtrip fails: " + _err(e)
        else:
            try:
                args = make_args(alt, init_extra)
                args["activation"] = keras.layers.ReLU()
                layer = cls(**args)
            except Exception as e:  # noqa: BLE001
                notes["activation_instance_roundtrip_fails"] = "cannot construct: " + _err(e)
            else:
                try:
                    cls.from_config(layer.get_config())
                    facts["activation_instance_roundtrip_fails"] = False
                except Exception as e:  # noqa: BLE001
                    facts["activation_instance_roundtrip_fails"] = True
                    notes["activation_instance_roundtrip_error"] = _err(e)
    else:
        facts["activation_instance_roundtrip_fails"] = False

    # --- calling on sample inputs ------------------------------------------
    if namespace == "models":
        for f in ("owns_weights", "shape_dependent_weights", "width_preserving"):
            notes[f] = "not measured for models (no meaningful sample instance)"
        return res

    def call(args, kind, width):
        layer = cls(**args)
        a, kw = kind[1](width)
        out = layer(*a, **kw)
        return layer, out

    def last_dim(out):
        shape = getattr(out, "shape", None)
        if shape is None or isinstance(out, (list, tuple, dict)) or len(shape) == 0:
            return None
        return shape[-1]

    cur_extra = init_extra
    working = []  # (kind, {width: (layer, out)})
    call_errors = []
    for extra in ({}, _FALLBACK_CALL):
        if extra and not any(k in pnames for k in extra):
            continue
        merged = dict(init_extra or {})
        merged.update(extra)
        for kind in kinds:
            results = {}
            for w in (3, 5):
                try:
                    results[w] = call(make_args(alt, merged), kind, w)
                except Exception as e:  # noqa: BLE001
                    call_errors.append(f"{kind[0]} w={w}: {_err(e)[:160]}")
                    if w == 3:
                        break
            if results:
                working.append((kind, results))
        if working:
            cur_extra = merged
            break
    notes["call_errors"] = call_errors
    if not working:
        notes["call"] = call_errors[-1] if call_errors else "no working sample input"
        # No sample call works (e.g. RNN cells need states): weight facts from
        # layer.build(input_shape) on the same sample shapes, at two widths.
        for kind in kinds:
            try:
                a, _ = kind[1](3)
                if len(a) != 1 or isinstance(a[0], list):
                    continue
                built = {}
                for w in (3, 5):
                    layer = cls(**make_args(alt, cur_extra))
                    layer.build(tuple(kind[1](w)[0][0].shape))
                    built[w] = sorted(tuple(int(d) for d in v.shape) for v in layer.weights)
            except Exception as e:  # noqa: BLE001
                call_errors.append(f"build {kind[0]}: {_err(e)}")
                continue
            res["weights_from"] = f"build {kind[0]}"
            facts["owns_weights"] = len(built[3]) > 0
            facts["shape_dependent_weights"] = built[3] != built[5]
            break
        return res
    res["sample_inputs"] = [k[0] for k, _ in working]

    first_kind, first = working[0]
    layer3 = first[3][0]
    try:
        facts["owns_weights"] = len(layer3.weights) > 0
    except Exception as e:  # noqa: BLE001
        notes["owns_weights"] = _err(e)

    both = [(k, r) for k, r in working if 3 in r and 5 in r]
    if facts["owns_weights"] is False:
        facts["shape_dependent_weights"] = False
    elif facts["owns_weights"] and both:
        try:
            r = both[0][1]
            s3 = sorted(tuple(int(d) for d in v.shape) for v in r[3][0].weights)
            s5 = sorted(tuple(int(d) for d in v.shape) for v in r[5][0].weights)
            facts["shape_dependent_weights"] = s3 != s5
        except Exception as e:  # noqa: BLE001
            notes["shape_dependent_weights"] = _err(e)
    else:
        notes["shape_dependent_weights"] = "no sample input works at two widths"

    verdicts = []
    for kind, r in both:
        d3, d5 = last_dim(r[3][1]), last_dim(r[5][1])
        if d3 is None or d5 is None:
            continue
        verdicts.append((kind[0], int(d3) == 3 and int(d5) == 5))
    res["width_preserving_by_input"] = dict(verdicts)
    if verdicts:
        facts["width_preserving"] = all(v for _, v in verdicts)
    else:
        notes["width_preserving"] = "no single-tensor output at two widths"

    # --- width parameter -----------------------------------------------------
    if last_dim(first[3][1]) is not None:
        cands = []
        for p in params:
            if p.name in required:
                v = make_args(alt, cur_extra).get(p.name)
                if isinstance(v, int) and not isinstance(v, bool):
                    cands.append(p.name)
        for p in params:
            if p.name in required or p.name in cands:
                continue
            d = p.default
            if d is None or (isinstance(d, int) and not isinstance(d, bool)):
                cands.append(p.name)
        for name in cands:
            ok = True
            for value in (7, 11):
                args = make_args(alt, cur_extra)
                args[name] = value
                try:
                    _, out = call(args, first_kind, 3)
                    d = last_dim(out)
                except Exception:  # noqa: BLE001
                    ok = False
                    break
                if d is None or int(d) != value:
                    ok = False
                    break
            if ok:
                res["width_param"] = name
                break
        res["width_param_measured"] = True
    return res


def _public_names(module, obj):
    return sorted(n for n in dir(module) if not n.startswith("_") and getattr(module, n, None) is obj)


def _probe_globals(keras, np):
    out, notes = {}, {}

    class PositionalName(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", shape=(2,))

    exc = None
    try:
        PositionalName().build((1, 2))
    except Exception as e:  # noqa: BLE001
        exc = e
    notes["add_weight_positional_name"] = _err(exc) if exc else "no error"
    out["add_weight_positional_name_typeerror"] = isinstance(exc, TypeError)
    out["add_weight_positional_name_valueerror"] = isinstance(exc, ValueError)
    # Cross-check through __call__ (not stored as a fact; for the raw record).
    try:
        PositionalName()(np.zeros((1, 2), "float32"))
        notes["add_weight_positional_name_via_call"] = "no error"
    except Exception as e:  # noqa: BLE001
        notes["add_weight_positional_name_via_call"] = _err(e)
    return out, notes


def _inner_probe(only=None) -> dict:
    import signal
    import warnings

    warnings.filterwarnings("ignore")
    import numpy as np
    import keras

    t0 = time.time()
    Layer = keras.layers.Layer
    found = {}  # id -> (cls, namespace, public names)
    for n in dir(keras.layers):
        if n.startswith("_"):
            continue
        obj = getattr(keras.layers, n)
        if isinstance(obj, type) and issubclass(obj, Layer):
            found.setdefault(id(obj), [obj, "layers", []])[2].append(n)
    for n, obj in (("Model", keras.Model), ("Sequential", keras.Sequential)):
        names = set(_public_names(keras, obj)) | set(_public_names(keras.models, obj)) | {n}
        found.setdefault(id(obj), [obj, "models", []])[2].extend(sorted(names))
    canon = {}
    for key, (cls, ns, names) in found.items():
        names = sorted(set(names))
        found[key][2] = names
        canon[key] = cls.__name__ if cls.__name__ in names else names[0]

    def public_bases(cls):
        out = []

        def walk(c):
            for b in c.__bases__:
                if id(b) in found:
                    out.append(b)
                else:
                    walk(b)

        walk(cls)
        uniq = []
        for b in out:
            if b not in uniq:
                uniq.append(b)
        nearest = [b for b in uniq if not any(o is not b and issubclass(o, b) for o in uniq)]
        return [canon[id(b)] for b in nearest]

    classes = {}

    def on_alarm(signum, frame):
        raise _ClassTimeout()

    signal.signal(signal.SIGALRM, on_alarm)
    for key, (cls, ns, names) in sorted(found.items(), key=lambda kv: canon[kv[0]]):
        name = canon[key]
        if only is not None and name not in only:
            continue
        t1 = time.time()
        entry = _new_entry()
        # random augmentation layers pick random ops: seed so results repeat
        keras.utils.set_random_seed(0)
        signal.alarm(120)
        try:
            _probe_class(keras, np, cls, ns, entry)
        except _ClassTimeout:
            entry["notes"]["probe"] = "timeout (facts not measured by then stay unknown)"
        except Exception as e:  # noqa: BLE001
            entry["notes"]["probe"] = _err(e)
        finally:
            signal.alarm(0)
        entry.update({
            "namespace": ns,
            "name": cls.__name__,
            "aliases": [n for n in names if n != name],
            "module": cls.__module__,
            "bases": public_bases(cls),
            "seconds": round(time.time() - t1, 2),
        })
        classes[name] = entry
    glob, gnotes = _probe_globals(keras, np)
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


def _inner_main(out_path: str, only=None) -> None:
    data = _inner_probe(only)
    tmp = out_path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    os.replace(tmp, out_path)


# ---------------------------------------------------------------------------
# Outer driver
# ---------------------------------------------------------------------------

def default_raw_dir() -> pathlib.Path:
    return kerasenv.cache_root() / "raw"


def pypi_keras3_versions() -> list[str]:
    """Every Keras 3 final release on PyPI (via `pip index versions keras`)."""
    proc = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "keras",
                           "--disable-pip-version-check"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    m = re.search(r"Available versions:\s*(.+)", proc.stdout)
    if not m:
        raise RuntimeError(f"cannot parse pip index output:\n{proc.stdout}\n{proc.stderr}")
    vs = [v.strip() for v in m.group(1).split(",")]
    return sorted((v for v in vs if re.fullmatch(r"3\.\d+\.\d+", v)), key=vkey)


def probe_version(version: str, raw_dir: pathlib.Path | str | None = None,
                  force: bool = False, timeout: float = 3600,
                  backends: tuple[str, ...] | list[str] = PROBE_BACKENDS) -> dict:
    """Raw facts of one Keras release, measured live on the first of ``backends``
    that works (or read from the raw cache RAW_DIR/BACKEND/VERSION.json if
    ``raw_dir`` is given and holds a result of the current probe revision)."""
    if isinstance(backends, str):
        backends = (backends,)
    if raw_dir and not force:
        for backend in backends:
            cache = pathlib.Path(raw_dir) / backend / f"{version}.json"
            if cache.exists():
                data = json.loads(cache.read_text())
                if (data.get("probe_revision") == PROBE_REVISION
                        and data.get("keras_version") == version):
                    return data
    errors = []
    for backend in backends:
        try:
            return _probe_live(version, backend, raw_dir, timeout)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            errors.append(f"[{backend}] {e}")
    raise RuntimeError("\n".join(errors))


def _probe_live(version, backend, raw_dir, timeout) -> dict:
    cache = pathlib.Path(raw_dir) / backend / f"{version}.json" if raw_dir else None
    data = _run_inner(version, backend, timeout)
    if backend != "jax":
        jax_only = sorted(
            n for n, c in data["classes"].items()
            if c["namespace"] == "layers" and None in c["facts"].values()
            and not any(h in str(c["notes"].get("init", "")) for h in _HOPELESS))
        if jax_only:
            extra = _run_inner(version, "jax", timeout, only=jax_only)
            for n in jax_only:
                if n in extra["classes"]:
                    data["classes"][n] = extra["classes"][n]
                    data["classes"][n]["backend"] = "jax"
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp_path = cache.with_suffix(".json.tmp")
        tmp_path.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(tmp_path, cache)
    return data


def _run_inner(version, backend, timeout, only=None) -> dict:
    kerasenv.ensure_keras(version)
    with tempfile.TemporaryDirectory(prefix="kl-probe-") as tmp:
        out = os.path.join(tmp, "raw.json")
        code = (f"import sys; sys.path.insert(0, {str(TOOLS_DIR)!r}); "
                f"import probe_keras; probe_keras._inner_main({out!r}, {only!r})")
        proc = kerasenv.run_keras(version, code, timeout=timeout,
                                  env={"KERAS_BACKEND": backend})
        if proc.returncode != 0 or not os.path.exists(out):
            raise RuntimeError(f"probe of keras {version} failed (rc={proc.returncode}):\n"
                               f"{proc.stderr[-4000:]}")
        data = json.loads(pathlib.Path(out).read_text())
    if data.get("keras_version") != version or data.get("backend") != backend:
        raise RuntimeError(f"asked for keras {version} on {backend}, probed "
                           f"{data.get('keras_version')} on {data.get('backend')}")
    return data


def _ranges(versions: list[str], true_set: set[str]) -> list[list[str]]:
    """Inclusive [first, last] runs of consecutive probed versions in true_set."""
    out, start, prev = [], None, None
    for v in versions:
        if v in true_set:
            if start is None:
                start = v
            prev = v
        elif start is not None:
            out.append([start, prev])
            start = None
    if start is not None:
        out.append([start, prev])
    return out


def compile_facts(raws: list[dict]) -> dict:
    """Compile raw per-version documents into the keras_facts.json schema."""
    raws = sorted(raws, key=lambda r: vkey(r["keras_version"]))
    versions = [r["keras_version"] for r in raws]
    names = sorted({n for r in raws for n in r["classes"]})
    classes = {}
    for name in names:
        present = [(r["keras_version"], r["classes"][name]) for r in raws if name in r["classes"]]
        newest = present[-1][1]
        modules = []
        for _, e in present:
            if e["module"] not in modules:
                modules.append(e["module"])
        aliases = sorted({a for _, e in present for a in e.get("aliases", [])} - {name})
        width_param = None
        for _, e in reversed(present):
            if e.get("width_param_measured"):
                width_param = e.get("width_param")
                break
        # Constructor parameters in order, for arguments given by position (Conv2D(6, 4)):
        # kept only when every release agrees on the order up to the width parameter.
        params = list(newest.get("params") or [])
        if width_param in params:
            prefix = params[: params.index(width_param) + 1]
            if any(list(e.get("params") or [])[: len(prefix)] != prefix for _, e in present):
                params = []
        facts, unknown = {}, {}
        for fact in CLASS_FACTS:
            true_set = {v for v, e in present if e["facts"].get(fact) is True}
            unk = [v for v, e in present if e["facts"].get(fact) is None]
            facts[fact] = _ranges(versions, true_set)
            if unk:
                unknown[fact] = unk
        classes[name] = {
            "namespace": newest["namespace"],
            "bases": newest["bases"],
            "aliases": aliases,
            "modules": modules,
            "width_param": width_param,
            "params": params,
            "facts": facts,
            "unknown": unknown,
        }
    glob = {}
    for fact in GLOBAL_FACTS:
        glob[fact] = _ranges(versions, {r["keras_version"] for r in raws if r["globals"].get(fact)})
    pythons = sorted({r.get("python", "") for r in raws})
    return {
        "schema": 1,
        "generator": "tools/probe_keras.py",
        "python": pythons[-1] if len(pythons) == 1 else ",".join(pythons),
        "versions": versions,
        "classes": classes,
        "globals": glob,
    }


def dumps_compact(doc: dict) -> str:
    """indent=1, sorted keys, with short scalar lists (ranges, names) on one line."""
    text = json.dumps(doc, indent=1, sort_keys=True)
    scalar = r'(?:"[^"\n]*"|null|true|false|-?\d+(?:\.\d+)?)'
    pattern = re.compile(r"\[\s*" + scalar + r"(?:\s*,\s*" + scalar + r")*\s*\]")

    def squash(m):
        return json.dumps(json.loads(m.group(0)))

    # innermost lists first: ranges ["3.0.0", "3.1.0"], then lists of them
    text = pattern.sub(squash, text)
    ranges = re.compile(r"\[\s*(\[[^\[\]\n]*\](?:\s*,\s*\[[^\[\]\n]*\])*)\s*\]")
    text = ranges.sub(lambda m: json.dumps(json.loads(m.group(0))), text)
    return text + "\n"


def load_facts(path: pathlib.Path | str = DEFAULT_OUT) -> dict:
    return json.loads(pathlib.Path(path).read_text())


def lookup(doc: dict, class_name: str, fact: str, version: str):
    """A fact in a compiled document: True/False, or None when unknown/not probed.

    ``class_name`` may be a canonical name or an alias; ``fact`` may be a class
    fact or a global fact (then ``class_name`` is ignored and may be None).
    """
    if version not in doc["versions"]:
        return None
    if fact in doc.get("globals", {}):
        ranges = doc["globals"][fact]
    else:
        entry = doc["classes"].get(class_name)
        if entry is None:
            for e in doc["classes"].values():
                if class_name in e.get("aliases", []):
                    entry = e
                    break
        if entry is None:
            return False if fact == "exists" else None
        if version in entry.get("unknown", {}).get(fact, []):
            return None
        ranges = entry["facts"].get(fact, [])
    k = vkey(version)
    return any(vkey(a) <= k <= vkey(b) for a, b in ranges)


def raw_fact(raw: dict, class_name: str, fact: str):
    """The same fact read from a raw (probe_version) document."""
    if fact in raw.get("globals", {}):
        return bool(raw["globals"][fact])
    entry = raw["classes"].get(class_name)
    if entry is None:
        for e in raw["classes"].values():
            if class_name in e.get("aliases", []):
                entry = e
                break
    if entry is None:
        return False if fact == "exists" else None
    return entry["facts"].get(fact)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--versions", nargs="+", help="Keras versions (default: every 3.x on PyPI)")
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--raw-dir", default=None, help=f"raw cache (default {default_raw_dir()})")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--force", action="store_true", help="ignore cached raw results")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per version")
    ap.add_argument("--backends", nargs="+", default=list(PROBE_BACKENDS),
                    help="Keras backends to probe on, first that works (default numpy jax)")
    ns = ap.parse_args(argv)
    versions = ns.versions or pypi_keras3_versions()
    versions = sorted(set(versions), key=vkey)
    raw_dir = pathlib.Path(ns.raw_dir) if ns.raw_dir else default_raw_dir()
    t0 = time.time()
    print(f"probing {len(versions)} Keras versions on {'/'.join(ns.backends)} with -j {ns.jobs}; "
          f"raw cache {raw_dir}",
          file=sys.stderr)
    # Install the dependency sets up front (one at a time: they are big).
    for v in versions:
        kerasenv.ensure_deps(v)

    raws, failed = {}, {}

    def one(v):
        t = time.time()
        data = probe_version(v, raw_dir=raw_dir, force=ns.force, timeout=ns.timeout,
                             backends=ns.backends)
        return v, data, time.time() - t

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, ns.jobs)) as pool:
        futs = {pool.submit(one, v): v for v in versions}
        for fut in concurrent.futures.as_completed(futs):
            v = futs[fut]
            try:
                _, data, secs = fut.result()
            except Exception as e:  # noqa: BLE001
                failed[v] = str(e)
                print(f"[{time.time() - t0:7.1f}s] {v}: FAILED {str(e)[:2000]}", file=sys.stderr)
                continue
            raws[v] = data
            n_unknown = sum(1 for c in data["classes"].values()
                            for x in c["facts"].values() if x is None)
            print(f"[{time.time() - t0:7.1f}s] {v} ({data['backend']}): {len(data['classes'])} classes, "
                  f"{n_unknown} unknown facts, probe {data.get('seconds')}s (wall {secs:.0f}s)",
                  file=sys.stderr)
    if failed:
        print(f"FAILED versions (left out of the output): {sorted(failed, key=vkey)}",
              file=sys.stderr)
    if not raws:
        return 1
    doc = compile_facts(list(raws.values()))
    out = pathlib.Path(ns.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dumps_compact(doc))
    print(f"wrote {out} ({len(doc['versions'])} versions, {len(doc['classes'])} classes) "
          f"in {time.time() - t0:.0f}s", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
