"""A reduced crash-free sweep (benchmarks/sweep.py runs the full one): real flake8, -j2 and -j1.

Two samples, each linted with both job counts: 150 files spread over this
interpreter's standard library (up to 30 kB each, test files with deliberate
syntax errors and odd encodings included), and a small Keras project whose
files subclass each other across modules, made of the rule pages' examples
and line-mutated copies of them. Every run must exit 0 or 1 with no
"failed during execution" and no traceback, and both job counts must print
the same diagnostics.
"""

import random
import sys
from pathlib import Path

from docs_examples import examples

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import corpus  # noqa: E402
import sweep  # noqa: E402


def keras_project(root: Path, mutants: int = 40) -> Path:
    """A package of layer code: every docs example, cross-module subclasses, and mutants."""
    package = root / "proj"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text(
        "import keras\n\n\nclass Pool(keras.layers.MaxPooling2D):\n    pass\n\n\n"
        "class Block(keras.layers.Layer):\n    def __init__(self, **kwargs):\n        super().__init__(**kwargs)\n"
        "        self.bn = keras.layers.BatchNormalization()\n"
    )
    (package / "derived.py").write_text(
        "from proj.base import Block, Pool\n\n\nclass P(Pool):\n    def build(self, input_shape):\n        pass\n\n\n"
        "class B(Block):\n    def call(self, x):\n        return self.bn(self.bn(x))\n"
    )
    sources = [e.source for e in examples()]
    for i, source in enumerate(sources):
        (package / f"example_{i}.py").write_text(source)
    rng = random.Random(0)
    for i in range(mutants):
        lines = rng.choice(sources).splitlines()
        for _ in range(rng.randint(1, 3)):
            j = rng.randrange(len(lines))
            op = rng.choice(["delete", "duplicate", "swap"])
            if op == "delete":
                del lines[j]
            elif op == "duplicate":
                lines.insert(j, lines[j])
            else:
                k = rng.randrange(len(lines))
                lines[j], lines[k] = lines[k], lines[j]
            if not lines:
                lines = ["pass"]
        (package / f"mutant_{i}.py").write_text("\n".join(lines) + "\n")
    return root


def check(report: sweep.Report) -> None:
    assert report.runs and not report.problems(), report.summary()


def test_standard_library_sample():
    # Files up to 30 kB: plain flake8's own checks of the large test modules would take minutes.
    report = sweep.sweep("stdlib", corpus.stdlib_root(), limit=150, max_bytes=30_000)
    check(report)
    assert report.files >= 140


def test_keras_project(tmp_path):
    # derived.P's KL101 needs a release where MaxPooling2D subclasses are built at __init__ (not any installed keras).
    report = sweep.sweep("keras project", keras_project(tmp_path), extra=("--keras-version=3.8",))
    check(report)
    reported = report.runs[0].stdout
    # Resolved across modules, in both runs (the -j2 workers each parse proj.base themselves).
    assert "derived.py:5:5: KL101" in reported and "derived.py:11:" in reported


SUMMARY = "flake8-keras-layers: debug summary: 3 files, 1 classes checked, {} internal errors, 0 budget stops\n"


def test_a_failure_is_noticed():
    # The check itself can fail: a run that crashed, or runs that disagree, are problems.
    crashed = sweep.Run(2, 1, "", "flake8 failed during execution\n" + SUMMARY.format(0), 0.0)
    report = sweep.Report("x", 3, [crashed, sweep.Run(1, 1, "a.py:1:1: KL101 x\n", SUMMARY.format(0), 0.0)])
    problems = report.problems()
    assert any("failed during execution" in p for p in problems)
    assert any("differ" in p for p in problems)


def test_a_contained_failure_is_noticed():
    # A contained exception looks like "all clear" on stdout; the debug switch shows it.
    line = "flake8-keras-layers: internal error: a.py: class A (line 3): KeyError: 'x'\n"
    report = sweep.Report("x", 1, [sweep.Run(1, 0, "", line + SUMMARY.format(1), 0.0)])
    assert any("internal error" in p for p in report.problems())
    assert sweep.Report("x", 1, [sweep.Run(1, 0, "", "", 0.0)]).problems()  # the switch was not on
    assert not sweep.Report("x", 1, [sweep.Run(1, 0, "", SUMMARY.format(0), 0.0)]).problems()
