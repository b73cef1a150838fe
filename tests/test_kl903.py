"""KL903 normalization-params-shared (opt-in), as cases: source in, ``line:code`` out."""

from dataclasses import replace

import pytest
from helpers import Case, model, run_case

from flake8_keras_layers.rules import BY_CODE

LN = "self.ln = layers.LayerNormalization()"
SUB = LN + "; self.attn = layers.Dense(8); self.ffn = layers.Dense(8); self.drop = layers.Dropout(0.1)"


def streams(call: str) -> str:
    """A layer whose call() (line 11 on) takes two inputs, ``query`` and ``key_value``."""
    return ("import keras\nfrom keras import layers\n\nclass Net(keras.layers.Layer):\n"
            "    def __init__(self, **kwargs):\n        super().__init__(**kwargs)\n"
            f"        {SUB}\n\n    def call(self, query, key_value):\n"
            + "".join(f"        {line}\n" for line in call.strip().splitlines()))


def helpers(helper: str, call: str) -> str:
    """A model with the helper method ``_sub(self, x)`` (body from line 9) and call() after it."""
    body = helper.strip().splitlines()
    return ("import keras\nfrom keras import layers\n\nclass Net(keras.Model):\n"
            "    def __init__(self, **kwargs):\n        super().__init__(**kwargs)\n"
            f"        {SUB}\n    def _sub(self, x):\n" + "".join(f"        {line}\n" for line in body)
            + "    def call(self, x, training=None):\n"
            + "".join(f"        {line}\n" for line in call.strip().splitlines()))


# Sequential reuse: the later call normalizes what the earlier one produced (OLMo issue 222).
CASES = [
    Case("post-norm residual sub-blocks", model(SUB, "x = self.ln(x + self.attn(x))\nreturn self.ln(x + self.ffn(x))"),
         ["10:KL903"]),
    Case("pre-norm sub-blocks", model(SUB, "h = x + self.attn(self.ln(x))\nreturn h + self.ffn(self.ln(h))"),
         ["10:KL903"]),
    Case("nested", model(LN, "return self.ln(self.ln(x))"), ["9:KL903"]),
    Case("nested through another layer, at the outer call",
         model(SUB, "return self.ln(\n    self.ffn(self.ln(x)))"), ["9:KL903"]),
    Case("through names, a function, a subscript and arithmetic",
         model(SUB, "y = self.ln(x)\nz = keras.ops.relu(y)\nw = z[:, :4] * 2\nreturn self.ln(-w)"), ["12:KL903"]),
    Case("every assignment that may reach it derives",
         model(SUB, "x = self.ln(x)\nif training:\n    x = self.drop(x)\nreturn self.ln(x)"), ["12:KL903"]),
    Case("an augmented assignment", model(SUB, "h = self.ln(x)\nh += self.ffn(h)\nreturn self.ln(h)"),
         ["11:KL903"]),
    Case("inside a with block", model(SUB, "with keras.name_scope('a'):\n    h = self.ln(x)\nreturn self.ln(h)"),
         ["11:KL903"]),
    Case("both in one loop iteration", model(SUB, "out = []\nfor s in x:\n    h = self.ln(s)\n"
                                                  "    out.append(self.ln(h + s))\nreturn out"), ["12:KL903"]),
    Case("a keyword argument", model(SUB, "h = self.ln(x)\nreturn self.ln(inputs=h)"), ["10:KL903"]),
    Case("a merge of two normalized streams", model(SUB, "a = self.ln(x[0])\nb = self.ln(x[1])\n"
                                                         "return self.ln(a + b)"), ["11:KL903"]),
    Case("GroupNormalization", model("self.gn = layers.GroupNormalization(groups=2)",
                                     "x = self.gn(x)\nreturn self.gn(x)"), ["10:KL903"]),
    Case("a subclass of LayerNormalization",
         "import keras\nfrom keras import layers\n\nclass MyLN(layers.LayerNormalization):\n    pass\n\n"
         "class Net(keras.Model):\n    def __init__(self):\n        super().__init__()\n        self.ln = MyLN()\n"
         "    def call(self, x):\n        x = self.ln(x)\n        return self.ln(x)\n", ["13:KL903"]),
    Case("tf_keras", model(LN, "x = self.ln(x)\nreturn self.ln(x)", header="import tf_keras as keras\n"
                                                                          "from tf_keras import layers"),
         ["10:KL903"]),
    Case("a local alias", model(LN, "norm = self.ln\nh = norm(x)\nreturn norm(h + 1)"), ["11:KL903"]),
    Case("one helper per sub-block: decided on its calls in call()",
         helpers("return x + self.ffn(self.ln(x))", "h = self._sub(x)\nreturn self._sub(h)"), ["12:KL903"]),
    Case("a helper on what call() normalized", helpers("return x + self.ffn(self.ln(x))",
                                                       "h = self.ln(x)\nreturn self._sub(h)"), ["12:KL903"]),
    Case("both calls in one helper reached once: at its call",
         helpers("x = self.ln(x + self.attn(x))\nreturn self.ln(x + self.ffn(x))", "return self._sub(x)"),
         ["12:KL903"]),
]

