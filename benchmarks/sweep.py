"""Crash-free sweep: ``python benchmarks/sweep.py`` runs flake8 with the plugin over real code.

Over the pinned keras, keras-hub and tf-keras wheels (corpus.py) and this
interpreter's standard library, with ``-j2`` and with ``-j1``; it fails
unless every run exits 0 or 1, no run says "failed during execution" or
prints a traceback, and both job counts give the same output. The plugin's
diagnostics (``--select=KL,E999 --extend-select=KL9``) are compared; flake8's
own checks run regardless of ``--select``, so they are exercised too.

``--corpus`` picks corpora (repeatable), ``--limit N`` keeps every k-th file
so that about N remain per corpus. tests/test_sweep.py runs a reduced
sample of the same check in the normal test suite.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

FLAKE8_ARGS = ("--isolated", "--select=KL,E999", "--extend-select=KL9")
FAILURE_MARKS = ("failed during execution", "Traceback (most recent call last)")
# The plugin's debug switch (flake8_keras_layers/debug.py): every contained failure prints a line,
# every process a summary. A sweep fails on any internal error, not only on a crash.
DEBUG_ENV = "FLAKE8_KERAS_LAYERS_DEBUG"
INTERNAL_ERROR = "flake8-keras-layers: internal error:"
BUDGET_STOP = "flake8-keras-layers: budget stop:"
SUMMARY = re.compile(r"^flake8-keras-layers: debug summary: (\d+) files, (\d+) classes checked, "
                     r"(\d+) internal errors, (\d+) budget stops$", re.M)


@dataclass
class Run:
    jobs: int
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def problems(self) -> list[str]:
        found = []
        if self.returncode not in (0, 1):
            found.append(f"-j{self.jobs}: exit code {self.returncode}")
        found += [f"-j{self.jobs}: stderr says {mark!r}" for mark in FAILURE_MARKS if mark in self.stderr]
        errors = [line for line in self.stderr.splitlines() if line.startswith(INTERNAL_ERROR)]
        found += [f"-j{self.jobs}: {line}" for line in errors[:5]]
        if not SUMMARY.search(self.stderr):
            found.append(f"-j{self.jobs}: no debug summary on stderr (was {DEBUG_ENV}=1 honoured?)")
        return found

    def totals(self) -> tuple[int, ...]:
        """(files, classes checked, internal errors, budget stops), summed over the run's processes."""
        rows = [tuple(map(int, m.groups())) for m in SUMMARY.finditer(self.stderr)]
        return tuple(sum(column) for column in zip(*rows)) if rows else (0, 0, 0, 0)


@dataclass
class Report:
    name: str
    files: int
    runs: list[Run] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = [p for run in self.runs for p in run.problems()]
        outputs = {run.jobs: sorted(run.stdout.splitlines()) for run in self.runs}
        if len(set(map(tuple, outputs.values()))) > 1:
            (a, out_a), (b, out_b) = list(outputs.items())[:2]
            only_a = sorted(set(out_a) - set(out_b))[:5]
            only_b = sorted(set(out_b) - set(out_a))[:5]
            found.append(f"-j{a} and -j{b} differ: only -j{a}: {only_a}; only -j{b}: {only_b}")
        return found

    def summary(self) -> str:
        lines = len(self.runs[0].stdout.splitlines()) if self.runs else 0
        times = ", ".join(f"-j{r.jobs} {r.seconds:.0f}s" for r in self.runs)
        checked = self.runs[0].totals() if self.runs else (0, 0, 0, 0)
        verdict = "; ".join(self.problems()) or "ok"
        return (f"{self.name}: {self.files} files, {lines} diagnostics, {checked[1]} classes checked, "
                f"{checked[2]} internal errors, {checked[3]} budget stops ({times}): {verdict}")


def flake8(paths: list[Path], jobs: int, cwd: Path, python: str = sys.executable, timeout: float = 3600,
           extra: tuple[str, ...] = ()) -> Run:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env[DEBUG_ENV] = "1"
    start = time.monotonic()
    result = subprocess.run(
        [python, "-m", "flake8", *FLAKE8_ARGS, *extra, f"-j{jobs}", *map(str, paths)],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout,
    )
    return Run(jobs, result.returncode, result.stdout, result.stderr, time.monotonic() - start)


def sample(files: list[Path], limit: int | None) -> list[Path]:
    if not limit or len(files) <= limit:
        return files
    step = len(files) / limit
    return [files[int(i * step)] for i in range(limit)]


def sweep(name: str, root: Path, limit: int | None = None, jobs: tuple[int, ...] = (2, 1),
          max_bytes: int | None = None, extra: tuple[str, ...] = ()) -> Report:
    """flake8 over ``root``'s Python files (or a sample), once per job count, run from ``root``.

    ``extra``: more flake8 options, e.g. a ``--keras-version`` that a caller's expectations depend on.
    """
    files = corpus.python_files(root)
    if max_bytes:
        files = [f for f in files if f.stat().st_size <= max_bytes]
    files = sample(files, limit)
    report = Report(name, len(files))
    relative = [f.relative_to(root) for f in files]
    for count in jobs:
        report.runs.append(flake8(relative, count, root, extra=extra))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", choices=[*corpus.PINNED, "stdlib"],
                        help="corpus to sweep (repeatable; default: all of them and the standard library)")
    parser.add_argument("--limit", type=int, help="about this many files per corpus (default: all)")
    parser.add_argument("--cache", help="cache directory (default $KL_BENCH_CACHE or ~/.cache/...)")
    args = parser.parse_args(argv)
    names = args.corpus or [*corpus.PINNED, "stdlib"]
    failed = False
    for name, root in corpus.resolve(names, corpus.cache_dir(args.cache)).items():
        report = sweep(name, root, args.limit)
        print(report.summary(), flush=True)
        failed |= bool(report.problems())
    print("sweep:", "FAILED" if failed else "ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
