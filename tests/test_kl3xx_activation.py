"""KL301 activation-layer-instance, as cases: source in, ``line:code`` out."""

import pytest
from helpers import Case, run_case

SEED = """
    from keras import layers, models

    model = models.Sequential([
        layers.Conv1D(32, 3, activation=layers.ReLU()),
        layers.Conv2D(32, 3, activation=layers.ReLU()),
    ])
"""


def dense(activation: str, header: str = "from keras import layers") -> str:
    """``layers.Dense(4, activation=<activation>)`` on the line after the header and a blank line."""
    return f"{header}\n\nlayer = layers.Dense(4, activation={activation})\n"


CASES = [
    Case("seed: Conv1D/Conv2D with activation=layers.ReLU(), any version", SEED, ["5:KL301", "6:KL301"]),
    Case("first affected release", SEED, ["5:KL301", "6:KL301"], keras_version="3.0.0"),
    Case("last affected release", SEED, ["5:KL301", "6:KL301"], keras_version="3.9.2"),
    Case("fixed in 3.10.0 (PR 21117)", SEED, [], keras_version="3.10.0"),
    Case("latest release", SEED, [], keras_version="3.15"),
    Case("Keras 2 target: not probed", SEED, [], keras_version="2.15"),
    Case("LeakyReLU with arguments", dense("layers.LeakyReLU(negative_slope=0.2)"), ["3:KL301"]),
    Case("Activation layer instance", dense("layers.Activation('gelu')"), ["3:KL301"]),
    Case(
        "name bound at module scope",
        "from keras import layers\n\nact = layers.LeakyReLU(0.2)\nlayer = layers.Dense(4, activation=act)\n",
        ["4:KL301"],
    ),
    Case(
        "name bound in function scope, functional model",
        """
        import keras
        from keras import layers

        def build(x):
            act = layers.ReLU(max_value=6.0)
            x = layers.Conv2D(8, 3, activation=act)(x)
            return keras.layers.Dense(2, activation=act)(x)
        """,
        ["7:KL301", "8:KL301"],
    ),
    Case(
        "inside a custom layer's __init__",
        """
        import keras

        class Block(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.conv = keras.layers.Conv2D(8, 3, activation=keras.layers.ReLU())
        """,
        ["7:KL301"],
    ),
    Case("tf.keras is Keras 3", dense("tf.keras.layers.ELU()", "import tensorflow as tf\nlayers = tf.keras.layers"),
         ["4:KL301"]),
    Case("aliased import", "from keras.layers import Dense as D, ReLU as R\n\nlayer = D(4, activation=R())\n",
         ["3:KL301"]),
    Case(
        "tf.keras aliases of Keras' own layers",
        "import tensorflow as tf\n\nlayer = tf.keras.layers.Dense(4, activation=tf.keras.layers.PReLU())\n",
        ["3:KL301"],
    ),
    Case(
        "project subclass that leaves config to Dense",
        """
        from keras import layers

        class MyDense(layers.Dense):
            def call(self, x):
                return super().call(x)

        layer = MyDense(4, activation=layers.ReLU())
        """,
        ["8:KL301"],
    ),
    # Nearest legitimate patterns: never reported.
    Case("string", dense("'relu'"), []),
    Case("None", dense("None"), []),
    Case("keras.activations function", dense("keras.activations.relu", "import keras\nfrom keras import layers"), []),
    Case("tf.nn function", dense("tf.nn.gelu", "import tensorflow as tf\nfrom keras import layers"), []),
    Case("activations.get(...)", dense("activations.get('relu')", "from keras import activations, layers"), []),
    Case("a function of the project", "from keras import layers\n\ndef act(x):\n    return x\n\n"
         "layer = layers.Dense(4, activation=act)\n", []),
    Case("a lambda", dense("lambda x: x"), []),
    Case("tf_keras (Keras 2) is not affected", dense("layers.ReLU()", "from tf_keras import layers"), []),
    Case(
        "project subclass with its own __init__ and get_config",
        """
        from keras import layers

        class MyDense(layers.Dense):
            def __init__(self, units, activation=None, **kwargs):
                super().__init__(units, activation=activation, **kwargs)

            def get_config(self):
                return super().get_config()

        layer = MyDense(4, activation=layers.ReLU())
        """,
        [],
    ),
    Case(
        "a function of the project that takes activation=",
        """
        from keras import layers

        def conv_block(filters, activation):
            return layers.Conv2D(filters, 3, activation=activation)

        block = conv_block(8, activation=layers.ReLU())
        """,
        [],
    ),
    Case(
        "a class of the project that only shares Keras' name",
        """
        from keras import layers

        class Dense:
            def __init__(self, units, activation=None):
                self.activation = activation

        layer = Dense(4, activation=layers.ReLU())
        """,
        [],
    ),
    Case("unknown value", dense("make_activation()"), []),
    Case(
        "a project layer instance round-trips (found through custom_objects)",
        """
        from keras import layers

        class Swish(layers.Layer):
            def call(self, x):
                return x

        class MyReLU(layers.ReLU):
            pass

        a = layers.Dense(4, activation=Swish())
        b = layers.Dense(4, activation=MyReLU())
        """,
        [],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl301(case, tmp_path):
    assert run_case(Case(case.id, case.source, case.expected, case.keras_version, case.files, ("KL301",)),
                    tmp_path) == case.expected
