"""Keras version numbers, and what a target is: which Keras releases' facts apply, per namespace.

A target says, for the ``keras`` namespace (``keras``, ``keras.src``,
``tf.keras``, ``from tensorflow import keras``), whether a Keras 2 release may
be meant and which probed Keras 3 releases may be; ``tf_keras`` is always
Keras 2. ``Target.releases`` is the one place that decides which releases'
facts apply to a Keras class; ``target.py`` builds targets from the option,
the project's metadata or the installed ``keras``; ``Target.keras2_only`` narrows one for a file that
uses a Keras 2 only API (analysis/keras2_uses.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Callable, Iterable
from typing import TypeVar

Version = tuple[int, ...]
# A release as tools/ see it (a "3.6.0" string) or as the plugin parses it (a Version).
Release = TypeVar("Release")

# Installed versions may carry suffixes (3.10.0.dev2025, 3.6.0rc1): keep the numbers.
_LEADING_NUMBERS = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


def parse(text: str) -> Version:
    """Parse ``X.Y[.Z]`` into a 3-tuple of ints (Z defaults to 0)."""
    match = _LEADING_NUMBERS.match(text.strip())
    if not match:
        raise ValueError(f"not a Keras version: {text!r}")
    return tuple(int(part or 0) for part in match.groups())


def format_version(version: Version) -> str:
    return ".".join(str(part) for part in version)


def fold_ranges(releases: Iterable[Release], holds: Callable[[Release], bool]) -> tuple[tuple[Release, Release], ...]:
    """The inclusive ``(first, last)`` runs of consecutive ``releases`` (in their order) where ``holds``."""
    ranges: list[tuple[Release, Release]] = []
    run: list[Release] = []
    for release in releases:
        if holds(release):
            run.append(release)
        elif run:
            ranges.append((run[0], run[-1]))
            run = []
    if run:
        ranges.append((run[0], run[-1]))
    return tuple(ranges)


def short_ranges(ranges) -> str:
    """Ranges for one-line messages: ``3.6-3.9.2``, ``3.0.2-3.2.1, 3.6-3.9.2``, ``3.12.3`` (a first
    release's ``.0`` dropped; the last one spelt out, claiming nothing newer)."""
    def first(version: Version) -> str:
        text = format_version(version)
        return text[: -len(".0")] if text.endswith(".0") else text

    return ", ".join(format_version(a) if a == b else f"{first(a)}-{format_version(b)}" for a, b in ranges)


@dataclass(frozen=True)
class Releases:
    """The Keras releases one namespace may be under a target.

    ``keras3`` is the probed Keras 3 releases whose facts apply (None: every
    probed release; empty: none, the namespace is Keras 2 only). Keras 2 is not
    probed, so the two uses of facts differ:

    - behaviour (what Keras 3 does: built at ``__init__``, which config keys a
      constructor rejects): ``keras3`` only, and a rule stays silent for Keras 2;
    - structure (which layers own weights, keep the input width or have
      weights shaped by it, which constructor parameters a base covers): what
      a layer *is*, which Keras 2 shares; any probed release stands for Keras 2
      there (``structure``).
    """

    keras2: bool
    keras3: tuple[Version, ...] | None

    @property
    def has_keras3(self) -> bool:
        return self.keras3 is None or bool(self.keras3)

    @property
    def keras2_only(self) -> bool:
        return not self.has_keras3

    @property
    def structure(self) -> tuple[Version, ...] | None:
        """The probed releases whose structural facts stand for this namespace (None: every one)."""
        return None if self.keras2 else self.keras3


ANY_KERAS3 = Releases(keras2=False, keras3=None)
KERAS2 = Releases(keras2=True, keras3=())

NO_TARGET_NOTE = "no Keras version declared"


@dataclass(frozen=True)
class Target:
    """What a linted file's ``keras`` namespace may be, and where that came from (``note``, for messages)."""

    keras: Releases
    note: str

    @classmethod
    def any(cls) -> "Target":
        """Nothing declared: every probed Keras 3 release counts."""
        return cls(ANY_KERAS3, NO_TARGET_NOTE)

    def releases(self, family: str) -> Releases:
        """Which Keras releases' facts apply to a Keras class of ``family`` (resolver.KerasClass.family):
        ``"keras"`` as targeted, ``"tf_keras"`` always Keras 2."""
        return self.keras if family == "keras" else KERAS2

    def keras2_only(self, why: str) -> "Target":
        """The target of a file that cannot run on Keras 3 (it uses a Keras 2 only API, ``why`` says which):
        its ``keras`` namespace is Keras 2 only, whatever the option or the project admits."""
        return Target(KERAS2, why)
