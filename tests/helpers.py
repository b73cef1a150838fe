"""Lint sources in-process the way flake8 would, and state results as ``line:code``."""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from astroid import nodes

from flake8_keras_layers.analysis import resolver
from flake8_keras_layers.knowledge import facts as knowledge, target as targets, versions
from flake8_keras_layers.engine.driver import analyze
from flake8_keras_layers.engine.session import Session
from flake8_keras_layers.rules import ALL


@dataclass(frozen=True)
class Case:
    """A source (the file ``main.py``, or ``pkg/main.py`` with ``files``), and what it must report."""

    id: str
    source: str
    expected: list[str]
    keras_version: str | None = None  # as --keras-version takes it: "3.8", ">=3.8,<3.11"
    files: dict[str, str] = field(default_factory=dict)
    codes: tuple[str, ...] = ()  # only these codes are compared (default: every code)

    def __str__(self) -> str:
        return self.id


def option_target(keras_version: str | None) -> versions.Target:
    """The target ``--keras-version`` sets (None: no option and nothing declared)."""
    if keras_version is None:
        return versions.Target.any()
    return targets.from_option(targets.option_type(keras_version), f"--keras-version {keras_version}")


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
    target = option_target(keras_version)
    source = path.read_text()
    found = analyze(source, str(path), target, knowledge.default(), rules=ALL)
    return [f"{d.line}:{d.code}" for d in found if not codes or d.code in codes]


def messages(case: Case, code: str, tmp_path: Path, keras_version: str | None = None) -> list[str]:
    """The messages of ``code`` the case's source gets (its own target unless ``keras_version`` is given)."""
    target = option_target(keras_version or case.keras_version)
    path = tmp_path / "main.py"
    path.write_text(textwrap.dedent(case.source))
    found = analyze(path.read_text(), str(path), target, knowledge.default(), rules=ALL)
    return [d.message for d in found if d.code == code]


def run_case(case: Case, tmp_path: Path) -> list[str]:
    for name, text in case.files.items():
        file = tmp_path / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(textwrap.dedent(text))
    main = tmp_path / ("pkg/main.py" if case.files else "main.py")
    return lint(case.source, main, case.keras_version, case.codes)


def model(init: str, call: str, header: str = "import keras\nfrom keras import layers") -> str:
    """A Model whose __init__ and call() bodies are given (line 9 is call()'s first line)."""
    return (
        f"{header}\n\n"
        "class Net(keras.Model):\n"
        "    def __init__(self, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        f"        {init}\n"
        "    def call(self, x, training=None):\n"
        + "".join(f"        {line}\n" for line in call.strip().splitlines())
    )


def resolved_classes(source: str, path: Path) -> dict[str, resolver.Ancestry | None]:
    """What the resolver says of each class of ``source`` (written to ``path``), by name."""
    path.write_text(source)
    with Session(str(path), knowledge.default()) as session:
        module = session.build_module(source, ast.parse(source))
        return {c.name: resolver.resolve_class(c, alternatives=True) for c in module.nodes_of_class(nodes.ClassDef)}
