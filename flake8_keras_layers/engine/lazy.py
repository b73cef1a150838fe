"""astroid's lazily computed node values, kept for one file instead of for the process.

astroid computes a few values on first use by inference and keeps them on
the node: whether a function is a method, a classmethod or a staticmethod
(``FunctionDef.type``, inferring its decorators), the class-level
assignments that make one (``extra_decorators``), whether a class is a
metaclass (``ClassDef._type``, inferring its bases) and its ``__slots__``
(``_all_slots``). The modules a project imports stay cached between files
(caches.py), so a value computed while one file was analysed would answer
for the next file without the inference, and without the reads behind it:
that file's result cache entry (engine/cache.py) would miss a module it
depends on, and its result would depend on which file came first.

So within a session (``begin``, ``end``) each of these values is kept with
what computing it read (reads.py), as a module is kept with what its build
read: a later file that uses the value counts those reads too. A value whose
reads are not known (computed while nothing recorded, or assigned by astroid
at the end of its own computation: ``_type``) serves its file only, and the
next file computes it again. Outside sessions astroid's own descriptors are
back in place.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Callable

from astroid import nodes
from astroid.nodes import scoped_nodes

from ..analysis import reads

_generation = 0  # the session's: a kept value of another generation is not this file's


class _PerFile:
    """A data descriptor: the value computed (or assigned) during this file, else computed again."""

    def __init__(self, name: str, compute: Callable[[Any], Any] | None):
        self.key = f"_kl_file_{name}"
        self.compute = compute  # None: a plain attribute whose default is None (``ClassDef._type``)

    def __get__(self, node, owner=None):
        if node is None:
            return self
        kept = node.__dict__.get(self.key)
        if kept is not None:
            generation, value, read = kept
            if read is not None and reads.recording():
                reads.extend(read)  # what computing it read counts for this file too, as a module's build
                return value
            if generation == _generation:
                return value
        if self.compute is None:
            return None
        with reads.building() as read_now:
            value = self.compute(node)
        node.__dict__[self.key] = (_generation, value, frozenset(read_now) if reads.recording() else None)
        return value

    def __set__(self, node, value) -> None:
        # Assigned by astroid at the end of a computation whose reads are not known here: this file's only.
        node.__dict__[self.key] = (_generation, value, None)


def _cached(klass: type, name: str) -> tuple[type, str, Any, _PerFile] | None:
    original = klass.__dict__.get(name)
    if isinstance(original, cached_property):
        return klass, name, original, _PerFile(name, original.func)
    return None


def _replacements() -> list[tuple[type, str, Any, _PerFile]]:
    found = [_cached(nodes.FunctionDef, "type"), _cached(nodes.FunctionDef, "extra_decorators"),
             _cached(nodes.ClassDef, "_all_slots")]
    if "_type" in nodes.ClassDef.__dict__ and nodes.ClassDef.__dict__["_type"] is None:
        found.append((nodes.ClassDef, "_type", None, _PerFile("_type", None)))
    return [f for f in found if f is not None]


_REPLACEMENTS = _replacements()
# What this module knows how to keep per file; an astroid where one is missing or shaped otherwise is
# not one the result cache may trust (engine/cache.py asks ``complete``).
EXPECTED = 4


def complete() -> bool:
    return len(_REPLACEMENTS) == EXPECTED and scoped_nodes.ClassDef is nodes.ClassDef


def begin() -> None:
    """Before one file's analysis: every value of the list above is computed for this file."""
    global _generation
    _generation += 1
    for klass, name, _, replacement in _REPLACEMENTS:
        setattr(klass, name, replacement)


def end() -> None:
    """After the file: astroid's own descriptors again."""
    for klass, name, original, _ in _REPLACEMENTS:
        setattr(klass, name, original)
