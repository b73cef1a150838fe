"""KL202 reused-layer-shape-conflict, as cases: source in, ``line:code`` out.

Widths come from the probed facts: ``width_param`` (the constructor parameter that sets the output
width), ``width_preserving`` and ``shape_dependent_weights``.
"""

from dataclasses import replace

import json
import textwrap

import pytest
from helpers import Case, model, run_case

from flake8_keras_layers.knowledge import facts as knowledge, versions
from flake8_keras_layers.engine.driver import analyze

TWO_CONVS = ("self.c6 = layers.Conv2D(filters=6, kernel_size=3); self.c16 = layers.Conv2D(filters=16, kernel_size=3)"
             "; self.head = layers.Dense(units=10)")

CASES = [
    Case("one Dense on 6- and 16-channel maps", model(TWO_CONVS, "a = self.head(self.c6(x))\n"
                                                                 "b = self.head(self.c16(x))\nreturn a + b"),
         ["10:KL202"]),
    Case("in one expression", model(TWO_CONVS, "return self.head(self.c6(x)) + self.head(self.c16(x))"),
         ["9:KL202"]),
    Case("through width-preserving layers",
         model(TWO_CONVS + "; self.pool = layers.MaxPooling2D(); self.drop = layers.Dropout(0.1)",
               "a = self.c6(x)\na = self.pool(a)\na = self.drop(a)\nb = self.c16(x)\n"
               "return self.head(a) + self.head(b)"),
         ["13:KL202"]),
    Case("a reused convolution", model("self.a = layers.Dense(units=6); self.b = layers.Dense(units=3); "
                                       "self.conv = layers.Conv1D(filters=4, kernel_size=1)",
                                       "y = self.conv(self.b(x))\nreturn self.conv(self.a(x))"),
         ["10:KL202"]),
    Case("a first call of unknown width proves nothing", model("self.a = layers.Dense(units=6); self.conv = "
                                                               "layers.Conv1D(filters=4, kernel_size=1)",
                                                               "y = self.conv(x)\nreturn self.conv(self.a(x))"), []),
    Case("Dense(8)(x) applied inline feeds a width", model("self.head = layers.Dense(units=2)",
                                                           "a = self.head(layers.Dense(units=3)(x))\n"
                                                           "return self.head(layers.Dense(units=5)(x))"),
         ["10:KL202"]),
    Case("widths after an if that both branches agree on",
         model(TWO_CONVS, "if training:\n    a = self.c6(x)\nelse:\n    a = self.c6(x * 2)\n"
                          "b = self.c16(x)\nreturn self.head(a) + self.head(b)"), ["14:KL202"]),
    Case("siamese: one encoder on two inputs of unknown width",
         model("self.enc = layers.Dense(units=8)", "return self.enc(x[0]) - self.enc(x[1])"), []),
    Case("siamese: equal widths", model("self.a = layers.Dense(units=6); self.b = layers.Dense(units=6); "
                                        "self.head = layers.Dense(units=1)",
                                        "return self.head(self.a(x)) + self.head(self.b(x))"), []),
    Case("a width lost through an unknown function",
         model(TWO_CONVS, "a = keras.ops.mean(self.c6(x), axis=1, keepdims=True)\nb = self.c16(x)\n"
                          "return self.head(a) + self.head(b)"), []),
    Case("a width lost through a layer that changes it (Flatten)",
         model(TWO_CONVS + "; self.flat = layers.Flatten()",
               "a = self.flat(self.c6(x))\nreturn self.head(a) + self.head(self.flat(self.c16(x)))"), []),
    Case("exclusive branches", model(TWO_CONVS, "if training:\n    return self.head(self.c6(x))\n"
                                                "return self.head(self.c16(x))"), []),
    Case("a loop over streams is not followed",
         model(TWO_CONVS, "outs = []\nfor s in x:\n    outs.append(self.head(self.c6(s)))\n"
                          "return self.head(self.c16(x))"), []),
    Case("channels_first: the last dimension is not the channels",
         model("self.c6 = layers.Conv2D(filters=6, kernel_size=3, data_format='channels_first'); "
               "self.c16 = layers.Conv2D(filters=16, kernel_size=3, data_format='channels_first'); "
               "self.head = layers.Conv2D(filters=2, kernel_size=1, data_format='channels_first')",
               "return self.head(self.c6(x)) + self.head(self.c16(x))"), []),
    Case("a width from a variable", model("self.a = layers.Dense(units=n); self.head = layers.Dense(units=1)",
                                          "return self.head(self.a(x)) + self.head(x)",
                                          header="import keras\nfrom keras import layers\nn = int('3')"), []),
    Case("stateless layers may be reused on any width",
         model(TWO_CONVS + "; self.pool = layers.MaxPooling2D()",
               "return self.pool(self.c6(x)), self.pool(self.c16(x))"), []),
    Case("batch normalization is KL201's alone",
         model(TWO_CONVS + "; self.bn = layers.BatchNormalization()",
               "return self.bn(self.c6(x)), self.bn(self.c16(x))"), [], codes=("KL202",)),
]


