"""KL108 and KL109 on real Keras: each case misbehaves exactly where the plugin reports it.

KL108: after construction, does the attribute the class set before ``super().__init__()`` still hold
the class's value (a sub-layer: is it still tracked)?  KL109: does ``model(x)``, without ``training``,
run a BatchNormalization and a Dropout called after the layer in training mode?
"""

import functools
import textwrap

import pytest
from docs_examples import example
from harness import run
from helpers import lint

from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version, parse

LATEST = format_version(knowledge.default().versions[-1])
VERSIONS = sorted({"3.0.5", "3.5.0", "3.8.0", "3.10.0", LATEST}, key=parse)


def _layer(init: str, extra: str = "", base: str = "keras.layers.Layer") -> str:
    body = textwrap.indent(textwrap.dedent(init).strip() + "\n", " " * 8)
    return f"import keras\n\n\nclass Net({base}):\n    def __init__(self, **kwargs):\n{body}{extra}"


def _kept(attr: str, value: str) -> str:
    """Driver: the attribute reads back the class's own value; and does a Masking mask pass the layer?"""
    return (f"layer = Net()\nobserved = {{'kept': layer.{attr} == {value}, 'value': repr(layer.{attr})}}\n"
            "try:\n"
            "    out = Net()(keras.layers.Masking()(keras.Input((4, 3))))\n"
            "    observed['mask_passes'] = getattr(out, '_keras_mask', None) is not None\n"
            "except Exception:\n"
            "    observed['mask_passes'] = None\n")


TRACKED = ("layer = Net()\nlayer(np.ones((2, 3), 'float32'))\n"
           "observed = {'kept': len(layer.weights) == 2, 'value': len(layer.weights)}\n")
IDENTITY = "\n    def call(self, x):\n        return x\n"
BUILD = ("\n    def build(self, input_shape):\n        self.w = self.add_weight(shape=(input_shape[-1],))\n"
         "\n    def call(self, x):\n        return x * self.w\n")
BUILT = ("layer = Net()\nlayer(np.ones((2, 3), 'float32'))\n"
         "observed = {'kept': hasattr(layer, 'w'), 'value': len(layer.weights)}\n")
HELPER = "\n    def _configure(self):\n        self.supports_masking = True\n" + IDENTITY
COMPUTE_MASK = "\n    def compute_mask(self, inputs, mask=None):\n        return mask\n" + IDENTITY
CALL = "\n    def call(self, x):\n        return self.dense(x)\n"

KL108 = {
    "bad": (example("KL108", "bad").source.replace("MaskedScale", "Net"), _kept("supports_masking", "True")),
    "bad helper": (_layer("self._configure()\nsuper().__init__(**kwargs)", HELPER), _kept("supports_masking", "True")),
    "bad trainable": (_layer("self.trainable = False\nsuper().__init__(**kwargs)"), _kept("trainable", "False")),
    "bad Dense use_bias": (_layer("self.use_bias = False\nsuper().__init__(units=2, **kwargs)",
                                  base="keras.layers.Dense"), _kept("use_bias", "False")),
    "bad private _supports_masking": (_layer("self._supports_masking = True\nsuper().__init__(**kwargs)", IDENTITY),
                                      _kept("supports_masking", "True")),
    "good": (example("KL108", "good").source.replace("MaskedScale", "Net"), _kept("supports_masking", "True")),
    "good units": (_layer("self.units = 3\nsuper().__init__(**kwargs)"), _kept("units", "3")),
    "good child layer": (_layer("self.dense = keras.layers.Dense(2)\nsuper().__init__(**kwargs)", CALL), TRACKED),
    "good compute_mask": (_layer("self.supports_masking = True\nsuper().__init__(**kwargs)", COMPUTE_MASK),
                          _kept("supports_masking", "True")),
    "good trainable passed on": (_layer("self.trainable = False\nsuper().__init__(trainable=False, **kwargs)"),
                                 _kept("trainable", "False")),
    # Layer.__init__ sets built back to False, so build() runs: neither KL108 nor KL102 speaks.
    "good built before super with build": (_layer("self.built = True\nsuper().__init__(**kwargs)", BUILD), BUILT),
}

# KL109: the page's layer first in a subclassed Model, then a BatchNormalization and a Dropout.
IN_MODEL = """
class Model(keras.Model):
    def __init__(self):
        super().__init__()
        self.first = RandomShift()
        self.norm = keras.layers.BatchNormalization()
        self.drop = keras.layers.Dropout(0.5)

    def call(self, x):
        return self.drop(self.norm(self.first(x)))

x = np.random.default_rng(0).uniform(1.0, 2.0, size=(4, 8)).astype("float32")
model = Model()
out = np.asarray(model(x))
mean = np.asarray(model.norm.moving_mean)
predicted = Model()
kept = np.asarray(predicted.predict(x, verbose=0))
observed = {"norm_trained": bool(np.any(mean != 0)), "dropped": int(np.sum(out == 0)),
            "predict_norm_trained": bool(np.any(np.asarray(predicted.norm.moving_mean) != 0)),
            "predict_dropped": int(np.sum(kept == 0))}
"""

KL109 = {"bad": (example("KL109", "bad").source, IN_MODEL), "good": (example("KL109", "good").source, IN_MODEL)}


MASKING = ("bad", "bad helper", "bad private _supports_masking", "good", "good compute_mask")


@functools.lru_cache(maxsize=None)
def outcomes(version: str) -> dict:
    cases = {f"KL108 {name}": case for name, case in KL108.items()}
    cases.update({f"KL109 {name}": case for name, case in KL109.items()})
    return run(version, cases)


def reported(code: str, source: str, version: str, tmp_path) -> bool:
    return code in {c.split(":")[1] for c in lint(source, tmp_path / "case.py", version)}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", sorted(KL108))
def test_kl108_value_lost_exactly_where_reported(case, version, tmp_path):
    outcome = outcomes(version)[f"KL108 {case}"]
    assert outcome["ok"], outcome
    assert reported("KL108", KL108[case][0], version, tmp_path) == (not outcome["kept"]), (case, version, outcome)
    assert case.startswith("bad") == (not outcome["kept"]), (case, version, outcome)
    if case == "good built before super with build":
        assert not reported("KL102", KL108[case][0], version, tmp_path)
    if case in MASKING:  # the symptom: a Masking mask stops at the layer exactly when the value is lost
        assert outcome["mask_passes"] is outcome["kept"], outcome


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", sorted(KL109))
def test_kl109_training_mode_exactly_where_reported(case, version, tmp_path):
    outcome = outcomes(version)[f"KL109 {case}"]
    assert outcome["ok"], outcome
    trains = outcome["norm_trained"] and outcome["dropped"] > 0
    assert reported("KL109", KL109[case][0], version, tmp_path) == trains, (case, version, outcome)
    assert trains == case.startswith("bad"), (case, version, outcome)
    assert not trains or outcome["dropped"] < 32, outcome  # Dropout(0.5) drops some, not all
    # predict() passes training=False explicitly: never affected
    assert not outcome["predict_norm_trained"] and outcome["predict_dropped"] == 0, outcome
