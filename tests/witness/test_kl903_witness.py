"""KL903 on real Keras: one LayerNormalization applied at two depths of a block normalizes both with one
scale and offset (the same variables), where one normalization per sub-block has its own."""

import pytest
from docs_examples import example
from harness import run

from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version

# Records, per normalization call the block makes, which gamma and beta variables it normalizes with,
# then shows that scaling the gamma of the first sub-block's normalization moves the second's output.
DRIVER = """
used = []
original = keras.layers.LayerNormalization.call


def spy(self, inputs, *args, **kwargs):
    used.append((id(self.gamma), id(self.beta)))
    return original(self, inputs, *args, **kwargs)


block = PreNormBlock()
x = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
block(x)  # built (the first call may also trace the sub-layers symbolically): the spy sees one forward pass
keras.layers.LayerNormalization.call = spy
try:
    block(x)
finally:
    keras.layers.LayerNormalization.call = original
norms = list({id(v): v for v in vars(block).values() if isinstance(v, keras.layers.LayerNormalization)}.values())
# The second sub-block alone: what it adds to its input h, under its own normalization.
second = norms[-1]
h = x + keras.ops.convert_to_numpy(block.attention(norms[0](x)))
before = keras.ops.convert_to_numpy(block.feed_forward(second(h)))
norms[0].gamma.assign(norms[0].gamma * 3.0)
after = keras.ops.convert_to_numpy(block.feed_forward(second(h)))
observed = {
    "normalization_calls": len(used),
    "distinct_scale_and_offset": len(set(used)),
    "normalization_weights": sum(len(n.weights) for n in norms),
    "first_gamma_moves_second_depth": bool(np.abs(after - before).max() > 1e-3),
}
"""
VERSIONS = ["3.0.0", format_version(knowledge.default().versions[-1])]


@pytest.mark.parametrize("version", VERSIONS)
def test_one_instance_serves_both_depths_with_one_scale_and_offset(version):
    outcomes = run(version, {"bad": (example("KL903", "bad").source, DRIVER),
                             "good": (example("KL903", "good").source, DRIVER)})
    # The bad block's two normalizations use one gamma and one beta: the second depth moves with the first.
    assert outcomes["bad"] == {"ok": True, "normalization_calls": 2, "distinct_scale_and_offset": 1,
                               "normalization_weights": 2, "first_gamma_moves_second_depth": True}
    assert outcomes["good"] == {"ok": True, "normalization_calls": 2, "distinct_scale_and_offset": 2,
                                "normalization_weights": 4, "first_gamma_moves_second_depth": False}
