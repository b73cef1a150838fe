"""One file's analysis session: what it sets up in astroid's process-wide state, and undoes.

flake8 lints every file of a job in one process, and astroid keeps one
manager per process. The driver opens a ``Session`` around each file that
reaches astroid, and closing it leaves the process as the next file needs it:

- open: bound astroid's caches (an eviction re-installs the Keras stubs),
  install the stubs (reading Keras' own modules from the project when it is
  Keras), put the file's search roots on ``sys.path``;
- ``build_module``: the linted file as an astroid module, from flake8's tree;
- ``contained``: run one class or module rule under its own budget, turning
  an exception or an exhausted budget into "no findings" plus a debug line;
- close: forget the linted module and what it registered on other modules,
  restore the stubs, take the search roots off ``sys.path`` again, then
  collect and freeze the garbage (the GC policy in caches.py).

Process-wide state, on purpose, and only this:
- ``astroid.MANAGER`` and its caches, bounded by caches.py;
- the stub modules, built once per Knowledge (knowledge/stubs.py), and the
  Keras project root they read ``keras.src`` modules from when the linted
  file is in Keras' own source tree (set and unset around each file);
- the garbage collector's freeze state, its two counters and its thresholds while a file runs (caches.py);
- the budget in force (analysis/budget.py: ``spend()`` is called from deep
  inside the analyses, which should not carry it around);
- the Keras family a class's rules are running for (``resolver.family_view``,
  for the same reason; opened and closed around those rules by the driver);
- while a file's reads are recorded (analysis/reads.py; the plugin records every file, for the
  result cache, engine/cache.py): ``AstroidManager.ast_from_module_name``, wrapped to tell it every
  import and what each module build read, restored at close;
- astroid's lazily computed node values (a function's method type, a class's metaclass-ness...),
  kept per file by descriptors put on astroid's node classes at open and taken off at close (lazy.py);
- astroid's ``AstroidBuilder.delayed_assattr``, replaced at open by one that registers
  ``self.<attr> = ...`` without inferring ``self`` and restored at close (assattr.py);
- the debug counters (debug.py);
- the walks of the file's scopes the rules asked for (analysis/syntax.py), dropped at close;
- what each project root declares, and the target it makes (knowledge/declared.py,
  knowledge/target.py): read once per root per process, whichever file asks first.
"""

from __future__ import annotations

import ast
import os
import sys
from typing import Callable, Iterable

import astroid
from astroid import nodes
from astroid.manager import AstroidManager

from ..analysis import budget, project, reads, syntax
from ..knowledge import stubs
from ..knowledge.facts import Knowledge
from .. import debug
from . import assattr, caches, lazy, rebuild

# Each class and each module rule has its own budget (analysis/budget.py); this bounds a whole file (CPU seconds).
FILE_BUDGET_SECONDS = 30.0


