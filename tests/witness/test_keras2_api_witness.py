"""The Keras 2 only names (knowledge/data/keras2_api.json) on real Keras: on the oldest and the newest probed
Keras 3 release a sample of them fails to resolve, by attribute (AttributeError) and by import (ImportError),
and the ``raises_on_call`` ones raise ImportError when constructed; on tf_keras every one of them exists. The
newest release runs twice: alone (``tf.keras`` is ``keras._tf_keras.keras``, what TensorFlow loads for it) and
under real TensorFlow (tools/tensorflow-deps.txt). Names
Keras 3 keeps (the controls) resolve there, so the check can tell."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

import pytest
from harness import TOOLS, kerasenv

from flake8_keras_layers.knowledge import facts as knowledge, keras2_api
from flake8_keras_layers.knowledge.versions import format_version

sys.path.insert(0, str(TOOLS))
import probe_api  # noqa: E402

OLDEST, NEWEST = (format_version(v) for v in (knowledge.default().versions[0], knowledge.default().versions[-1]))
API = keras2_api.default()
# The names real code was seen using, then every 8th listed one.
SEEN = {"keras": ["backend.placeholder", "backend.function", "backend.conv2d", "layers.LocallyConnected1D"],
        "tensorflow.keras": ["backend.placeholder", "backend.function", "backend.learning_phase",
                             "layers.LocallyConnected1D", "layers.AbstractRNNCell", "estimator"]}
SAMPLE = {ns: sorted(set(SEEN[ns]) | set(sorted(API.absent[ns])[::8])) for ns in SEEN}
STUBS = {ns: sorted(API.raises_on_call[ns]) for ns in SEEN}
CONTROLS = {"keras": ["backend.floatx", "layers.Dense", "optimizers.Adam"],
            "tensorflow.keras": ["backend.conv2d", "backend.bias_add", "layers.Dense"]}

# Each name three ways: attributes from the root, ``from root.module import leaf``, and a call without
# arguments for the stubs. ROOT is imported as the user's namespace reaches it.
_RUNNER = r'''
import importlib, json, sys, warnings
warnings.simplefilter("ignore")
spec = json.loads(sys.argv[1] if len(sys.argv) > 1 else SPEC)
root = importlib.import_module(spec["import"])
for part in spec["attrs"]:
    root = getattr(root, part)
def outcome(thunk):
    try:
        thunk()
    except Exception as exc:
        return type(exc).__name__ if not isinstance(exc, ImportError) else "ImportError"
    return "ok"
def attributes(name):
    obj = root
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj
def imported(name):
    module, _, leaf = name.rpartition(".")
    exec(f"from {spec['module'] + ('.' + module if module else '')} import {leaf}", {})
results = {name: {"attribute": outcome(lambda: attributes(name)), "import": outcome(lambda: imported(name))}
           for name in spec["names"]}
for name in spec["stubs"]:
    results[name] = {"attribute": outcome(lambda: attributes(name)), "call": outcome(lambda: attributes(name)())}
print("WITNESS" + json.dumps(results))
'''


def spec(namespace: str, how: str, names: list[str], stubs: list[str]) -> dict:
    """``how``: "keras3" (Keras 3 alone: tf.keras is keras._tf_keras.keras, what TensorFlow loads), "tensorflow"
    (real TensorFlow and its Keras 3) or "tf_keras" (Keras 2)."""
    if how == "tf_keras":
        return {"import": "tf_keras", "attrs": [], "module": "tf_keras", "names": names, "stubs": stubs}
    if namespace == "keras":
        return {"import": "keras", "attrs": [], "module": "keras", "names": names, "stubs": stubs}
    if how == "tensorflow":
        return {"import": "tensorflow", "attrs": ["keras"], "module": "tensorflow.keras", "names": names,
                "stubs": stubs}
    return {"import": "keras._tf_keras.keras", "attrs": [], "module": "keras._tf_keras.keras", "names": names,
            "stubs": stubs}


def _parse(proc: subprocess.CompletedProcess) -> dict:
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WITNESS")), None)
    if line is None:
        raise RuntimeError(f"witness run failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    return json.loads(line[len("WITNESS"):])


def run(version: str, how: str, payload: dict) -> dict:
    code = f"SPEC = {json.dumps(json.dumps(payload))}\n" + _RUNNER
    if how == "keras3":
        return _parse(kerasenv.run_keras(version, code, timeout=600))
    if how == "tf_keras":
        env = probe_api.keras2_env()
    else:
        env = dict(probe_api.keras2_env(), PYTHONPATH=str(kerasenv.ensure_tensorflow()))
    return _parse(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                 timeout=900, cwd=str(os.path.dirname(sys.prefix))))


@functools.lru_cache(maxsize=None)
def outcomes(version: str, how: str, namespace: str) -> dict:
    names = SAMPLE[namespace] + CONTROLS[namespace]
    return run(version, how, spec(namespace, how, names, STUBS[namespace]))


def tensorflow_keras_version() -> str:
    code = "import keras; print(keras.__version__)"
    env = dict(probe_api.keras2_env(), PYTHONPATH=str(kerasenv.ensure_tensorflow()))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=600).stdout.strip()


KERAS3_RUNS = [(OLDEST, "keras3"), (NEWEST, "keras3"), (NEWEST, "tensorflow")]


@pytest.mark.parametrize("namespace", sorted(SEEN))
@pytest.mark.parametrize("version,how", KERAS3_RUNS, ids=lambda v: str(v))
def test_listed_names_fail_on_keras3(version, how, namespace):
    if how == "tensorflow":
        assert tensorflow_keras_version() == NEWEST, "tools/tensorflow-deps.txt no longer pins the newest Keras"
    found = outcomes(version, how, namespace)
    for name in SAMPLE[namespace]:
        assert found[name] == {"attribute": "AttributeError", "import": "ImportError"}, (name, found[name])
    for name in STUBS[namespace]:
        assert found[name]["call"] == "ImportError", (name, found[name])
    for name in CONTROLS[namespace]:
        assert found[name] == {"attribute": "ok", "import": "ok"}, (name, found[name])


@pytest.mark.parametrize("namespace", sorted(SEEN))
def test_listed_names_exist_in_tf_keras(namespace):
    found = outcomes("tf_keras", "tf_keras", namespace)
    for name in SAMPLE[namespace] + CONTROLS[namespace]:
        assert found[name]["attribute"] == "ok", (name, found[name])
    for name in STUBS[namespace]:  # a Keras 2 class (Optimizer, the abstract base, needs arguments)
        assert found[name]["attribute"] == "ok", (name, found[name])
