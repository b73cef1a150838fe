"""engine/triggers.py: the plugin's copy of what triggers each rule is the rules' own, and it imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys

from flake8_keras_layers.engine import triggers
from flake8_keras_layers.rules import ALL


def _fields(rule) -> tuple:
    return (rule.code, frozenset(rule.methods), rule.mixed_in, rule.opt_in, rule.module_rule,
            frozenset(getattr(rule, "callees", ())), frozenset(getattr(rule, "keywords", ())), getattr(rule, "needs", ""))


def test_one_trigger_per_rule_in_order_with_its_fields():
    assert [_fields(t) for t in triggers.ALL] == [_fields(r) for r in ALL]


def test_wants_agrees_with_the_rules():
    cases = [(frozenset(), 1), (frozenset({"build"}), 1), (frozenset({"call"}), 2), (frozenset(), 3),
             (frozenset({"__init__", "get_config"}), 1)]
    for trigger, rule in zip(triggers.ALL, ALL):
        assert [trigger.wants(own, bases) for own, bases in cases] == [rule.wants(own, bases) for own, bases in cases]


def test_loading_the_plugin_imports_no_analysis():
    """flake8 imports the plugin on every run: astroid, the rules and packaging wait for a file that needs them."""
    code = ("import sys, flake8_keras_layers.plugin; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('astroid', 'packaging', 'tomllib') "
            "or m.startswith('flake8_keras_layers.rules')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
