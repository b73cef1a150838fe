"""Reads the Keras facts that ``tools/probe_keras.py`` measured on real releases.

The data file is generated, never edited: every version range a rule reports
comes from here. See ``tools/SCHEMA.md`` for its layout.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Collection

from .versions import Version, fold_ranges, format_version, parse, short_ranges

DATA_FILE = "keras_facts.json"


@dataclass(frozen=True)
class KerasClassFacts:
    name: str
    namespace: str
    bases: tuple[str, ...]
    aliases: tuple[str, ...]
    modules: tuple[str, ...]
    width_param: str | None
    facts: dict[str, tuple[tuple[Version, Version], ...]] = field(hash=False)
    unknown: dict[str, frozenset[Version]] = field(hash=False)
    params: tuple[str, ...] = ()  # constructor parameters in order, when the data file has them


@dataclass(frozen=True)
class Verdict:
    """A fact holds for the target; ``ranges`` are the probed releases in the target where it holds."""

    ranges: tuple[tuple[Version, Version], ...]
    newest_probed: Version

    def describe(self) -> str:
        parts = []
        for first, last in self.ranges:
            if first == last:
                parts.append(format_version(first))
            elif last == self.newest_probed:
                # Not "and later": a release newer than the probe may have fixed it.
                parts.append(f"{format_version(first)} to {format_version(last)} (newest probed)")
            else:
                parts.append(f"{format_version(first)} to {format_version(last)}")
        return ", ".join(parts)

    def short(self) -> str:
        """For one-line messages: ``3.6-3.9.2``, ``3.0.2-3.2.1, 3.6-3.9.2`` (the rule's page has the table)."""
        return short_ranges(self.ranges)


class Knowledge:
    def __init__(self, raw: dict):
        self.versions: tuple[Version, ...] = tuple(parse(v) for v in raw["versions"])
        self.classes: dict[str, KerasClassFacts] = {
            name: _class_facts(name, entry) for name, entry in raw["classes"].items()
        }
        self.globals = {key: _ranges(value) for key, value in raw.get("globals", {}).items()}

    def class_holds(self, class_name: str, fact: str, within: Collection[Version] | None) -> Verdict | None:
        """Whether a per-class fact holds in some release ``within`` (Target.releases; None: any probed)."""
        entry = self.classes.get(class_name)
        if entry is None:
            return None
        return self._holds(entry.facts.get(fact, ()), entry.unknown.get(fact, frozenset()), within)

    def class_holds_unless(self, class_name: str, fact: str, unless: str,
                           within: Collection[Version] | None) -> Verdict | None:
        """A derived per-class fact: ``fact`` holds and ``unless`` does not, release by release."""
        entry = self.classes.get(class_name)
        if entry is None:
            return None
        unknown = entry.unknown.get(fact, frozenset()) | entry.unknown.get(unless, frozenset())

        def holds(name: str, version: Version) -> bool:
            return any(first <= version <= last for first, last in entry.facts.get(name, ()))

        ranges = fold_ranges(self.versions, lambda v: v not in unknown and holds(fact, v) and not holds(unless, v))
        return self._holds(ranges, unknown, within)

    def members(self, class_name: str, family: str) -> tuple[str, ...]:
        """The members of a fact family (``init_resets``) probed true for the class in some release:
        each is the per-class fact ``<family>.<member>``."""
        entry = self.classes.get(class_name)
        if entry is None:
            return ()
        prefix = family + "."
        return tuple(fact[len(prefix):] for fact, ranges in entry.facts.items()
                     if ranges and fact.startswith(prefix))

    def global_holds(self, fact: str, within: Collection[Version] | None) -> Verdict | None:
        return self._holds(self.globals.get(fact, ()), frozenset(), within)

    def _holds(self, ranges, unknown, within: Collection[Version] | None) -> Verdict | None:
        """The verdict naming the releases ``within`` (every probed one for None) where the fact holds."""
        selected = self.versions if within is None else [v for v in self.versions if v in within]
        true = [v for v in selected if v not in unknown and any(first <= v <= last for first, last in ranges)]
        if not true:
            return None
        return Verdict(fold_ranges(self.versions, set(true).__contains__), self.versions[-1])


# Thousands of ranges name the same forty releases.
_parse = functools.lru_cache(maxsize=None)(parse)


def _ranges(raw_ranges) -> tuple[tuple[Version, Version], ...]:
    return tuple((_parse(first), _parse(last)) for first, last in raw_ranges)


def _unknown(entry: dict) -> dict[str, frozenset[Version]]:
    """Releases where a fact could not be measured; a family's unknown releases are every member's."""
    unknown = {fact: frozenset(_parse(v) for v in versions) for fact, versions in entry.get("unknown", {}).items()}
    for fact in entry.get("facts", {}):
        family, dot, _member = fact.partition(".")
        if dot and family in unknown:
            unknown[fact] = unknown[family]
    return unknown


def _class_facts(name: str, entry: dict) -> KerasClassFacts:
    return KerasClassFacts(
        name=name,
        namespace=entry.get("namespace", "layers"),
        bases=tuple(entry.get("bases", ())),
        aliases=tuple(entry.get("aliases", ())),
        modules=tuple(entry.get("modules", ())),
        width_param=entry.get("width_param"),
        facts={fact: _ranges(r) for fact, r in entry.get("facts", {}).items()},
        unknown=_unknown(entry),
        params=tuple(entry.get("params", ())),
    )


@functools.lru_cache(maxsize=1)
def default() -> Knowledge:
    text = resources.files(__package__).joinpath("data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    return Knowledge(json.loads(text))
