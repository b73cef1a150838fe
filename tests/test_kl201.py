"""KL201 batchnorm-reused, as cases: source in, ``line:code`` out."""

import pytest
from helpers import Case, model, run_case


BN = "self.bn = layers.BatchNormalization()"

CASES = [
    Case(
        "seed: one BatchNormalization after two convolutions",
        """
        from keras import Model
        from keras.layers import BatchNormalization, Conv2D, MaxPool2D

        class FeatureExtractor(Model):
            def __init__(self):
                super().__init__()
                self.conv_1 = Conv2D(6, 4, padding="valid", activation="relu")
                self.batchnorm = BatchNormalization()
                self.maxpool = MaxPool2D(pool_size=2, strides=2)
                self.conv_2 = Conv2D(16, 4, padding="valid", activation="relu")

            def call(self, x):
                x = self.conv_1(x)
                x = self.batchnorm(x)
                x = self.maxpool(x)
                x = self.conv_2(x)
                x = self.batchnorm(x)
                return self.maxpool(x)
        """,
        ["18:KL201"],
    ),
    Case("every call after the first", model(BN, "x = self.bn(x)\nx = self.bn(x)\nreturn self.bn(x)"),
         ["10:KL201", "11:KL201"]),
    Case("nested in one expression", model(BN, "return self.bn(self.bn(x))"), ["9:KL201"]),
    Case("single call in a for loop", model(BN, "for _ in range(3):\n    x = self.bn(x)\nreturn x"), ["10:KL201"]),
    Case("single call in a comprehension", model(BN, "return [self.bn(t) for t in x]"), ["9:KL201"]),
    Case("a single call is fine", model(BN, "return self.bn(x)"), []),
    Case("two instances are fine", model(BN + "; self.bn2 = layers.BatchNormalization()",
                                          "x = self.bn(x)\nreturn self.bn2(x)"), []),
    Case("stateless layers may be reused", model("self.pool = layers.MaxPool2D()",
                                                 "x = self.pool(x)\nreturn self.pool(x)"), []),
    Case("Dense shared on purpose is not KL201", model("self.enc = layers.Dense(8)",
                                                       "a = self.enc(x[0])\nreturn self.enc(x[1])"), []),
    Case("LayerNormalization is not KL201 (KL903's)", model("self.ln = layers.LayerNormalization()",
                                                             "x = self.ln(x)\nreturn self.ln(x)"), [],
         codes=("KL201",)),
    Case("if/else branches", model(BN, "if training:\n    x = self.bn(x)\nelse:\n    x = self.bn(x * 2)\nreturn x"), []),
    Case("if/elif/else chain", model(BN + "; self.mode = 'a'",
                                      "if self.mode == 'a':\n    x = self.bn(x)\nelif self.mode == 'b':\n"
                                      "    x = self.bn(x)\nelse:\n    x = self.bn(x)\nreturn x"), []),
    Case("complementary guards", model(BN + "; self.norm_first = True",
                                        "if self.norm_first:\n    x = self.bn(x)\nx = x + 1\n"
                                        "if not self.norm_first:\n    x = self.bn(x)\nreturn x"), []),
    Case("comparisons with different constants", model(BN + "; self.order = 'pre'",
                                                        "if self.order == 'pre':\n    x = self.bn(x)\nx = x + 1\n"
                                                        "if self.order == 'post':\n    x = self.bn(x)\nreturn x"), []),
    Case("is None / is not None", model(BN, "if training is None:\n    x = self.bn(x)\n"
                                             "if training is not None:\n    x = self.bn(x)\nreturn x"), []),
    Case("same guard twice is one path", model(BN + "; self.norm_first = True",
                                                "if self.norm_first:\n    x = self.bn(x)\n"
                                                "if self.norm_first:\n    x = self.bn(x)\nreturn x"), ["12:KL201"]),
    Case("conditional expression", model(BN, "return self.bn(x) if training else self.bn(x * 2)"), []),
    Case("early return ends the first path", model(BN, "if training:\n    x = self.bn(x)\n    return x\n"
                                                        "return self.bn(x * 2)"), []),
    Case("return of the first call", model(BN, "if training:\n    return self.bn(x)\nreturn self.bn(x * 2)"), []),
    Case("code after the branches runs on both", model(BN, "if training:\n    x = self.bn(x)\nelse:\n    x = x * 2\n"
                                                           "return self.bn(x)"), ["13:KL201"]),
    Case("nested function is not run by call()", model(BN, "def f(t):\n    return self.bn(t)\nreturn f(f(x))"), []),
    Case(
        "subclass of BatchNormalization",
        model("self.bn = MyBN()", "x = self.bn(x)\nreturn self.bn(x)",
              header="import keras\nfrom keras import layers\nclass MyBN(layers.BatchNormalization): pass"),
        ["11:KL201"],
    ),
    Case(
        "class chosen conditionally, both batch normalization",
        model("self.bn = norm()", "x = self.bn(x)\nreturn self.bn(x)",
              header="import keras, os\nfrom keras import layers\nclass MyBN(layers.BatchNormalization): pass\n"
                     "norm = MyBN if os.environ else layers.BatchNormalization"),
        ["12:KL201"],
    ),
    Case(
        "attribute that may be something else",
        model("self.bn = layers.BatchNormalization() if kwargs else layers.Identity()",
              "x = self.bn(x)\nreturn self.bn(x)"),
        [],
    ),
    Case(
        "attribute set in a project base class",
        """
        import keras
        from keras import layers

        class Base(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.bn = layers.BatchNormalization()

        class Block(Base):
            def call(self, x):
                x = self.bn(x)
                return self.bn(x)
        """,
        ["13:KL201"],
    ),
    Case(
        "attribute built in build()",
        """
        import keras

        class Block(keras.layers.Layer):
            def build(self, input_shape):
                self.bn = keras.layers.BatchNormalization()

            def call(self, x):
                return self.bn(self.bn(x))
        """,
        ["9:KL201"],
    ),
    Case("tf.keras", model("self.bn = tf.keras.layers.BatchNormalization()", "return self.bn(self.bn(x))",
                           header="import keras\nimport tensorflow as tf"), ["9:KL201"]),
    Case("tf_keras (Keras 2) too", model("self.bn = tf_keras.layers.BatchNormalization()", "return self.bn(self.bn(x))",
                                         header="import tf_keras as keras\nimport tf_keras"), ["9:KL201"]),
    Case(
        "layers re-exported by a project module",
        "from pkg.backend import keras, layers\n\nclass Net(keras.Model):\n    def __init__(self):\n"
        "        super().__init__()\n        self.bn = layers.BatchNormalization()\n"
        "    def call(self, x):\n        return self.bn(self.bn(x))\n",
        ["8:KL201"],
        files={"pkg/__init__.py": "", "pkg/backend.py": "import keras\nfrom keras import layers\n"},
    ),
    Case(
        "layers built by a factory no static tool can follow",
        model("self.bn = layers.BatchNormalization()", "return self.bn(self.bn(x))",
              header="import keras\nfrom pkg_not_here import VersionAwareLayers\nlayers = VersionAwareLayers()"),
        [],
    ),
    Case(
        "a plain class with call() is not a layer",
        """
        from keras import layers

        class Helper:
            def __init__(self):
                self.bn = layers.BatchNormalization()

            def call(self, x):
                return self.bn(self.bn(x))
        """,
        [],
    ),
]


