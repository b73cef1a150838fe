"""What makes each rule look at a file, without importing the rules: the plugin screens every file with it.

Importing the analysis (astroid, the rules, ``packaging`` for the target)
costs a flake8 run about 40 ms, and most files never need it: the plugin
runs the pre-filter (prefilter.screen) over this table first and imports the
rest only for a file that passes. One entry per rule of ``rules.ALL``, in
its order, with the rule's own ``methods``, ``mixed_in``, ``callees``,
``keywords``, ``needs`` and ``opt_in``; tests/test_triggers.py holds the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Trigger:
    code: str
    methods: frozenset[str] = frozenset()
    mixed_in: bool = False
    opt_in: bool = False
    module_rule: bool = False  # a rules.ModuleRule: triggered by callees and keywords
    callees: frozenset[str] = frozenset()
    keywords: frozenset[str] = frozenset()
    needs: str = ""  # a rules.ModuleRule's: what a call must be for it to report (engine/denied.py)

    def wants(self, own_methods, bases: int) -> bool:
        """As ``Rule.wants``."""
        return bool(self.methods & own_methods) or (self.mixed_in and bases > 1)


def _on(code: str, *methods: str, **flags) -> Trigger:
    return Trigger(code, frozenset(methods), **flags)


def _calls(code: str, callees=(), keywords=(), opt_in: bool = False, needs: str = "") -> Trigger:
    return Trigger(code, opt_in=opt_in, module_rule=True, callees=frozenset(callees), keywords=frozenset(keywords),
                   needs=needs)


ALL: tuple[Trigger, ...] = (
    _on("KL101", "build", mixed_in=True),
    _on("KL102", "build"),
    _on("KL103", "call"),
    _on("KL104", "call"),
    _on("KL105", "__init__"),
    _calls("KL106", callees=("add_weight",), needs="method"),
    _on("KL107", "__init__"),
    _on("KL108", "__init__"),
    _on("KL109", "call", opt_in=True),
    _on("KL201", "call"),
    _on("KL202", "call"),
    _on("KL903", "call", opt_in=True),
    _calls("KL301", keywords=("activation",), needs="callee"),
    _on("KL302", "__init__"),
    _on("KL303", "get_config"),
    _on("KL304", "__init__"),
    _on("KL305", "get_config"),
    _on("KL901", "call", opt_in=True),
    _calls("KL902", callees=("Lambda",), opt_in=True, needs="callee"),
)