# One instance under another name (issue 11, item 1).
HEAD_HELPER = (
    "import keras\nfrom keras import layers\n\nclass Net(keras.Model):\n    def __init__(self, **kwargs):\n"
    "        super().__init__(**kwargs)\n        " + TWO_CONVS + "\n"
    "    def _project(self, t):\n        return self.head(t)\n"
    "    def _rebound(self, t):\n        t = t[..., :1]\n        return self.head(t)\n"
    "    def call(self, x):\n{body}"
)

CASES += [
    Case("a local alias", model(TWO_CONVS, "head = self.head\na = head(self.c6(x))\nreturn a + head(self.c16(x))"),
         ["11:KL202"]),
    Case("chained assignment", model("self.c6 = layers.Conv2D(filters=6, kernel_size=3); "
                                     "self.c16 = layers.Conv2D(filters=16, kernel_size=3); "
                                     "self.h1 = self.h2 = layers.Dense(units=10)",
                                     "return self.h1(self.c6(x)) + self.h2(self.c16(x))"), ["9:KL202"]),
    Case("an element of a list literal, twice",
         model("self.c6 = layers.Conv2D(filters=6, kernel_size=3); self.c16 = layers.Conv2D(filters=16, "
               "kernel_size=3); self.heads = [layers.Dense(units=10), layers.Dense(units=10)]",
               "return self.heads[0](self.c6(x)) + self.heads[0](self.c16(x))"), ["9:KL202"]),
    Case("a helper handing its parameter on", HEAD_HELPER.format(
        body="        a = self._project(self.c6(x))\n        return a + self._project(self.c16(x))\n"), ["15:KL202"]),
    Case("a helper that changes its parameter first", HEAD_HELPER.format(
        body="        a = self._rebound(self.c6(x))\n        return a + self._rebound(self.c16(x))\n"), []),
    Case("tuple unpacking makes two", model("self.c6 = layers.Conv2D(filters=6, kernel_size=3); "
                                            "self.c16 = layers.Conv2D(filters=16, kernel_size=3); "
                                            "self.h1, self.h2 = layers.Dense(units=10), layers.Dense(units=10)",
                                            "return self.h1(self.c6(x)) + self.h2(self.c16(x))"), []),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl202(case, tmp_path):
    assert run_case(replace(case, codes=("KL202",)), tmp_path) == case.expected


def test_kl201_message_says_when_widths_provably_differ(tmp_path):
    source = model(TWO_CONVS + "; self.bn = layers.BatchNormalization()",
                   "a = self.bn(self.c6(x))\nreturn self.bn(self.c16(x))")
    found = analyze(source, str(tmp_path / "m.py"), versions.Target(None, "any"), knowledge.default())
    (kl201,) = [d for d in found if d.code == "KL201"]
    assert "inputs 6 then 16 wide: ValueError" in kl201.message
    assert not [d for d in found if d.code == "KL202"]


def with_params(params: dict[str, list[str]]) -> knowledge.Knowledge:
    """The shipped facts plus constructor parameter orders, as a data file with ``params`` gives them."""
    raw = json.loads(knowledge.resources.files("flake8_keras_layers.knowledge").joinpath("data", knowledge.DATA_FILE)
                     .read_text())
    for name, order in params.items():
        raw["classes"][name]["params"] = order
    return knowledge.Knowledge(raw)


@pytest.mark.parametrize("order, expected", [
    (["filters", "kernel_size"], ["12:KL202"]),  # Conv2D(6, 4): the width is the first positional argument
    ([], []),  # without the parameter order a positional width is not provable: silent
])
def test_positional_width_needs_the_parameter_order(order, expected, tmp_path):
    source = textwrap.dedent("""\
        from keras import Model
        from keras.layers import Conv2D, Dense

        class Net(Model):
            def __init__(self):
                super().__init__()
                self.conv_1 = Conv2D(6, 4)
                self.conv_2 = Conv2D(16, 4)
                self.head = Dense(10)

            def call(self, x):
                return self.head(self.conv_1(x)) + self.head(self.conv_2(x))
        """)
    facts = with_params({"Conv2D": order})
    found = analyze(source, str(tmp_path / "m.py"), versions.Target(None, "any"), facts)
    assert [f"{d.line}:{d.code}" for d in found if d.code == "KL202"] == expected
