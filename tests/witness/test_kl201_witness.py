"""KL201 on real Keras: one BatchNormalization on 6- and 16-channel maps fails; one per map works."""

import pytest
from docs_examples import example
from harness import run

from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version

DRIVER = """
model = FeatureExtractor()
out = model(np.ones((2, 28, 28, 3), "float32"))
"""
VERSIONS = ["3.0.0", "3.6.0", "3.10.0", format_version(knowledge.default().versions[-1])]


@pytest.mark.parametrize("version", VERSIONS)
def test_reused_batchnorm_fails_on_different_widths(version):
    outcomes = run(version, {"bad": (example("KL201", "bad").source, DRIVER),
                             "good": (example("KL201", "good").source, DRIVER)})
    assert outcomes["good"] == {"ok": True}
    assert outcomes["bad"]["ok"] is False
    assert outcomes["bad"]["error"] == "ValueError"
    assert "expected axis -1 of input shape to have value 6" in outcomes["bad"]["message"]
