"""KL903 normalization-params-shared (opt-in), as cases: source in, ``line:code`` out."""

from dataclasses import replace

import pytest
from helpers import Case, model, run_case

from flake8_keras_layers.rules import BY_CODE

LN = "self.ln = layers.LayerNormalization()"

CASES = [
    Case("one LayerNormalization on two streams", model(LN, "a = self.ln(x[0])\nb = self.ln(x[1])\nreturn a + b"),
         ["10:KL903"]),
    Case("nested", model(LN, "return self.ln(self.ln(x))"), ["9:KL903"]),
    Case("GroupNormalization", model("self.gn = layers.GroupNormalization(groups=2)",
                                     "x = self.gn(x)\nreturn self.gn(x)"), ["10:KL903"]),
    Case("a subclass of LayerNormalization",
         "import keras\nfrom keras import layers\n\nclass MyLN(layers.LayerNormalization):\n    pass\n\n"
         "class Net(keras.Model):\n    def __init__(self):\n        super().__init__()\n        self.ln = MyLN()\n"
         "    def call(self, x):\n        x = self.ln(x)\n        return self.ln(x)\n", ["13:KL903"]),
    Case("tf_keras", model(LN, "x = self.ln(x)\nreturn self.ln(x)", header="import tf_keras as keras\n"
                                                                          "from tf_keras import layers"),
         ["10:KL903"]),
    Case("a single call", model(LN, "return self.ln(x)"), []),
    Case("a loop over time steps shares it by design", model(LN, "for t in range(4):\n    x = self.ln(x)\nreturn x"),
         []),
    Case("a comprehension over streams", model(LN, "return [self.ln(s) for s in x]"), []),
    Case("exclusive branches", model(LN, "if training:\n    return self.ln(x)\nelse:\n    return self.ln(x * 2)"),
         []),
    Case("a return ends the first path", model(LN, "if training:\n    return self.ln(x)\nreturn self.ln(x * 2)"), []),
    Case("two instances", model(LN + "; self.ln2 = layers.LayerNormalization()",
                                "a = self.ln(x)\nreturn self.ln2(a)"), []),
    Case("BatchNormalization is KL201's", model("self.bn = layers.BatchNormalization()",
                                                "x = self.bn(x)\nreturn self.bn(x)"), []),
    Case("Dense shared on purpose", model("self.enc = layers.Dense(8)", "a = self.enc(x[0])\nreturn self.enc(x[1])"),
         []),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl903(case, tmp_path):
    assert run_case(replace(case, codes=("KL903",)), tmp_path) == case.expected


def test_opt_in():
    assert BY_CODE["KL903"].opt_in


def test_off_by_default_on_with_extend_select(tmp_path):
    from flake8_run import codes, flake8

    source = tmp_path / "shared_norm.py"
    source.write_text(model(LN, "x = self.ln(x)\nreturn self.ln(x)"))
    assert [c for c in codes(flake8("--isolated", str(source))) if ":KL" in c] == []
    assert [c for c in codes(flake8("--isolated", "--extend-select=KL903", str(source))) if ":KL" in c] == [
        "shared_norm.py:10:KL903"
    ]
