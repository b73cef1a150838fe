"""Which Keras releases a linted file targets, and where that came from.

In order: the ``--keras-version`` option (``keras-version`` in flake8's
config), the project's declarations (declared.py), the version of the
``keras`` distribution installed beside flake8 (package metadata only: keras
is never imported), else every probed Keras 3 release.

A version or a PEP 440 range becomes the probed releases whose facts apply:
every admitted version counts as the newest probed release not newer than it
(facts change only at releases), and one newer than the newest probed uses
that release's facts and says so. A ``keras`` version below 3, or a
``tensorflow`` one below 2.16, means Keras 2 behind ``keras`` and ``tf.keras``.
"""

from __future__ import annotations

import argparse
import functools
import re
from dataclasses import dataclass
from importlib import metadata
from typing import Iterable

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion
from packaging.version import Version as Pep440

from . import declared, facts
from .versions import KERAS2, Releases, Target, Version, format_version, parse

# TensorFlow 2.16 is the first release whose ``tf.keras`` is Keras 3 (its release notes; and the keras
# distribution it requires is 3.x from then on, 2.x before).
TF_KERAS3 = Pep440("2.16")
_EXACT = re.compile(r"^\s*\d+\.\d+(?:\.\d+)?\s*$")


@dataclass(frozen=True)
class KerasSpec:
    """A ``--keras-version`` value: ``3.8``, ``3.10.0`` or a range such as ``>=3.8,<3.11``."""

    text: str
    specifier: SpecifierSet


def option_type(text: str) -> KerasSpec:
    """argparse ``type=`` for --keras-version: a clean option error, never a traceback."""
    text = text.strip()
    try:
        specifier = SpecifierSet(f"=={text}" if _EXACT.match(text) else text)
    except InvalidSpecifier:
        specifier = None
    if specifier is None or not str(specifier):
        raise argparse.ArgumentTypeError(
            f"invalid Keras version {text!r}: expected X.Y, X.Y.Z or a range, e.g. 3.8, 3.10.0 or >=3.8,<3.11"
        )
    if _keras_releases(specifier) is None:
        raise argparse.ArgumentTypeError(f"invalid Keras version {text!r}: no Keras release can satisfy it")
    return KerasSpec(text, specifier)


def from_option(spec: KerasSpec, where: str) -> Target:
    """The target the option sets; ``where`` names it for messages (``--keras-version 3.8``)."""
    found = _keras_releases(spec.specifier)
    if found is None:  # option_type refuses these
        raise ValueError(f"no Keras release satisfies {spec.text}")
    releases, beyond = found
    return Target(releases, _with_beyond(where, beyond))


def for_directory(directory: str, on_skip: declared.OnSkip) -> Target:
    """What a file in ``directory`` targets without the option: its project's declarations, else the
    installed keras, else every probed Keras 3 release."""
    return _declared_target(declared.declarations_for(directory, on_skip), on_skip) or _installed_target()


# -- version ranges as probed releases ------------------------------------------------------------------


def _probed() -> tuple[Version, ...]:
    return facts.default().versions


def _admitted(specifier: SpecifierSet, anchors: Iterable[Pep440]) -> list[Pep440]:
    """Versions the specifier admits among the anchors and the neighbours of its own bounds: enough to
    meet every interval between probed releases that it reaches."""
    points = set(anchors)
    for spec in specifier:
        try:
            bound = Pep440(spec.version[:-2] if spec.version.endswith(".*") else spec.version)
        except InvalidVersion:
            continue  # ``===`` arbitrary strings
        points.add(bound)
        major, minor, micro = (*bound.release, 0, 0)[:3]
        near = [(major, minor, micro + 1), (major, minor + 1, 0), (major + 1, 0, 0)]
        near += [(major, minor, micro - 1), (major, minor - 1, 999), (major - 1, 999, 999)]
        points.update(Pep440(".".join(map(str, v))) for v in near if min(v) >= 0)
    return sorted(p for p in points if specifier.contains(p, prereleases=True))


def _floor(version: Pep440, probed: tuple[Version, ...]) -> Version | None:
    release = tuple((*version.release, 0, 0)[:3])
    below = [v for v in probed if v <= release]
    return below[-1] if below else None


@functools.lru_cache(maxsize=256)
def _keras_releases(specifier: SpecifierSet) -> tuple[Releases, str | None] | None:
    """(releases, the first admitted version when every admitted Keras 3 one is newer than the newest
    probed, else None) of a ``keras`` specifier; None when no version satisfies it."""
    probed = _probed()
    anchors = [Pep440(format_version(v)) for v in probed] + [Pep440("1"), Pep440("2"), Pep440("2.15")]
    admitted = _admitted(specifier, anchors)
    keras3 = [a for a in admitted if a.major >= 3]
    if not admitted:
        return None
    floors = sorted({f for f in (_floor(a, probed) for a in keras3) if f is not None})
    releases = Releases(keras2=any(a.major < 3 for a in admitted), keras3=tuple(floors))
    beyond = keras3 and all(tuple(a.release[:3]) > probed[-1] for a in keras3)
    return releases, (str(keras3[0]) if beyond else None)


