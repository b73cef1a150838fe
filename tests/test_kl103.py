"""KL103 state-created-in-call, as cases: source in, ``line:code`` out."""

from dataclasses import replace

import pytest
from helpers import Case, run_case


def layer(call_body: str, header: str = "import keras\nfrom keras import layers", extra: str = "",
          base: str = "keras.layers.Layer") -> str:
    """A layer whose call() body is given (``def call`` is line 5, its body starts on line 6)."""
    body = "".join(f"        {line}\n" for line in call_body.strip().splitlines())
    return f"{header}\n\nclass Net({base}):\n    def call(self, x):\n{body}{extra}"


ADD_WEIGHT = "self.w = self.add_weight(shape=(4,))\nreturn x * self.w"
HASATTR_DENSE = "if not hasattr(self, 'dense'):\n    self.dense = layers.Dense(4)\nreturn self.dense(x)"
NONE_DENSE = "if self.dense is None:\n    self.dense = layers.Dense(4)\nreturn self.dense(x)"
INIT_NONE = "\n    def __init__(self):\n        super().__init__()\n        self.dense = None\n"
TF_KERAS = "import tf_keras\nfrom tf_keras import layers"

CASES = [
    Case("add_weight in call()", layer(ADD_WEIGHT), ["6:KL103"]),
    Case("add_variable in call()", layer("v = self.add_variable((4,), 'zeros')\nreturn x * v"), ["6:KL103"]),
    Case("sub-layer stored on self in call()", layer("self.dense = layers.Dense(4)\nreturn self.dense(x)"),
         ["6:KL103"]),
    Case("Model subclass", layer("self.dense = layers.Dense(4)\nreturn self.dense(x)", base="keras.Model"),
         ["6:KL103"]),
    Case("Keras 3: behind a hasattr guard too", layer(HASATTR_DENSE), ["7:KL103"]),
    Case("Keras 3: behind `is None` (set to None in __init__)", layer(NONE_DENSE, extra=INIT_NONE), ["7:KL103"]),
    Case("Keras 3: behind `if not self.built`",
         layer("if not self.built:\n    self.w = self.add_weight(shape=(4,))\nreturn x * self.w"), ["7:KL103"]),
    Case("keras.Variable stored on self", layer("self.v = keras.Variable(x)\nreturn x * self.v"), ["6:KL103"]),
    Case("a local keras.Variable", layer("v = keras.Variable(x)\nreturn x * v"), ["6:KL103"]),
    Case("from keras import Variable", layer("v = Variable(x)\nreturn x * v", header="from keras import Variable\n"
                                                                                     "import keras"), ["6:KL103"]),
    Case("tf.Variable", layer("v = tf.Variable(x)\nreturn x * v", header="import tensorflow as tf\nimport keras"),
         ["6:KL103"]),
    Case(
        "one step away: call() -> self._make()",
        layer("self._make()\nreturn x * self.w",
              extra="\n    def _make(self):\n        self.w = self.add_weight(shape=(4,))\n"),
        ["10:KL103"],
    ),
    Case(
        "two steps away",
        layer("self._a()\nreturn x",
              extra="\n    def _a(self):\n        self._b()\n\n    def _b(self):\n        self.d = layers.Dense(2)\n"),
        ["13:KL103"],
    ),
    Case("Keras 2 (tf_keras): unguarded creation makes a new weight per call", layer(ADD_WEIGHT, header=TF_KERAS,
                                                                                     base="tf_keras.layers.Layer"),
         ["6:KL103"]),
    Case("Keras 2 (tf_keras): guarded lazy creation is legitimate",
         layer(NONE_DENSE, header=TF_KERAS, base="tf_keras.layers.Layer", extra=INIT_NONE), []),
    Case(
        "Keras 2 (tf_keras): lazy creation in a helper called behind a guard (MultiHeadAttention)",
        layer("if not self._built_from_signature:\n    self._build_from_signature(x)\nreturn self._q(x)",
              header=TF_KERAS, base="tf_keras.layers.Layer",
              extra="\n    def _build_from_signature(self, x):\n        self._built_from_signature = True\n"
                    "        self._q = layers.Dense(4)\n"),
        [],
    ),
    Case("a 2.x keras-version: guarded is legitimate", layer(HASATTR_DENSE), [], keras_version="2.15"),
    Case("a 2.x keras-version: unguarded is reported", layer(ADD_WEIGHT), ["6:KL103"], keras_version="2.15"),
    Case(
        "Keras 3: a guard on state build() already made never passes",
        layer("if not hasattr(self, 'w'):\n    self.w = self.add_weight(shape=(4,))\nreturn x * self.w",
              extra="\n    def build(self, input_shape):\n        self.w = self.add_weight(shape=(4,))\n"),
        [],
    ),
    Case(
        "weights created in build()",
        layer("return x * self.w", extra="\n    def build(self, input_shape):\n"
                                         "        self.w = self.add_weight(shape=(input_shape[-1],))\n"),
        [],
    ),
    Case(
        "layers created in __init__",
        layer("return self.dense(x)", extra="\n    def __init__(self):\n        super().__init__()\n"
                                            "        self.dense = layers.Dense(4)\n"),
        [],
    ),
    Case(
        "call() building explicitly: build() is not followed",
        layer("if not self.built:\n    self.build(x.shape)\nreturn x * self.w",
              extra="\n    def build(self, input_shape):\n        self.w = self.add_weight(shape=(4,))\n"),
        [],
    ),
    Case("a tensor cached on self is not state", layer("self.last = x * 2\nreturn self.last"), []),
    Case("add_loss is not state", layer("self.add_loss(keras.ops.sum(x))\nreturn x"), []),
    Case("a project function's result stored on self", layer("self.d = make()\nreturn x",
                                                              header="import keras\nfrom pkg_not_here import make"),
         []),
    Case("a layer constructed as a local is KL104's, not KL103's", layer("return layers.Dense(4)(x)"), []),
    Case(
        "a plain class with call() is not a layer",
        """
        from keras import layers

        class Builder:
            def call(self, x):
                self.dense = layers.Dense(4)
                return self.dense(x)
        """,
        [],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl103(case, tmp_path):
    assert run_case(replace(case, codes=("KL103",)), tmp_path) == case.expected
