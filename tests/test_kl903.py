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


# An early return, raise or continue makes what follows exclusive with what it guards (issue 11, item 7);
# Model Garden's TransformerEncoderBlock: pre-norm under `if self._norm_first:`, post-norm after
# `if self._norm_first: return ...`.
PRE_POST = LN + "; self.norm_first = True; self.order = 'pre'"
CASES += [
    Case("a later return under the same guard", model(PRE_POST, "if self.norm_first:\n    x = self.ln(x)\n"
                                                                "y = x * 2\nif self.norm_first:\n    return y\n"
                                                                "return self.ln(y)"), []),
    Case("a raise under the same guard", model(PRE_POST, "if self.order == 'pre':\n    x = self.ln(x)\n"
                                                         "if self.order == 'pre':\n    raise ValueError('no')\n"
                                                         "return self.ln(x)"), []),
    Case("a negated guard", model(PRE_POST, "if not self.norm_first:\n    x = self.ln(x)\n"
                                            "if not self.norm_first:\n    return x\nreturn self.ln(x)"), []),
    Case("a guard with another constant", model(PRE_POST, "if self.order == 'pre':\n    x = self.ln(x)\n"
                                                          "if self.order != 'post':\n    return x\n"
                                                          "return self.ln(x)"), []),
    Case("the else branch returns", model(PRE_POST, "if self.norm_first:\n    x = self.ln(x)\n"
                                                    "if not self.norm_first:\n    x = x * 2\nelse:\n    return x\n"
                                                    "return self.ln(x)"), []),
    Case("an elif that returns", model(PRE_POST, "if self.order == 'mid':\n    x = self.ln(x)\n"
                                                 "if self.order == 'pre':\n    return x * 2\n"
                                                 "elif self.order == 'mid':\n    return x\nreturn self.ln(x)"), []),
    Case("continue ends the iteration", model(PRE_POST, "out = []\nfor s in x:\n    if self.norm_first:\n"
                                                        "        s = self.ln(s)\n    if self.norm_first:\n"
                                                        "        continue\n    out.append(self.ln(s))\nreturn out"),
         []),
    Case("a return under another guard still reaches it", model(PRE_POST, "if self.norm_first:\n"
                                                                          "    x = self.ln(x)\nif training:\n"
                                                                          "    return x\nreturn self.ln(x)"),
         ["13:KL903"]),
    Case("a guarded return that may not leave", model(PRE_POST, "if self.norm_first:\n    x = self.ln(x)\n"
                                                                "if self.norm_first:\n    if training:\n"
                                                                "        return x\nreturn self.ln(x)"),
         ["14:KL903"]),
    Case("a local alias", model(LN, "norm = self.ln\na = norm(x[0])\nreturn a + norm(x[1])"), ["11:KL903"]),
    Case("a helper reaching two shared instances is one finding at its call",
         "import keras\nfrom keras import layers\n\nclass Net(keras.Model):\n    def __init__(self):\n"
         "        super().__init__()\n        self.ln1 = layers.LayerNormalization()\n"
         "        self.ln2 = layers.LayerNormalization()\n    def _stream(self, x):\n"
         "        return self.ln2(self.ln1(x))\n    def call(self, x):\n        a = self._stream(x[0])\n"
         "        return a + self._stream(x[1])\n", ["13:KL903"]),
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
