"""KL301-KL305 on real Keras: each bad example fails to round-trip (or comes back changed) exactly where
the plugin reports it, and each good example round-trips.

One subprocess per release runs every case; a case's driver records what came back in ``observed``.
"""

import pytest
from docs_examples import example
from harness import run
from helpers import lint

from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version

LATEST = format_version(knowledge.default().versions[-1])

SAVE_AND_LOAD = """
import os, tempfile
path = os.path.join(tempfile.mkdtemp(), "model.keras")
model.save(path)
keras.models.load_model(path, custom_objects=CUSTOM)
"""
# The reason is deep in Keras' long message (the harness keeps 500 characters): keep it from there.
KL301_DRIVER = "CUSTOM = {}\ntry:\n" + "".join(f"    {line}\n" for line in SAVE_AND_LOAD.strip().splitlines()) + (
    "except Exception as exc:\n    text = str(exc)\n"
    "    raise type(exc)(text[max(text.find('Could not interpret'), 0):]) from None\n"
)
KL302_RELOAD = """
layer = Scale(3.0)
restored = Scale.from_config(layer.get_config())
"""
KL302_KWARGS = """
layer = Scale(3.0, name="scale", trainable=False)
restored = Scale.from_config(layer.get_config())
observed = {"kept": [layer.name, layer.trainable, restored.name, restored.trainable]}
"""
KL303_DRIVER = """
layer = Scale(2.0, offset=1.0)
restored = Scale.from_config(layer.get_config())
observed = {"offset": restored.offset}
"""
KL304_DRIVER = """
inputs = keras.Input((4,))
model = keras.Model(inputs, LAYER(inputs))
CUSTOM = {"Residual": globals().get("Residual"), "Mapped": globals().get("Mapped"), "double": globals().get("double")}
""" + SAVE_AND_LOAD
KL305_DRIVER = """
layer = Scale(3.0, name="scale", trainable=False)
restored = Scale.from_config(layer.get_config())
observed = {"kept": [restored.name, restored.trainable]}
"""
KEPT = ["scale", False, "scale", False]


def case(code, kind, driver, label="", prefix=""):
    return (code, example(code, kind, label).source, prefix + driver)


# Beyond the page (the probe measures ReLU): Keras' Activation layer fails too, while a layer of the
# project round-trips (it is found through custom_objects), so it is not reported.
KL301_ACTIVATION = """
import keras
from keras import layers

model = keras.Sequential([keras.Input((4,)), layers.Dense(4, activation=layers.Activation("gelu"))])
"""
KL301_PROJECT = """
import keras
from keras import layers


class Swish(layers.Layer):
    def call(self, x):
        return x * keras.ops.sigmoid(x)


model = keras.Sequential([keras.Input((4,)), layers.Dense(4, activation=Swish())])
"""

CASES = {
    "KL301 bad": case("KL301", "bad", KL301_DRIVER),
    "KL301 bad Activation": ("KL301", KL301_ACTIVATION, KL301_DRIVER),
    "KL301 good project layer": ("KL301", KL301_PROJECT,
                                 KL301_DRIVER.replace("CUSTOM = {}", 'CUSTOM = {"Swish": Swish}')),
    "KL301 good": case("KL301", "good", KL301_DRIVER),
    "KL302 bad": case("KL302", "bad", KL302_RELOAD),
    "KL302 bad swallowed": case("KL302", "bad", KL302_KWARGS, "swallowed"),
    "KL302 good": case("KL302", "good", KL302_RELOAD + KL302_KWARGS),
    "KL303 bad": case("KL303", "bad", KL303_DRIVER),
    "KL303 bad typo": case("KL303", "bad", KL303_DRIVER, "typo"),
    "KL303 good": case("KL303", "good", KL303_DRIVER),
    "KL304 bad": case("KL304", "bad", KL304_DRIVER, prefix="LAYER = block\n"),
    "KL304 bad default": case("KL304", "bad", KL304_DRIVER, "default", prefix="LAYER = Mapped()\n"),
    "KL304 good": case("KL304", "good", KL304_DRIVER, prefix="LAYER = block\n"),
    "KL305 bad": case("KL305", "bad", KL305_DRIVER),
    "KL305 good": case("KL305", "good", KL305_DRIVER),
}

# Where a bad example's failure is checked: (exception type(s), text in the message).
ERRORS = {
    "KL301 bad": (("TypeError", "ValueError"), "Could not interpret activation function identifier"),
    "KL301 bad Activation": (("TypeError", "ValueError"), "Could not interpret activation function identifier"),
    "KL302 bad": (("TypeError",), "unexpected keyword argument"),
    "KL303 bad typo": (("TypeError", "ValueError"), "Unrecognized keyword arguments"),
    # 3.0.0 raises ValueError while formatting its NotImplementedError message.
    "KL304 bad": (("NotImplementedError", "ValueError"), ""),
    "KL304 bad default": (("NotImplementedError", "ValueError"), ""),
}


def misbehaved(name: str, outcome: dict) -> bool:
    if not outcome["ok"]:
        return True
    if "kept" in outcome:
        return outcome["kept"] != KEPT[-len(outcome["kept"]):]
    if "offset" in outcome:
        return outcome["offset"] != 1.0
    return False


# The KL301 range (3.0.0 to 3.9.2) at both ends and after; the auto-config change (3.12.0); the latest.
VERSIONS = sorted({"3.0.0", "3.5.0", "3.9.2", "3.10.0", "3.11.3", "3.12.0", LATEST},
                  key=lambda v: tuple(map(int, v.split("."))))


@pytest.mark.parametrize("version", VERSIONS)
def test_round_trip_fails_exactly_where_reported(version, tmp_path):
    outcomes = run(version, {name: (source, driver) for name, (_, source, driver) in CASES.items()})
    for name, (code, source, _driver) in CASES.items():
        reported = code in {c.split(":")[1] for c in lint(source, tmp_path / "ex.py", version)}
        outcome = outcomes[name]
        assert reported == misbehaved(name, outcome), (name, version, outcome)
        if " good" in name:
            assert outcome["ok"], (name, version, outcome)
        if name in ERRORS and not outcome["ok"]:
            types, text = ERRORS[name]
            assert outcome["error"] in types and text in outcome["message"], (name, version, outcome)
