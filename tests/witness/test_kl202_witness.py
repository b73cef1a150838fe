"""KL202 on real Keras: one Dense head on 6- and 16-channel maps fails; one head per width works."""

import pytest
from docs_examples import example
from harness import run
from helpers import lint

from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version

DRIVER = """
model = TwoScaleHead()
out = model(np.ones((2, 12, 12, 3), "float32"))
"""
VERSIONS = ["3.0.0", "3.10.0", format_version(knowledge.default().versions[-1])]


@pytest.mark.parametrize("version", VERSIONS)
def test_reused_head_fails_on_different_widths(version, tmp_path):
    bad, good = example("KL202", "bad").source, example("KL202", "good").source
    outcomes = run(version, {"bad": (bad, DRIVER), "good": (good, DRIVER)})
    assert outcomes["good"] == {"ok": True}
    assert outcomes["bad"]["ok"] is False
    assert outcomes["bad"]["error"] == "ValueError"
    assert "expected axis -1 of input shape to have value 6" in outcomes["bad"]["message"]
    assert "KL202" in {c.split(":")[1] for c in lint(bad, tmp_path / "bad.py", version)}
    assert lint(good, tmp_path / "good.py", version) == []
