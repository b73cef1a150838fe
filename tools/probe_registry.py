"""The probe's fact registry: ``@measures(name)`` adds a measurement, run in registration order.

Shared by tools/probe_facts.py and tools/probe_subclass.py (see probe_facts.py for what a
measurement returns).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from probe_sample import ClassSample


class Unmeasured(Exception):
    """A measurement cannot tell; the message, if any, says why."""


@dataclass(frozen=True)
class Measurement:
    name: str
    measure: Callable[[ClassSample], Any]
    per_release: bool  # a fact per release (compiled into ranges), else a class-level value
    layers_only: bool  # not measured for keras.Model / keras.Sequential
    family: bool = False  # returns the members that hold (facts ``<name>.<member>``)


MEASUREMENTS: list[Measurement] = []


def measures(name: str, *, per_release: bool = True, layers_only: bool = False, family: bool = False):
    def register(measure):
        assert all(m.name != name for m in MEASUREMENTS), f"{name} is measured twice"
        assert "." not in name, "a family member is named <family>.<member>"
        MEASUREMENTS.append(Measurement(name, measure, per_release, layers_only, family))
        return measure
    return register
