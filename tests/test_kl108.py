"""KL108 attribute-reset-by-super-init, as cases: source in, ``line:code`` out."""

from dataclasses import replace

import pytest
from helpers import Case, messages, run_case

from flake8_keras_layers.rules.lifecycle import AttributeResetBySuperInit


def layer(init_body: str, header: str = "import keras", base: str = "keras.layers.Layer", extra: str = "") -> str:
    """A layer whose __init__ body is given (``def __init__`` is line 4, its body starts on line 5)."""
    body = "".join(f"        {line}\n" for line in init_body.strip().splitlines())
    return f"{header}\n\nclass Net({base}):\n    def __init__(self, units=4, **kwargs):\n{body}{extra}"


EARLY = "self.supports_masking = True\nsuper().__init__(**kwargs)"

CASES = [
    # The reproduction: the value reads back False after construction.
    Case("seed: supports_masking before super().__init__()", layer(EARLY), ["5:KL108"]),
    Case("a Model", layer(EARLY, base="keras.Model"), ["5:KL108"]),
    Case("tf.keras is Keras 3 here", layer(EARLY, header="from tensorflow import keras"), ["5:KL108"]),
    Case("super(Net, self).__init__()", layer("self.supports_masking = True\nsuper(Net, self).__init__()"),
         ["5:KL108"]),
    Case("Base.__init__(self)", layer("self.supports_masking = True\nkeras.layers.Layer.__init__(self)"),
         ["5:KL108"]),
    Case("an argument of Layer.__init__: trainable", layer("self.trainable = False\nsuper().__init__(**kwargs)"),
         ["5:KL108"]),
    Case("built", layer("self.built = True\nsuper().__init__(**kwargs)"), ["5:KL108"]),
    Case("input_spec", layer("self.input_spec = keras.layers.InputSpec(ndim=2)\nsuper().__init__(**kwargs)"),
         ["5:KL108"]),
    Case("the private attribute behind a property",
         layer("self._supports_masking = True\nsuper().__init__(**kwargs)"), ["5:KL108"]),
    Case("a Dense argument not passed on", layer("self.use_bias = False\nsuper().__init__(units=units, **kwargs)",
                                                 base="keras.layers.Dense"), ["5:KL108"]),
    Case(
        "in a helper called before super().__init__()",
        layer("self._configure()\nsuper().__init__(**kwargs)",
              extra="\n    def _configure(self):\n        self.supports_masking = True\n"),
        ["9:KL108"],
    ),
    Case(
        "in a helper two calls deep",
        layer("self._a()\nsuper().__init__(**kwargs)",
              extra="\n    def _a(self):\n        self._b()\n\n    def _b(self):\n        self.supports_masking = True\n"),
        ["12:KL108"],
    ),
    Case(
        "a project base that passes the call on to Keras",
        """
        import keras

        class Base(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

        class Child(Base):
            def __init__(self, **kwargs):
                self.supports_masking = True
                super().__init__(**kwargs)
        """,
        ["10:KL108"],
    ),
]

