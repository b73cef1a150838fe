"""The probe's fact registry (tools/probe_facts.py) agrees with its schema and the shipped data."""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import probe_facts  # noqa: E402


def test_every_measured_fact_has_its_schema_row():
    rows = re.findall(r"^\| `(\w+)`", (ROOT / "tools" / "SCHEMA.md").read_text(), re.M)
    measured = ["exists"] + [m.name for m in probe_facts.MEASUREMENTS]
    assert sorted(rows) == sorted(measured)


def test_shipped_data_has_exactly_the_registered_per_release_facts():
    shipped = json.loads((ROOT / "flake8_keras_layers" / "knowledge" / "data" / "keras_facts.json").read_text())
    facts = {fact for entry in shipped["classes"].values() for fact in entry["facts"]}
    assert {f for f in facts if "." not in f} == set(probe_facts.CLASS_FACTS)
    assert {f.partition(".")[0] for f in facts if "." in f} == set(probe_facts.FAMILY_FACTS)
    assert set(shipped["globals"]) == set(probe_facts.GLOBAL_FACTS)


def test_every_family_is_unknown_where_its_class_cannot_be_constructed():
    """A class the probe cannot construct (needs TensorFlow) has no family member in those releases."""
    shipped = json.loads((ROOT / "flake8_keras_layers" / "knowledge" / "data" / "keras_facts.json").read_text())
    hashing = shipped["classes"]["Hashing"]
    assert set(hashing["unknown"]) >= set(probe_facts.FAMILY_FACTS)
    assert not any(ranges for fact, ranges in hashing["facts"].items() if "." in fact)
