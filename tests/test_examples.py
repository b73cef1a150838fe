"""The README's first command lints ``examples/``: each example shows what it is about.

An example's docstring starts with the codes it demonstrates (``KL101:``,
``KL201, KL202:``) or says nothing about codes when it is clean code. The
command runs in a fresh virtual environment without keras, so every affected
Keras release counts; here that target is explicit (tests/helpers.py), so a
``keras`` installed beside the tests changes nothing. tests/test_install.py
runs the command itself, as written, with the system Python.
"""

import ast
import re
from pathlib import Path

import pytest
from helpers import lint_file

from flake8_keras_layers.rules import BY_CODE

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FILES = sorted(EXAMPLES.glob("*.py"))


def documented_codes(path: Path) -> set[str]:
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    head = docstring.split(":", 1)[0] if re.match(r"^KL\d{3}", docstring) else ""
    return set(re.findall(r"KL\d{3}", head))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_example_reports_exactly_its_codes(path):
    """Every rule, opt-in ones too (the README's ``--select=KL`` selects them), every Keras 3 release."""
    assert {found.split(":")[1] for found in lint_file(path)} == documented_codes(path)


def test_examples_show_every_code():
    """What the README says command 1 shows: every code."""
    assert set().union(*map(documented_codes, FILES)) == set(BY_CODE)
