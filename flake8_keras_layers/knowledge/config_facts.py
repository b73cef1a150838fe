"""Reads the constructor facts ``tools/probe_config.py`` measured on real Keras 3 releases.

Which named parameters a Keras class's ``__init__`` has (a subclass parameter
of that name is covered by the base class's own ``get_config``) and which
keywords it accepts at all (a config key none accepts is rejected on reload).
Generated, never edited; layout in ``tools/probe_config.py``. Every question is
answered conservatively: a name counts as a parameter or as accepted when any
release of the target says so (every probed release without one).

The reload and call facts (``tools/probe_reload.py``) are answered per group of
releases that behaved alike (``Outcomes``), and only when every targeted release
where it matters was measured: otherwise None, and the rule stays silent.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Collection

from . import shipped
from .versions import Version, fold_ranges, parse, short_ranges

DATA_FILE = "keras_config_facts.json"


class ConfigKnowledge:
    def __init__(self, raw: dict):
        self.versions: tuple[Version, ...] = tuple(parse(v) for v in raw.get("versions", ()))
        # class -> [(first, last, params, accepted, layer_get_config)]
        self.classes: dict[str, list[tuple[Version, Version, frozenset, frozenset, bool]]] = {}
        for name, variants in raw.get("classes", {}).items():
            rows = self.classes.setdefault(name, [])
            for variant in variants:
                for first, last in variant["versions"]:
                    rows.append((parse(first), parse(last), frozenset(variant["params"]),
                                 frozenset(variant["accepted"]), bool(variant.get("layer_get_config"))))
        self.globals = {
            fact: tuple((parse(first), parse(last)) for first, last in ranges)
            for fact, ranges in raw.get("globals", {}).items()
        }
        # tools/probe_reload.py: each a list of variants {"versions": ranges, ...value}
        self.base_keys = raw.get("base_keys", [])
        self.reload = raw.get("reload", {})
        self.auto_reload = raw.get("auto_reload", {})
        self.calls = raw.get("calls", {})
        self.switches = raw.get("switches", {})

    def _rows(self, class_name: str, within: Collection[Version] | None):
        """The variants of the class in some release ``within`` (Target.releases; None: every probed one)."""
        rows = self.classes.get(class_name)
        if not rows:
            return None
        if within is None:
            return rows
        found = [row for row in rows if any(row[0] <= release <= row[1] for release in within)]
        return found or None

    def accepted_names(self, class_name: str, within: Collection[Version] | None) -> frozenset | None:
        """Every keyword the class's constructor accepts in some release ``within``."""
        rows = self._rows(class_name, within)
        return None if rows is None else frozenset().union(*(row[3] for row in rows))

    def uses_layer_get_config(self, class_name: str, within: Collection[Version] | None) -> bool | None:
        """A subclass without ``get_config`` gets Layer's auto-config, in every release ``within``."""
        rows = self._rows(class_name, within)
        return None if rows is None else all(row[4] for row in rows)

    def global_ranges(self, fact: str, within: Collection[Version] | None) -> tuple | None:
        """The releases ``within`` where a global fact holds, as probed ranges (None: in none of them)."""
        ranges = self.globals.get(fact)
        if not ranges:
            return None
        if within is None:
            return ranges
        true = [v for v in self.versions if v in within and any(first <= v <= last for first, last in ranges)]
        return fold_ranges(self.versions, set(true).__contains__) or None

    def accepts(self, class_name: str, key: str, within: Collection[Version] | None) -> bool | None:
        """Whether the class's constructor accepts keyword ``key`` in some release ``within`` (None: not known)."""
        rows = self._rows(class_name, within)
        return None if rows is None else any(key in row[3] for row in rows)

    # -- reload and call facts ---------------------------------------------------------------------------

    def _outcomes(self, variants: list, value, within: Collection[Version] | None,
                  exists: Collection[Version] | None = None) -> "Outcomes | None":
        """Group the releases ``within`` (∩ ``exists``) by ``value(variant)``; None when one is unmeasured."""
        wanted = [v for v in self.versions if (within is None or v in within) and (exists is None or v in exists)]
        found: dict[str, tuple[Any, list[Version]]] = {}
        for release in wanted:
            variant = next((var for var in variants if _in_ranges(release, var["versions"])), None)
            if variant is None:
                return None  # not measured there: unknown
            val = value(variant)
            found.setdefault(json.dumps(val, sort_keys=True), (val, []))[1].append(release)
        if not found:
            return None
        return Outcomes(tuple((val, releases_) for val, releases_ in found.values()), self.versions)

    def reload_passes(self, class_name: str, within: Collection[Version] | None) -> "Outcomes | None":
        """Which base config keys ``class_name.from_config`` passes to a subclass constructor without **kwargs,
        in order, per group of releases ``within`` where the class exists (value: a tuple of keys)."""
        rows = self._rows(class_name, within)
        if rows is None:
            return None
        exists = {v for v in self.versions if any(row[0] <= v <= row[1] for row in rows)}
        return self._outcomes(self.reload.get(class_name, []), lambda var: tuple(var["passes"]), within, exists)

    def auto_reload_passes(self, base: str, named: bool, within: Collection[Version] | None) -> "Outcomes | None":
        """The base config keys Keras' automatic config carries for a ``base`` ("Layer"/"Model") subclass whose
        ``__init__`` lacks **kwargs (``named``: it takes ``name``), per group of releases."""
        kind = "named" if named else "plain"
        return self._outcomes([v for v in self.auto_reload.get(base, []) if kind in v],
                              lambda var: tuple(var[kind]), within)

    def layer_config_keys(self, within: Collection[Version] | None) -> "Outcomes | None":
        """The keys of the base layer config (name, trainable, dtype), per group of releases."""
        return self._outcomes(self.base_keys, lambda var: tuple(var["keys"]), within)

    def call_outcomes(self, callee: str, form: str, within: Collection[Version] | None) -> "Outcomes | None":
        """What calling ``callee`` in ``form`` did, per group of releases: (error type or None, message)."""
        return self._outcomes(self.calls.get(callee, {}).get(form, []),
                              lambda var: (var["error"], var["message"]), within)

    def call_forms(self, callee: str) -> frozenset:
        return frozenset(self.calls.get(callee, {}))

    @functools.cached_property
    def machine_switches(self) -> frozenset[str]:
        """Constructor switches that pick a hardware kernel (``use_cudnn``, ``flash_attention``) which Keras
        keeps out of its own configs in every probed release that takes them, and which fail when set where
        the kernel is missing (a CPU): serialising one would break loading the model elsewhere."""
        return frozenset(name for name, fact in self.switches.items()
                         if fact.get("omitted") == fact.get("measured") and fact.get("fails_on_cpu"))


