"""Results of unchanged files, kept between runs: a file whose inputs all match a stored entry is not analysed.

flake8 runs the plugin on every file of every run, and a file's analysis
(astroid building it and the project modules it imports) is most of the
plugin's cost. An entry stores one file's flake8 results together with
everything they were computed from:

- the environment (``environment``): the plugin's own files, astroid's and
  Python's versions, the import search path and working directory, the
  target (``--keras-version`` or what the project declares, resolved);
- the linted source text and its path;
- every file, directory listing and package tree the analysis read, with
  their fingerprints (analysis/reads.py records them while the file is analysed).

A lookup checks all of them and answers only when every one matches: a base
class edited in another module, a module added where an import failed, a
new ``__init__.py`` above the file, a reinstalled package, each makes it
analyse the file again. A file whose analysis contained a failure (an
exception, a budget stop: debug.py) is not stored, so that every failure
shows again on the next run. With ``FLAKE8_KERAS_LAYERS_DEBUG=1`` entries
are written but never read: every file is analysed and every failure shown.

One JSON file per linted path under the cache directory (``default_dir``),
replaced atomically (flake8's ``--jobs`` workers, an editor and a terminal
may write at once). Deleting the directory at any time only costs time; an
unreadable, foreign or corrupt entry counts as absent; an unwritable
directory is not used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from importlib import metadata
from typing import Callable, Sequence

from .. import __version__, debug
from ..analysis import reads

ENV_DIR = "FLAKE8_KERAS_LAYERS_CACHE_DIR"
FORMAT = 1
Result = tuple[int, int, str]  # flake8's (line, column, text)


def default_dir() -> str:
    """``$FLAKE8_KERAS_LAYERS_CACHE_DIR``, else the user's cache directory (as black's: per user, not in the
    project tree, so that no repository needs to ignore it)."""
    chosen = os.environ.get(ENV_DIR)
    if chosen:
        return chosen
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "flake8-keras-layers")


_plugin_stamp: str | None = None


def _plugin() -> str:
    """The plugin's own code and shipped facts, by stat stamps (an upgrade or an edit rewrites them)."""
    global _plugin_stamp
    if _plugin_stamp is None:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        lines = [__version__]
        for here, subdirs, files in os.walk(root):
            subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".json")):
                    stat = os.stat(os.path.join(here, name))
                    lines.append(f"{os.path.relpath(os.path.join(here, name), root)} {stat.st_mtime_ns} {stat.st_size}")
        _plugin_stamp = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return _plugin_stamp


@functools.lru_cache(maxsize=1)
def _astroid_version() -> str:
    return metadata.version("astroid")  # not its import: a hit needs no astroid


def environment(target: object) -> str:
    """Everything besides the file and what it read that a result depends on."""
    parts = [str(FORMAT), _plugin(), _astroid_version(), sys.version, sys.executable, os.getcwd(),
             repr(sys.path), repr(target)]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


class Store:
    """The entries under one directory."""

    def __init__(self, directory: str):
        self.directory = os.path.join(os.path.abspath(directory), f"results-{FORMAT}")
        self._usable: bool | None = None

    def usable(self) -> bool:
        """Whether the directory exists or could be made. Made before anything is fingerprinted: inside the
        project it changes a listing, which a fingerprint taken before would not show (reads.py keeps one
        per process)."""
        if self._usable is None:
            try:
                os.makedirs(self.directory, exist_ok=True)
                _ignore_in_git(os.path.dirname(self.directory))
                self._usable = True
            except OSError as error:
                debug.cache_not_written(self.directory, error)
                self._usable = False
        return self._usable

    def _entry(self, filename: str) -> str:
        name = hashlib.sha256(os.path.abspath(filename).encode("utf-8", "surrogateescape")).hexdigest()
        return os.path.join(self.directory, name[:2], name + ".json")

    def lookup(self, filename: str, source: str, env: str) -> list[Result] | None:
        """The stored results, when the entry matches the source, the environment and every fingerprint."""
        try:
            with open(self._entry(filename), encoding="utf-8") as handle:
                entry = json.load(handle)
            if (entry.get("env") != env or entry.get("path") != os.path.abspath(filename)
                    or entry.get("source") != _digest(source)):
                return None
            for kind, path, stored in entry["reads"]:
                if kind not in reads.KINDS or reads.fingerprint((kind, path)) != stored:
                    return None
            return [(int(line), int(col), str(text)) for line, col, text in entry["results"]]
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # absent, unreadable, foreign or corrupt: analysed again

    def save(self, filename: str, source: str, env: str, read: frozenset[reads.Dependency],
             results: Sequence[Result]) -> None:
        entry = {
            "env": env,
            "path": os.path.abspath(filename),
            "source": _digest(source),
            "reads": sorted([kind, path, reads.fingerprint((kind, path))] for kind, path in read),
            "results": [list(r) for r in results],
        }
        path = self._entry(filename)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump(entry, stream)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError as error:  # a read-only or full disk: the results stand, only the next run pays
            debug.cache_not_written(self.directory, error)


@functools.lru_cache(maxsize=None)
def store(directory: str) -> Store:
    """The one store of ``directory`` in this process (it is made, or found unusable, once)."""
    return Store(directory)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _ignore_in_git(directory: str) -> None:
    """A cache directory put inside a repository (``--keras-cache-dir .cache``) ignores itself."""
    marker = os.path.join(directory, ".gitignore")
    if not os.path.exists(marker):
        with open(marker, "w", encoding="utf-8") as handle:
            handle.write("# Created by flake8-keras-layers: its result cache, safe to delete.\n*\n")


def analyze(store: Store, source: str, filename: str, target: object,
            run: Callable[[], list[Result]]) -> list[Result]:
    """``run()``'s results for the file, from ``store`` when nothing they depend on changed since they were
    stored; otherwise ``run()`` with its reads recorded, stored unless it contained a failure."""
    if not store.usable():
        return run()
    env = environment(target)
    if not debug.enabled():
        found = store.lookup(filename, source, env)
        if found is not None:
            return found
    failures = debug.FAILURES.count
    reads.start()
    try:
        results = run()
    finally:
        read = reads.stop()
    if debug.FAILURES.count == failures:
        store.save(filename, source, env, read, results)
    return results