# Parallel sharing: inputs that do not derive from one another (XLNet's and PARSeq's two streams,
# Model Garden's pre-norm of query and key_value) share one on purpose: never reported.
CASES += [
    Case("one LayerNormalization on two streams", model(LN, "a = self.ln(x[0])\nb = self.ln(x[1])\nreturn a + b"),
         []),
    Case("pre-norm of query and key_value", streams("query = self.ln(query)\nkey_value = self.ln(key_value)\n"
                                                     "return self.attn(query) + key_value"), []),
    Case("two streams, each with its own residual", streams(
        "h = self.ln(self.attn(query) + query)\ng = self.ln(self.attn(key_value) + key_value)\nreturn h, g"), []),
    Case("two streams through a helper", helpers("return self.ffn(self.ln(x))",
                                                 "a = self._sub(x[0])\nreturn a + self._sub(x[1])"), []),
    Case("two streams inside one helper", helpers("a = self.ln(x[0])\nreturn a, self.ln(x[1])",
                                                  "return self._sub(x)"), []),
    Case("a single call", model(LN, "return self.ln(x)"), []),
    Case("a loop over time steps shares it by design", model(LN, "for t in range(4):\n    x = self.ln(x)\nreturn x"),
         []),
    Case("a comprehension over streams", model(LN, "return [self.ln(s) for s in x]"), []),
    Case("exclusive branches", model(LN, "if training:\n    x = self.ln(x)\nelse:\n    x = self.ln(x * 2)\n"
                                         "return x"), []),
    Case("a return ends the first path", model(LN, "if training:\n    return self.ln(x)\nreturn self.ln(x * 2)"), []),
    Case("two instances", model(LN + "; self.ln2 = layers.LayerNormalization()",
                                "a = self.ln(x)\nreturn self.ln2(a)"), []),
    Case("BatchNormalization is KL201's", model("self.bn = layers.BatchNormalization()",
                                                "x = self.bn(x)\nreturn self.bn(x)"), []),
    Case("Dense shared on purpose", model("self.enc = layers.Dense(8)", "a = self.enc(x)\nreturn self.enc(a)"),
         []),
]

# Flows the analysis does not follow stay silent (precision before recall).
CASES += [
    Case("tuple unpacking", model(SUB, "h, g = self.ln(x), x\nreturn self.ln(h)"), []),
    Case("an attribute store", model(SUB, "self.h = self.ln(x)\nreturn self.ln(self.h)"), []),
    Case("a container", model(SUB, "outs = [self.ln(x)]\nreturn self.ln(outs[0])"), []),
    Case("a method of the value", model(SUB, "h = self.ln(x)\nreturn self.ln(h.numpy())"), []),
    Case("only a tensor shaped like it (ones_like)",
         model(SUB, "h = self.ln(x)\nmask = keras.ops.ones_like(h)\nreturn h + self.ln(x * mask)"), []),
    Case("only its shape", model(SUB, "h = self.ln(x)\nreturn self.ln(keras.ops.reshape(x, keras.ops.shape(h)))"),
         []),
    Case("an assignment a path may skip", model(SUB, "y = self.ln(x)\nz = x\nif training:\n    z = y\n"
                                                     "return self.ln(z)"), []),
    Case("reassigned in a loop", model(SUB, "h = self.ln(x)\nfor _ in range(2):\n    h = self.ffn(h)\n"
                                            "return self.ln(h)"), []),
    Case("a lambda", model(SUB, "h = self.ln(x)\nf = lambda: h\nreturn self.ln(f())"), []),
    Case("read before the first call", model(SUB, "h = x\ny = self.ln(x)\nreturn self.ln(h)"), []),
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
    Case("a helper reaching two shared instances is one finding at its call",
         "import keras\nfrom keras import layers\n\nclass Net(keras.Model):\n    def __init__(self):\n"
         "        super().__init__()\n        self.ln1 = layers.LayerNormalization()\n"
         "        self.ln2 = layers.LayerNormalization()\n    def _stream(self, x):\n"
         "        return self.ln2(self.ln1(x))\n    def call(self, x):\n        a = self._stream(x)\n"
         "        return a + self._stream(a)\n", ["13:KL903"]),
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
