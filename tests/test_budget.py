"""Pathological but legal code completes, costs at most the class it is in, and the rest is still checked.

Each file below ends with ``MARKER``, a class KL101 reports: seeing it
reported proves the file was analysed past the pathological part.
"""

import time

import pytest
from helpers import lint

from flake8_keras_layers.engine import driver as analysis
from flake8_keras_layers.analysis import budget, resolver
from flake8_keras_layers.knowledge import facts as knowledge, versions
from flake8_keras_layers.rules import ALL, Rule

MARKER = """

class Marker(keras.layers.MaxPooling2D):
    def build(self, input_shape):
        pass
"""


def marker_line(source: str) -> int:
    return source.count("\n") - 1  # the `def build` line of MARKER, the file's last method


def timed_lint(source: str, path) -> tuple[list[str], float]:
    start = time.monotonic()
    found = lint(source, path)
    return found, time.monotonic() - start


def deep_chain(classes: int) -> str:
    """C0 is a MaxPooling2D subclass; every C<i>(C<i-1>) overrides build (KL101) and sets self.w."""
    lines = ["import keras", "", "", "class C0(keras.layers.MaxPooling2D):", "    pass"]
    for i in range(1, classes):
        lines += ["", "", f"class C{i}(C{i - 1}):", "    def build(self, input_shape):", "        self.w = 1"]
    return "\n".join(lines) + "\n" + MARKER


def test_deep_hierarchy_of_500_project_classes(tmp_path):
    # astroid's own build registers each `self.w = ...` through the class's MRO: cubic in the
    # depth (minutes at 500). Classes deeper than the resolver follows are left out of it.
    source = deep_chain(500)
    found, elapsed = timed_lint(source, tmp_path / "deep.py")
    assert elapsed < 60
    lines = {int(entry.split(":")[0]) for entry in found if entry.endswith("KL101")}
    first_build = source.splitlines().index("class C1(C0):") + 2
    # Within the resolver's depth every class is checked...
    assert first_build in lines
    assert first_build + 5 * (resolver.MAX_DEPTH - 1) in lines
    # ...beyond it none (the resolver cannot answer), and the rest of the file is checked.
    assert first_build + 5 * (resolver.MAX_DEPTH + 5) not in lines
    assert marker_line(source) in lines


def test_class_with_thousands_of_attribute_assignments(tmp_path):
    assigns = "".join(f"        self.a{i} = keras.layers.Dense({i + 1})\n" for i in range(3000))
    calls = "".join(f"        x = self.a{i}(x)\n" for i in range(0, 3000, 3))
    source = (
        "import keras\n\n\nclass Many(keras.layers.Layer):\n    def __init__(self, **kwargs):\n"
        f"        super().__init__(**kwargs)\n{assigns}\n    def call(self, x):\n{calls}        return x\n"
        + MARKER
    )
    found, elapsed = timed_lint(source, tmp_path / "attrs.py")
    assert elapsed < 60
    assert f"{marker_line(source)}:KL101" in found


@pytest.mark.parametrize("shape", ["flat", "elif"])
def test_call_with_thousands_of_branches(tmp_path, shape):
    # Flat: 3000 mutually exclusive `if mode == i:` calls of one BatchNormalization make KL201
    # compare every pair (millions): the step budget stops it. An elif chain nests one level per
    # branch: 200 deep is what astroid's recursive tree builder still takes.
    count = 3000 if shape == "flat" else 200
    branches = "".join(
        f"        {'el' if shape == 'elif' and i else ''}if mode == {i}:\n            x = self.bn(x)\n"
        for i in range(count)
    )
    source = (
        "import keras\n\n\nclass Branchy(keras.layers.Layer):\n    def __init__(self, **kwargs):\n"
        "        super().__init__(**kwargs)\n        self.bn = keras.layers.BatchNormalization()\n\n"
        f"    def call(self, x, mode=0):\n{branches}        return x\n" + MARKER
    )
    found, elapsed = timed_lint(source, tmp_path / "branches.py")
    assert elapsed < 60
    assert f"{marker_line(source)}:KL101" in found


def test_nesting_deeper_than_astroid_builds_is_skipped_not_fatal(tmp_path):
    # 3000 nested elifs: astroid's tree builder hits the recursion limit, the file reports
    # nothing (a known limit), and the next file is analysed normally.
    branches = "".join(f"    {'el' if i else ''}if x == {i}:\n        pass\n" for i in range(3000))
    assert lint(f"import keras\n\n\ndef f(x):\n{branches}" + MARKER, tmp_path / "nested.py") == []
    source = "import keras\n" + MARKER
    assert lint(source, tmp_path / "after.py") == [f"{marker_line(source)}:KL101"]


# The budget itself, with rules that misbehave on purpose.

SOURCE = "import keras\n\n\nclass First(keras.layers.Layer):\n    def call(self, x):\n        return x\n" + MARKER


class Endless(Rule):
    code, name, summary, methods = "KL998", "endless", "infers forever", frozenset({"call"})
    swallow = False

    def check(self, ctx):
        node = ctx.cls.bases[0]
        while True:
            try:
                resolver.safe_infer_all(node)
            except budget.BudgetExceeded:
                if not self.swallow:
                    raise
                yield self.at(ctx.cls, "found after the budget ran out")
                return


class Swallowing(Endless):
    code = "KL997"
    swallow = True


def analyze(rules):
    return analysis.analyze(SOURCE, "/nonexistent/m.py", versions.Target.any(), knowledge.default(),
                            rules=rules)


def test_an_endless_rule_costs_only_its_class():
    found = analyze((Endless(), *ALL))
    assert [(d.line, d.code) for d in found] == [(marker_line(SOURCE), "KL101")]


def test_findings_made_after_the_budget_ran_out_are_discarded():
    assert not [d for d in analyze((Swallowing(),)) if d.code == "KL997"]


def test_time_budget(monkeypatch):
    monkeypatch.setattr(budget, "SECONDS_PER_CLASS", 0.2)
    monkeypatch.setattr(budget, "STEPS_PER_CLASS", 10**12)
    start = time.monotonic()
    found = analyze((Endless(), *ALL))
    assert time.monotonic() - start < 10
    assert [(d.line, d.code) for d in found] == [(marker_line(SOURCE), "KL101")]


def test_spend_outside_a_budget_is_free():
    for _ in range(10):
        budget.spend(10**9)  # no budget in force: never raises


def test_budgets_nest_and_restore():
    with budget.limit(steps=5) as outer:
        with budget.limit(steps=1) as inner:
            budget.spend()
            with pytest.raises(budget.BudgetExceeded):
                budget.spend()
        assert inner.exhausted and not outer.exhausted
        budget.spend(5)
    assert outer.steps_left == 0
