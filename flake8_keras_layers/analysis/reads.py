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

A module astroid built while one file was analysed serves the later files
of the process from its cache, and its build read modules of its own (the
brains' transforms, ``self.<attr>`` registration infer its decorators and
bases): what a build read is kept with the module (``built``/``reuse``) and
counts for every file that reuses it. A module whose build is unknown (built
before recording, or left half built by an exception) makes the file's
record incomplete: it is not stored.

Fingerprints are taken when a dependency is first recorded, before astroid
or an analysis reads it, and kept for the process: an edit made during the
run makes the stored fingerprint differ from the file, so the next run
analyses it again. They are content hashes for the project's files and the
importable entries of directories; stat stamps (mtime, size) for installed
files (the standard library and site-packages change by installation, which
rewrites them) and for the files of a package tree. A stamp of a file
modified since shortly before the process started is not trusted (a
timestamp too coarse to show a second edit, git's "racy clean" case): it
matches nothing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.machinery
import os
import sysconfig
import time
import weakref
from typing import Iterable, Iterator, Sequence

Dependency = tuple[str, str]  # (kind, absolute path)
KINDS = frozenset({"file", "dir", "tree"})
INCOMPLETE: Dependency = ("incomplete", "")  # recorded when something read cannot be named

# One set per nesting level: the file's, then one per module being built inside it.
_stack: list[set[Dependency]] = []
# Per process: a flake8 run sees one state of the disk, as of when each dependency was first recorded.
_fingerprints: dict[Dependency, str] = {}
_searches: dict[tuple[str, tuple[str, ...]], frozenset[Dependency]] = {}
_builds: "weakref.WeakKeyDictionary[object, frozenset[Dependency]]" = weakref.WeakKeyDictionary()

# A stamp this close to the process's start (or after it) may hide an edit.
_RACY_SECONDS = 2.0
_STARTED = time.time()

_INSTALLED = tuple(
    os.path.join(os.path.normcase(os.path.realpath(sysconfig.get_paths()[k])), "")
    for k in ("stdlib", "platstdlib", "purelib", "platlib")
)


@functools.lru_cache(maxsize=8192)  # asked for every module astroid returns
def installed(path: str) -> bool:
    """A file of the standard library or of site-packages (not merely under the interpreter's prefix: a
    project checked out in a venv's ``src/`` is the project's)."""
    return os.path.normcase(os.path.realpath(path)).startswith(_INSTALLED)


def recording() -> bool:
    return bool(_stack)


def start() -> None:
    _stack[:] = [set()]


def stop() -> frozenset[Dependency]:
    """What was read since ``start()`` (``INCOMPLETE`` among it when not everything could be named)."""
    found = frozenset(_stack[0]) if _stack else frozenset()
    _stack.clear()
    return found


def _add(dependency: Dependency) -> None:
    if _stack:
        if dependency[0] in KINDS:
            fingerprint(dependency)  # now: before anything reads it
        _stack[-1].add(dependency)


def file(path: str | None) -> None:
    if path:
        _add(("file", os.path.abspath(path)))


def directory(path: str | None) -> None:
    if path:
        _add(("dir", os.path.abspath(path)))


def tree(path: str) -> None:
    _add(("tree", os.path.abspath(path)))


def incomplete() -> None:
    _add(INCOMPLETE)


def module(path: str | None, search: Iterable[str] = ()) -> None:
    """A module astroid resolved: its file (or its namespace directories, ``search``) and where it was found."""
    if path:
        file(path)
        directory(os.path.dirname(path))
    for entry in search:
        directory(entry)


@contextlib.contextmanager
def building() -> Iterator[set[Dependency]]:
    """Around a call that may build a module: yields what it read (also counted for the enclosing level)."""
    if not _stack:
        yield set()
        return
    _stack.append(set())
    try:
        yield _stack[-1]
    finally:
        inner = _stack.pop()
        _stack[-1].update(inner)


def extend(read: frozenset[Dependency]) -> None:
    """What something computed earlier read, now counted for this file (a value reused: engine/lazy.py)."""
    if _stack:
        _stack[-1].update(read)


def built(module_node: object, read: set[Dependency]) -> None:
    """``module_node`` was built reading ``read``: every later reuse of it counts those too."""
    _builds[module_node] = frozenset(read)


def cached(module_node: object) -> None:
    """A module taken from astroid's cache (by astroid, or by an analysis reading the cache itself): its file
    and what its build read (``reuse``)."""
    path = getattr(module_node, "file", None)
    if isinstance(path, str):
        module(path)
    reuse(module_node, project=isinstance(path, str) and not installed(path))


def reuse(module_node: object, project: bool) -> None:
    """``module_node`` came from astroid's cache: what its build read counts for this file. A project
    module built without a record makes the record incomplete."""
    if not _stack:
        return
    known = _builds.get(module_node)
    if known is not None:
        _stack[-1].update(known)
    elif project:
        incomplete()


def searched(modname: str, roots: Sequence[str]) -> None:
    """An import of ``modname`` resolved (or not) over ``roots``: whatever could later make it resolve
    elsewhere or fail. Every directory on the way from each root to where the module would be, and the
    files it could be (one that exists but did not build, an ``__init__.py`` that decides a package)."""
    if not _stack:
        return
    key = (modname, tuple(roots))
    found = _searches.get(key)
    if found is None:  # roots differ by the importing file's directory: each root is searched once
        found = _searches[key] = frozenset().union(*(_searched_under(modname, root) for root in roots))
    _stack[-1].update(found)


def _searched_under(modname: str, root: str) -> frozenset[Dependency]:
    key = (modname, (root,))
    found = _searches.get(key)
    if found is None:
        found = _searches[key] = _search(modname, root)
        for dependency in found:
            fingerprint(dependency)  # now: before anything reads it
    return found


def _search(modname: str, root: str) -> frozenset[Dependency]:
    here = os.path.abspath(root or ".")
    found: set[Dependency] = {("dir", here)}
    for part in (p for p in modname.split(".") if p):
        for source in sources(here, [part]):
            if os.path.isfile(source):
                found.add(("file", source))
        candidate = os.path.join(here, part)
        if not os.path.isdir(candidate):
            break
        found.add(("dir", candidate))
        here = candidate
    return frozenset(found)


def sources(root: str, parts: Sequence[str]) -> tuple[str, str]:
    """The source files the module ``parts`` (a dotted name, split) can be under ``root``: a module or a
    package's ``__init__.py``."""
    base = os.path.join(root, *parts)
    return base + ".py", os.path.join(base, "__init__.py")


def fingerprint(dependency: Dependency) -> str:
    """The dependency's fingerprint as of when this process first asked ("-" when it does not exist);
    ValueError for a kind that is none of ``KINDS``."""
    known = _fingerprints.get(dependency)
    if known is None:
        known = _fingerprints[dependency] = _compute(*dependency)
    return known


def _compute(kind: str, path: str) -> str:
    try:
        if kind == "file":
            if installed(path):
                return _stamp(path)
            with open(path, "rb") as handle:
                return hashlib.sha256(handle.read()).hexdigest()
        if kind == "dir":
            if os.path.isfile(path):  # a zip or egg on the search path
                return _stamp(path)
            return _digest(_importable(path))
        if kind == "tree":
            return _tree_digest(path)
    except OSError:
        return "-"
    raise ValueError(f"not a dependency kind: {kind!r}")


def _stamp(path: str, stat: os.stat_result | None = None) -> str:
    stat = stat or os.stat(path)
    if stat.st_mtime >= _STARTED - _RACY_SECONDS:
        return f"racy:{os.urandom(8).hex()}"  # matches nothing, not even itself in another process
    return f"stat:{stat.st_mtime_ns}:{stat.st_size}"


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


def _tree_digest(root: str) -> str:
    """Every directory and ``.py`` file under ``root`` as analysis/subclasses.py walks it, by stat stamp
    (reading a whole package to validate one file's entry would cost an editor's lint more than it saves)."""
    if not os.path.isdir(root):
        return "-"
    lines = []
    for here, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        lines.append("d " + os.path.relpath(here, root))
        for name in sorted(files):
            if name.endswith(".py"):
                stamp = _stamp(os.path.join(here, name))
                if stamp.startswith("racy:"):
                    return stamp
                lines.append(f"f {os.path.relpath(os.path.join(here, name), root)} {stamp}")
    return _digest(lines)
