"""Writes probed version ranges into the rule pages, so no page types a range by hand.

A page marks a generated block with the per-class fact it shows::

    <!-- versions: built_at_init_subclass_with_build -->
    (generated table)
    <!-- /versions -->

``fact -other`` shows where ``fact`` holds and ``other`` does not (a derived
fact, as KL105 uses), ``global fact_a fact_b`` shows global facts, and
``family init_resets Layer Model`` the public attributes a fact family's
members (``init_resets.<attr>=<value>``) name for those classes.
From the constructor/config facts (tools/probe_config.py): ``call add_weight``
(or ``call Lambda``) shows what each probed call form did per release, and
``reload`` which base config keys reach a subclass's ``__init__`` on reload,
``switches`` where Keras keeps each hardware-kernel switch out of its configs
and where a layer with it set fails on a CPU, with Keras' error.

``python tools/doc_versions.py`` rewrites every block from the shipped data;
``--check`` exits 1 if a page is stale (the test suite runs the same check).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import probe_reload  # noqa: E402

from flake8_keras_layers.knowledge import config_facts  # noqa: E402
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


def _family_table(family: str, class_names: list[str], knowledge: Knowledge) -> str:
    rows = ["| class | Keras 3 releases | public attributes (the value they end up with) |", "|---|---|---|"]
    for name in class_names:
        groups: dict[tuple, list[str]] = {}
        for member in knowledge.members(name, family):
            attr, _, value = member.partition("=")
            if not attr.startswith("_"):
                ranges = knowledge.classes[name].facts[f"{family}.{member}"]
                groups.setdefault(ranges, []).append(f"`{attr}` (`{value}`)" if value else f"`{attr}`")
        for ranges, attrs in sorted(groups.items()):
            releases = Verdict(ranges, knowledge.versions[-1]).describe()
            rows.append(f"| `{name}` | {releases} | {', '.join(sorted(attrs))} |")
    return "\n".join(rows) + "\n"


def _describe(variant: dict, knowledge: Knowledge) -> str:
    ranges = tuple((knowledge_module.parse(a), knowledge_module.parse(b)) for a, b in variant["versions"])
    return Verdict(ranges, knowledge.versions[-1]).describe()


def _calls_table(callee: str, config: config_facts.ConfigKnowledge, knowledge: Knowledge) -> str:
    rows = ["| call | Keras 3 releases | outcome |", "|---|---|---|"]
    for form, variants in config.calls.get(callee, {}).items():
        call = {**probe_reload.ADD_WEIGHT_FORMS, **probe_reload.LAMBDA_FORMS}.get(form, form)
        for variant in variants:
            outcome = "works" if variant["error"] is None else f"{variant['error']}: {variant['message']}"
            rows.append(f"| `{call}` | {_describe(variant, knowledge)} | {outcome} |")
    return "\n".join(rows) + "\n"


def _reload_table(config: config_facts.ConfigKnowledge, knowledge: Knowledge) -> str:
    """The base classes whose from_config passes fewer base keys than the base config holds, and the
    automatic config's keys; every other measured class passes them all."""
    rows = ["| Keras 3 releases | a subclass of | base config keys reaching its `__init__` on reload |",
            "|---|---|---|"]
    everything = {tuple(v["keys"]) for v in config.base_keys}
    for name, variants in config.reload.items():
        for variant in variants:
            if tuple(variant["passes"]) not in everything:
                keys = ", ".join(f"`{k}`" for k in variant["passes"]) or "none"
                rows.append(f"| {_describe(variant, knowledge)} | `{name}` | {keys} |")
    for base, variants in config.auto_reload.items():
        for variant in variants:
            for kind, how in (("plain", "without `name`"), ("named", "with `name`")):
                keys = ", ".join(f"`{k}`" for k in variant.get(kind, ())) or "none"
                rows.append(f"| {_describe(variant, knowledge)} | `{base}`, no `get_config` (automatic config), "
                            f"`__init__` {how} | {keys} |")
    others = ", ".join(f"`{k}`" for keys in sorted(everything) for k in keys)
    rows.append(f"| every probed release | every other class measured | all of the base config: {others} |")
    return "\n".join(rows) + "\n"


def _switches_table(config: config_facts.ConfigKnowledge, knowledge: Knowledge) -> str:
    rows = ["| switch | classes | kept out of their configs | set to `True`, fails (probed on a CPU) |",
            "|---|---|---|---|"]
    for switch, fact in sorted(config.switches.items()):
        omitted = _describe({"versions": fact["omitted"]}, knowledge)
        fails = "; ".join(f"{_describe(v, knowledge)}: {v['error']} \"{v['message']}\"" for v in fact["errors"])
        classes = ", ".join(f"`{c}`" for c in fact["classes"])
        rows.append(f"| `{switch}` | {classes} | {omitted} | {fails or 'never'} |")
    return "\n".join(rows) + "\n"


def table(spec: str, knowledge: Knowledge) -> str:
    """Classes grouped by the Keras 3 releases in which the fact of ``spec`` holds."""
    words = spec.split()
    if words[0] == "global":
        return _globals_table(words[1:], knowledge) + _footer(knowledge)
    if words[0] == "call":
        return _calls_table(words[1], config_facts.default(), knowledge) + _footer(knowledge)
    if words[0] == "reload":
        return _reload_table(config_facts.default(), knowledge) + _footer(knowledge)
    if words[0] == "switches":
        return _switches_table(config_facts.default(), knowledge) + _footer(knowledge)
    if words[0] == "family":
        return _family_table(words[1], words[2:], knowledge) + _footer(knowledge)
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
