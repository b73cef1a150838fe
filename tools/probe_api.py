#!/usr/bin/env python3
"""Measure which public Keras 2 names no Keras 3 release has: a file using one cannot run on Keras 3.

    python tools/probe_api.py [--versions 3.0.0 3.15.1 ...] [--out flake8_keras_layers/knowledge/data/keras2_api.json]
                              [-j 1]

First, in tf_keras (kerasenv.TF_KERAS, the Keras 2 the witnesses run, on
TensorFlow): every public dotted name reachable from ``tf_keras`` through its
public modules (``backend.placeholder``, ``layers.LocallyConnected1D``,
``optimizers.legacy.Adam``; no ``_`` names, no ``src``). Then, in each probed
Keras 3 release, whether each of those names resolves as user code would reach
it, per namespace: ``keras`` from ``import keras``, and ``tensorflow.keras``
from ``keras._tf_keras.keras`` (what TensorFlow 2.16+ loads for ``tf.keras``
when Keras 3 is installed: tensorflow/python/util/lazy_loader.py). A name
resolves when each part is an attribute of the previous object, or imports as
a submodule of the previous module (``from keras.x.y import z``).

Output (read by flake8_keras_layers/knowledge/keras2_api.py)::

    {"schema": 1, "generator": "tools/probe_api.py", "keras2": "tf_keras 2.21.0", "versions": [...],
     "absent": {"keras": ["backend.placeholder", "estimator", ...], "tensorflow.keras": [...]},
     "raises_on_call": {"keras": ["optimizers.legacy.Adam", ...], "tensorflow.keras": [...]}}

``absent``: public in tf_keras, resolving in no probed Keras 3 release; a name
is left out when a prefix of it is listed (``estimator`` covers
``estimator.model_to_estimator``). ``raises_on_call``: public in tf_keras, and
in every probed Keras 3 release either absent or a class whose construction
without arguments raises an ImportError saying it is "not supported in Keras 3"
(the ``optimizers.legacy`` stubs; an ImportError asking for TensorFlow is not
one): referring to it works, calling it does not. A name that fails to resolve
for another reason (a module needing TensorFlow on the probe's jax backend) is
not absent. Nothing is typed by hand.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys
import tempfile

TOOLS_DIR = pathlib.Path(__file__).resolve().parent
REPO_DIR = TOOLS_DIR.parent
DEFAULT_OUT = REPO_DIR / "flake8_keras_layers" / "knowledge" / "data" / "keras2_api.json"
FACTS_FILE = REPO_DIR / "flake8_keras_layers" / "knowledge" / "data" / "keras_facts.json"
sys.path.insert(0, str(TOOLS_DIR))
import kerasenv  # noqa: E402

# The Keras 3 module each user namespace reaches.
NAMESPACES = {"keras": "keras", "tensorflow.keras": "keras._tf_keras.keras"}
MAX_DEPTH = 5  # tf_keras' deepest public module is layers.experimental.preprocessing (3 levels)


# -- inside a subprocess ---------------------------------------------------------------------------------


def public_names(root, package: str) -> list[str]:
    """Every public dotted name under the module ``root``, through the public modules of ``package`` (breadth
    first, each module once: an alias path of a module already seen is not walked again)."""
    import types

    found: list[str] = []
    seen = {id(root)}
    queue = [(root, "")]
    while queue:
        module, prefix = queue.pop(0)
        for name in sorted(dir(module)):
            if name.startswith("_") or name == "src":
                continue
            try:
                value = getattr(module, name)
            except Exception:  # noqa: BLE001 - a lazy attribute that fails is not public API
                continue
            if isinstance(value, types.ModuleType):
                if not value.__name__.startswith(package + "."):
                    continue  # a third-party module a generated API module imported (np, tf)
                if id(value) not in seen and prefix.count(".") < MAX_DEPTH:
                    seen.add(id(value))
                    queue.append((value, f"{prefix}{name}."))
            elif type(value).__name__ == "_Feature":
                continue  # ``from __future__ import ...`` in an old generated module
            found.append(prefix + name)
    return found


class Absent(Exception):
    """A name that does not resolve: an attribute a module lacks, and no submodule of that name."""


def resolve(root_name: str, dotted: str):
    """The object ``root_name.dotted`` names, as an attribute chain or submodule imports; raises Absent when
    it does not resolve (anything else that goes wrong, e.g. a module that needs TensorFlow, is not Absent)."""
    import importlib
    import types

    obj = importlib.import_module(root_name)
    for part in dotted.split("."):
        try:
            obj = getattr(obj, part)
            continue
        except AttributeError:
            if not isinstance(obj, types.ModuleType):
                raise Absent(dotted)
        submodule = f"{obj.__name__}.{part}"
        try:
            obj = importlib.import_module(submodule)
        except ModuleNotFoundError as error:
            if error.name != submodule:
                raise
            raise Absent(dotted)
    return obj


# What Keras 3's stubs of removed Keras 2 classes raise (keras.src.optimizers.LegacyOptimizerWarning); an
# ImportError that only asks for TensorFlow (StringLookup on the jax backend) is not one.
STUB_MESSAGE = "not supported in Keras 3"


def raises_on_call(obj) -> bool:
    """``obj`` is a class whose construction raises Keras 3's ImportError for a removed Keras 2 API."""
    if not isinstance(obj, type):
        return False
    try:
        obj()
    except ImportError as error:
        return STUB_MESSAGE in str(error)
    except Exception:  # noqa: BLE001 - any other failure (missing arguments) says nothing
        return False
    return False


