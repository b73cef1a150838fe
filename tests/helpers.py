"""Lint sources in-process the way flake8 would, and state results as ``line:code``."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from flake8_keras_layers.knowledge import facts as knowledge, versions
from flake8_keras_layers.engine.driver import analyze
from flake8_keras_layers.rules import ALL


@dataclass
class Case:
    """A source (the file ``main.py``, or ``pkg/main.py`` with ``files``), and what it must report."""

    id: str
    source: str
    expected: list[str]
    keras_version: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    codes: tuple[str, ...] = ()  # only these codes are compared (default: every code)

    def __str__(self) -> str:
        return self.id


def lint(source: str, path: Path, keras_version: str | None = None, codes=()) -> list[str]:
    source = textwrap.dedent(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return lint_file(path, keras_version, codes)


def lint_file(path: Path, keras_version: str | None = None, codes=()) -> list[str]:
    """Every rule (opt-in ones too) on a file as it is on disk.

    The target is explicit, never the ``keras`` distribution that happens to be
    installed beside the tests: ``keras_version``, or every known release.
    """
    target = versions.Target(versions.parse(keras_version), "option") if keras_version else (
        versions.Target(None, "any")
    )
    source = path.read_text()
    found = analyze(source, str(path), target, knowledge.default(), rules=ALL)
    return [f"{d.line}:{d.code}" for d in found if not codes or d.code in codes]


def run_case(case: Case, tmp_path: Path) -> list[str]:
    for name, text in case.files.items():
        file = tmp_path / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(textwrap.dedent(text))
    main = tmp_path / ("pkg/main.py" if case.files else "main.py")
    return lint(case.source, main, case.keras_version, case.codes)