class Session:
    def __init__(self, filename: str, knowledge: Knowledge):
        self.filename = filename
        self.knowledge = knowledge
        self.manager = astroid.MANAGER
        self._added_roots: list[str] = []
        self._undo: list[tuple[nodes.Module | None, list]] = []
        self.deadline = 0.0
        self._unhook: Callable[[], None] | None = None

    def __enter__(self) -> "Session":
        caches.hold()  # fewer young-generation collections until close (caches.py)
        lazy.begin()  # astroid's lazily computed node values are this file's own (lazy.py)
        assattr.begin()  # every build registers ``self.<attr> = ...`` without inferring ``self`` (assattr.py)
        # astroid caches every module it parses, forever: bounded (caches.py).
        caches.bound(self.manager)
        if stubs.built(self.knowledge):
            stubs.install(self.knowledge, self.manager)  # idempotent; again after an eviction
        else:
            with caches.permanent(self.manager):
                stubs.install(self.knowledge, self.manager)
        stubs.use_project_keras(project.keras_source_root(self.filename))
        roots = project.search_roots(self.filename)
        for root in roots:
            # Appended, not prepended: the project must not shadow the standard library.
            if root and root not in sys.path:
                sys.path.append(root)
                self._added_roots.append(root)
        caches.follow_roots(self.manager, roots)
        if reads.recording():  # for the result cache (engine/cache.py): what decides each import
            self._unhook = _record_imports()
            if not lazy.complete():
                reads.incomplete()  # an astroid whose node values may carry another file's reads
            for entry in sys.path:
                reads.directory(entry or os.getcwd())
            if not project.is_stdin(self.filename):
                modname, root = project.module_name_for(self.filename)
                reads.searched(modname, [root])  # a new __init__.py above it renames it
        self.deadline = budget.clock() + FILE_BUDGET_SECONDS
        return self

    def __exit__(self, *exc_info) -> None:
        if self._unhook is not None:
            self._unhook()
            self._unhook = None
        self._forget()  # a frame of its own: no name of this one may still hold the module when settle() collects
        syntax.forget_walks()
        for root in self._added_roots:
            if root in sys.path:
                sys.path.remove(root)
        self._added_roots.clear()
        stubs.use_project_keras(None)
        caches.settle(self.manager)
        lazy.end()
        assattr.end()

    def _forget(self) -> None:
        for module, foreign in self._undo:
            caches.forget(self.manager, module, foreign)
        self._undo.clear()  # the last references to the linted module: collected by settle()

    def build_module(self, source: str, tree: ast.AST | None,
                     deep: frozenset[int] = frozenset()) -> nodes.Module | None:
        """The linted file as an astroid module, or None if it does not build (``deep``: rebuild.build)."""
        if project.is_stdin(self.filename):
            modname, path = "stdin", None
        else:
            modname, path = project.module_name_for(self.filename)[0], self.filename
        try:
            return rebuild.build(self.manager, source, modname, path, tree, deep, undo=self._undo)
        except (astroid.AstroidError, SyntaxError, ValueError, RecursionError, MemoryError) as error:
            debug.internal_error(self.filename, "building the astroid module", error)
            return None

    def out_of_time(self) -> bool:
        return budget.clock() > self.deadline

    def contained(self, where: str, run: Callable[[], Iterable]) -> list:
        """``run()``'s findings under a fresh budget, or none if it raises or its budget runs out."""
        try:
            with budget.limit(deadline=self.deadline) as spent:
                found = list(run())
        except Exception as error:  # noqa: BLE001 - a failure costs one class or rule, never the run
            if isinstance(error, budget.BudgetExceeded):
                debug.budget_stop(self.filename, where, str(error))
            else:
                debug.internal_error(self.filename, where, error)
            return []
        if spent.exhausted:  # ran out, and some code caught it and went on: its findings are not trusted
            debug.budget_stop(self.filename, where, spent.exhausted)
            return []
        return found


def _record_imports() -> Callable[[], None]:
    """Every module astroid resolves and every import it fails, told to reads.py, with what each build read;
    returns the undo. On the class: astroid asks ``AstroidManager()``, a new instance sharing the state."""
    original = AstroidManager.ast_from_module_name

    def recorded(self, modname, context_file=None, use_cache=True):
        if not isinstance(modname, str):
            return original(self, modname, context_file, use_cache)
        stub = self.astroid_cache.get(modname) if use_cache else None
        if stub is not None and (getattr(stub, "file", None) or "").startswith(stubs.STUB_ROOT):
            return original(self, modname, context_file, use_cache)  # the stubs answer whatever the disk holds
        reads.searched(modname, [*sys.path, *([os.path.dirname(context_file)] if context_file else [])])
        before = self.astroid_cache.get(modname)
        with reads.building() as read:
            try:
                module = original(self, modname, context_file, use_cache)
            except BaseException:
                if self.astroid_cache.get(modname) not in (None, before):
                    reads.incomplete()  # left half built in the cache: what it holds is not known
                raise
        path = getattr(module, "file", None)
        if isinstance(path, str) and path.startswith(stubs.STUB_ROOT):
            return module  # the plugin's own: in the cache key
        if module is before:
            reads.cached(module)
            return module
        reads.module(path if isinstance(path, str) else None,
                     () if path else [p for p in getattr(module, "path", None) or () if isinstance(p, str)])
        if self.astroid_cache.get(modname) is module:
            reads.built(module, read)
        return module

    AstroidManager.ast_from_module_name = recorded
    return lambda: setattr(AstroidManager, "ast_from_module_name", original)
