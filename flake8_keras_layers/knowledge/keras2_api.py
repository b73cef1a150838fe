"""Reads the public Keras 2 names that no probed Keras 3 release has (``tools/probe_api.py`` measured them).

A file using one of them cannot run on Keras 3: it fails at import or at first
use there. ``data/keras2_api.json`` lists them per namespace (``keras`` as
``import keras`` reaches it, ``tensorflow.keras`` as TensorFlow's ``tf.keras``
does), relative to it: ``backend.placeholder``, ``layers.LocallyConnected1D``,
``estimator`` (covering everything under it). ``raises_on_call`` names exist in
Keras 3 only as stubs whose construction raises (``optimizers.legacy.Adam``):
only a call of one counts. Generated, never edited; layout in tools/probe_api.py.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from . import shipped

DATA_FILE = "keras2_api.json"
# How each namespace is shown in a message: tf.keras as users write it.
SHOWN = {"tensorflow.keras": "tf.keras", "keras": "keras"}


@dataclass(frozen=True)
class Keras2Api:
    absent: dict[str, frozenset[str]]
    raises_on_call: dict[str, frozenset[str]]
    _continuations: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_raw(cls, raw: dict) -> "Keras2Api":
        return cls({ns: frozenset(names) for ns, names in raw.get("absent", {}).items()},
                   {ns: frozenset(names) for ns, names in raw.get("raises_on_call", {}).items()})

    @functools.cached_property
    def _leaves(self) -> re.Pattern[str]:
        leaves = {name.rsplit(".", 1)[-1] for group in (self.absent, self.raises_on_call)
                  for names in group.values() for name in names}
        return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, leaves))) + r")\b" if leaves else r"(?!)")

    def mentioned(self, source: str) -> bool:
        """Whether ``source`` may use a listed name: ``keras`` and the name's last part are in its text (every
        part of a name a file resolves is: ``tensorflow``, ``keras``, ``backend``, ``placeholder`` for
        ``K.placeholder`` after ``from tensorflow.keras import backend as K``)."""
        return "keras" in source and bool(self._leaves.search(source))

    @functools.cached_property
    def _full_names(self) -> tuple[tuple[str, ...], ...]:
        """Every listed name in full and split: ``("tensorflow", "keras", "backend", "placeholder")``."""
        return tuple(sorted({(*namespace.split("."), *name.split(".")) for group in (self.absent, self.raises_on_call)
                             for namespace, names in group.items() for name in names}))

    def continuations(self, module: str) -> str | None:
        """For a name an import binds to ``module``: a regular expression for the attributes that, after it,
        reach a listed name (``\\s*\\.\\s*backend\\s*\\.\\s*placeholder\\b|...`` for ``tensorflow.keras``);
        ``""`` when ``module`` is a listed name or under one (any use of the name may count); None when no
        listed name is under ``module``."""
        if module not in self._continuations:
            self._continuations[module] = self._continuation(module)
        return self._continuations[module]

    def _continuation(self, module: str) -> str | None:
        parts = tuple(module.split("."))
        tails = []
        for full in self._full_names:
            if parts[:len(full)] == full:
                return ""
            if full[:len(parts)] == parts:
                tails.append(full[len(parts):])
        return _alternation(tails) if tails else None

    def keras2_only(self, dotted: str, called: bool) -> str | None:
        """The listed name ``dotted`` (fully resolved: ``tensorflow.keras.backend.placeholder``) uses, as a
        message shows it (``tf.keras.backend.placeholder``), or None; ``called``: the use is a call of it."""
        for namespace in ("tensorflow.keras", "keras"):
            if dotted.startswith(namespace + "."):
                rest = dotted[len(namespace) + 1:]
                break
        else:
            return None
        parts = rest.split(".")
        absent = self.absent.get(namespace, frozenset())
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if prefix in absent:
                return f"{SHOWN[namespace]}.{prefix}"
        if called and rest in self.raises_on_call.get(namespace, frozenset()):
            return f"{SHOWN[namespace]}.{rest}"
        return None


@functools.lru_cache(maxsize=1)
def default() -> Keras2Api:
    raw = shipped.load(DATA_FILE, "the Keras 2 only API names")
    return Keras2Api({}, {}) if raw is None else Keras2Api.from_raw(raw)  # none: no file is narrowed


def _alternation(tails: list[tuple[str, ...]]) -> str:
    """A regular expression for attribute chains (``.a.b``, spaces allowed around the dots) starting with one of
    ``tails`` (each non-empty)."""
    groups: dict[str, list[tuple[str, ...]]] = {}
    for tail in tails:
        groups.setdefault(tail[0], []).append(tail[1:])
    alternatives = [re.escape(head) + (r"\b" if not all(rests) else _alternation(rests))
                    for head, rests in sorted(groups.items())]
    return r"\s*\.\s*(?:" + "|".join(alternatives) + ")"
