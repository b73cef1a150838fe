"""What one file's analysis read from disk, and a fingerprint of each, for the result cache (engine/cache.py).

A cached result may be reused only while everything it was computed from is
unchanged. Besides the linted source and the environment (engine/cache.py),
that is what this module records while a file is analysed:

- ``file``: a module astroid built or found cached, or a source an analysis
  read itself (analysis/callees.py, analysis/subclasses.py);
- ``dir``: a directory whose entries decide what an import resolves to (the
  search path, every package an import went through, the directories a
  failed import would have found a module in): a module or directory added
  there can change the result (other files, a log, cannot);
- ``tree``: a package whose ``.py`` files an analysis walked (subclasses.py).

Fingerprints are content hashes for the project's files and the importable
entries of directories; stat stamps (mtime, size) for installed files (the
standard library and site-packages change by installation, which rewrites
them) and for the files of a package tree, which is not trusted while one of
them was modified in the last two seconds (a timestamp too coarse to show a
second edit). Every
fingerprint is computed once per process: a flake8 run sees one state of the
disk. Recording costs nothing when no cache asked for it (``start`` not called).
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import os
import sys
import sysconfig
import time
from typing import Iterable, Sequence

Dependency = tuple[str, str]  # (kind, absolute path)
KINDS = frozenset({"file", "dir", "tree"})

_recording: set[Dependency] | None = None
# Per process, as the fingerprints: a flake8 run sees one state of the disk.
_fingerprints: dict[Dependency, str] = {}
_searches: dict[tuple[str, tuple[str, ...]], frozenset[Dependency]] = {}

_INSTALLED = tuple(
    os.path.join(os.path.normcase(os.path.realpath(p)), "")
    for p in {*(sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")),
              sys.prefix, sys.base_prefix}
)


def recording() -> bool:
    return _recording is not None


def start() -> None:
    global _recording
    _recording = set()


def stop() -> frozenset[Dependency]:
    """What was read since ``start()``."""
    global _recording
    found, _recording = recorded(), None
    return found


def file(path: str | None) -> None:
    if _recording is not None and path:
        _recording.add(("file", os.path.abspath(path)))


def directory(path: str | None) -> None:
    if _recording is not None and path:
        _recording.add(("dir", os.path.abspath(path)))


def tree(path: str) -> None:
    if _recording is not None:
        _recording.add(("tree", os.path.abspath(path)))


def recorded() -> frozenset[Dependency]:
    """What was read so far, without stopping (for tests)."""
    return frozenset(_recording or ())


def module(path: str | None, search: Iterable[str] = ()) -> None:
    """A module astroid resolved: its file (or its namespace directories, ``search``) and where it was found."""
    if _recording is None:
        return
    if path:
        file(path)
        directory(os.path.dirname(path))
    for entry in search:
        directory(entry)


def searched(modname: str, roots: Sequence[str]) -> None:
    """An import of ``modname`` resolved (or not) over ``roots``: whatever could later make it resolve
    elsewhere or fail. Every directory on the way from each root to where the module would be, and the
    files it could be (one that exists but did not build, an ``__init__.py`` that decides a package)."""
    if _recording is None:
        return
    key = (modname, tuple(roots))
    found = _searches.get(key)
    if found is None:
        found = _searches[key] = _search(modname, roots)
    _recording.update(found)


def _search(modname: str, roots: Sequence[str]) -> frozenset[Dependency]:
    found: set[Dependency] = set()
    parts = [p for p in modname.split(".") if p]
    for root in roots:
        here = os.path.abspath(root or ".")
        found.add(("dir", here))
        for part in parts:
            candidate = os.path.join(here, part)
            for source in (candidate + ".py", os.path.join(candidate, "__init__.py")):
                if os.path.isfile(source):
                    found.add(("file", source))
            if not os.path.isdir(candidate):
                break
            found.add(("dir", candidate))
            here = candidate
    return frozenset(found)


def fingerprint(dependency: Dependency) -> str:
    """The dependency's current fingerprint ("-" when it does not exist), computed once per process;
    ValueError for a kind that is none of ``KINDS``."""
    known = _fingerprints.get(dependency)
    if known is None:
        known = _fingerprints[dependency] = _compute(*dependency)
    return known


def _installed(path: str) -> bool:
    return os.path.normcase(os.path.realpath(path)).startswith(_INSTALLED)


def _compute(kind: str, path: str) -> str:
    try:
        if kind == "file":
            if _installed(path):
                stat = os.stat(path)
                return f"stat:{stat.st_mtime_ns}:{stat.st_size}"
            with open(path, "rb") as handle:
                return hashlib.sha256(handle.read()).hexdigest()
        if kind == "dir":
            if os.path.isfile(path):  # a zip or egg on the search path: rewritten when it changes
                stat = os.stat(path)
                return f"stat:{stat.st_mtime_ns}:{stat.st_size}"
            return _digest(_importable(path))
        if kind == "tree":
            return _tree_digest(path)
    except OSError:
        return "-"
    raise ValueError(f"not a dependency kind: {kind!r}")


# What an import can find in a directory: a package or namespace package, a module (astroid reads stubs too).
_SUFFIXES = (*importlib.machinery.all_suffixes(), ".pyi")


def _importable(path: str) -> list[str]:
    """The entries of a directory an import could resolve to (a log file written beside them cannot)."""
    with os.scandir(path) as entries:
        return sorted(e.name + "/" if e.is_dir() else e.name for e in entries
                      if e.name.endswith(_SUFFIXES) or e.is_dir())


def _digest(lines: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()


# A file modified this recently may be modified again within its file system's timestamp resolution
# without its stamp changing (git's "racy clean" case): a tree holding one is not trusted.
_RACY_SECONDS = 2.0


def _tree_digest(root: str) -> str:
    """Every directory and ``.py`` file under ``root`` as analysis/subclasses.py walks it, by stat stamp
    (reading a whole package to validate one file's entry would cost an editor's lint more than it saves)."""
    if not os.path.isdir(root):
        return "-"
    lines = []
    recent = time.time() - _RACY_SECONDS
    for here, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        lines.append("d " + os.path.relpath(here, root))
        for name in sorted(files):
            if name.endswith(".py"):
                stat = os.stat(os.path.join(here, name))
                if stat.st_mtime >= recent:
                    return f"racy:{os.urandom(8).hex()}"  # matches nothing, not even itself in another process
                lines.append(f"f {os.path.relpath(os.path.join(here, name), root)} {stat.st_mtime_ns} {stat.st_size}")
    return _digest(lines)
