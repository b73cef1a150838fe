"""One Keras class in several families (issue 11, item 4): ``try: import tf_keras as keras`` /
``except ImportError: import keras`` (transformers' TF models). A finding stands when it holds in every
family involved; a version-dependent verdict must be the same in each (Keras 2 is not probed: silent)."""

from dataclasses import replace

import pytest
from helpers import Case, run_case

from flake8_keras_layers.engine.driver import analyze
from flake8_keras_layers.knowledge import facts as knowledge, versions

TF_KERAS_FIRST = "try:\n    import tf_keras as keras\nexcept ImportError:\n    import keras\n"
KERAS_FIRST = "try:\n    import keras\nexcept ImportError:\n    import tf_keras as keras\n"


def net(header: str, base: str, body: str) -> str:
    """``class Net`` is line 7 with either header."""
    return f"{header}\n\nclass Net({base}):\n" + "".join(f"    {line}\n" for line in body.strip().splitlines())


BN_REUSE = """
def __init__(self, **kwargs):
    super().__init__(**kwargs)
    self.bn = keras.layers.BatchNormalization()

def call(self, x):
    return self.bn(self.bn(x))
"""
NO_SUPER = """
def __init__(self, units=4):
    self.units = units
"""
POOL_BUILD = """
def build(self, input_shape):
    self.scale = 1.0
"""
GUARDED_STATE = """
def call(self, x):
    if not hasattr(self, "w"):
        self.w = self.add_weight(shape=(1,))
    return x * self.w
"""
UNGUARDED_STATE = """
def call(self, x):
    self.d = keras.layers.Dense(4)
    return self.d(x)
"""
POSITIONAL_NAME = """
def build(self, input_shape):
    self.w = self.add_weight("w", shape=(1,))
"""

CASES = [
    Case("BatchNormalization reuse holds in both families", net(TF_KERAS_FIRST, "keras.layers.Layer", BN_REUSE),
         ["13:KL201"]),
    Case("either order", net(KERAS_FIRST, "keras.layers.Layer", BN_REUSE), ["13:KL201"]),
    Case("no super().__init__() holds in both", net(TF_KERAS_FIRST, "keras.layers.Layer", NO_SUPER), ["8:KL107"]),
    Case("a Keras 3 regression does not hold in Keras 2: silent",
         net(TF_KERAS_FIRST, "keras.layers.MaxPooling2D", POOL_BUILD), []),
    Case("in either order", net(KERAS_FIRST, "keras.layers.MaxPooling2D", POOL_BUILD), []),
    Case("two spellings of one family are not alternatives",
         net("try:\n    import keras\nexcept ImportError:\n    from tensorflow import keras\n",
             "keras.layers.MaxPooling2D", POOL_BUILD), ["8:KL101"]),
    Case("state made in call() is reported by both families", net(TF_KERAS_FIRST, "keras.layers.Layer",
                                                                   UNGUARDED_STATE), ["9:KL103"]),
    Case("lazy guarded creation is fine in Keras 2: silent", net(TF_KERAS_FIRST, "keras.layers.Layer",
                                                                  GUARDED_STATE), []),
    Case("add_weight's positional name is Keras 2 API: silent", net(TF_KERAS_FIRST, "keras.layers.Layer",
                                                                     POSITIONAL_NAME), []),
    Case(
        "keras taken from a project module that tries both (transformers' modeling_tf_utils)",
        "from .utils import keras\n\n\nclass Net(keras.layers.Layer):\n" + "".join(
            f"    {line}\n" for line in BN_REUSE.strip().splitlines()),
        ["10:KL201"],
        files={"pkg/__init__.py": "", "pkg/utils.py": TF_KERAS_FIRST},
    ),
    Case("alternatives that are different classes stay ambiguous",
         net("try:\n    from tf_keras.layers import Layer as Base\nexcept ImportError:\n"
             "    from keras.layers import Dense as Base", "Base", NO_SUPER), []),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_families(case, tmp_path):
    assert run_case(replace(case, codes=("KL101", "KL103", "KL106", "KL107", "KL201")), tmp_path) == case.expected


def test_the_message_is_the_first_alternatives(tmp_path):
    source = net(TF_KERAS_FIRST, "keras.layers.Layer", NO_SUPER)
    found = analyze(source, str(tmp_path / "m.py"), versions.Target.any(), knowledge.default())
    (kl107,) = [d for d in found if d.code == "KL107"]
    assert "Keras 2 fails as soon as the layer is used" in kl107.message  # tf_keras, the first alternative
