#!/usr/bin/env python3
"""Measure which constructor arguments every public Keras 3 layer class accepts, per release.

    python tools/probe_config.py [--versions 3.0.0 3.10.0 ...]
                                 [--out flake8_keras_layers/knowledge/data/keras_config_facts.json] [-j 1]

KL303 (config-missing-arg) needs two facts that tools/probe_keras.py does not
measure: the named ``__init__`` parameters of a Keras base class (a subclass
parameter of the same name is covered by the base's own ``get_config``), and
every keyword a base class accepts through ``**kwargs`` (a config key nobody
accepts is a typo that ``Layer.__init__`` rejects on reload). Both are read
from the release itself with ``inspect``: the signature of each ``__init__`` in
the class's MRO, and the ``kwargs.pop("...")`` names in their source (how
``Layer.__init__`` takes ``input_shape``/``input_dim``). Nothing is typed by hand.

KL302, KL106 and KL902 need what a release does on reload and on a few calls:
which base config keys reach a subclass's ``__init__`` when a class's
``from_config`` reloads it, what Keras' automatic config keeps, which exception
each ``add_weight`` call form raises, and which loaders refuse a Lambda holding
a Python lambda. ``probe_reload.py`` measures them (its docstring says how).

Output (read by flake8_keras_layers/knowledge/config_facts.py)::

    {"schema": 1, "generator": "tools/probe_config.py", "versions": [...],
     "classes": {"Dense": [{"versions": [["3.0.0", "3.15.1"]], "params": ["units", ...],
                            "accepted": ["units", ..., "name", "trainable", "dtype", ...],
                            "layer_get_config": false}]},
     "globals": {"auto_config_nonplain_default_fails_Layer": [["3.11.0", "3.15.1"]], ...},
     "base_keys": [{"versions": [["3.0.0", "3.15.1"]], "keys": ["name", "trainable", "dtype"]}],
     "reload": {"Sequential": [{"versions": [["3.0.0", "3.15.1"]], "passes": ["name"]}], ...},
     "auto_reload": {"Layer": [{"versions": [...], "plain": ["trainable", "dtype"],
                                "named": ["name", "trainable", "dtype"]}], "Model": [...]},
     "calls": {"add_weight": {"name,shape=": [{"versions": [["3.0.0", "3.13.2"]], "error": "TypeError",
                                              "message": "Layer.add_weight() got multiple values for ..."},
                                             ...]},
               "Lambda": {"load .keras": [...], "load .h5": [...], "from_config": [...]}},
     "switches": {"use_cudnn": {"classes": ["GRU", "LSTM"], "measured": [["3.2.0", "3.15.1"]],
                                "omitted": [["3.2.0", "3.15.1"]], "fails_on_cpu": [...],
                                "errors": [{"versions": [...], "error": "ValueError",
                                            "message": "use_cudnn=True was specified, but cuDNN is not ..."}]}}}

``params``: the class's own named ``__init__`` parameters; ``accepted``: every
keyword it accepts (``params`` plus, through ``**kwargs``, every named parameter
and popped keyword of the ``__init__`` methods up its MRO: a superset, so the
plugin errs towards silence); ``layer_get_config``: a subclass that defines
no ``get_config`` gets Layer's auto-config (rather than this class's own).
``globals``: whether auto-config raises NotImplementedError on a non-plain
argument value passed, or only defaulted (any exception counts: 3.0.0 raises ValueError formatting its
NotImplementedError message), for Layer and Model subclasses. Each class lists one entry per distinct answer
with the probed releases (inclusive ranges) that gave it.

The reload and call sections list, the same way, one variant per distinct
measured value; a release missing from every variant was not measured there
(the class could not be constructed from the sample arguments, or the reload
failed some other way): the plugin stays silent for it. ``error`` null means the
call worked; ``message`` is Keras' first sentence with the sample's values elided.
``--raw-dir DIR`` keeps each release's raw result, reused while ``PROBE_REVISION``
matches (``--versions`` probes a subset, e.g. to check one release; the shipped
file is always compiled from every release).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import pathlib
import sys

TOOLS_DIR = pathlib.Path(__file__).resolve().parent
REPO_DIR = TOOLS_DIR.parent
DEFAULT_OUT = REPO_DIR / "flake8_keras_layers" / "knowledge" / "data" / "keras_config_facts.json"
FACTS_FILE = REPO_DIR / "flake8_keras_layers" / "knowledge" / "data" / "keras_facts.json"
sys.path.insert(0, str(TOOLS_DIR))
sys.path.insert(0, str(REPO_DIR))
import kerasenv  # noqa: E402
from keras_classes import public_classes  # noqa: E402

from flake8_keras_layers.knowledge.versions import fold_ranges  # noqa: E402

# Bump when a measurement changes: cached raw results of another revision are probed again.
PROBE_REVISION = 4
_POPPED = r"""kwargs\.pop\(\s*["'](\w+)["']"""


def _init_signature(cls):
    """(named parameters, has **kwargs) of ``cls.__init__``, or None without a signature."""
    import inspect

    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return None
    names, var_kwargs = [], False
    for p in list(sig.parameters.values())[1:]:
        if p.kind is p.VAR_KEYWORD:
            var_kwargs = True
        elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            names.append(p.name)
    return names, var_kwargs


def _popped_kwargs(klass) -> set:
    import inspect
    import re

    init = klass.__dict__.get("__init__")
    if init is None:
        return set()
    try:
        return set(re.findall(_POPPED, inspect.getsource(init)))
    except (OSError, TypeError):
        return set()


def _class_entry(cls):
    own = _init_signature(cls)
    if own is None:
        return None
    params, var_kwargs = own
    accepted = set(params)
    if var_kwargs:
        for klass in cls.__mro__:
            if "__init__" not in klass.__dict__ or klass is object:
                continue
            found = _init_signature(klass)
            if found is not None:
                accepted.update(found[0])
            accepted.update(_popped_kwargs(klass))
    return {"params": params, "accepted": sorted(accepted), "layer_get_config": _layer_get_config(cls)}


def _layer_get_config(cls) -> bool:
    """A subclass that does not override ``get_config`` gets Layer's auto-config (not a base's own)."""
    import keras

    return getattr(cls.get_config, "__qualname__", "") == keras.layers.Layer.get_config.__qualname__


def _probe_globals() -> dict:
    """Auto-config (a subclass without ``get_config``) on a non-plain constructor argument:
    does ``get_config()`` raise when the value is passed, and when it is only the default?"""
    import keras

    def helper(x):
        return x

    out = {}
    for base in ("Layer", "Model"):
        klass = getattr(keras.layers, base, None) or getattr(keras, base)

        def init(self, fn=helper, **kwargs):
            klass.__init__(self, **kwargs)
            self.fn = fn

        sub = type("AutoConfig" + base, (klass,), {"__init__": init})
        for fact, make in (("argument", lambda: sub(fn=helper)), ("default", lambda: sub())):
            try:
                make().get_config()
                out[f"auto_config_nonplain_{fact}_fails_{base}"] = False
            except Exception:  # noqa: BLE001 - NotImplementedError; 3.0.0 fails formatting that message
                out[f"auto_config_nonplain_{fact}_fails_{base}"] = True
    return out


def _reload_facts(keras, np) -> dict:
    """The reload, call and serialization facts of tools/probe_reload.py; a fact that cannot be
    measured in this release is left out (unknown)."""
    import probe_reload
    from probe_sample import ClassSample

    keys = probe_reload.base_keys(keras)
    reload = {}
    for public in public_classes(keras):
        res: dict = {"facts": {}, "notes": {}}
        try:
            sample = ClassSample.prepare(keras, np, public.cls, public.namespace, res)
            passes = None if sample is None else probe_reload.class_reload(public.cls, sample.args(), keys)
        except Exception:  # noqa: BLE001 - this class's fact is unknown
            passes = None
        if passes is not None:
            reload[public.name] = passes
    return {"base_keys": keys, "reload": reload, "auto_reload": probe_reload.auto_config_keys(keras, keys),
            "calls": {"add_weight": probe_reload.add_weight_outcomes(keras, np),
                      "Lambda": probe_reload.lambda_outcomes(keras)},
            "switches": probe_reload.machine_switches(keras, np)}


def _inner_probe() -> dict:
    import warnings

    warnings.filterwarnings("ignore")
    import keras
    import numpy as np

    classes = {}
    for public in public_classes(keras):
        entry = _class_entry(public.cls)
        if entry is not None:
            classes[public.name] = entry
    return {"keras_version": keras.__version__, "classes": classes, "globals": _probe_globals(),
            **_reload_facts(keras, np)}


def _inner_main(out_path: str) -> None:
    pathlib.Path(out_path).write_text(json.dumps(_inner_probe()))


def probe_version(version: str, raw_dir: pathlib.Path | None = None) -> dict:
    """One release's raw facts; kept in ``raw_dir`` (when given) and read from there while
    ``PROBE_REVISION`` matches, so re-compiling is cheap."""
    cached = raw_dir / f"{version}.json" if raw_dir else None
    if cached is not None and cached.exists():
        data = json.loads(cached.read_text())
        if data.get("revision") == PROBE_REVISION:
            return data
    data = _probe_live(version)
    data["revision"] = PROBE_REVISION
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps(data))
    return data


def _probe_live(version: str) -> dict:
    return kerasenv.run_probe(version, "probe_config", "_inner_main({out})")


def compile_facts(raws: list[dict]) -> dict:
    raws = sorted(raws, key=lambda r: kerasenv.version_key(r["keras_version"]))
    versions = [r["keras_version"] for r in raws]
    variants: dict[str, dict[str, set]] = {}  # class -> canonical entry JSON -> versions
    for raw in raws:
        for name, entry in raw["classes"].items():
            key = json.dumps(entry, sort_keys=True)
            variants.setdefault(name, {}).setdefault(key, set()).add(raw["keras_version"])
    classes = {}
    for name in sorted(variants):
        out = []
        for key, seen in variants[name].items():
            out.append({"versions": fold_ranges(versions, seen.__contains__), **json.loads(key)})
        classes[name] = sorted(out, key=lambda e: kerasenv.version_key(e["versions"][0][0]))
    facts = sorted({fact for raw in raws for fact in raw["globals"]})
    globals_ = {}
    for fact in facts:
        holds = {r["keras_version"] for r in raws if r["globals"].get(fact)}
        globals_[fact] = fold_ranges(versions, holds.__contains__)
    return {"schema": 1, "generator": "tools/probe_config.py", "versions": versions, "classes": classes,
            "globals": globals_, **_compile_reload(raws, versions)}


def _variants(versions: list, measured: dict, field: str | None = None) -> list:
    """``[{"versions": ranges, ...value}]``, one per distinct value of ``measured`` (release -> value; a
    release left out is unknown), oldest first. A non-dict value is stored under ``field``."""
    seen: dict[str, set] = {}
    for version, value in measured.items():
        seen.setdefault(json.dumps(value if field is None else {field: value}, sort_keys=True), set()).add(version)
    out = [{"versions": fold_ranges(versions, releases.__contains__), **json.loads(key)}
           for key, releases in seen.items()]
    return sorted(out, key=lambda e: kerasenv.version_key(e["versions"][0][0]))


def _compile_reload(raws: list[dict], versions: list) -> dict:
    """The tools/probe_reload.py sections: ``base_keys``, ``reload`` (per class), ``auto_reload`` (per base)
    and ``calls`` (per callee and call form)."""
    def per_release(get) -> dict:
        found = {}
        for raw in raws:
            try:
                found[raw["keras_version"]] = get(raw)
            except KeyError:
                continue  # not measured in that release
        return found

    names = sorted({name for raw in raws for name in raw["reload"]})
    calls = sorted({(callee, form) for raw in raws for callee, forms in raw["calls"].items() for form in forms})
    out_calls: dict = {}
    for callee, form in calls:
        out_calls.setdefault(callee, {})[form] = _variants(
            versions, per_release(lambda r: r["calls"][callee][form]))
    return {
        "base_keys": _variants(versions, per_release(lambda r: r["base_keys"]), "keys"),
        "reload": {name: _variants(versions, per_release(lambda r: r["reload"][name]), "passes") for name in names},
        "auto_reload": {base: _variants(versions, per_release(lambda r: r["auto_reload"][base]))
                        for base in sorted({b for raw in raws for b in raw["auto_reload"]})},
        "calls": out_calls,
        "switches": _compile_switches(raws, versions),
    }


def _compile_switches(raws: list[dict], versions: list) -> dict:
    """``{parameter: {"classes": [...], "omitted": ranges, "fails_on_cpu": ranges}}``: the releases where every
    class taking the switch leaves it out of its config, and where one of them fails with it on a CPU."""
    out = {}
    for param in sorted({p for raw in raws for p in raw.get("switches", {})}):
        seen = {r["keras_version"]: r["switches"][param] for r in raws if param in r.get("switches", {})}
        classes = sorted({name for found in seen.values() for name in found})
        omitted = {v for v, found in seen.items() if all(c["omitted"] for c in found.values())}
        fails = {v for v, found in seen.items() if any(c["fails_on_cpu"] for c in found.values())}
        why = {v: next(c["error"] for c in found.values() if c["fails_on_cpu"])
               for v, found in seen.items() if v in fails}
        out[param] = {"classes": classes, "omitted": fold_ranges(versions, omitted.__contains__),
                      "fails_on_cpu": fold_ranges(versions, fails.__contains__), "measured": fold_ranges(
                          versions, seen.__contains__), "errors": _variants(versions, why)}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", nargs="*", help="default: the releases keras_facts.json lists")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("-j", "--jobs", type=int, default=1)
    parser.add_argument("--raw-dir", type=pathlib.Path, help="keep each release's raw facts here (reused while "
                        "PROBE_REVISION matches); default: none kept")
    args = parser.parse_args(argv)
    versions = args.versions or json.loads(FACTS_FILE.read_text())["versions"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        raws = list(pool.map(lambda v: probe_version(v, args.raw_dir), versions))
    doc = compile_facts(raws)
    out = pathlib.Path(args.out)
    out.write_text(json.dumps(doc, indent=None, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {out}: {len(doc['classes'])} classes, {len(versions)} releases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