# Silent: nothing Keras replaces, or nothing lost.
CASES += [
    Case("an attribute Layer.__init__ does not touch", layer("self.units = units\nsuper().__init__(**kwargs)"), []),
    Case("a child layer assigned early is still tracked",
         layer("self.dense = keras.layers.Dense(units)\nsuper().__init__(**kwargs)"), []),
    Case("after super().__init__()", layer("super().__init__(**kwargs)\nself.supports_masking = True"), []),
    Case("assigned again after super().__init__()",
         layer("self.supports_masking = True\nsuper().__init__(**kwargs)\nself.supports_masking = True"), []),
    Case("the value Keras gives it anyway", layer("self.supports_masking = False\nsuper().__init__(**kwargs)"), []),
    Case("built = False before", layer("self.built = False\nsuper().__init__(**kwargs)"), []),
    Case("built = True before, with build(): a dead line, moved after it would stop build() (KL102)",
         layer("self.built = True\nsuper().__init__(**kwargs)",
               extra="\n    def build(self, input_shape):\n        self.w = self.add_weight(shape=(3,))\n"), []),
    Case("the argument is passed on",
         layer("self.trainable = False\nsuper().__init__(trainable=False, **kwargs)"), []),
    Case("name passed on", layer("self.name = 'net'\nsuper().__init__(name='net')"), []),
    Case("a required argument of the base (Dense units)",
         layer("self.units = units\nsuper().__init__(units=units, **kwargs)", base="keras.layers.Dense"), []),
    Case("arguments given by position may set it",
         layer("self.use_bias = False\nsuper().__init__(units, **kwargs)", base="keras.layers.Dense"), []),
    Case("compute_mask defined: Keras sets supports_masking True itself",
         layer(EARLY, extra="\n    def compute_mask(self, inputs, mask=None):\n        return mask\n"), []),
    Case("a class attribute of its own", layer(EARLY, extra="\n    supports_masking = True\n"), []),
    Case("only annotated", layer("self.supports_masking: bool\nsuper().__init__(**kwargs)"), []),
    Case("no super().__init__() at all (KL107)", layer("self.supports_masking = True"), []),
    Case("tf_keras (Keras 2, not probed)", layer(EARLY, header="import tf_keras as keras"), []),
    Case("a Keras 2 target", layer(EARLY), [], keras_version="2.15"),
    Case(
        "a project base that never reaches Keras' __init__",
        """
        import keras

        class Base(keras.layers.Layer):
            def __init__(self, **kwargs):
                self.ready = True

        class Child(Base):
            def __init__(self, **kwargs):
                self.supports_masking = True
                super().__init__(**kwargs)
        """,
        [],
    ),
    Case(
        "a project base that sets it again after Keras' __init__",
        """
        import keras

        class Base(keras.layers.Layer):
            def __init__(self, masking=True, **kwargs):
                super().__init__(**kwargs)
                self.supports_masking = masking

        class Child(Base):
            def __init__(self, **kwargs):
                self.supports_masking = True
                super().__init__(**kwargs)
        """,
        [],
    ),
    Case(
        "a functional Model subclass: Functional's __init__ runs (not probed)",
        """
        import keras

        class Backbone(keras.Model):
            def __init__(self, **kwargs):
                self.supports_masking = True
                inputs = keras.Input((3,))
                outputs = keras.layers.Dense(2)(inputs)
                super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        """,
        [],
    ),
    Case(
        "a functional Model subclass, inputs and outputs by position",
        """
        import keras

        class Backbone(keras.Model):
            def __init__(self, **kwargs):
                self.supports_masking = True
                inputs = keras.Input((3,))
                super().__init__(inputs, keras.layers.Dense(2)(inputs), **kwargs)
        """,
        [],
    ),
    Case(
        "a plain class",
        """
        class Helper:
            def __init__(self):
                self.supports_masking = True
                super().__init__()
        """,
        [],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl108(case, tmp_path):
    assert run_case(replace(case, codes=("KL108",)), tmp_path) == case.expected


MESSAGES = {
    "seed: supports_masking before super().__init__()": "self.supports_masking set before super().__init__() is "
    "reset to False by Layer (Keras 3.0-3.15.1); set it after",
    "an argument of Layer.__init__: trainable": "self.trainable set before super().__init__() is reset from "
    "trainable= (default True) by Layer (Keras 3.0-3.15.1); pass it to that call",
    "input_spec": "self.input_spec set before super().__init__() is reset to None by Layer (Keras 3.0-3.15.1)",
    "a Dense argument not passed on": "self.use_bias set before super().__init__() is reset from use_bias= "
    "(default True) by Dense (Keras 3.0-3.15.1)",
    "in a helper called before super().__init__()": "self.supports_masking set in self._configure() before "
    "super().__init__() is reset to False by Layer (Keras 3.0-3.15.1); set it after",
    "a Model": "self.supports_masking set before super().__init__() is reset to False by Model (Keras 3.0-3.15.1)",
}


@pytest.mark.parametrize("version", [None, "3.15.1"])
@pytest.mark.parametrize("case", [c for c in CASES if c.id in MESSAGES], ids=str)
def test_kl108_message(case, version, tmp_path):
    """The attribute, the value it ends up with, the releases and the fix, within one editor line."""
    (message,) = messages(case, "KL108", tmp_path, version)
    expected = MESSAGES[case.id] if version is None else MESSAGES[case.id].replace("3.0-3.15.1", "3.15.1")
    assert message.startswith(expected), message
    assert message.endswith("(no Keras version declared)" if version is None else "(--keras-version 3.15.1)")
    assert len(message) <= AttributeResetBySuperInit.message_budget(), len(message)


def test_kl108_message_shortens_to_fit(tmp_path):
    """A long base and helper name: the helper, the long fix, then the default are left out."""
    source = layer("self._set_up()\nsuper().__init__(**kwargs)", base="keras.layers.MultiHeadAttention",
                   extra="\n    def _set_up(self):\n        self.trainable = False\n")
    (message,) = messages(Case("long", source, []), "KL108", tmp_path)
    assert message.startswith("self.trainable set before super().__init__() is reset from trainable= "
                              "by MultiHeadAttention (Keras 3.0-3.15.1); pass it to that call"), message
    assert len(message) <= AttributeResetBySuperInit.message_budget(), message