# One instance under another name (issue 11, item 1): aliases, constant subscripts, chained assignment, helpers.
TWO_BN = "layers.BatchNormalization(), layers.BatchNormalization()"
HELPER = """
import keras
from keras import layers

class Block(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bn = layers.BatchNormalization()
        self.conv = layers.Conv2D(32, 3)

    def _norm_act(self, x):
        return keras.activations.relu(self.bn(x))

    def call(self, x):
{body}
"""


def helper(body: str, extra: str = "") -> str:
    """``Block`` with ``_norm_act`` (calls self.bn); call()'s body starts at line 15, ``extra`` after it."""
    return HELPER.format(body="".join(f"        {line}\n" for line in body.strip().splitlines())) + extra


CASES += [
    Case("a local alias", model(BN, "bn = self.bn\nx = bn(x)\nreturn bn(x)"), ["11:KL201"]),
    Case("a constant subscript of a list literal", model(f"self.norms = [{TWO_BN}]",
                                                         "x = self.norms[0](x)\nreturn self.norms[0](x)"),
         ["10:KL201"]),
    Case("a negative subscript reaching the same element", model(f"self.norms = [{TWO_BN}]",
                                                                 "x = self.norms[0](x)\nreturn self.norms[-2](x)"),
         ["10:KL201"]),
    Case("one element of a comprehension, twice",
         model("self.norms = [layers.BatchNormalization() for _ in range(3)]",
               "x = self.norms[1](x)\nreturn self.norms[1](x)"), ["10:KL201"]),
    Case("a constant key of a dict literal", model("self.norms = {'a': layers.BatchNormalization(), "
                                                   "'b': layers.BatchNormalization()}",
                                                   "x = self.norms['a'](x)\nreturn self.norms['a'](x)"),
         ["10:KL201"]),
    Case("an alias of a subscript", model(f"self.norms = [{TWO_BN}]",
                                          "bn = self.norms[1]\nx = bn(x)\nreturn self.norms[1](x)"), ["11:KL201"]),
    Case("chained assignment makes one instance", model("self.bn1 = self.bn2 = layers.BatchNormalization()",
                                                        "x = self.bn1(x)\nreturn self.bn2(x)"), ["10:KL201"]),
    Case("an attribute assigned another", model(BN + "; self.bn2 = self.bn", "x = self.bn(x)\nreturn self.bn2(x)"),
         ["10:KL201"]),
    Case("one local stored twice in __init__", model("bn = layers.BatchNormalization(); self.a = bn; self.b = bn",
                                                     "x = self.a(x)\nreturn self.b(x)"), ["10:KL201"]),
    Case("a list literal holding one attribute twice", model(BN + "; self.norms = [self.bn, self.bn]",
                                                             "x = self.norms[0](x)\nreturn self.norms[1](x)"),
         ["10:KL201"]),
    Case("a helper called twice", helper("a = self._norm_act(x)\nreturn self._norm_act(self.conv(a))"),
         ["16:KL201"]),
    Case("a helper and a direct call", helper("x = self._norm_act(x)\nreturn self.bn(self.conv(x))"),
         ["16:KL201"]),
    Case("two helpers deep", helper("x = self._twice(x)\nreturn x",
                                    "\n    def _twice(self, x):\n        return self._norm_act(self._norm_act(x))\n"),
         ["15:KL201"]),
    Case("a helper called in a loop", helper("for _ in range(2):\n    x = self._norm_act(x)\nreturn x"),
         ["16:KL201"]),
    # Distinct instances stay distinct.
    Case("tuple unpacking makes two", model(f"self.a, self.b = {TWO_BN}", "x = self.a(x)\nreturn self.b(x)"), []),
    Case("a comprehension indexed by two constants",
         model("self.norms = [layers.BatchNormalization() for _ in range(3)]",
               "x = self.norms[0](x)\nreturn self.norms[1](x)"), []),
    Case("two elements of a list literal", model(f"self.norms = [{TWO_BN}]",
                                                 "x = self.norms[0](x)\nreturn self.norms[1](x)"), []),
    Case("a list changed after it is made", model(f"self.norms = [{TWO_BN}]; self.norms[0] = layers.Dense(3)",
                                                  "x = self.norms[0](x)\nreturn self.norms[0](x)"), []),
    Case("a loop variable is a new instance each time",
         model(f"self.norms = [{TWO_BN}]", "for bn in self.norms:\n    x = bn(x)\nreturn x"), []),
    Case("an alias bound in a loop", model(f"self.norms = [{TWO_BN}]",
                                           "for i in range(2):\n    bn = self.norms[i]\n    x = bn(x)\nreturn x"),
         []),
    Case("one local, a new object per iteration",
         model("for i in range(2):\n            bn = layers.BatchNormalization()\n"
               "            if i:\n                self.a = bn\n            else:\n                self.b = bn",
               "x = self.a(x)\nreturn self.b(x)"), []),
    Case("an alias of an attribute assigned again later",
         model(BN + "; self.bn2 = self.bn; self.bn = layers.BatchNormalization()",
               "x = self.bn(x)\nreturn self.bn2(x)"), []),
    Case("a layer made in call() is KL104's, not reuse", model("pass", "bn = layers.BatchNormalization()\n"
                                                                     "x = bn(x)\nreturn bn(x)"), [],
         codes=("KL201",)),
    Case("helper calls on exclusive branches",
         helper("if training:\n    return self._norm_act(x)\nreturn self._norm_act(self.conv(x))")
         .replace("def call(self, x):", "def call(self, x, training=None):"), []),
    Case("a helper whose argument decides",
         helper("x = self._maybe(x, True)\nreturn self._maybe(self.conv(x), False)",
                "\n    def _maybe(self, x, norm):\n        if norm:\n            x = self.bn(x)\n        return x\n"),
         []),
    Case("a helper that may return first",
         helper("x = self._maybe(x, True)\nreturn self._maybe(self.conv(x), False)",
                "\n    def _maybe(self, x, skip):\n        if skip:\n            return x\n"
                "        return self.bn(x)\n"),
         []),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl201(case, tmp_path):
    assert run_case(case, tmp_path) == case.expected
