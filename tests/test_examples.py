"""The README's first command: ``flake8 --select=KL examples/`` shows what each example is about.

An example's docstring starts with the codes it demonstrates (``KL101:``,
``KL201, KL202:``) or says nothing about codes when it is clean code.
"""

import ast
import re
from pathlib import Path

import pytest
from flake8_run import flake8

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FILES = sorted(EXAMPLES.glob("*.py"))


def documented_codes(path: Path) -> set[str]:
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    head = docstring.split(":", 1)[0] if re.match(r"^KL\d{3}", docstring) else ""
    return set(re.findall(r"KL\d{3}", head))


@pytest.fixture(scope="module")
def reported() -> dict[str, set[str]]:
    # No keras-version (and no keras installed in the test env): every affected release counts,
    # so version-dependent examples all show. Opt-in codes are selected as a user would.
    result = flake8("--isolated", "--select=KL", "--extend-select=KL9", str(EXAMPLES))
    assert result.returncode in (0, 1), result.stderr
    found: dict[str, set[str]] = {}
    for line in result.stdout.splitlines():
        path, _line, _col, rest = line.split(":", 3)
        found.setdefault(Path(path).name, set()).add(rest.split()[0])
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_example_reports_exactly_its_codes(path, reported):
    assert reported.get(path.name, set()) == documented_codes(path)


def test_readme_command_shows_kl101_and_kl201():
    """The README's first command, as written there, from the repository root (its config applies)."""
    readme = (EXAMPLES.parent / "README.md").read_text()
    assert "python3 -m flake8 --select=KL examples/" in readme
    result = flake8("--select=KL", "examples/", cwd=EXAMPLES.parent)
    assert {"KL101", "KL201"} <= {line.split(":", 3)[3].split()[0] for line in result.stdout.splitlines()}
