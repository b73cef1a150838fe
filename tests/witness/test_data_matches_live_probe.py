"""The shipped facts agree with a live probe of real Keras releases, as the plugin reads them."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import probe_keras  # noqa: E402

from flake8_keras_layers.knowledge import facts as knowledge, versions  # noqa: E402

# One release of the old dependency set and the newest one.
LIVE = ["3.6.0", probe_keras.load_facts()["versions"][-1]]


@pytest.mark.parametrize("version", LIVE)
def test_shipped_facts_match_a_live_probe(version):
    raw = probe_keras.probe_version(version, force=True)  # measured now, never read from a cache
    shipped = knowledge.default()
    within = (versions.parse(version),)  # the facts of exactly this release
    checked = 0
    for name in raw["classes"]:
        for fact in probe_keras.CLASS_FACTS:
            measured = probe_keras.raw_fact(raw, name, fact)
            if measured is None:
                continue  # unknown now: the shipped data must not claim it either way
            holds = shipped.class_holds(name, fact, within) is not None
            assert holds == measured, (name, fact, version)
            checked += 1
        for family in probe_keras.FAMILY_FACTS:
            members = probe_keras.family_members(raw, name, family)
            if members is None:
                continue  # unmeasured now
            shipped_members = {m for m in shipped.members(name, family)
                               if shipped.class_holds(name, f"{family}.{m}", within) is not None}
            assert shipped_members == set(members), (name, family, version)
            checked += 1
    for fact, value in raw["globals"].items():
        if isinstance(value, bool):
            assert (shipped.global_holds(fact, within) is not None) == value, (fact, version)
    assert checked > 500
