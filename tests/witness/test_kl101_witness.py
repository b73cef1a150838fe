"""KL101 on real Keras: build() is skipped exactly where the plugin reports it."""

import pytest
from harness import kl101_cases, run
from helpers import lint

from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version

LATEST = format_version(knowledge.default().versions[-1])

CASES = kl101_cases()

# Before, at both ends of and after the pooling regression; around the Reshape one; the latest.
VERSIONS = sorted({"3.5.0", "3.6.0", "3.9.2", "3.10.0", "3.11.3", "3.12.0", LATEST},
                  key=lambda v: tuple(map(int, v.split("."))))


@pytest.mark.parametrize("version", VERSIONS)
def test_build_skipped_exactly_where_reported(version, tmp_path):
    outcomes = run(version, CASES)
    for name, (source, _driver) in CASES.items():
        reported = "KL101" in {c.split(":")[1] for c in lint(source, tmp_path / "ex.py", version)}
        outcome = outcomes[name]
        # Misbehaving: call() fails on the weight build() should have made (or build never ran).
        misbehaved = not outcome["ok"] or not outcome.get("build_ran")
        assert reported == misbehaved, (name, version, outcome)
        if not outcome["ok"]:
            assert outcome["error"] == "AttributeError" and "scale" in outcome["message"], outcome
    assert outcomes["good"] == {"ok": True, "build_ran": True}
