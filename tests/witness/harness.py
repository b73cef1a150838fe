"""Run docs examples under real Keras releases (tools/kerasenv.py installs them side by side).

A witness runs each example's source, then a small driver that uses the
example the way a user would, in one subprocess per Keras release, and
returns what happened: ``{"ok": True}`` or the exception's type and message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[2] / "tools"
sys.path.insert(0, str(TOOLS))

import kerasenv  # noqa: E402

_RUNNER = r'''
import json, sys, traceback, warnings
warnings.simplefilter("ignore")
import numpy as np
import keras
results = {}
for name, (source, driver) in json.loads(sys.argv[1] if len(sys.argv) > 1 else CASES).items():
    namespace = {"np": np, "keras": keras}
    try:
        exec(compile(source, name, "exec"), namespace)
        exec(compile(driver, name + "-driver", "exec"), namespace)
        results[name] = {"ok": True, **namespace.get("observed", {})}
    except Exception as exc:
        results[name] = {"ok": False, "error": type(exc).__name__, "message": str(exc)[:500]}
print("WITNESS" + json.dumps({"keras": keras.__version__, "results": results}))
'''


def run(version: str, cases: dict[str, tuple[str, str]]) -> dict[str, dict]:
    """{case name: (example source, driver source)} -> {case name: outcome} under Keras ``version``."""
    code = f"CASES = {json.dumps(json.dumps(cases))}\n" + _RUNNER
    proc = kerasenv.run_keras(version, code, timeout=600)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WITNESS")), None)
    if line is None:
        raise RuntimeError(f"keras {version} witness run failed:\n{proc.stdout}\n{proc.stderr}")
    report = json.loads(line[len("WITNESS"):])
    assert report["keras"] == version
    return report["results"]


def run_tf_keras(cases: dict[str, tuple[str, str]]) -> dict[str, dict]:
    """``run`` under Keras 2: tf_keras (kerasenv.TF_KERAS) on TensorFlow, imported as ``keras`` by the cases."""
    path = os.pathsep.join([str(kerasenv.ensure_tf_keras()), str(kerasenv.ensure_tensorflow())])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "KERAS_", "TF_"))}
    env.update({"PYTHONPATH": path, "PYTHONNOUSERSITE": "1", "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""})
    runner = _RUNNER.replace("import keras\n", "import tf_keras as keras\n")
    code = f"CASES = {json.dumps(json.dumps(cases))}\n" + runner
    # A neutral cwd: a module in the caller's directory must not shadow TensorFlow's.
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=900,
                          cwd=str(Path(sys.prefix)))
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WITNESS")), None)
    if line is None:
        raise RuntimeError(f"tf_keras witness run failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    report = json.loads(line[len("WITNESS"):])
    assert report["keras"] == kerasenv.TF_KERAS
    return report["results"]


# KL101's examples with the drivers that use them as a user would: shared by the per-release
# witness and the target-range witness.
KL101_POOLING_DRIVER = """
layer = ScaledPooling()
out = layer(np.ones((1, 4, 4, 3), "float32"))
observed = {"build_ran": hasattr(layer, "scale")}
"""
KL101_RESHAPE_DRIVER = """
layer = ScaledReshape((12,))
out = layer(np.ones((1, 4, 3), "float32"))
observed = {"build_ran": hasattr(layer, "scale")}
"""


def kl101_cases() -> dict[str, tuple[str, str]]:
    from docs_examples import example  # noqa: PLC0415 - tests/ is on the path when a test imports this

    return {
        "bad": (example("KL101", "bad").source, KL101_POOLING_DRIVER),
        "good": (example("KL101", "good").source, KL101_POOLING_DRIVER),
        "bad reshape": (example("KL101", "bad", "reshape").source, KL101_RESHAPE_DRIVER),
    }
