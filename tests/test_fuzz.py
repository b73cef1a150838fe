"""Property-based fuzzing: whatever Python it is given, the analysis returns, quickly, and raises nothing.

Two sources of programs: hypothesmith (syntactically valid Python from the
grammar and from libcst nodes; each also followed by a layer class, and as
the body of a layer's ``call()``, so that it reaches astroid and the rules),
and mutants of real Keras layer code (the rule pages' examples, the bundled
examples, a keras-hub-like layer) with lines deleted, duplicated, swapped or
re-indented, and tokens deleted, duplicated, swapped or replaced.

A rule's failure is contained per class by design. Checked here: nothing
escapes ``analyze`` (flake8 would abort the whole run), nothing hangs, and
no failure comes from this package's own code (a rule bug the containment
would hide); astroid may fail on broken code, that costs one class. Example
counts and the per-example time bound are sized for CI: the file takes well
under a minute.
"""

from __future__ import annotations

import io
import textwrap
import time
import tokenize
import traceback
from pathlib import Path

import hypothesmith
import pytest
from docs_examples import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_keras_layers import debug
from flake8_keras_layers.engine import driver as analysis
from flake8_keras_layers.analysis import budget
from flake8_keras_layers.knowledge import facts as knowledge, versions

ROOT = Path(__file__).resolve().parent.parent
PER_EXAMPLE_SECONDS = 30  # a hang guard, far above the ~10-100 ms an example takes

SETTINGS = settings(
    deadline=None,  # timing is asserted below, generously: CI machines are shared
    database=None,  # nothing written to the work tree
    derandomize=True,  # the same examples on every run: CI stays reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

KERAS_HUB_LIKE = '''\
import keras
from keras import ops


class TransformerBlock(keras.layers.Layer):
    def __init__(self, units, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.rate = rate
        self.norm = keras.layers.LayerNormalization()
        self.dense = keras.layers.Dense(units, activation="gelu")
        self.drop = keras.layers.Dropout(rate)

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")
        super().build(input_shape)

    def call(self, x, training=False):
        y = self.norm(x)
        if training:
            y = self.drop(self.dense(y), training=training)
        else:
            y = self.dense(y)
        return x + ops.multiply(y, self.scale)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "rate": self.rate})
        return config
'''


def seeds() -> list[str]:
    found = [e.source for e in examples()]
    found += [p.read_text() for p in sorted((ROOT / "examples").glob("*.py"))]
    return found + [KERAS_HUB_LIKE]


SEEDS = seeds()


class Containment:
    """Records every failure the analysis contains (what ``FLAKE8_KERAS_LAYERS_DEBUG=1`` would print),
    for the duration of one example."""

    def __init__(self):
        self.errors: list[BaseException] = []

    def __enter__(self):
        self.original = debug.internal_error

        def recording(filename, where, error):
            self.errors.append(error)
            self.original(filename, where, error)

        debug.internal_error = recording
        return self

    def __exit__(self, *exc):
        debug.internal_error = self.original

    def own_bugs(self) -> list[str]:
        """Failures raised by this package's code itself (not by astroid, not the budget)."""
        found = []
        for error in self.errors:
            if isinstance(error, budget.BudgetExceeded):
                continue
            last = traceback.extract_tb(error.__traceback__)[-1]
            if "flake8_keras_layers" in last.filename:
                found.append(f"{type(error).__name__}: {error} at {last.filename}:{last.lineno}")
        return found


def check(source: str) -> None:
    """The property: analyze returns a list, in bounded time, whatever the source, and no rule or
    helper of this package raises (astroid may, on broken code: that costs one class, by design).

    One path for every example (the file need not exist): a project root per example
    would grow sys.path by hundreds of entries within one test.
    """
    start = time.monotonic()
    with Containment() as contained:
        found = analysis.analyze(source, "/nonexistent/fuzz/fuzzed.py", versions.Target.any(),
                                 knowledge.default())
    assert isinstance(found, list)
    assert time.monotonic() - start < PER_EXAMPLE_SECONDS
    assert not contained.own_bugs(), (contained.own_bugs(), source)


LAYER = "\n\nimport keras\n\n\nclass Fuzzed(keras.layers.Layer):\n    def call(self, x):\n"


def in_a_layer(program: str) -> list[str]:
    """The program as it is, followed by a layer, and as the body of a layer's call()."""
    body = textwrap.indent(program, " " * 8) or " " * 8 + "pass\n"
    return [program, program + LAYER + "        return x\n", LAYER + body + "\n        return x\n"]


def test_seeds_are_real_layer_code():
    assert len(SEEDS) >= 10 and all("keras" in s for s in SEEDS)


@settings(SETTINGS, max_examples=120)
@given(source=hypothesmith.from_grammar())
def test_programs_from_the_grammar(source):
    for program in in_a_layer(source):
        check(program)


@settings(SETTINGS, max_examples=40)
@given(source=hypothesmith.from_node())
def test_programs_from_libcst_nodes(source):
    for program in in_a_layer(source):
        check(program)


# Mutants of real layer code.

def _tokens(source: str) -> list[str]:
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.string.strip()]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source.split()


@st.composite
def line_mutants(draw) -> str:
    lines = draw(st.sampled_from(SEEDS)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "dedent", "indent"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "dedent":
            lines[i] = lines[i][4:] if lines[i].startswith("    ") else lines[i]
        else:
            lines[i] = "    " + lines[i]
    return "\n".join(lines) + "\n"


@st.composite
def token_mutants(draw) -> str:
    # Re-joined with single spaces on the original lines: most mutants still parse, so
    # they reach astroid and the rules, not just the parser.
    source = draw(st.sampled_from(SEEDS))
    lines = source.splitlines()
    i = draw(st.integers(0, len(lines) - 1))
    line = lines[i]
    indent = line[: len(line) - len(line.lstrip())]
    tokens = _tokens(line.strip() + "\n") or [""]
    for _ in range(draw(st.integers(1, 3))):
        k = draw(st.integers(0, len(tokens) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "replace"]))
        if op == "delete" and len(tokens) > 1:
            del tokens[k]
        elif op == "duplicate":
            tokens.insert(k, tokens[k])
        elif op == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[k], tokens[j] = tokens[j], tokens[k]
        else:
            tokens[k] = draw(st.sampled_from(_tokens(source) + ["self", "None", "super()", "*", "**kwargs"]))
    lines[i] = indent + " ".join(tokens)
    return "\n".join(lines) + "\n"


@settings(SETTINGS, max_examples=150)
@given(source=line_mutants())
def test_layer_code_with_lines_mutated(source):
    check(source)


@settings(SETTINGS, max_examples=150)
@given(source=token_mutants())
def test_layer_code_with_tokens_mutated(source):
    check(source)


@pytest.mark.parametrize("index", range(len(SEEDS)), ids=lambda i: f"seed{i}")
def test_every_seed_itself(index):
    check(SEEDS[index])
