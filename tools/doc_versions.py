"""Writes probed version ranges into the rule pages, so no page types a range by hand.

A page marks a generated block with the per-class fact it shows::

    <!-- versions: built_at_init_subclass_with_build -->
    (generated table)
    <!-- /versions -->

``fact -other`` shows where ``fact`` holds and ``other`` does not (a derived
fact, as KL105 uses), and ``global fact_a fact_b`` shows global facts.

``python tools/doc_versions.py`` rewrites every block from the shipped data;
``--check`` exits 1 if a page is stale (the test suite runs the same check).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flake8_keras_layers.knowledge import facts as knowledge_module  # noqa: E402
from flake8_keras_layers.knowledge.facts import Knowledge, Verdict  # noqa: E402
from flake8_keras_layers.knowledge.versions import fold_ranges  # noqa: E402

BLOCK = re.compile(r"(<!-- versions: ([\w -]+?) -->\n).*?(<!-- /versions -->)", re.S)
PAGES = ROOT / "docs" / "rules"


def _releases(knowledge: Knowledge, ranges) -> set:
    return {v for v in knowledge.versions if any(first <= v <= last for first, last in ranges)}


def _globals_table(facts: list[str], knowledge: Knowledge) -> str:
    rows = ["| Keras 3 releases | measured |", "|---|---|"]
    for fact in facts:
        ranges = knowledge.globals.get(fact, ())
        if ranges:
            rows.append(f"| {Verdict(ranges, knowledge.versions[-1]).describe()} | `{fact}` |")
    return "\n".join(rows) + "\n"


def table(spec: str, knowledge: Knowledge) -> str:
    """Classes grouped by the Keras 3 releases in which the fact of ``spec`` holds."""
    words = spec.split()
    if words[0] == "global":
        return _globals_table(words[1:], knowledge) + _footer(knowledge)
    fact, unless = words[0], [w[1:] for w in words[1:] if w.startswith("-")]
    groups: dict[tuple, list[str]] = {}
    for name, facts in knowledge.classes.items():
        releases = _releases(knowledge, facts.facts.get(fact, ()))
        for other in unless:
            releases -= _releases(knowledge, facts.facts.get(other, ()))
        if releases:
            groups.setdefault(fold_ranges(knowledge.versions, releases.__contains__), []).append(name)
    rows = ["| Keras 3 releases | `keras.layers` classes |", "|---|---|"]
    for ranges, names in sorted(groups.items(), key=lambda item: (item[0], item[1])):
        releases = Verdict(ranges, knowledge.versions[-1]).describe()
        rows.append(f"| {releases} | {', '.join(f'`{n}`' for n in sorted(names))} |")
    return "\n".join(rows) + "\n" + _footer(knowledge)


def _footer(knowledge: Knowledge) -> str:
    probed = f"{knowledge_module.format_version(knowledge.versions[0])} to " \
             f"{knowledge_module.format_version(knowledge.versions[-1])}"
    return f"\n(Generated from the probe of every Keras release {probed}.)\n"


def render(text: str, knowledge: Knowledge) -> str:
    return BLOCK.sub(lambda m: m.group(1) + table(m.group(2), knowledge) + m.group(3), text)


def stale_pages(knowledge: Knowledge) -> list[Path]:
    return [p for p in sorted(PAGES.glob("*.md")) if render(p.read_text(), knowledge) != p.read_text()]


def main(argv: list[str]) -> int:
    knowledge = knowledge_module.default()
    if "--check" in argv:
        stale = stale_pages(knowledge)
        for page in stale:
            print(f"{page}: generated version table is stale; run python tools/doc_versions.py")
        return 1 if stale else 0
    for page in stale_pages(knowledge):
        page.write_text(render(page.read_text(), knowledge))
        print(f"updated {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
