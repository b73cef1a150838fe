"""KL903 on real Keras: one LayerNormalization for two streams holds one scale and offset for both."""

import pytest
from docs_examples import example
from harness import run

from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version

DRIVER = """
block = TwoStreamBlock()
a = np.random.default_rng(0).normal(size=(2, 8)).astype("float32")
out = block((a, a * 3.0 + 1.0))
norms = {id(v): v for v in vars(block).values() if isinstance(v, keras.layers.LayerNormalization)}
observed = {"normalization_weights": sum(len(n.weights) for n in norms.values())}
"""
VERSIONS = ["3.0.0", format_version(knowledge.default().versions[-1])]


@pytest.mark.parametrize("version", VERSIONS)
def test_one_instance_shares_its_scale_and_offset(version):
    outcomes = run(version, {"bad": (example("KL903", "bad").source, DRIVER),
                             "good": (example("KL903", "good").source, DRIVER)})
    assert outcomes["bad"] == {"ok": True, "normalization_weights": 2}  # one gamma, one beta for both streams
    assert outcomes["good"] == {"ok": True, "normalization_weights": 4}
