"""Every rule has a page, and the page's examples lint as the page says."""

import re
import sys
from pathlib import Path

import pytest
from docs_examples import DOCS, examples
from helpers import lint

from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.rules import ALL

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import doc_versions  # noqa: E402

REQUIRED_SECTIONS = ("## What it does", "## Why is this bad?", "## Affected versions", "## Example",
                     "## How to silence it")


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.code)
def test_every_rule_has_a_complete_page(rule):
    page = DOCS / f"{rule.code}.md"
    text = page.read_text()
    assert text.startswith(f"# {rule.code} {rule.name}\n")
    for section in REQUIRED_SECTIONS:
        assert section in text, section
    assert re.search(r"keras (issue|PR) \d+", text, re.I), "the page cites the Keras issue or PR it comes from"
    kinds = {e.kind for e in examples(rule.code)}
    assert kinds == {"bad", "good"}


def test_generated_version_tables_are_current():
    """Pages show probed ranges from the shipped data; regenerate with ``python tools/doc_versions.py``."""
    assert [p.name for p in doc_versions.stale_pages(knowledge.default())] == []


def test_docs_index_lists_every_rule():
    index = (DOCS.parent / "index.md").read_text()
    for rule in ALL:
        assert f"[{rule.code}](rules/{rule.code}.md)" in index


@pytest.mark.parametrize("ex", examples(), ids=str)
def test_page_example_lints_as_documented(ex, tmp_path):
    found = lint(ex.source, tmp_path / "example.py")
    codes = {entry.split(":")[1] for entry in found}
    if ex.kind == "bad":
        assert ex.code in codes
    else:
        assert found == []
