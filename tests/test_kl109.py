"""KL109 training-default-true, as cases: source in, ``line:code`` out."""

from dataclasses import replace

import pytest
from helpers import Case, messages, run_case

from flake8_keras_layers.rules.training import TrainingDefaultTrue


def layer(signature: str, header: str = "import keras", base: str = "keras.layers.Layer", extra: str = "") -> str:
    """A layer whose call() signature is given (``def call`` is line 4)."""
    return f"{header}\n\nclass Noise({base}):\n    def call(self, {signature}):\n        return x\n{extra}"


CASES = [
    Case("seed: training=True", layer("x, training=True"), ["4:KL109"]),
    Case("a Model", layer("x, training=True", base="keras.Model"), ["4:KL109"]),
    Case("keyword-only", layer("x, *, training=True"), ["4:KL109"]),
    Case("another truthy constant", layer("x, training=1"), ["4:KL109"]),
    Case("tf.keras is Keras 3 here", layer("x, training=True", header="from tensorflow import keras"), ["4:KL109"]),
    Case("a targeted release", layer("x, training=True"), ["4:KL109"], keras_version="3.8.0"),
    Case(
        "a subclass of a project layer",
        """
        import keras

        class Base(keras.layers.Layer):
            pass

        class Noise(Base):
            def call(self, x, mask=None, training=True):
                return x
        """,
        ["8:KL109"],
    ),
    Case("training=None", layer("x, training=None"), []),
    Case("training=False", layer("x, training=False"), []),
    Case("training=0", layer("x, training=0"), []),
    Case("no default", layer("x, training"), []),
    Case("no training parameter", layer("x, mask=None"), []),
    Case("a default from a name", layer("x, training=TRAINING", extra="\nTRAINING = True\n"), []),
    Case("an own __call__ resolves it", layer("x, training=True", extra=(
        "\n    def __call__(self, x):\n        return self.call(x, training=False)\n")), []),
    Case("tf_keras (Keras 2, not probed)", layer("x, training=True", header="import tf_keras as keras"), []),
    Case("a Keras 2 target", layer("x, training=True"), [], keras_version="2.15"),
    Case(
        "a plain class",
        """
        class Noise:
            def call(self, x, training=True):
                return x
        """,
        [],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl109(case, tmp_path):
    assert run_case(replace(case, codes=("KL109",)), tmp_path) == case.expected


@pytest.mark.parametrize("version", [None, "3.8"])
def test_kl109_message(version, tmp_path):
    """The class, what happens, the releases and the fix, within one editor line."""
    (message,) = messages(CASES[0], "KL109", tmp_path, version)
    releases, note = ("3.0-3.15.1", "no Keras version declared") if version is None else ("3.8.0", "--keras-version 3.8")
    assert message == (f"Noise.call(training=True): model(x) runs later BatchNorm/Dropout in training mode "
                       f"(Keras {releases}); default to None ({note})")
    assert len(message) <= TrainingDefaultTrue.message_budget(), len(message)


def test_kl109_message_leaves_a_long_class_name_out(tmp_path):
    source = layer("x, training=True").replace("Noise", "RandomContrastBrightnessAndSaturationAugmentation")
    (message,) = messages(Case("long", source, []), "KL109", tmp_path)
    assert message.startswith("call(training=True): model(x) runs later"), message
    assert len(message) <= TrainingDefaultTrue.message_budget(), len(message)


def test_opt_in_off_by_default_on_with_extend_select(tmp_path):
    """Under 98% right on the ecosystem corpus: off unless selected."""
    from flake8_run import codes, flake8

    source = tmp_path / "noise.py"
    source.write_text(layer("x, training=True"))

    def kl(*args):
        return [c for c in codes(flake8("--isolated", *args, str(source))) if ":KL" in c]

    assert TrainingDefaultTrue.opt_in
    assert kl() == []
    assert kl("--extend-select=KL109") == ["noise.py:4:KL109"]
