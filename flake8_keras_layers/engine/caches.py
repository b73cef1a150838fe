"""Bounds what astroid keeps between files, and keeps the garbage collector off it.

flake8 lints every file of a run in one process per job; astroid caches every
module it parses and many inference results, for the life of the process.

- The linted file's module is dropped after the file (unless something had
  imported it before), with what the file registered on other modules'
  classes (``obj.attr = ...``, rebuild.py) and on the Keras stubs, so that
  no file sees another one's code and results do not depend on the order
  of the files (or on ``-j``).
- A file whose search roots differ from the previous file's forgets the
  lookups and the project modules cached under a name that now resolves
  elsewhere (``follow_roots``: several script directories, each with its
  own ``blocks.py``).
- The modules it imports stay cached: those of the project until more than
  ``MAX_PROJECT_MODULES`` are, then they are evicted with every inference
  cache that may hold their nodes; the standard library's and installed
  distributions' (few, the same for every file, the costliest to parse
  again: ``typing``, ``inspect``) until ``MAX_CACHED_MODULES`` in all.
- CPython's cyclic garbage collector re-scans every tracked object of its
  oldest generation each time that generation has grown by a quarter, and
  astroid trees are hundreds of thousands of tracked objects: on the
  keras-hub wheel those full collections cost more than the analysis. So
  after each file its garbage is collected (cheap: only what that file
  allocated is not frozen) and the survivors, the caches, are frozen
  (``gc.freeze``). Frozen garbage is never collected: an eviction, or every
  ``FILES_PER_FULL_COLLECTION`` files, unfreezes and collects everything.
  While a file is analysed, the youngest generation is collected only every
  ``FILE_GEN0_THRESHOLD`` net allocations instead of 700: most of what
  inference allocates dies young, by reference counting, before a
  collection would scan it, and what is cyclic garbage waits for the
  per-file collection at most that many objects at a time.

Everything here is a cache: losing it costs time, never a diagnostic.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
from typing import Iterator

from astroid import context as astroid_context
from astroid.inference_tip import clear_inference_tip_cache
from astroid import modutils
from astroid.interpreter._import import spec as import_spec
from astroid.manager import AstroidManager
from astroid.bases import Proxy
from astroid.interpreter.objectmodel import ObjectModel
from astroid.nodes import ClassDef, NodeNG
from astroid.nodes._base_nodes import LookupMixIn

from ..analysis import reads
from ..knowledge import stubs

# Not every Python has them (PyPy): then only the collections are not tuned.
_freeze = getattr(gc, "freeze", lambda: None)
_unfreeze = getattr(gc, "unfreeze", lambda: None)

# Modules of the project kept parsed between files (the ones the linted files import).
MAX_PROJECT_MODULES = 300
# Every cached module, the standard library and installed distributions included.
MAX_CACHED_MODULES = 1500


def _is_project_module(module) -> bool:
    path = getattr(module, "file", None)
    return isinstance(path, str) and _is_project_path(path)


# Asked for every cached module after every file (bound()): answered once per path.
@functools.lru_cache(maxsize=4096)
def _is_project_path(path: str) -> bool:
    if not path or not os.path.isabs(path) or path.startswith(stubs.STUB_ROOT):
        return False  # builtins, the Keras stubs, stdin
    return not reads.installed(path)


def _subclasses(root: type) -> Iterator[type]:
    stack = [root]
    while stack:
        klass = stack.pop()
        yield klass
        stack.extend(klass.__subclasses__())


def _clear_inference_caches() -> None:
    """Every astroid cache that holds nodes by reference, other than the module cache."""
    astroid_context._invalidate_cache()
    clear_inference_tip_cache()
    for cached in (LookupMixIn.lookup, ClassDef._metaclass_lookup_attribute):
        cached.cache_clear()
    # One object model per node class (``ClassDef.special_attributes``...) remembers
    # the last node it served, and with it that node's whole module.
    for root in (NodeNG, Proxy):
        for klass in _subclasses(root):
            model = klass.__dict__.get("special_attributes")
            if isinstance(model, ObjectModel):
                model._instance = None


def bound(manager: AstroidManager) -> bool:
    """Evict when over a bound; True when anything was evicted (the stubs must then be installed again)."""
    cache = manager.astroid_cache
    if len(cache) <= MAX_PROJECT_MODULES:
        return False
    if len(cache) > MAX_CACHED_MODULES:
        manager.clear_cache()
    else:
        project = [name for name, module in cache.items() if _is_project_module(module)]
        if len(project) <= MAX_PROJECT_MODULES:
            return False
        for name in project:
            del cache[name]
        _clear_inference_caches()
    _collect_everything(manager)
    return True


_roots_before: tuple[str, ...] | None = None


def follow_roots(manager: AstroidManager, roots: tuple[str, ...]) -> None:
    """Before a file whose search roots differ from the previous file's (top-level scripts of several
    directories, each with its own ``blocks.py``): astroid caches modules and lookups by name, so a name
    the previous roots resolved may resolve elsewhere now. The lookups are forgotten, and so is every
    project module cached under a name that no longer resolves to its file."""
    global _roots_before
    if roots == _roots_before:
        return
    first, _roots_before = _roots_before is None, roots
    if first:
        return
    forget_lookups(manager)
    moved = [name for name, module in manager.astroid_cache.items()
             if _is_project_module(module) and _resolves_to(name) != os.path.normcase(module.file)]
    for name in moved:
        del manager.astroid_cache[name]
    if moved:
        _clear_inference_caches()


def forget_lookups(manager: AstroidManager) -> None:
    """astroid's memos of where a module name was found (and of failed lookups): the same name may live
    elsewhere now."""
    manager._mod_file_cache.clear()
    import_spec._find_spec.cache_clear()
    for finder in import_spec._SPEC_FINDERS:
        getattr(finder.find_module, "cache_clear", lambda: None)()  # not an lru_cache in astroid 3.3
    modutils._cache_normalize_path_.cache_clear()


def _resolves_to(modname: str) -> str | None:
    """The source file a project module name resolves to over sys.path now (the first root that has it)."""
    for root in sys.path:
        for candidate in reads.sources(os.path.abspath(root or "."), modname.split(".")):
            if os.path.isfile(candidate):
                return os.path.normcase(candidate)
    return None


@contextlib.contextmanager
def permanent(manager: AstroidManager) -> Iterator[None]:
    """Around building what the process keeps to its end (astroid's builtins, the Keras stubs: a third of
    an editor's one-file lint was the collector scanning them). No collection while they are built: it
    would scan them over and over to find next to no garbage; then they are frozen without one, and the
    growth of the module cache is counted from there, so that the first file's collection skips them too."""
    global _cached_after_full
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        _freeze()
        _cached_after_full = max(_cached_after_full, len(manager.astroid_cache))


def _collect_everything(manager: AstroidManager) -> None:
    global _files_since_full, _cached_after_full
    _unfreeze()
    gc.collect()
    _files_since_full, _cached_after_full = 0, len(manager.astroid_cache)


def forget(manager: AstroidManager, module, foreign: list[tuple[dict, str, object]]) -> None:
    """Undo a linted file (the session, after the file): its module if it was not cached before (most
    files are never imported by another one; one that is is parsed again on first import), and the
    attributes it registered on other modules' classes (rebuild._Builder)."""
    for attrs, name, node in foreign:
        values = attrs.get(name)
        if values is not None and node in values:
            values.remove(node)
            if not values:
                del attrs[name]
    if module is not None and manager.astroid_cache.get(module.name) is module:
        del manager.astroid_cache[module.name]
    _drop_tracebacks(manager)
    _clear_inference_caches()  # they hold its nodes


def _drop_tracebacks(manager: AstroidManager) -> None:
    """astroid caches failed imports as exceptions, and every re-raise gives the cached
    exception the traceback of that raise: frames, and through them nodes of the linted module."""
    pending = [v for v in manager._mod_file_cache.values() if isinstance(v, BaseException)]
    seen: set[int] = set()
    while pending:
        error = pending.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        error.__traceback__ = None
        linked = (error.__context__, error.__cause__, *vars(error).values())
        pending.extend(e for e in linked if isinstance(e, BaseException))


# Everything (frozen included) is collected again every so many files, or sooner once the
# module cache has grown by half since the last time: whatever else lives in the process
# (flake8, other plugins, a host program) gets its garbage collected too. The two counters
# are process-wide on purpose: the collector's state is (engine/session.py lists all such state).
FILES_PER_FULL_COLLECTION = 500
_CACHE_GROWTH = 1.5
_files_since_full = 0
_cached_after_full = 0


# The youngest generation's threshold while a file is analysed (CPython's default is 700; 3.13 has 2000):
# on the keras-hub wheel the automatic collections inside the files went from 0.24 s to none, and at most
# this many young objects (a few MB) ever wait for one, so a file cannot grow memory without a collection.
FILE_GEN0_THRESHOLD = 50_000
_thresholds_outside: tuple[int, ...] | None = None


def hold() -> None:
    """Before a file (the session): the collector's young generation runs less often until settle()."""
    global _thresholds_outside
    if _thresholds_outside is None:
        _thresholds_outside = gc.get_threshold()
        gc.set_threshold(max(FILE_GEN0_THRESHOLD, _thresholds_outside[0]), *_thresholds_outside[1:])


def _release() -> None:
    global _thresholds_outside
    if _thresholds_outside is not None:
        gc.set_threshold(*_thresholds_outside)
        _thresholds_outside = None


def settle(manager: AstroidManager) -> None:
    """After a file: what survived it is cache, keep the collector off it (see the module docstring)."""
    global _files_since_full
    stubs.restore()  # also what imported modules added (they may outlive the file, the stubs outlive all)
    _files_since_full += 1
    grown = len(manager.astroid_cache) > _CACHE_GROWTH * _cached_after_full
    if grown or _files_since_full >= FILES_PER_FULL_COLLECTION:
        _collect_everything(manager)
    else:
        # Everything not frozen yet was allocated for this file: collecting it all is cheap,
        # and drops the garbage (the linted module among it) before the survivors are frozen.
        gc.collect()
    _freeze()
    _release()  # flake8 and other plugins run with the thresholds they had
