"""KL102-KL107 on real Keras: each page's bad example misbehaves exactly where the plugin reports it.

One subprocess per Keras release runs every case of every rule (``harness.run``); each test then
compares, per case, what the plugin reports for that release with what Keras did.
"""

import functools

import pytest
from docs_examples import example
from harness import run
from helpers import lint

from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version, parse

LATEST = format_version(knowledge.default().versions[-1])
VERSIONS = sorted({"3.0.0", "3.5.0", "3.6.0", "3.9.2", "3.10.0", "3.12.0", "3.13.2", "3.14.0", LATEST}, key=parse)

X = "x = np.ones((2, 4), 'float32')\n"
CALL_ONCE = X + "layer = {cls}()\nout = layer(x)\nobserved = {{'weights': len(layer.weights)}}\n"
BUILD_RAN = X + "layer = Scale()\nout = layer(x)\nobserved = {'build_ran': hasattr(layer, 'scale')}\n"
CALL_TWICE = X + ("layer = Head()\na = np.asarray(layer(x))\nb = np.asarray(layer(x))\n"
                  "observed = {'weights': len(layer.weights), 'same_output': bool(np.allclose(a, b))}\n")

# rule -> {case: (docs example, driver)}
CASES = {
    "KL102": {"bad": (example("KL102", "bad"), BUILD_RAN), "good": (example("KL102", "good"), BUILD_RAN)},
    "KL103": {"bad": (example("KL103", "bad"), CALL_ONCE.format(cls="Scale")),
              "bad sublayer": (example("KL103", "bad", "sublayer"), CALL_ONCE.format(cls="Projection")),
              "good": (example("KL103", "good"), CALL_ONCE.format(cls="Scale"))},
    "KL104": {"bad": (example("KL104", "bad"), CALL_TWICE), "good": (example("KL104", "good"), CALL_TWICE)},
    "KL105": {"bad": (example("KL105", "bad"), CALL_ONCE.format(cls="GatedReLU")),
              "good": (example("KL105", "good"), CALL_ONCE.format(cls="GatedReLU"))},
    "KL106": {"bad": (example("KL106", "bad"), CALL_ONCE.format(cls="Scale")),
              "good": (example("KL106", "good"), CALL_ONCE.format(cls="Scale"))},
    "KL107": {"bad": (example("KL107", "bad"), CALL_ONCE.format(cls="Net")),
              "good": (example("KL107", "good"), CALL_ONCE.format(cls="Net")),
              # Its own __call__ never reaches Keras' check: calling it works.
              "good container": (example("KL107", "good", "container"), X + "out = Net()(x)\nobserved = {}\n")},
}

LOCKED = "You cannot add new elements of state"


def misbehaved(rule: str, outcome: dict) -> bool:
    """What each rule claims goes wrong, as seen on real Keras (anything else fails the test)."""
    if rule == "KL102":
        return not outcome["ok"] or not outcome["build_ran"]
    if rule == "KL104":
        return outcome["weights"] == 0 or not outcome["same_output"]
    return not outcome["ok"]


def expected_error(rule: str, version: str) -> tuple[str, str]:
    """(exception type, message part) the rule's message promises for ``version``."""
    if rule == "KL102":
        return "AttributeError", "'scale'"
    if rule in ("KL103", "KL105"):
        return "ValueError", LOCKED
    if rule == "KL107":
        return "RuntimeError", "you forgot to call `super().__init__()`"
    if knowledge.default().global_holds("add_weight_positional_name_typeerror", [parse(version)]):
        return "TypeError", "got multiple values for argument 'shape'"
    return "ValueError", "`name` must be passed as a keyword argument"


@functools.lru_cache(maxsize=None)
def outcomes(version: str) -> dict:
    flat = {f"{rule} {case}": (ex.source, driver)
            for rule, cases in CASES.items() for case, (ex, driver) in cases.items()}
    return run(version, flat)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("rule", sorted(CASES))
def test_misbehaves_exactly_where_reported(rule, version, tmp_path):
    results = outcomes(version)
    for case, (ex, _driver) in CASES[rule].items():
        outcome = results[f"{rule} {case}"]
        reported = rule in {c.split(":")[1] for c in lint(ex.source, tmp_path / "ex.py", version)}
        assert reported == misbehaved(rule, outcome), (rule, case, version, outcome)
        if case.startswith("good"):
            assert outcome["ok"], (rule, version, outcome)
        elif not outcome["ok"]:
            error, message = expected_error(rule, version)
            assert outcome["error"] == error and message in outcome["message"], (rule, version, outcome)
