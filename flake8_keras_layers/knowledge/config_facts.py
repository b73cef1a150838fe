"""Reads the constructor facts ``tools/probe_config.py`` measured on real Keras 3 releases.

Which named parameters a Keras class's ``__init__`` has (a subclass parameter
of that name is covered by the base class's own ``get_config``) and which
keywords it accepts at all (a config key none accepts is rejected on reload).
Generated, never edited; layout in ``tools/probe_config.py``. Every question is
answered conservatively: a name counts as a parameter or as accepted when any
release of the target says so (every probed release without one).
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Collection

from .. import debug
from .versions import Version, fold_ranges, parse

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


@functools.lru_cache(maxsize=1)
def default() -> ConfigKnowledge:
    try:
        text = resources.files(__package__).joinpath("data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as error:
        # A broken install: the config rules go quiet, which must not pass for "all clear".
        debug.internal_error(f"{__package__}/data/{DATA_FILE}", "loading Keras constructor facts", error)
        return ConfigKnowledge({})  # no facts: every question answers "not known"
    return ConfigKnowledge(json.loads(text))
