"""Keras version numbers and which Keras a linted file targets.

The target is, in order: the ``--keras-version`` option (or ``keras-version``
in flake8's config), the version of the ``keras`` distribution installed
beside flake8 (package metadata only: keras is never imported), or "any
known release".
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import TypeVar

Version = tuple[int, ...]
# A release as tools/ see it (a "3.6.0" string) or as the plugin parses it (a Version).
Release = TypeVar("Release")

_OPTION_FORMAT = re.compile(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?\s*$")
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


def option_type(text: str) -> Version:
    """argparse ``type=`` for --keras-version: a clean option error, never a traceback."""
    if not _OPTION_FORMAT.match(text):
        raise argparse.ArgumentTypeError(
            f"invalid Keras version {text!r}: expected X.Y or X.Y.Z, e.g. 3.8 or 3.10.0"
        )
    return parse(text)


@dataclass(frozen=True)
class Target:
    """The Keras release a project is linted against (``version`` None: any known release)."""

    version: Version | None
    source: str  # "option", "installed" or "any"

    @property
    def keras2_everywhere(self) -> bool:
        """A 2.x target means ``keras``/``tf.keras`` are Keras 2 (TensorFlow <= 2.15)."""
        return self.version is not None and self.version[0] < 3

    def describe(self) -> str:
        if self.version is None:
            return "any Keras 3 release"
        where = "--keras-version" if self.source == "option" else "installed keras"
        return f"Keras {format_version(self.version)} ({where})"


def installed_keras_version() -> Version | None:
    try:
        return parse(metadata.version("keras"))
    except (metadata.PackageNotFoundError, ValueError):
        return None


def resolve_target(option_value: Version | None) -> Target:
    if option_value is not None:
        return Target(option_value, "option")
    installed = installed_keras_version()
    if installed is not None:
        return Target(installed, "installed")
    return Target(None, "any")
