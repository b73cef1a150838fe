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
            subdirs[:] = sorted(d for d in subdirs if d != "__pycache__" and not d.startswith("."))
            for name in sorted(files):
                if name.endswith((".py", ".json")):
                    stat = os.stat(os.path.join(here, name))
                    lines.append(f"{os.path.relpath(os.path.join(here, name), root)} {stat.st_mtime_ns} {stat.st_size}")
        _plugin_stamp = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return _plugin_stamp


@functools.lru_cache(maxsize=1)
def _finders() -> str:
    """The import hooks' own files: an editable install maps its package to a checkout in one, rewritten
    when it is installed from another checkout (neither sys.path nor site-packages' entries change)."""
    stamps = []
    for hook in (*sys.meta_path, *sys.path_hooks):
        module = sys.modules.get(getattr(hook, "__module__", None) or type(hook).__module__)
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            try:
                stat = os.stat(path)
            except OSError:
                continue
            stamps.append(f"{path} {stat.st_mtime_ns} {stat.st_size}")
    return "\n".join(stamps)


@functools.lru_cache(maxsize=1)
def _astroid_version() -> str:
    return metadata.version("astroid")  # not its import: a hit needs no astroid


def environment(target: object) -> str:
    """Everything besides the file and what it read that a result depends on."""
    # The target is a frozen dataclass of tuples and strings: its repr is all of it, in a fixed order.
    parts = [str(FORMAT), _plugin(), _astroid_version(), sys.version, sys.executable, os.getcwd(),
             repr(sys.path), _finders(), repr(target)]
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
                _mark(self.directory)
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
        fingerprints = sorted([kind, path, reads.fingerprint((kind, path))] for kind, path in read)
        if any(f.startswith("racy:") for _, _, f in fingerprints):
            return  # a stamp too recent to trust: it would never match
        entry = {
            "env": env,
            "path": os.path.abspath(filename),
            "source": _digest(source),
            "reads": fingerprints,
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


_MARKS = {
    # Inside a repository (``--keras-cache-dir .cache/kl``), git ignores it; backup tools skip it.
    ".gitignore": "# Created by flake8-keras-layers: its result cache, safe to delete.\n*\n",
    "CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n"
                    "# This directory holds flake8-keras-layers' result cache: https://bford.info/cachedir/\n",
}


def _mark(directory: str) -> None:
    """In the directory the plugin owns (``results-N``), never in the one the user named."""
    for name, text in _MARKS.items():
        marker = os.path.join(directory, name)
        if not os.path.exists(marker):
            with open(marker, "w", encoding="utf-8") as handle:
                handle.write(text)


def analyze(store: Store | None, source: str, filename: str, target: Callable[[], object],
            run: Callable[[], list[Result]]) -> list[Result]:
    """``run()``'s results for the file, from ``store`` when nothing they depend on changed since they were
    stored; otherwise ``run()`` with its reads recorded, stored when complete and free of failures.

    Every analysis records, with a store or not: a module built for one file serves the later ones, and
    what its build read must be known to them (reads.py). One path for both also keeps the call depth,
    which decides where a deep inference hits the recursion limit, the same with the cache and without."""
    if store is not None and not store.usable():
        store = None
    env = environment(target()) if store is not None else ""
    if store is not None and not debug.enabled():
        found = store.lookup(filename, source, env)
        if found is not None:
            return found
    failures = debug.FAILURES.count
    reads.start()
    try:
        results = run()
    finally:
        read = reads.stop()
    if store is not None and debug.FAILURES.count == failures and reads.INCOMPLETE not in read:
        store.save(filename, source, env, read, results)
    return results
