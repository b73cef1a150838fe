"""A range target on real Keras: a rule reports under ``>=A,<B`` exactly when the example misbehaves on
some release of the range (every release of it is run)."""

import functools

import pytest
from harness import kl101_cases, run
from helpers import lint, option_target

from flake8_keras_layers.knowledge.versions import format_version

CASES = kl101_cases()

# One range ending where the pooling regression was fixed (3.10.0), one starting before the Reshape one
# (3.12.0): each holds an affected and an unaffected release.
RANGES = [">=3.9.2,<3.11", ">=3.11.3,<3.12.1"]


def releases(spec: str) -> list[str]:
    within = option_target(spec).keras.keras3
    assert within, spec
    return [format_version(v) for v in within]


@functools.lru_cache(maxsize=None)
def outcomes(version: str) -> dict:
    return run(version, CASES)


def misbehaved(outcome: dict) -> bool:
    return not outcome["ok"] or not outcome.get("build_ran")


@pytest.mark.parametrize("spec", RANGES)
def test_reported_under_a_range_exactly_when_some_release_of_it_misbehaves(spec, tmp_path):
    affected_somewhere = set()
    for version in releases(spec):
        for name, outcome in outcomes(version).items():
            if misbehaved(outcome):
                affected_somewhere.add(name)
    # Each range holds a release one bad example breaks on and none the other does.
    assert len(affected_somewhere & {"bad", "bad reshape"}) == 1, (spec, affected_somewhere)
    for name, (source, _driver) in CASES.items():
        reported = "KL101" in {c.split(":")[1] for c in lint(source, tmp_path / "ex.py", spec)}
        assert reported == (name in affected_somewhere), (spec, name)
