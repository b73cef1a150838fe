"""Reads the constructor facts ``tools/probe_config.py`` measured on real Keras 3 releases.

Which named parameters a Keras class's ``__init__`` has (a subclass parameter
of that name is covered by the base class's own ``get_config``) and which
keywords it accepts at all (a config key none accepts is rejected on reload).
Generated, never edited; layout in ``tools/probe_config.py``. Every question is
answered conservatively: without a targeted release, a name counts as a
parameter or as accepted when any probed release says so.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from .. import debug
from .versions import Target, Version, parse

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

    def _release(self, target: Target) -> Version | None:
        """The newest probed release not newer than the target (facts change only at releases)."""
        if target.version is None or target.keras2_everywhere:
            return None
        probed = [v for v in self.versions if v <= target.version]
        return probed[-1] if probed else None

    def _rows(self, class_name: str, target: Target):
        rows = self.classes.get(class_name)
        if not rows:
            return None
        if target.version is None:
            return rows
        release = self._release(target)
        found = [row for row in rows if release is not None and row[0] <= release <= row[1]]
        return found or None

    def accepted_names(self, class_name: str, target: Target) -> frozenset | None:
        """Every keyword the class's constructor accepts (union over releases without a target)."""
        rows = self._rows(class_name, target)
        return None if rows is None else frozenset().union(*(row[3] for row in rows))

    def uses_layer_get_config(self, class_name: str, target: Target) -> bool | None:
        """A subclass without ``get_config`` gets Layer's auto-config (in every release without a target)."""
        rows = self._rows(class_name, target)
        return None if rows is None else all(row[4] for row in rows)

    def global_ranges(self, fact: str, target: Target) -> tuple | None:
        """The probed ranges where a global fact holds, if it holds for the target (None: it does not)."""
        ranges = self.globals.get(fact)
        if not ranges:
            return None
        if target.version is None:
            return ranges
        release = self._release(target)
        if release is None or not any(first <= release <= last for first, last in ranges):
            return None
        return ranges

    def accepts(self, class_name: str, key: str, target: Target) -> bool | None:
        """Whether the class's constructor accepts keyword ``key`` (None: not known)."""
        rows = self._rows(class_name, target)
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
