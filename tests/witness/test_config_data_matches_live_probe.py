"""The shipped reload and call facts (keras_config_facts.json) agree with a live probe, as the plugin reads them."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import probe_config  # noqa: E402

from flake8_keras_layers.knowledge import config_facts  # noqa: E402
from flake8_keras_layers.knowledge.versions import parse  # noqa: E402

# Lambda.from_config refuses a Python lambda in 3.12.3 but not 3.13.0; the newest release.
LIVE = ["3.12.3", "3.13.0", json.loads(probe_config.DEFAULT_OUT.read_text())["versions"][-1]]


def only(outcomes):
    assert outcomes is not None and len(outcomes.groups) == 1
    return outcomes.groups[0][0]


@pytest.mark.parametrize("version", LIVE)
def test_shipped_reload_and_call_facts_match_a_live_probe(version):
    raw = probe_config.probe_version(version)  # measured now, no raw cache
    shipped, within = config_facts.default(), [parse(version)]
    assert only(shipped.layer_config_keys(within)) == tuple(raw["base_keys"])
    for name, passes in raw["reload"].items():
        assert only(shipped.reload_passes(name, within)) == tuple(passes), name
    for name in set(raw["classes"]) - set(raw["reload"]):
        assert shipped.reload_passes(name, within) is None, name  # unknown now: not claimed either way
    for base, kinds in raw["auto_reload"].items():
        for kind, keys in kinds.items():
            assert only(shipped.auto_reload_passes(base, kind == "named", within)) == tuple(keys), (base, kind)
    for callee, forms in raw["calls"].items():
        for form, outcome in forms.items():
            assert only(shipped.call_outcomes(callee, form, within)) == (outcome["error"], outcome["message"])
    for switch, classes in raw["switches"].items():
        fact = shipped.switches[switch]
        assert sorted(classes) == [c for c in fact["classes"] if c in classes], switch
        for field, holds in (("omitted", all(c["omitted"] for c in classes.values())),
                             ("fails_on_cpu", any(c["fails_on_cpu"] for c in classes.values()))):
            assert any(parse(a) <= parse(version) <= parse(b) for a, b in fact[field]) is holds, (switch, field)
    assert len(raw["reload"]) > 100
