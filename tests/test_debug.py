"""FLAKE8_KERAS_LAYERS_DEBUG=1: every contained failure prints a line, every process one summary."""

from __future__ import annotations

import re
import textwrap

import pytest
from flake8_run import flake8

from flake8_keras_layers import debug
from flake8_keras_layers.analysis import budget
from flake8_keras_layers.engine.driver import analyze
from flake8_keras_layers.knowledge import config_facts, facts, versions
from flake8_keras_layers.rules import ALL, BY_CODE

SUMMARY = re.compile(r"^flake8-keras-layers: debug summary: (\d+) files, (\d+) classes checked, "
                     r"(\d+) internal errors, (\d+) budget stops$")

POOLING = textwrap.dedent("""\
    import keras


    class CustomPooling(keras.layers.MaxPooling2D):
        def build(self, input_shape):
            pass
""")
ANY = versions.Target.any()


@pytest.fixture
def debug_on(monkeypatch):
    monkeypatch.setenv(debug.ENV, "1")
    monkeypatch.setattr(debug, "COUNTERS", debug.Counters())
    yield
    debug._summary_for_pid = None  # no summary from the test process itself


def broken_rule(monkeypatch, code="KL101"):
    def boom(self, ctx):
        raise RuntimeError("injected failure")
        yield  # a generator, as rules are

    monkeypatch.setattr(type(BY_CODE[code]), "check", boom)


def test_an_exception_in_a_class_prints_a_line_naming_file_class_and_exception(debug_on, monkeypatch, capsys):
    broken_rule(monkeypatch)
    assert analyze(POOLING, "/nonexistent/m.py", ANY, facts.default(), rules=ALL) == []
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("flake8-keras-layers: internal error: /nonexistent/m.py: class CustomPooling (line 4): "
                           "RuntimeError: injected failure (at test_debug.py:")
    assert (debug.COUNTERS.errors, debug.COUNTERS.classes) == (1, 1)


def test_a_module_rule_failure_names_the_rule(debug_on, monkeypatch, capsys):
    broken = BY_CODE["KL106"]
    monkeypatch.setattr(type(broken), "check_module", lambda self, ctx: 1 / 0)
    source = POOLING + "        self.add_weight('w', shape=(1,))\n"
    analyze(source, "/nonexistent/m.py", ANY, facts.default(), rules=ALL)
    assert "flake8-keras-layers: internal error: /nonexistent/m.py: rule KL106: ZeroDivisionError" \
        in capsys.readouterr().err


def test_a_budget_that_runs_out_prints_a_budget_stop(debug_on, monkeypatch, capsys):
    monkeypatch.setattr(budget, "STEPS_PER_CLASS", 1)
    assert analyze(POOLING, "/nonexistent/m.py", ANY, facts.default(), rules=ALL) == []
    assert capsys.readouterr().err.splitlines() == [
        "flake8-keras-layers: budget stop: /nonexistent/m.py: class CustomPooling (line 4): steps"]
    assert debug.COUNTERS.budget_stops == 1


def test_without_the_switch_nothing_is_printed(monkeypatch, capsys):
    monkeypatch.delenv(debug.ENV, raising=False)
    broken_rule(monkeypatch)
    assert analyze(POOLING, "/nonexistent/m.py", ANY, facts.default(), rules=ALL) == []
    assert capsys.readouterr().err == ""


def test_a_missing_data_file_is_loud(debug_on, monkeypatch, capsys):
    monkeypatch.setattr(config_facts, "DATA_FILE", "no_such_facts.json")
    config_facts.default.cache_clear()
    try:
        assert config_facts.default().classes == {}
    finally:
        config_facts.default.cache_clear()
    assert "flake8-keras-layers: internal error: flake8_keras_layers.knowledge/data/no_such_facts.json: " \
           "loading Keras constructor facts: FileNotFoundError" in capsys.readouterr().err


SITECUSTOMIZE = """
from flake8_keras_layers.rules import BY_CODE

def boom(self, ctx):
    raise RuntimeError("injected in a subprocess")
    yield

type(BY_CODE["KL101"]).check = boom
"""


@pytest.mark.parametrize("jobs", ["-j1", "-j2"])
def test_flake8_prints_one_summary_per_process_and_every_failure(tmp_path, jobs):
    (tmp_path / "inject").mkdir()
    (tmp_path / "inject" / "sitecustomize.py").write_text(SITECUSTOMIZE)
    (tmp_path / "project").mkdir()
    for index in range(4):
        (tmp_path / "project" / f"layer{index}.py").write_text(POOLING)
    result = flake8("--select=KL", jobs, ".", cwd=tmp_path / "project", pythonpath=str(tmp_path / "inject"),
                    env={debug.ENV: "1"})
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("flake8-keras-layers: internal error: ")]
    assert len(errors) == 4 and all("RuntimeError: injected in a subprocess" in e for e in errors)
    summaries = [SUMMARY.match(line) for line in lines if "debug summary" in line]
    assert summaries and all(summaries), lines
    totals = [sum(int(m.group(i)) for m in summaries) for i in (1, 2, 3, 4)]  # type: ignore[union-attr]
    assert totals == [4, 4, 4, 0]
    assert set(lines) - set(errors) - {m.group(0) for m in summaries} == set()  # type: ignore[union-attr]


def test_flake8_output_is_unchanged_without_the_switch(tmp_path):
    (tmp_path / "layer.py").write_text(POOLING)
    result = flake8("--select=KL", "--keras-version=3.8", "layer.py", cwd=tmp_path)
    assert result.stderr == ""
    assert result.stdout.startswith("layer.py:5:5: KL101 ")
