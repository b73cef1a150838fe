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

Output (read by flake8_keras_layers/knowledge/config_facts.py)::

    {"schema": 1, "generator": "tools/probe_config.py", "versions": [...],
     "classes": {"Dense": [{"versions": [["3.0.0", "3.15.1"]], "params": ["units", ...],
                            "accepted": ["units", ..., "name", "trainable", "dtype", ...],
                            "layer_get_config": false}]},
     "globals": {"auto_config_nonplain_default_fails_Layer": [["3.11.0", "3.15.1"]], ...}}

``params``: the class's own named ``__init__`` parameters; ``accepted``: every
keyword it accepts (``params`` plus, through ``**kwargs``, every named parameter
and popped keyword of the ``__init__`` methods up its MRO: a superset, so the
plugin errs towards silence); ``layer_get_config``: a subclass that defines
no ``get_config`` gets Layer's auto-config (rather than this class's own).
``globals``: whether auto-config raises NotImplementedError on a non-plain
argument value passed, or only defaulted (any exception counts: 3.0.0 raises ValueError formatting its
NotImplementedError message), for Layer and Model subclasses. Each class lists one entry per distinct answer
with the probed releases (inclusive ranges) that gave it.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import sys
import tempfile

TOOLS_DIR = pathlib.Path(__file__).resolve().parent
REPO_DIR = TOOLS_DIR.parent
DEFAULT_OUT = REPO_DIR / "flake8_keras_layers" / "knowledge" / "data" / "keras_config_facts.json"
FACTS_FILE = REPO_DIR / "flake8_keras_layers" / "knowledge" / "data" / "keras_facts.json"
sys.path.insert(0, str(TOOLS_DIR))
sys.path.insert(0, str(REPO_DIR))
import kerasenv  # noqa: E402
from keras_classes import public_classes  # noqa: E402

from flake8_keras_layers.knowledge.versions import fold_ranges  # noqa: E402

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


def _inner_probe() -> dict:
    import warnings

    warnings.filterwarnings("ignore")
    import keras

    classes = {}
    for public in public_classes(keras):
        entry = _class_entry(public.cls)
        if entry is not None:
            classes[public.name] = entry
    return {"keras_version": keras.__version__, "classes": classes, "globals": _probe_globals()}


def _inner_main(out_path: str) -> None:
    pathlib.Path(out_path).write_text(json.dumps(_inner_probe()))


def probe_version(version: str) -> dict:
    kerasenv.ensure_keras(version)
    with tempfile.TemporaryDirectory(prefix="kl-probe-config-") as tmp:
        out = os.path.join(tmp, "raw.json")
        code = (f"import sys; sys.path.insert(0, {str(TOOLS_DIR)!r}); "
                f"import probe_config; probe_config._inner_main({out!r})")
        proc = kerasenv.run_keras(version, code, timeout=900)
        if proc.returncode != 0 or not os.path.exists(out):
            raise RuntimeError(f"config probe of keras {version} failed:\n{proc.stderr[-4000:]}")
        data = json.loads(pathlib.Path(out).read_text())
    if data["keras_version"] != version:
        raise RuntimeError(f"asked for keras {version}, probed {data['keras_version']}")
    return data


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
            "globals": globals_}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", nargs="*", help="default: the releases keras_facts.json lists")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("-j", "--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    versions = args.versions or json.loads(FACTS_FILE.read_text())["versions"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        raws = list(pool.map(probe_version, versions))
    doc = compile_facts(raws)
    out = pathlib.Path(args.out)
    out.write_text(json.dumps(doc, indent=None, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"wrote {out}: {len(doc['classes'])} classes, {len(versions)} releases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
