"""The docs site: an index generated from the rule registry, a page per code, recipes as tested.

docs/index.md is written by tools/gen_docs.py from ``flake8_keras_layers.rules.ALL``;
there is no second list of rules to keep in sync. The slow test builds the site
with ``mkdocs build --strict`` (as ``tox -e docs`` does) and follows the links.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys

import pytest
from distribution import ROOT, require, run
from docs_examples import examples
from recipes import INTEGRATIONS, README, recipes

from flake8_keras_layers.knowledge.versions import Target
from flake8_keras_layers.plugin import KerasLayersChecker
from flake8_keras_layers.rules import ALL, BY_CODE
from flake8_keras_layers.rules.base import MAX_LINE

DOCS = ROOT / "docs"


def _gen_docs():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_docs = _gen_docs()


def test_index_is_generated_from_the_registry():
    assert (DOCS / "index.md").read_text() == gen_docs.render(), "docs/index.md is stale: run python tools/gen_docs.py"


def test_gen_docs_check_flags_a_stale_index(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "index.md"
    stale.write_text(gen_docs.render(ALL[:-1]))
    monkeypatch.setattr(gen_docs, "INDEX", stale)
    monkeypatch.setattr(gen_docs, "ROOT", tmp_path)
    assert gen_docs.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert gen_docs.main([]) == 0
    assert stale.read_text() == gen_docs.render()
    assert gen_docs.main(["--check"]) == 0


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.code)
def test_every_code_has_a_page_and_an_index_row(rule):
    assert (DOCS / "rules" / f"{rule.code}.md").is_file()
    rows = [line for line in (DOCS / "index.md").read_text().splitlines() if line.startswith(f"| [{rule.code}]")]
    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].strip("|").split(" | ")]
    assert cells[0] == f"[{rule.code}](rules/{rule.code}.md)"
    assert cells[1] == rule.name
    assert cells[3] == ("opt-in" if rule.opt_in else "on")


def test_index_rows_escape_markdown():
    """A summary is plain text; the generated cell must not turn ``__init__`` bold or split the row."""
    cell = gen_docs._cell("a | b in __init__ with **kwargs, then build()")
    assert cell == r"a \| b in `__init__` with `**kwargs`, then `build()`"


def test_every_rule_page_is_a_registered_code():
    pages = {page.stem for page in (DOCS / "rules").glob("*.md")}
    assert sorted(pages - set(BY_CODE)) == []


def test_site_pages_exist_and_index_links_them():
    index = (DOCS / "index.md").read_text()
    for page in ("configuration.md", "integrations.md"):
        assert (DOCS / page).is_file()
        assert f"]({page})" in index


@pytest.mark.parametrize("ex", [e for e in examples() if e.kind == "bad"], ids=str)
def test_messages_carry_the_code_and_short_name(ex, tmp_path):
    """What a user sees (``KL101 build-never-called: ...``) leads to ``docs/rules/KL101.md``."""
    path = tmp_path / "example.py"
    path.write_text(ex.source)
    checker = KerasLayersChecker(ast.parse(ex.source), str(path), ex.source.splitlines(keepends=True))
    checker.option_target = Target.any()  # every affected release: never the keras installed beside the tests
    texts = [text for _line, _col, text, _type in checker.run() if text.startswith(ex.code)]
    assert texts
    for text in texts:
        assert text.startswith(f"{ex.code} {BY_CODE[ex.code].name}: ")


def test_mkdocs_config_lists_every_page_without_a_nav():
    """No ``nav:``: mkdocs shows every page, so a new rule page needs no edit here."""
    config = (ROOT / "mkdocs.yml").read_text()
    assert re.search(r"^docs_dir: docs$", config, re.M)
    assert not re.search(r"^nav:", config, re.M)


def test_readme_recipes_are_the_integrations_page_recipes():
    """What the README shows is what docs/integrations.md shows, and the slow tests run both."""
    from_readme = recipes(README)
    assert set(from_readme) == {"pre-commit-hook", "pre-commit-flake8", "pre-commit-ruff", "ruff-external", "tox-lint"}
    assert recipes(INTEGRATIONS) == from_readme


def test_readme_points_to_the_docs():
    readme = README.read_text()
    for section in ("## Editors", "## pre-commit", "## tox", "## Docs"):
        assert f"\n{section}\n" in readme, section
    assert "docs/index.md" in readme
    assert "tox -e docs" in readme


@pytest.mark.slow
def test_site_builds_strictly_with_a_page_per_code(tmp_path):
    require("mkdocs")
    site = tmp_path / "site"
    result = run(sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", ROOT / "mkdocs.yml",
                 "--site-dir", site, cwd=tmp_path)
    assert "WARNING" not in result.stderr, result.stderr
    index = (site / "index.html").read_text()
    for rule in ALL:
        page = site / "rules" / rule.code / "index.html"
        assert page.is_file(), rule.code
        assert f"{rule.code} {rule.name}" in page.read_text()
        assert f'href="rules/{rule.code}/"' in index, rule.code
    for name in ("configuration", "integrations"):
        assert (site / name / "index.html").is_file()
        assert f'href="{name}/"' in index


@pytest.mark.parametrize("ex", [e for e in examples() if e.kind == "bad"], ids=str)
def test_messages_fit_one_editor_line(ex, tmp_path):
    path = tmp_path / "example.py"
    path.write_text(ex.source)
    checker = KerasLayersChecker(ast.parse(ex.source), str(path), ex.source.splitlines(keepends=True))
    checker.option_target = Target.any()  # the longest form: every affected release named
    for _line, _col, text, _type in checker.run():
        assert len(text) <= MAX_LINE, (len(text), text)


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.name)
def test_example_files_fit_one_editor_line(path):
    source = path.read_text()
    checker = KerasLayersChecker(ast.parse(source), str(path), source.splitlines(keepends=True))
    checker.option_target = Target.any()
    for _line, _col, text, _type in checker.run():
        assert len(text) <= MAX_LINE, (len(text), text)