@functools.lru_cache(maxsize=256)
def _tensorflow_releases(specifier: SpecifierSet) -> Releases | None:
    admitted = _admitted(specifier, [Pep440("2.15"), TF_KERAS3])
    if not admitted:
        return None
    keras3 = any(a >= TF_KERAS3 for a in admitted)
    return Releases(keras2=any(a < TF_KERAS3 for a in admitted), keras3=None if keras3 else ())


def _union(found: list[Releases]) -> Releases | None:
    if not found:
        return None
    keras3 = None if any(r.keras3 is None for r in found) else tuple(
        sorted({v for r in found for v in r.keras3 or ()}))
    return Releases(keras2=any(r.keras2 for r in found), keras3=keras3)


def _with_beyond(note: str, beyond: str | None) -> str:
    if beyond is None:
        return note
    return f"{note}; {beyond} is newer than the newest probed, {format_version(_probed()[-1])}"


# -- the project's declarations -------------------------------------------------------------------------


_DECLARED: dict[tuple[declared.Declaration, ...], Target | None] = {}


def _declared_target(declarations: tuple[declared.Declaration, ...], on_skip: declared.OnSkip) -> Target | None:
    """The target the declarations make, or None when they name neither keras nor tensorflow (once per
    project: a declaration no release satisfies is reported once)."""
    if declarations not in _DECLARED:
        _DECLARED[declarations] = _combine(declarations, on_skip)
    return _DECLARED[declarations]


def _combine(declarations: tuple[declared.Declaration, ...], on_skip: declared.OnSkip) -> Target | None:
    keras: list[tuple[declared.Declaration, Releases]] = []
    tensorflow: list[tuple[declared.Declaration, Releases]] = []
    beyond: list[str | None] = []
    for declaration in declarations:
        if declaration.kind == "tf-keras":
            continue  # always Keras 2, whatever the version
        if declaration.kind == "keras":
            found = _keras_releases(declaration.specifier)
            if found is not None:
                keras.append((declaration, found[0]))
                beyond.append(found[1])
            satisfiable = found is not None
        else:
            releases = _tensorflow_releases(declaration.specifier)
            if releases is not None:
                tensorflow.append((declaration, releases))
            satisfiable = releases is not None
        if not satisfiable:
            on_skip(declaration.path, f"ignored {declaration.text}: no release can satisfy it")
    from_keras = _union([r for _, r in keras])
    from_tensorflow = _union([r for _, r in tensorflow])
    if from_keras is not None and from_tensorflow is not None:
        # One environment satisfies both: TensorFlow below 2.16 comes with Keras 2, from 2.16 with Keras 3.
        both = Releases(keras2=from_keras.keras2 and from_tensorflow.keras2,
                        keras3=from_keras.keras3 if from_tensorflow.has_keras3 else ())
        if both != from_keras and (both.keras2 or both.has_keras3):
            return Target(both, _note([d for d, _ in keras + tensorflow]))
        # TensorFlow changes nothing, or contradicts keras: the keras declaration alone.
    if from_keras is not None:
        newer = min((b for b in beyond if b), key=Pep440) if all(beyond) else None
        return Target(from_keras, _with_beyond(_note([d for d, _ in keras]), newer))
    if from_tensorflow is not None:
        return Target(from_tensorflow, _note([d for d, _ in tensorflow]))
    return None


def _note(declarations: list[declared.Declaration]) -> str:
    """``keras>=3.10 in pyproject.toml``; several requirements of one kind: the first and how many more."""
    parts = []
    for kind in ("keras", "tensorflow"):
        of_kind = [d for d in declarations if d.kind == kind]
        if of_kind:
            first = of_kind[0]
            more = len({d.text for d in of_kind}) - 1
            parts.append(f"{first.text}{f' (and {more} more)' if more else ''} in {first.where}")
    return ", ".join(parts)


# -- the installed keras --------------------------------------------------------------------------------


def installed_keras_version() -> Version | None:
    try:
        return parse(metadata.version("keras"))
    except (metadata.PackageNotFoundError, ValueError):
        return None


@functools.lru_cache(maxsize=1)
def _installed_target() -> Target:
    installed = installed_keras_version()
    if installed is None:
        return Target.any()
    text = format_version(installed)
    found = _keras_releases(SpecifierSet(f"=={text}"))
    if found is None:
        return Target.any()
    return Target(found[0], _with_beyond(f"installed keras {text}", found[1]))


__all__ = ["KERAS2", "KerasSpec", "Target", "for_directory", "from_option", "installed_keras_version",
           "option_type"]
