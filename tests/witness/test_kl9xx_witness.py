"""KL901 and KL902 on real Keras.

KL902: a saved Lambda holding a Python lambda is refused by load_model; a registered named function loads.
KL901 needs TensorFlow next to Keras 3 and JAX: tools/kerasenv.py installs the pinned set of
tools/tensorflow-deps.txt into its cache once (``KL_TF_PYTHON`` may name a Python that has them instead).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docs_examples import example
from harness import kerasenv, run
from helpers import lint

from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version

LATEST = format_version(knowledge.default().versions[-1])

KL902_DRIVER = """
import os, tempfile
path = os.path.join(tempfile.mkdtemp(), "model.keras")
model.save(path)
keras.models.load_model(path)
"""


@pytest.mark.parametrize("version", ["3.0.0", "3.9.2", "3.10.0", LATEST])
def test_python_lambda_is_refused_on_load(version, tmp_path):
    assert "KL902" in {c.split(":")[1] for c in lint(example("KL902", "bad").source, tmp_path / "b.py", version)}
    assert lint(example("KL902", "good").source, tmp_path / "g.py", version) == []
    outcomes = run(version, {"bad": (example("KL902", "bad").source, KL902_DRIVER),
                             "good": (example("KL902", "good").source, KL902_DRIVER)})
    assert outcomes["good"] == {"ok": True}
    bad = outcomes["bad"]
    assert bad["ok"] is False and bad["error"] == "ValueError", bad
    assert "lambda" in bad["message"] and "safe_mode=False" in bad["message"], bad


KL901_RUNNER = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
import numpy as np
import keras
out = {"keras": keras.__version__, "backend": keras.backend.backend()}
for kind, source in json.loads(sys.argv[1]).items():
    ns = {}
    try:
        exec(source, ns)
        inputs = keras.Input((8,))
        model = keras.Model(inputs, ns["RMSNorm"]()(inputs))
        model(np.ones((2, 8), "float32"))
        out[kind] = {"ok": True}
    except Exception as exc:
        out[kind] = {"ok": False, "error": type(exc).__name__, "message": str(exc)[:300]}
print("WITNESS" + json.dumps(out))
"""


def _run_tf_python(backend: str) -> dict:
    sources = {kind: example("KL901", kind).source for kind in ("bad", "good")}
    sources["guarded"] = example("KL901", "good", "guarded").source
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", JAX_PLATFORMS="cpu",
               CUDA_VISIBLE_DEVICES="")
    env.pop("PYTHONPATH", None)
    python = os.environ.get("KL_TF_PYTHON")
    if python is None:
        python = sys.executable
        env["PYTHONPATH"] = str(kerasenv.ensure_tensorflow())
        env["PYTHONNOUSERSITE"] = "1"
    proc = subprocess.run([python, "-c", KL901_RUNNER, json.dumps(sources)], capture_output=True, text=True,
                          env=env, timeout=600, cwd=str(Path(sys.prefix)))
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WITNESS")), None)
    assert line is not None, proc.stderr[-3000:]
    return json.loads(line[len("WITNESS"):])


def test_tf_ops_break_under_jax_and_work_under_tensorflow():
    jax = _run_tf_python("jax")
    assert jax["backend"] == "jax"
    assert jax["good"] == {"ok": True}
    assert jax["guarded"] == {"ok": True}  # the keras.ops branch runs under JAX
    assert jax["bad"]["ok"] is False, jax  # TensorFlow cannot take the JAX tracers of the symbolic build
    tensorflow = _run_tf_python("tensorflow")
    # Why the rule is opt-in: on the TensorFlow backend the same layer works, symbolic build included.
    assert tensorflow["bad"] == {"ok": True} and tensorflow["good"] == {"ok": True}, tensorflow
    assert tensorflow["guarded"] == {"ok": True}, tensorflow