def _inner_keras2(out_path: str) -> None:
    import warnings

    warnings.filterwarnings("ignore")
    import tf_keras

    names = public_names(tf_keras, "tf_keras")
    pathlib.Path(out_path).write_text(json.dumps({"keras2": f"tf_keras {tf_keras.__version__}", "names": names}))


def _inner_keras3(candidates_path: str, out_path: str) -> None:
    import importlib
    import warnings

    warnings.filterwarnings("ignore")
    import keras

    candidates = json.loads(pathlib.Path(candidates_path).read_text())["names"]
    absent: dict[str, list[str]] = {}
    stubs: dict[str, list[str]] = {}
    for namespace, root_name in NAMESPACES.items():
        importlib.import_module(root_name)  # a root that cannot import would make every name "absent": fail
        absent[namespace], stubs[namespace] = [], []
        for name in candidates:
            try:
                obj = resolve(root_name, name)
            except Absent:
                absent[namespace].append(name)
                continue
            except Exception:  # noqa: BLE001 - unsure (it may need TensorFlow): not absent
                continue
            if raises_on_call(obj):
                stubs[namespace].append(name)
    pathlib.Path(out_path).write_text(json.dumps(
        {"keras_version": keras.__version__, "absent": absent, "raises_on_call": stubs}))


# -- the driver ------------------------------------------------------------------------------------------


def keras2_env() -> dict:
    """Environment for tf_keras on TensorFlow (as tests/witness/harness.run_tf_keras runs it)."""
    path = os.pathsep.join([str(kerasenv.ensure_tf_keras()), str(kerasenv.ensure_tensorflow())])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "KERAS_", "TF_"))}
    env.update({"PYTHONPATH": path, "PYTHONNOUSERSITE": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
                "CUDA_VISIBLE_DEVICES": ""})
    return env


def probe_keras2() -> dict:
    with tempfile.TemporaryDirectory(prefix="kl-probe-api-") as tmp:
        out = os.path.join(tmp, "keras2.json")
        code = f"import sys; sys.path.insert(0, {str(TOOLS_DIR)!r}); import probe_api; probe_api._inner_keras2({out!r})"
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=keras2_env(),
                              timeout=900, cwd=tmp)
        if proc.returncode != 0 or not os.path.exists(out):
            raise RuntimeError(f"tf_keras API probe failed:\n{proc.stderr[-4000:]}")
        return json.loads(pathlib.Path(out).read_text())


def probe_keras3(version: str, candidates: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="kl-probe-api-") as tmp:
        names = os.path.join(tmp, "names.json")
        pathlib.Path(names).write_text(json.dumps(candidates))
        return kerasenv.run_probe(version, "probe_api", f"_inner_keras3({names!r}, {{out}})")


def _without_covered(names: set[str]) -> list[str]:
    """``names`` less those a listed prefix already covers."""
    return sorted(n for n in names if not any(".".join(n.split(".")[:i]) in names for i in range(1, n.count(".") + 1)))


def compile_api(keras2: dict, raws: list[dict]) -> dict:
    raws = sorted(raws, key=lambda r: kerasenv.version_key(r["keras_version"]))
    candidates = set(keras2["names"])
    absent, stubs = {}, {}
    for namespace in NAMESPACES:
        gone = {n for n in candidates if all(n in r["absent"][namespace] for r in raws)}
        failing = {n for n in candidates - gone
                   if all(n in r["absent"][namespace] or n in r["raises_on_call"][namespace] for r in raws)}
        absent[namespace] = _without_covered(gone)
        stubs[namespace] = sorted(n for n in failing if not any(
            ".".join(n.split(".")[:i]) in gone for i in range(1, n.count(".") + 1)))
    return {"schema": 1, "generator": "tools/probe_api.py", "keras2": keras2["keras2"],
            "versions": [r["keras_version"] for r in raws], "absent": absent, "raises_on_call": stubs}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", nargs="*", help="default: the releases keras_facts.json lists")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("-j", "--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    versions = args.versions or json.loads(FACTS_FILE.read_text())["versions"]
    keras2 = probe_keras2()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        raws = list(pool.map(lambda v: probe_keras3(v, keras2), versions))
    doc = compile_api(keras2, raws)
    out = pathlib.Path(args.out)
    out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    counts = {ns: (len(doc["absent"][ns]), len(doc["raises_on_call"][ns])) for ns in NAMESPACES}
    print(f"wrote {out}: {len(keras2['names'])} {keras2['keras2']} names; absent, raises on call: {counts}; "
          f"{len(versions)} releases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
