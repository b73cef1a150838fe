"""KL302 on real Keras: the keyword its message says reload fails on is the one real Keras names, a class
it leaves alone reloads, and the keywords it lists as lost are exactly the ones construction ignores.

Keras 3 releases run through kerasenv; Keras 2 is tf_keras (kerasenv.TF_KERAS) on TensorFlow, where the
rule's Keras 2 structure is witnessed rather than probed (rules/config_init.py).
"""

import re

import pytest
from harness import run, run_tf_keras
from helpers import option_target

from flake8_keras_layers.engine.driver import analyze
from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version

LATEST = format_version(knowledge.default().versions[-1])
VERSIONS = ["3.0.0", "3.9.2", "3.12.0", LATEST]

GET_CONFIG = "\n    def get_config(self):\n        return {**super().get_config(), 'factor': self.factor}\n"


def layer(params: str, forward: str, get_config: str = GET_CONFIG, decorator: str = "") -> str:
    return (f"import keras\n\n{decorator}\nclass Scale(keras.layers.Layer):\n"
            f"    def __init__(self, {params}):\n        super().__init__({forward})\n"
            f"        self.factor = factor\n{get_config}")


def stack(params: str, forward: str) -> str:
    return (f"import keras\n\n\nclass Stack(keras.Sequential):\n    def __init__(self, {params}):\n"
            f"        super().__init__({forward})\n\n    def get_config(self):\n        return super().get_config()\n")


REGISTERED = "@keras.utils.register_keras_serializable(package='witness302')"
RELOAD = """
import re
made = MAKE
if isinstance(made, keras.Sequential):
    made.add(keras.layers.Dense(2))
    made.build((None, 3))
try:
    type(made).from_config(made.get_config())
    failed = None
except TypeError as exc:
    found = re.search(r"unexpected keyword argument '(\\w+)'", str(exc))
    failed = found.group(1) if found else "other: " + str(exc)[:200]
observed = {"reload_fails_on": failed}
"""
KWARGS = """
made = Scale(2.0, name="custom", trainable=False, dtype="float16")
policy = getattr(made, "dtype_policy", None)
kept = {"name": made.name == "custom", "trainable": made.trainable is False,
        "dtype": getattr(policy, "name", None) == "float16"}
observed = {"lost": [key for key, ok in kept.items() if not ok]}
"""

# name -> (source, driver)
CASES = {
    "no **kwargs": (layer("factor=2.0", ""), RELOAD.replace("MAKE", "Scale(3.0)")),
    "no **kwargs, name taken": (layer("factor=2.0, name=None", "name=name"), RELOAD.replace("MAKE", "Scale(3.0)")),
    "automatic config": (layer("factor=2.0", "", "", REGISTERED), RELOAD.replace("MAKE", "Scale(3.0)")),
    "automatic config, name taken": (layer("factor=2.0, name=None", "name=name", "", REGISTERED),
                                     RELOAD.replace("MAKE", "Scale(3.0)")),
    "Sequential taking name": (stack("layers=None, name=None", "layers, name=name"),
                               RELOAD.replace("MAKE", "Stack()")),
    "Sequential without name": (stack("layers=None", "layers"), RELOAD.replace("MAKE", "Stack()")),
    "swallowed": (layer("factor=2.0, **kwargs", ""), KWARGS),
    "swallowed, name and dtype handed on": (layer("factor=2.0, name=None, dtype=None, **kwargs",
                                                  "name=name, dtype=dtype"), KWARGS),
    "good": (layer("factor=2.0, **kwargs", "**kwargs"), RELOAD.replace("MAKE", "Scale(3.0)")),
}


def claim(source: str, path, version: str | None) -> dict:
    """What KL302 says about ``source`` for the target ``version``: the reload keyword, or the lost keys."""
    target = option_target(version)
    path.write_text(source)
    found = [d for d in analyze(source, str(path), target, knowledge.default()) if d.code == "KL302"]
    if not found:
        return {}
    (message,) = [d.message for d in found]
    assert len(message) <= 200, message
    fails_on = re.search(r"unexpected keyword argument '(\w+)'\" \(Keras ([^)]*)\)", message)
    if fails_on:
        return {"reload_fails_on": fails_on.group(1), "releases": fails_on.group(2)}
    lost = re.search(r": ([\w ,]+?) (?:is|are) silently ignored", message)
    assert lost, message
    return {"lost": re.split(r", | and ", lost.group(1))}


def check(name: str, outcome: dict, said: dict) -> None:
    assert outcome["ok"], (name, outcome)
    if "lost" in outcome:
        assert said.get("lost", []) == outcome["lost"], (name, outcome, said)
    else:
        assert said.get("reload_fails_on") == outcome["reload_fails_on"], (name, outcome, said)


@pytest.mark.parametrize("version", VERSIONS)
def test_keras3_reload_fails_on_the_keyword_reported(version, tmp_path):
    outcomes = run(version, CASES)
    for name, (source, _driver) in CASES.items():
        said = claim(source, tmp_path / "m.py", version)
        check(name, outcomes[name], said)
        if "reload_fails_on" in said:
            assert said["releases"] == version, (name, said)


# Keras 2: a Sequential or Model subclass is never reported (a subclassed Model's base config is empty),
# so the Sequential without name, which does fail there, is left out: silence is not a claim.
KERAS2 = [name for name in CASES if name != "Sequential without name"]


def test_keras2_reload_fails_on_the_keyword_reported(tmp_path):
    sources = {name: (CASES[name][0].replace("import keras", "import tf_keras as keras"), CASES[name][1])
               for name in KERAS2}
    outcomes = run_tf_keras(sources)
    for name, (source, _driver) in sources.items():
        check(name, outcomes[name], claim(source, tmp_path / "m.py", None))
    # The automatic config keeps only what __init__ takes: what makes KL302 silent for it under Keras 2.
    assert outcomes["automatic config"]["reload_fails_on"] is None
    assert outcomes["no **kwargs"]["reload_fails_on"] == "name"
