"""KL104 layer-created-in-call, as cases: source in, ``line:code`` out.

Which layers own weights is the probed ``owns_weights`` fact, not a list in the rule.
"""

from dataclasses import replace

import pytest
from helpers import Case, run_case


def layer(call_body: str, header: str = "import keras\nfrom keras import layers", extra: str = "",
          base: str = "keras.layers.Layer") -> str:
    """A layer whose call() body is given (``def call`` is line 5, its body starts on line 6)."""
    body = "".join(f"        {line}\n" for line in call_body.strip().splitlines())
    return f"{header}\n\nclass Net({base}):\n    def call(self, x):\n{body}{extra}"


CASES = [
    # Kept on self through a container (a lazily built list of heads): not fresh on every call.
    Case("appended to a list on self", layer("self.heads.append(layers.Dense(4))\nreturn self.heads[-1](x)"), []),
    Case("stored into a subscript of self", layer("self.heads[0] = layers.Dense(4)\nreturn self.heads[0](x)"), []),
    Case("appended to a local list: fresh every call", layer("heads = []\nheads.append(layers.Dense(4))\n"
                                                          "return heads[0](x)"), ["7:KL104"]),
    Case("Dense constructed and applied inline", layer("return layers.Dense(4)(x)"), ["6:KL104"]),
    Case("a convolution held in a local", layer("conv = layers.Conv2D(8, 3)\nreturn conv(x)"), ["6:KL104"]),
    Case("normalization", layer("return layers.LayerNormalization()(x)"), ["6:KL104"]),
    Case("Embedding", layer("return layers.Embedding(10, 4)(x)"), ["6:KL104"]),
    Case("Model subclass", layer("return layers.Dense(4)(x)", base="keras.Model"), ["6:KL104"]),
    Case("aliased import", layer("return D(4)(x)", header="import keras\nfrom keras.layers import Dense as D"),
         ["6:KL104"]),
    Case("tf.keras", layer("return tf.keras.layers.Dense(4)(x)", header="import tensorflow as tf\nimport keras"),
         ["6:KL104"]),
    Case("tf_keras (Keras 2)", layer("return layers.Dense(4)(x)", header="import tf_keras\nfrom tf_keras import "
                                     "layers", base="tf_keras.layers.Layer"), ["6:KL104"]),
    Case(
        "one step away: call() -> self._make_block(x)",
        layer("return self._make_block(x)",
              extra="\n    def _make_block(self, x):\n        x = layers.Conv2D(8, 3)(x)\n"
                    "        return layers.ReLU()(x)\n"),
        ["9:KL104"],
    ),
    Case(
        "returned by a helper whose caller keeps it on self: made once, kept",
        layer("if not self.ready:\n    self.out = self._make_dense()\n    self.ready = True\nreturn self.out(x)",
              extra="\n    def _make_dense(self):\n        return layers.Dense(4)\n"),
        [],
    ),
    Case(
        "returned by a helper whose caller stores it on self on every call: fresh every call",
        layer("self.out = self._make_dense()\nreturn self.out(x)",
              extra="\n    def _make_dense(self):\n        return layers.Dense(4)\n"),
        ["10:KL104"],
    ),
    Case(
        "returned by a helper whose caller applies it at once: fresh every call",
        layer("return self._make_dense()(x)",
              extra="\n    def _make_dense(self):\n        return layers.Dense(4)\n"),
        ["9:KL104"],
    ),
    Case(
        "a project subclass of Dense owns weights too",
        "import keras\n\nclass MyDense(keras.layers.Dense):\n    pass\n\n"
        "class Net(keras.layers.Layer):\n    def call(self, x):\n        return MyDense(4)(x)\n",
        ["8:KL104"],
    ),
    Case("stateless layers may be made in call()",
         layer("x = layers.ReLU()(x)\nx = layers.Dropout(0.1)(x)\nx = layers.MaxPooling2D()(x)\n"
               "return layers.Flatten()(x)"), []),
    Case("a layer stored on self is KL103's", layer("self.d = layers.Dense(4)\nreturn self.d(x)"), []),
    Case(
        "layers created in __init__ and build()",
        layer("return self.b(self.a(x))",
              extra="\n    def __init__(self):\n        super().__init__()\n        self.a = layers.Dense(4)\n"
                    "\n    def build(self, input_shape):\n        self.b = layers.Dense(4)\n"),
        [],
    ),
    Case(
        "a project layer of unknown state",
        "import keras\n\nclass Block(keras.layers.Layer):\n    pass\n\n"
        "class Net(keras.layers.Layer):\n    def call(self, x):\n        return Block()(x)\n",
        [],
    ),
    Case(
        "a plain builder class constructing layers in __call__ is not a layer",
        """
        from keras import layers

        class ConvBlock:
            def __call__(self, x):
                return layers.Conv2D(8, 3)(x)

            def call(self, x):
                return layers.Dense(4)(x)
        """,
        [],
    ),
    Case(
        "a nested function defined in call() is not followed",
        layer("def make():\n    return layers.Dense(4)\nreturn x"),
        [],
    ),
]


# A project layer owns weights when its own body makes them (issue 11, item 5).
BOTTLENECK = """
import keras
from keras import layers

class BottleNeck(keras.layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
{init}

    def call(self, x):
        return x

class DenseBlock(keras.layers.Layer):
    def _make_layer(self, x):
        return BottleNeck(8)(x)

    def call(self, x):
        return self._make_layer(x)
"""


def bottleneck(init: str, extra: str = "") -> str:
    return BOTTLENECK.format(init="".join(f"        {line}\n" for line in init.strip().splitlines())) + extra


CASES += [
    Case("a project layer making Keras layers in __init__",
         bottleneck("self.bn = layers.BatchNormalization()\nself.conv = layers.Conv2D(filters, 3)"), ["17:KL104"]),
    Case("a project layer calling add_weight in build",
         bottleneck("self.filters = filters").replace(
             "    def call(self, x):\n        return x",
             "    def build(self, input_shape):\n        self.w = self.add_weight(shape=(1,))\n\n"
             "    def call(self, x):\n        return x * self.w", 1), ["19:KL104"]),
    Case("a project layer holding a project layer that owns weights",
         bottleneck("self.inner = Inner()", extra="\nclass Inner(keras.layers.Layer):\n    def __init__(self):\n"
                                                 "        super().__init__()\n        self.d = layers.Dense(4)\n"),
         ["16:KL104"]),
    Case("a project layer holding only stateless layers", bottleneck("self.act = layers.ReLU()\n"
                                                                     "self.drop = layers.Dropout(0.1)"), []),
    Case("a project layer storing plain values", bottleneck("self.filters = filters"), []),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl104(case, tmp_path):
    assert run_case(replace(case, codes=("KL104",)), tmp_path) == case.expected
