"""KL102 built-set-before-build, as cases: source in, ``line:code`` out."""

from dataclasses import replace

import pytest
from helpers import Case, run_case

SEED = """
    import keras

    class Scale(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.built = True

        def build(self, input_shape):
            self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

        def call(self, x):
            return x * self.scale
"""

EARLY = SEED.replace("            super().__init__(**kwargs)\n            self.built = True\n",
                     "            self.built = True\n            super().__init__(**kwargs)\n")

CASES = [
    Case("seed: built set in __init__ of a layer with build()", SEED, ["7:KL102"]),
    # Keras 3's Layer.__init__ sets it back to False (probed: init_resets.built=False): build() runs.
    Case("set before super().__init__(), which resets it", EARLY, []),
    Case("set before super().__init__(), Keras 2 (not probed)", EARLY, ["6:KL102"], keras_version="2.15"),
    Case("every version: a Keras 2 target too", SEED, ["7:KL102"], keras_version="2.15"),
    Case(
        "tf_keras (Keras 2)",
        """
        import tf_keras

        class Scale(tf_keras.layers.Layer):
            def __init__(self):
                super().__init__()
                if True:
                    self.built = True

            def build(self, input_shape):
                pass
        """,
        ["8:KL102"],
    ),
    Case(
        "another method that runs before the first call",
        """
        from keras import layers

        class Scale(layers.Layer):
            def __init__(self):
                super().__init__()
                self._setup()

            def _setup(self):
                self.built = True

            def build(self, input_shape):
                pass
        """,
        ["10:KL102"],
    ),
    Case(
        "`self.built = True` at the end of build() is the tf.keras idiom",
        """
        import keras

        class Scale(keras.layers.Layer):
            def build(self, input_shape):
                self.scale = self.add_weight(shape=(1,))
                self.built = True
        """,
        [],
    ),
    Case(
        "set in a helper that build() calls",
        """
        import keras

        class Scale(keras.layers.Layer):
            def build(self, input_shape):
                self._make(input_shape)

            def _make(self, input_shape):
                self.scale = self.add_weight(shape=(1,))
                self.built = True
        """,
        [],
    ),
    Case(
        "__init__ builds explicitly before marking the layer built",
        """
        import keras

        class Scale(keras.layers.Layer):
            def __init__(self, dim):
                super().__init__()
                self.build((None, dim))
                self.built = True

            def build(self, input_shape):
                self.scale = self.add_weight(shape=(input_shape[-1],))
        """,
        [],
    ),
    Case(
        "set in call(), which only runs after build()",
        """
        import keras

        class Scale(keras.layers.Layer):
            def build(self, input_shape):
                pass

            def call(self, x):
                self.built = True
                return x
        """,
        [],
    ),
    Case(
        "no build(): a layer whose state is made in __init__ may mark itself built",
        """
        import keras

        class Scale(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.scale = self.add_weight(shape=(1,))
                self.built = True
        """,
        [],
    ),
    Case(
        "`self.built = False` is the KL101 fix, not this bug",
        """
        import keras

        class P(keras.layers.MaxPooling2D):
            def __init__(self):
                super().__init__()
                self.built = False

            def build(self, input_shape):
                pass
        """,
        [],
    ),
    Case(
        "a plain class is not a layer",
        """
        class Helper:
            def __init__(self):
                self.built = True

            def build(self, input_shape):
                pass
        """,
        [],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl102(case, tmp_path):
    assert run_case(replace(case, codes=("KL102",)), tmp_path) == case.expected
