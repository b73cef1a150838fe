"""The ecosystem diff: ``python benchmarks/ecosystem.py`` (or ``tox -e ecosystem``), like ruff's and mypy_primer's.

Lints a pinned set of real distributions from PyPI (ecosystem_corpus.py) with
flake8 and the plugin of this checkout (``--select=KL --extend-select=KL9``,
``FLAKE8_KERAS_LAYERS_DEBUG=1``) and compares every diagnostic with the
committed baseline, ``benchmarks/ecosystem/baseline.tsv`` (distribution, path
relative to the distribution's root, line, code: no message text, no
third-party source). Prints the debug summaries, then what appeared and what
disappeared, per distribution, per code and line by line.

    python benchmarks/ecosystem.py                 # run and print the diff
    python benchmarks/ecosystem.py --check         # exit 1 when the diagnostics differ from the baseline
    python benchmarks/ecosystem.py --update        # rewrite the baseline from this run
    python benchmarks/ecosystem.py --dist keras    # only some distributions (repeatable)
    python benchmarks/ecosystem.py --reuse ...     # the last run's output instead of running flake8 again

The full messages of the run go to ``--out`` (default
``ecosystem-out/`` in the download cache, never in the repository) for a human to read and label;
``--sample`` and ``--precision`` (ecosystem_labels.py) work on them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
import ecosystem_corpus  # noqa: E402
import ecosystem_labels  # noqa: E402
from ecosystem_labels import Diag, Key  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "ecosystem"
BASELINE = DATA / "baseline.tsv"
HEADER = ("distribution", "path", "line", "code")
FORMAT = "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s"
PREFIX = "flake8-keras-layers: "
_SUMMARY = re.compile(r"debug summary: (\d+) files, (\d+) classes checked, (\d+) internal errors, (\d+) budget stops")


@dataclass
class Run:
    dist: str
    kind: str
    root: str
    metadata_files: list[str]
    wall_s: float
    cpu_s: float
    files: int = 0  # summed over flake8's worker processes
    classes: int = 0
    internal_errors: int = 0
    budget_stops: int = 0
    debug_lines: tuple[str, ...] = ()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["FLAKE8_KERAS_LAYERS_DEBUG"] = "1"
    return env


def _check_environment() -> None:
    try:
        installed = metadata.version("keras")
    except metadata.PackageNotFoundError:
        return
    # The installed keras would become the target of every file without a declared one.
    sys.exit(f"keras {installed} is installed beside flake8: the baseline assumes none is; use a venv without it")


def lint(dist: ecosystem_corpus.Dist, root: Path, jobs: int) -> tuple[list[Diag], Run]:
    """flake8 with the plugin over one unpacked distribution, from its root, ignoring its own flake8 config."""
    # -I: neither the working directory (an sdist root holds an .egg-info that could register plugins)
    # nor user site-packages on sys.path.
    command = [sys.executable, "-I", "-m", "flake8", "--isolated", "--select=KL", "--extend-select=KL9",
               f"-j{jobs}", f"--format={FORMAT}", "."]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=root, stdout=out, stderr=err, env=_env())
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if code not in (0, 1) or "failed during execution" in stderr or "Traceback" in stderr:
        sys.exit(f"flake8 failed on {dist.name} ({root}, exit {code}):\n{stderr[-3000:]}")
    diags = []
    for line in stdout.splitlines():
        path, row, col, rule, text = line.split("\t", 4)
        diags.append(Diag(dist.name, Path(path).as_posix().removeprefix("./"), int(row), rule, int(col), text))
    run = Run(dist.name, dist.kind, str(root), ecosystem_corpus.metadata_files(root), wall,
              usage.ru_utime + usage.ru_stime)
    # Worker processes write to one stderr, so two lines can run together: split on the prefix.
    chunks = [PREFIX + c.strip() for c in stderr.split(PREFIX)[1:]]
    for chunk in chunks:
        match = _SUMMARY.search(chunk)
        if match:
            files, classes, errors, stops = map(int, match.groups())
            run.files += files
            run.classes += classes
            run.internal_errors += errors
            run.budget_stops += stops
    run.debug_lines = tuple(c for c in chunks if not _SUMMARY.search(c))
    return sorted(diags), run


def read_baseline(path: Path) -> Counter[Key]:
    rows: Counter[Key] = Counter()
    if not path.exists():
        return rows
    lines = path.read_text().splitlines()
    if not lines or tuple(lines[0].split("\t")) != HEADER:
        sys.exit(f"{path}: the first line must be the header {HEADER}")
    for number, line in enumerate(lines[1:], 2):
        fields = line.split("\t")
        if len(fields) != 4 or not fields[2].isdigit():
            sys.exit(f"{path}:{number}: expected distribution, path, line, code")
        rows[Key(fields[0], fields[1], int(fields[2]), fields[3])] += 1
    return rows


def write_baseline(path: Path, rows: Counter[Key]) -> None:
    lines = ["\t".join(HEADER)]
    lines += ["\t".join(map(str, key)) for key in sorted(rows.elements())]
    path.write_text("".join(line + "\n" for line in lines))


def _counts_table(title: str, before: Counter[str], after: Counter[str], plus: Counter[str],
                  minus: Counter[str]) -> list[str]:
    names = sorted(set(before) | set(after))
    width = max([len(title), *map(len, names)])
    lines = [f"{title:<{width}}  baseline  current  appeared  disappeared"]
    for name in names:
        lines.append(f"{name:<{width}}  {before[name]:>8}  {after[name]:>7}  {plus[name]:>8}  {minus[name]:>11}")
    lines.append(f"{'total':<{width}}  {sum(before.values()):>8}  {sum(after.values()):>7}  "
                 f"{sum(plus.values()):>8}  {sum(minus.values()):>11}")
    return lines


def diff_report(baseline: Counter[Key], diags: list[Diag]) -> tuple[bool, str]:
    current = Counter(d.key for d in diags)
    appeared, disappeared = current - baseline, baseline - current
    lines = [f"ecosystem diff against {BASELINE.relative_to(REPO)}: {sum(appeared.values())} appeared, "
             f"{sum(disappeared.values())} disappeared ({sum(current.values())} diagnostics now, "
             f"{sum(baseline.values())} in the baseline)", ""]

    def by(rows: Counter[Key], field: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        for key, n in rows.items():
            counts[getattr(key, field)] += n
        return counts

    for title, field in (("distribution", "dist"), ("code", "code")):
        lines += _counts_table(title, by(baseline, field), by(current, field), by(appeared, field),
                               by(disappeared, field))
        lines.append("")
    messages = {d.key: d for d in diags}
    if appeared:
        lines.append("appeared:")
        lines += [f"+ {k.dist} {k.path}:{k.line} {k.code} {messages[k].message}" for k in sorted(appeared.elements())]
    if disappeared:
        lines.append("disappeared:")
        lines += [f"- {k.dist} {k.path}:{k.line} {k.code}" for k in sorted(disappeared.elements())]
    return bool(appeared or disappeared), "\n".join(lines)


def _commit() -> str:
    def git(*args: str) -> str:
        result = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "--", "flake8_keras_layers") else "")


def save_run(out: Path, diags: list[Diag], runs: list[Run]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    ecosystem_labels.write_diagnostics(out / "diagnostics.tsv", diags)
    for run in runs:
        text = "".join(f"{d.path}:{d.line}:{d.col}: {d.code} {d.message}\n" for d in diags if d.dist == run.dist)
        (out / f"{run.dist}.txt").write_text(text)
    (out / "debug.txt").write_text("".join(f"{run.dist}: {line}\n" for run in runs for line in run.debug_lines))
    state = {"commit": _commit(), "time": time.strftime("%Y-%m-%d %H:%M:%S"),
             "runs": [asdict(run) for run in runs]}
    (out / "run.json").write_text(json.dumps(state, indent=1) + "\n")


def load_run(out: Path) -> tuple[list[Diag], list[Run]]:
    state_file = out / "run.json"
    if not state_file.exists():
        sys.exit(f"--reuse: no earlier run in {out}")
    state = json.loads(state_file.read_text())
    runs = [Run(**{**r, "debug_lines": tuple(r["debug_lines"])}) for r in state["runs"]]
    print(f"reusing the run of {state['time']} (plugin at {state['commit']}) from {out}", file=sys.stderr)
    return ecosystem_labels.read_diagnostics(out / "diagnostics.tsv"), runs


def _exception(line: str) -> str:
    """The EXCEPTION part of ``PREFIX internal error: FILE: WHERE: EXCEPTION``."""
    parts = line.split(": ", 4)
    return parts[4] if len(parts) == 5 else line


def run_report(runs: list[Run], diags: list[Diag]) -> str:
    per_dist = Counter(d.dist for d in diags)
    lines = [f"{'distribution':<20} {'kind':<6} {'files':>5} {'classes':>7} {'diags':>5} {'errors':>6} "
             f"{'budget':>6} {'wall':>6} {'cpu':>6}  metadata files"]
    for r in runs:
        lines.append(f"{r.dist:<20} {r.kind:<6} {r.files:>5} {r.classes:>7} {per_dist[r.dist]:>5} "
                     f"{r.internal_errors:>6} {r.budget_stops:>6} {r.wall_s:>5.1f}s {r.cpu_s:>5.1f}s  "
                     f"{', '.join(r.metadata_files) or '-'}")
    errors = sum(r.internal_errors for r in runs)
    lines.append(f"debug summary: {sum(r.files for r in runs)} files, {sum(r.classes for r in runs)} classes checked, "
                 f"{errors} internal errors, {sum(r.budget_stops for r in runs)} budget stops")
    for r in runs:
        lines += [f"  {r.dist}: {line}" for line in r.debug_lines]
    if errors:
        kinds = Counter(_exception(line) for r in runs for line in r.debug_lines if "internal error: " in line)
        lines.append(f"WARNING: {errors} internal errors (must be 0), listed above; by exception:")
        lines += [f"  {n:>5} {kind}" for kind, n in kinds.most_common()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", action="append", choices=[d.name for d in ecosystem_corpus.PINNED],
                        help="distribution to lint (repeatable; default: all pinned)")
    parser.add_argument("--jobs", type=int, default=2, help="flake8 -j (default 2)")
    parser.add_argument("--cache", help="download cache (default $KL_BENCH_CACHE or ~/.cache/...)")
    parser.add_argument("--out", type=Path, help="where the run's full messages go (default: ecosystem-out/ in "
                        "the download cache: outside the repository, which ships none of it)")
    parser.add_argument("--reuse", action="store_true", help="use the last run in --out instead of running flake8")
    parser.add_argument("--check", action="store_true", help="exit 1 when the diagnostics differ from the baseline")
    parser.add_argument("--update", action="store_true", help="rewrite the baseline from this run")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="draw a stratified random sample of N unlabelled diagnostics into --out/sample.tsv")
    parser.add_argument("--seed", type=int, default=0, help="random seed of --sample (default 0)")
    parser.add_argument("--precision", action="store_true",
                        help="join benchmarks/ecosystem/labels.tsv with this run: per-code precision")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = corpus.cache_dir(args.cache) / "ecosystem-out"

    if args.reuse:
        diags, runs = load_run(args.out)
        if args.dist:
            diags, runs = [d for d in diags if d.dist in args.dist], [r for r in runs if r.dist in args.dist]
    else:
        _check_environment()
        cache = corpus.cache_dir(args.cache)
        chosen = [d for d in ecosystem_corpus.PINNED if not args.dist or d.name in args.dist]
        diags, runs = [], []
        for dist in chosen:
            root = ecosystem_corpus.root(dist, cache)
            print(f"linting {dist.requirement} ({dist.kind}, {root})", file=sys.stderr, flush=True)
            found, run = lint(dist, root, args.jobs)
            print(f"  {len(found)} diagnostics, {run.wall_s:.1f}s wall, {run.cpu_s:.1f}s CPU", file=sys.stderr)
            diags += found
            runs.append(run)
        save_run(args.out, diags, runs)
    print(run_report(runs, diags))
    print()

    linted = {r.dist for r in runs}
    full_baseline = read_baseline(BASELINE)
    baseline = Counter({k: n for k, n in full_baseline.items() if k.dist in linted})
    differ, report = diff_report(baseline, diags)
    print(report)
    if args.update:
        kept = Counter({k: n for k, n in full_baseline.items() if k.dist not in linted})
        write_baseline(BASELINE, kept + Counter(d.key for d in diags))
        print(f"\nwrote {BASELINE.relative_to(REPO)}")
    roots = {r.dist: Path(r.root) for r in runs}
    if args.sample:
        print()
        print(ecosystem_labels.draw(diags, roots, args.sample, args.seed, args.out))
    if args.precision:
        print()
        print(ecosystem_labels.precision(diags, linted))
    return 1 if args.check and differ else 0


if __name__ == "__main__":
    sys.exit(main())
