"""Failures you can see: ``FLAKE8_KERAS_LAYERS_DEBUG=1`` reports every failure the plugin contains.

The analysis contains failures (an exception in a class, a module rule or a
file; a budget that runs out) so that flake8 never sees them; without this
switch a contained failure looks exactly like "all clear". With it, each one
prints a line on stderr, and each process prints at exit one summary line,
in a fixed shape that tools parse::

    flake8-keras-layers: internal error: FILE: WHERE: EXCEPTION
    flake8-keras-layers: budget stop: FILE: WHERE: steps|time
    flake8-keras-layers: source skipped: FILE: REASON
    flake8-keras-layers: cache not written: DIRECTORY: EXCEPTION
    flake8-keras-layers: debug summary: F files, C classes checked, E internal errors, B budget stops

A skipped source is a project metadata file the target could not be read
from (knowledge/declared.py), an unwritten cache entry costs the next run
time (engine/cache.py); neither is counted in the summary. With the switch
on, the result cache is written but never read: every file is analysed.
The counters are per process (flake8's ``--jobs`` workers each print their
own summary); they and the failure count the cache reads are the only
process-wide state here.
"""

from __future__ import annotations

import atexit
import os
import sys
import traceback
from dataclasses import dataclass

ENV = "FLAKE8_KERAS_LAYERS_DEBUG"
PREFIX = "flake8-keras-layers:"


def enabled() -> bool:
    return os.environ.get(ENV, "") not in ("", "0")


@dataclass
class Counters:
    files: int = 0
    classes: int = 0
    errors: int = 0
    budget_stops: int = 0

    def summary(self) -> str:
        return (f"{PREFIX} debug summary: {self.files} files, {self.classes} classes checked, "
                f"{self.errors} internal errors, {self.budget_stops} budget stops")


COUNTERS = Counters()


@dataclass
class Failures:
    """Contained failures of this process, counted whether or not the switch is on: the result cache
    (engine/cache.py) stores no file that had one."""

    count: int = 0


FAILURES = Failures()
_summary_for_pid: int | None = None  # the process whose exit prints COUNTERS (once)


def _emit(line: str) -> None:
    try:  # one write per line: flake8's --jobs workers share stderr
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: the report is lost, the lint is not
        pass


def _print_summary() -> None:
    global _summary_for_pid
    if _summary_for_pid == os.getpid():
        _summary_for_pid = None
        _emit(COUNTERS.summary())


def _arm_summary() -> None:
    """Print the summary when this process ends, whichever way: a flake8 ``--jobs`` worker ends through
    multiprocessing (its finalizers run, ``atexit`` does not), the main process through ``atexit``."""
    global _summary_for_pid
    if _summary_for_pid == os.getpid():
        return
    if _summary_for_pid is not None:  # inherited from the parent by fork: not this process's line
        COUNTERS.__init__()  # type: ignore[misc]
    _summary_for_pid = os.getpid()
    atexit.register(_print_summary)
    import multiprocessing.util  # noqa: PLC0415 - only in debug mode

    multiprocessing.util.Finalize(None, _print_summary, exitpriority=0)


def _describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".strip().rstrip(":")
    frames = traceback.extract_tb(error.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {os.path.basename(last.filename)}:{last.lineno})"
    return " ".join(text.split())


def process_started() -> None:
    """This process will lint (flake8 parsed the options): its summary is due even if no file reaches us."""
    if enabled():
        _arm_summary()


def file_started() -> None:
    if enabled():
        _arm_summary()
        COUNTERS.files += 1


def class_checked() -> None:
    if enabled():
        COUNTERS.classes += 1


def internal_error(filename: str, where: str, error: BaseException) -> None:
    """A contained exception: ``where`` names the class, rule or stage it cost."""
    FAILURES.count += 1
    if enabled():
        _arm_summary()
        COUNTERS.errors += 1
        _emit(f"{PREFIX} internal error: {filename}: {where}: {_describe(error)}")


def budget_stop(filename: str, where: str, reason: str) -> None:
    FAILURES.count += 1
    if enabled():
        _arm_summary()
        COUNTERS.budget_stops += 1
        _emit(f"{PREFIX} budget stop: {filename}: {where}: {reason}")


def source_skipped(path: str, reason: str) -> None:
    """A project metadata file (pyproject.toml, a requirements file...) that could not be used."""
    if enabled():
        _emit(f"{PREFIX} source skipped: {path}: {reason}")


def cache_not_written(directory: str, error: BaseException) -> None:
    """The result cache could not be written (a read-only or full disk): the results stand, the next run
    analyses the file again. Not a failure of the analysis: not counted."""
    if enabled():
        _emit(f"{PREFIX} cache not written: {directory}: {_describe(error)}")
