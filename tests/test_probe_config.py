"""tools/probe_config.py folds per-release reload and call facts the way the plugin reads them
(knowledge/config_facts.py), and the shipped data holds them for every probed release."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import probe_config  # noqa: E402
import probe_reload  # noqa: E402

from flake8_keras_layers.knowledge import config_facts  # noqa: E402
from flake8_keras_layers.knowledge.versions import parse  # noqa: E402

KEYS = ["name", "trainable", "dtype"]


def raw(version: str, reload: dict, add_weight: dict) -> dict:
    return {"keras_version": version, "classes": {name: {"params": [], "accepted": [], "layer_get_config": False}
                                                  for name in ("Layer", "Sequential", "Hashing")},
            "globals": {}, "base_keys": KEYS, "reload": reload,
            "auto_reload": {"Layer": {"plain": KEYS[1:], "named": KEYS}},
            "calls": {"add_weight": add_weight, "Lambda": {}}}


OK = {"error": None, "message": None}
TYPE = {"error": "TypeError", "message": "got multiple values for argument 'shape'"}
VALUE = {"error": "ValueError", "message": "`name` must be passed as a keyword argument"}
RAWS = [
    raw("3.0.0", {"Layer": KEYS, "Sequential": ["name"]}, {"name,shape=": TYPE}),
    raw("3.1.0", {"Layer": KEYS, "Sequential": ["name"]}, {"name,shape=": TYPE}),
    raw("3.2.0", {"Layer": KEYS}, {"name,shape=": VALUE}),  # Sequential not measured here
]


def test_variants_fold_releases_that_behaved_alike():
    doc = probe_config.compile_facts(RAWS)
    assert doc["reload"]["Sequential"] == [{"versions": (("3.0.0", "3.1.0"),), "passes": ["name"]}]
    assert doc["reload"]["Layer"] == [{"versions": (("3.0.0", "3.2.0"),), "passes": KEYS}]
    assert "Hashing" not in doc["reload"]
    assert [v["error"] for v in doc["calls"]["add_weight"]["name,shape="]] == ["TypeError", "ValueError"]


def test_the_plugin_reads_groups_and_stays_silent_where_unmeasured():
    import json

    facts = config_facts.ConfigKnowledge(json.loads(json.dumps(probe_config.compile_facts(RAWS))))
    every = [parse(v) for v in ("3.0.0", "3.1.0", "3.2.0")]
    assert facts.reload_passes("Sequential", every) is None  # 3.2.0 unmeasured
    passes = facts.reload_passes("Sequential", every[:2])
    assert passes is not None and passes.groups == ((("name",), every[:2]),)
    assert facts.reload_passes("Hashing", None) is None
    outcomes = facts.call_outcomes("add_weight", "name,shape=", None)
    assert outcomes is not None
    assert [value for value, _ in outcomes.groups] == [("TypeError", TYPE["message"]), ("ValueError", VALUE["message"])]
    assert facts.auto_reload_passes("Layer", False, None).groups == ((("trainable", "dtype"), every),)


def test_shipped_data_measures_every_probed_call_form_in_every_release():
    facts = config_facts.default()
    for form in probe_reload.ADD_WEIGHT_FORMS:
        assert facts.call_outcomes("add_weight", form, None) is not None, form
    for form in probe_reload.LAMBDA_FORMS:
        assert facts.call_outcomes("Lambda", form, None) is not None, form
    for base in ("Layer", "Model", "Sequential", "Dense"):
        assert facts.reload_passes(base, None) is not None, base
    assert facts.layer_config_keys(None).groups[0][0] == tuple(KEYS)


def test_short_spans():
    probed = tuple(parse(v) for v in ("3.0.0", "3.0.1", "3.1.0", "3.2.0", "3.2.1", "3.3.0", "3.3.1"))
    span = config_facts.short_span
    assert span(probed[:5], probed) == "3.0-3.2.1"
    assert span(probed[1:4], probed) == "3.0.1-3.2.0"
    assert span(probed[5:], probed) == "3.3-3.3.1"  # the last release spelt out: nothing newer is claimed
    assert span([probed[0], probed[1]], probed) == "3.0-3.0.1"
    assert span([probed[2], probed[5]], probed) == "3.1.0, 3.3.0"