def _in_ranges(release: Version, ranges) -> bool:
    return any(parse(first) <= release <= parse(last) for first, last in ranges)


@dataclass(frozen=True)
class Outcomes:
    """Releases grouped by what they did: ``groups`` is ((value, releases), ...) in release order."""

    groups: tuple[tuple[Any, list[Version]], ...]
    probed: tuple[Version, ...]

    def where(self, keep) -> tuple[Version, ...]:
        """The releases whose value satisfies ``keep``."""
        return tuple(sorted(r for value, releases in self.groups if keep(value) for r in releases))

    def span(self, releases: Collection[Version]) -> str:
        """``releases`` as short ranges over the probed ones: ``3.0-3.13``, ``3.14-3.15.1``, ``3.12.3``."""
        return short_span(releases, self.probed)


def short_span(releases: Collection[Version], probed: tuple[Version, ...]) -> str:
    """Consecutive probed ``releases`` as short ranges (versions.short_ranges: ``3.0-3.13.2``)."""
    held = set(releases)
    return short_ranges(fold_ranges(probed, held.__contains__))


@functools.lru_cache(maxsize=1)
def default() -> ConfigKnowledge:
    # No facts (a broken install): every question answers "not known".
    return ConfigKnowledge(shipped.load(DATA_FILE, "Keras constructor facts") or {})
