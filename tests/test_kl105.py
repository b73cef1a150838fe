"""KL105 state-added-after-built, as cases: source in, ``line:code`` out.

Measured (witness): Keras locks the state of a subclass without build() in __init__ exactly where the
probed ``built_at_init_subclass`` holds and ``built_at_init_subclass_with_build`` does not (3.10.0 on for
the stateless family, Softmax too); where a base marks every subclass built (3.6.0 to 3.9.2, Reshape from
3.12.0) nothing is locked and adding state works.
"""

from dataclasses import replace

import pytest
from helpers import Case, run_case


def layer(init_tail: str, base: str = "layers.ReLU", extra: str = "", header: str = "from keras import layers"):
    """A subclass whose __init__ calls super().__init__() on line 5, then runs ``init_tail`` from line 6."""
    body = "".join(f"        {line}\n" for line in init_tail.strip().splitlines())
    return (f"{header}\n\nclass Gated({base}):\n    def __init__(self, **kwargs):\n"
            f"        super().__init__(**kwargs)\n{body}{extra}")


DENSE = "self.gate = layers.Dense(1)"

CASES = [
    Case("seed: ReLU subclass making a Dense in __init__, any release", layer(DENSE), ["6:KL105"]),
    Case("first locking release", layer(DENSE), ["6:KL105"], keras_version="3.10.0"),
    Case("latest release", layer(DENSE), ["6:KL105"], keras_version="3.15.1"),
    Case("built but not locked in 3.9.2: adding state works", layer(DENSE), [], keras_version="3.9.2"),
    Case("not built in 3.5.0", layer(DENSE), [], keras_version="3.5.0"),
    Case("a weight", layer("self.w = self.add_weight(shape=(1,))"), ["6:KL105"]),
    Case("pooling", layer(DENSE, base="layers.MaxPooling2D"), ["6:KL105"], keras_version="3.12.0"),
    Case("Dropout", layer(DENSE, base="layers.Dropout"), ["6:KL105"], keras_version="3.10.0"),
    Case("Softmax 3.9.2: built, not locked", layer(DENSE, base="layers.Softmax"), [], keras_version="3.9.2"),
    Case("Reshape 3.12.0: built, not locked", layer(DENSE, base="layers.Reshape"), [], keras_version="3.12.0"),
    Case("resetting built does not unlock", layer("self.built = False\n" + DENSE), ["7:KL105"]),
    Case(
        "reached through a helper after super().__init__()",
        layer("self._make()", extra="\n    def _make(self):\n        self.gate = layers.Dense(1)\n"),
        ["9:KL105"],
    ),
    Case("overriding build() leaves the layer unbuilt: state in __init__ is fine",
         layer(DENSE, extra="\n    def build(self, input_shape):\n        super().build(input_shape)\n"), []),
    Case(
        "build() in a project base counts",
        "from keras import layers\n\nclass Base(layers.ReLU):\n    def build(self, input_shape):\n        pass\n\n"
        "class Gated(Base):\n    def __init__(self):\n        super().__init__()\n        self.gate = layers.Dense(1)\n",
        [],
    ),
    Case("a base that is never built at __init__", layer(DENSE, base="layers.Dense"), []),
    Case("plain Layer", layer(DENSE, base="layers.Layer"), []),
    Case("plain attributes are not state", layer("self.alpha = 0.5\nself.name_ = 'g'"), []),
    Case("Keras 2 (tf_keras) is not affected",
         layer(DENSE, base="layers.ReLU", header="from tf_keras import layers"), []),
    Case("a 2.x keras-version", layer(DENSE), [], keras_version="2.15"),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl105(case, tmp_path):
    assert run_case(replace(case, codes=("KL105",)), tmp_path) == case.expected
