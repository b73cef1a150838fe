"""KL106 on real Keras: for each call form, the rule reports exactly the calls that raise, and quotes the
exception (type and message) the targeted release raises for that form.

The probe (tools/probe_reload.py) ran its own sample calls; these are other spellings of the forms, plus a
form it did not run, so the rule's mapping from a call to a probed form is witnessed too.
"""

import re
import textwrap

import pytest
from harness import run
from helpers import option_target

from flake8_keras_layers.engine.driver import analyze
from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version

LATEST = format_version(knowledge.default().versions[-1])
VERSIONS = ["3.0.0", "3.13.2", "3.14.0", LATEST]

CALLS = {
    "name, shape=": 'self.add_weight("kernel", shape=(n, 3))',
    "name, shape=, initializer=": 'self.add_weight("kernel", shape=(n,), initializer="zeros", trainable=True)',
    "name, shape, initializer=": 'self.add_weight("kernel", (n,), initializer="zeros")',
    "name, shape": 'self.add_weight("kernel", (n,))',
    "name, shape, dtype (Keras 2 order)": 'self.add_weight("kernel", (n,), "float32")',
    "name only": 'self.add_weight("kernel")',
    "four positional": 'self.add_weight((n,), "zeros", "float32", True)',
    "unprobed: dtype= after three": 'self.add_weight("kernel", (n,), "zeros", dtype="float32")',
    "shape first, name=": 'self.add_weight((n,), name="kernel")',
    "keywords": 'self.add_weight(name="kernel", shape=(n,), initializer="zeros")',
}


def source(call: str) -> str:
    return textwrap.dedent(f"""
        import keras


        class Probe(keras.layers.Layer):
            def build(self, input_shape):
                n = input_shape[-1]
                self.w = {call}

            def call(self, x):
                return x
        """)


DRIVER = "Probe()(np.ones((2, 3), 'float32'))\n"


def said(call: str, path, version: str) -> str | None:
    text = source(call)
    path.write_text(text)
    found = [d.message for d in analyze(text, str(path), option_target(version), knowledge.default())
             if d.code == "KL106"]
    assert len(found) <= 1
    if found:
        assert len(found[0]) <= 200, found[0]
    return found[0] if found else None


@pytest.mark.parametrize("version", VERSIONS)
def test_reported_exactly_when_the_call_raises_and_quoted_as_raised(version, tmp_path):
    outcomes = run(version, {name: (source(call), DRIVER) for name, call in CALLS.items()})
    for name, call in CALLS.items():
        outcome, message = outcomes[name], said(call, tmp_path / "m.py", version)
        assert (message is not None) == (not outcome["ok"]), (name, version, outcome, message)
        if message is None:
            continue
        quoted = re.search(r': (\w+Error|it fails)(?: "([^"]*)")? \(Keras ([^)]*)\)', message)
        assert quoted, message
        error, text, releases = quoted.groups()
        assert releases == version, (name, message)
        if error != "it fails":
            assert error == outcome["error"], (name, version, outcome, message)
            # "..." stands for the call's own values, elided from the probe's message.
            pattern = ".*".join(re.escape(part) for part in (text or "").split("..."))
            assert text and re.search(pattern, outcome["message"]), (name, version, outcome, message)
        else:
            assert name.startswith("unprobed"), name
