"""KL902 on real Keras: the loaders its message names (load_model of .keras and .h5 files, Lambda.from_config)
are exactly those that refuse a Python lambda in the targeted release, and the Lambda is named."""

import pytest
from harness import run
from helpers import option_target

from flake8_keras_layers.engine.driver import analyze
from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version
from flake8_keras_layers.rules import BY_CODE

LATEST = format_version(knowledge.default().versions[-1])
# Around each change: .h5 refused from 3.11.3, Lambda.from_config in 3.12.3-3.12.4 and from 3.15.0.
VERSIONS = ["3.0.0", "3.11.2", "3.11.3", "3.12.2", "3.12.3", "3.13.0", "3.15.0", LATEST]

SOURCE = """
import keras

inputs = keras.Input((4,))
layer = keras.layers.Lambda(lambda x: x * 2.0, name="double")
model = keras.Model(inputs, layer(inputs))
"""
LOAD = """
import os, tempfile
path = os.path.join(tempfile.mkdtemp(), "model.EXT")
model.save(path)
keras.models.load_model(path)
"""
CASES = {
    ".keras": (SOURCE, LOAD.replace("EXT", "keras")),
    ".h5": (SOURCE, LOAD.replace("EXT", "h5")),
    "from_config": (SOURCE, "keras.layers.Lambda.from_config(layer.get_config())\n"),
}


def message(version: str, tmp_path) -> str:
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    (found,) = analyze(SOURCE, str(path), option_target(version), knowledge.default(), rules=[BY_CODE["KL902"]])
    assert len(found.message) <= 200, found.message
    return found.message


@pytest.mark.parametrize("version", VERSIONS)
def test_names_exactly_the_loaders_that_refuse_it(version, tmp_path):
    outcomes = run(version, CASES)
    said = message(version, tmp_path)
    assert said.startswith("Lambda 'double' holds a Python lambda: "), said
    loaders = said.split(": ", 1)[1].split(" refuse")[0]
    for name, outcome in outcomes.items():
        if not outcome["ok"]:
            assert outcome["error"] == "ValueError" and "Python lambda" in outcome["message"], (name, outcome)
        assert (name in loaders) == (not outcome["ok"]), (name, version, outcome, said)
