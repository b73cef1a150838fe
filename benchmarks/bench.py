"""What the plugin costs on top of flake8, on real code: ``python benchmarks/bench.py`` (or ``tox -e bench``).

For each pinned corpus (the keras, keras-hub and tf-keras wheels from PyPI,
see corpus.py) it runs plain flake8 (a venv without the plugin, created here
with the same flake8, pycodestyle, pyflakes and mccabe versions) and flake8
with the plugin (this interpreter's environment), once with an empty result
cache (every file analysed: the figure the targets are about) and once with
every file's results cached (a run on unchanged files), in rotating order,
``--pairs`` rounds, ``-j1``, on the same files. It prints the median time
ratios (CPU time of the flake8 process, which other load on the machine
disturbs least, and wall time), the peak RSS of each, the plugin's own per-file times and its
cold start measured in-process (inprocess.py), what it adds to an editor's
one-file lint in a fresh process (editor.py), the slowest file of all, and a
markdown table of the figures for the README.

``--diagnostics DIR`` instead writes the plugin's full output per corpus
(``--select=KL --extend-select=KL9``, sorted, no cached result used) to ``DIR/<corpus>.txt``: run it
before and after a change and ``diff -r`` the two directories.

Unix only (it reads the children's resource usage with os.wait4).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
import editor  # noqa: E402

HERE = Path(__file__).resolve().parent
FLAKE8_DISTRIBUTIONS = ("flake8", "pycodestyle", "pyflakes", "mccabe")
CORPORA = ("keras", "keras-hub", "tf-keras")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def plain_python(cache: Path) -> Path:
    """A venv with this environment's flake8 (same versions) and no plugin; created once."""
    pins = [f"{name}=={metadata.version(name)}" for name in FLAKE8_DISTRIBUTIONS]
    tag = f"py{sys.version_info[0]}{sys.version_info[1]}-flake8-{metadata.version('flake8')}"
    venv = cache / f"venv-plain-{tag}"
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print(f"creating {venv} ({', '.join(pins)})", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *pins],
                       check=True)
    return python


def _check_plugins(python: Path, expect_plugin: bool) -> None:
    # Not from the repository: `python -m` puts the working directory on sys.path, and an
    # egg-info there would register the plugin in the plain venv too.
    version = subprocess.run([str(python), "-m", "flake8", "--version"], capture_output=True, text=True,
                             env=_env(), check=True, cwd=tempfile.gettempdir()).stdout
    if ("flake8-keras-layers" in version) != expect_plugin:
        sys.exit(f"{python}: flake8 --version says {version.strip()!r}; expected the plugin "
                 f"{'installed' if expect_plugin else 'absent'}")


def run_flake8(python: Path, root: Path, *args: str, cache: str | None = None) -> dict:
    """One flake8 run over ``root``: wall and CPU seconds, peak RSS (MB), exit code, stdout. ``cache``: the
    plugin's result cache directory (engine/cache.py), else an empty one made for this run."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as empty:
        start = time.perf_counter()
        process = subprocess.Popen([str(python), "-m", "flake8", "--isolated", *args, "."], cwd=root,
                                   stdout=out, stderr=err, env={**_env(), editor.CACHE_ENV: cache or empty})
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if code not in (0, 1) or "failed during execution" in stderr:
        sys.exit(f"flake8 failed on {root} (exit {code}):\n{stderr[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "stdout": stdout}


def measure(name: str, root: Path, plain: Path, pairs: int, jobs: int) -> dict:
    """``pairs`` rounds of plain flake8, the plugin with an empty result cache ("plugin": every file
    analysed, the first run on a checkout) and the plugin with every file's results cached ("warm": a
    run on unchanged files), in rotating order. The warm runs must print what the cold ones print."""
    runs: dict[str, list[dict]] = {"plain": [], "plugin": [], "warm": []}
    with tempfile.TemporaryDirectory() as primed:
        run_flake8(Path(sys.executable), root, f"-j{jobs}", cache=primed)
        for index in range(pairs):
            # Rotate who goes first, so a drift in machine load hits every side alike.
            order = [*runs][index % 3:] + [*runs][:index % 3]
            for side in order:
                python = plain if side == "plain" else Path(sys.executable)
                runs[side].append(run_flake8(python, root, f"-j{jobs}", cache=primed if side == "warm" else None))
            print(f"  {name} round {index + 1}/{pairs}: plain {runs['plain'][-1]['cpu']:.1f}s CPU, "
                  f"plugin {runs['plugin'][-1]['cpu']:.1f}s CPU, cached {runs['warm'][-1]['cpu']:.1f}s CPU",
                  file=sys.stderr)
    if any(r["stdout"] != runs["plugin"][0]["stdout"] for r in runs["plugin"] + runs["warm"]):
        sys.exit(f"{name}: the runs with cached results printed something else than the runs without")
    ratio = {key: statistics.median(b[key] / a[key] for a, b in zip(runs["plain"], runs["plugin"]))
             for key in ("cpu", "wall")}
    warm = statistics.median(b["cpu"] / a["cpu"] for a, b in zip(runs["plain"], runs["warm"]))
    inprocess = json.loads(subprocess.run([sys.executable, str(HERE / "inprocess.py"), str(root)], env=_env(),
                                          capture_output=True, text=True, check=True).stdout)
    return {
        "corpus": name,
        "cpu_ratio": ratio["cpu"],
        "wall_ratio": ratio["wall"],
        "plain_cpu_s": statistics.median(r["cpu"] for r in runs["plain"]),
        "plugin_cpu_s": statistics.median(r["cpu"] for r in runs["plugin"]),
        "plain_rss_mb": max(r["rss_mb"] for r in runs["plain"]),
        "plugin_rss_mb": max(r["rss_mb"] for r in runs["plugin"]),
        "warm_cpu_ratio": warm,
        "warm_cpu_s": statistics.median(r["cpu"] for r in runs["warm"]),
        "inprocess": inprocess,
    }


def table(results: list[dict]) -> str:
    lines = [
        "| corpus | files (reaching astroid) | flake8 + plugin / flake8, CPU (wall) | same, results cached, CPU "
        "| peak RSS, -j1 | plugin per file p50 / p95 / max | cold start |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        p = r["inprocess"]
        lines.append(
            f"| {r['corpus']} | {p['files']} ({p['astroid_files']}) | {r['cpu_ratio']:.2f}x ({r['wall_ratio']:.2f}x) "
            f"| {r['warm_cpu_ratio']:.2f}x "
            f"| {r['plain_rss_mb']:.0f} MB -> {r['plugin_rss_mb']:.0f} MB "
            f"| {p['p50_ms']:.1f} / {p['p95_ms']:.0f} / {p['max_ms']:.0f} ms | {p['cold_start_s']:.2f} s |"
        )
    return "\n".join(lines)


def editor_table(latency: dict[str, dict]) -> str:
    lines = ["| one file, fresh process (editor) | flake8 alone, CPU | the plugin adds, CPU (wall) "
             "| same, the file's results cached |", "|---|---|---|---|"]
    for label, e in latency.items():
        lines.append(f"| {label} | {e['plain_cpu_s']:.2f} s | {e['added_cpu_s']:.2f} s ({e['added_wall_s']:.2f} s), "
                     f"median of {e['runs']} | {e['warm_added_cpu_s']:.2f} s ({e['warm_added_wall_s']:.2f} s) |")
    return "\n".join(lines)


def slowest_file(results: list[dict]) -> str:
    """The plugin's slowest file over every corpus (warm, in-process), and the slowest cold first file."""
    warm = max(((r["corpus"], *r["inprocess"]["slowest"][0]) for r in results if r["inprocess"]["slowest"]),
               key=lambda item: item[2], default=None)
    first = max(results, key=lambda r: r["inprocess"]["first_file_s"])
    text = f"slowest file: {warm[0]} {warm[1]} {warm[2]:.0f} ms" if warm else "slowest file: none"
    return text + (f"; first file with astroid, cold start included: {first['corpus']} "
                   f"{1000 * first['inprocess']['first_file_s']:.0f} ms")


def details(r: dict) -> str:
    p = r["inprocess"]
    slowest = ", ".join(f"{path} {ms:.0f} ms" for path, ms in p["slowest"])
    return (
        f"{r['corpus']}: flake8 {r['plain_cpu_s']:.1f}s CPU, with plugin {r['plugin_cpu_s']:.1f}s CPU "
        f"(median of rounds: {r['cpu_ratio']:.2f}x CPU, {r['wall_ratio']:.2f}x wall), results cached "
        f"{r['warm_cpu_s']:.1f}s CPU ({r['warm_cpu_ratio']:.2f}x); "
        f"peak RSS {r['plain_rss_mb']:.0f} -> {r['plugin_rss_mb']:.0f} MB\n"
        f"  in-process: {p['files']} files, {p['astroid_files']} reach astroid, {p['findings']} findings; "
        f"warm total {p['warm_total_s']:.2f}s; per file p50 {p['p50_ms']:.2f} ms, p95 {p['p95_ms']:.1f} ms, "
        f"max {p['max_ms']:.0f} ms; pre-filtered files {p['prefiltered_mean_us']:.0f} us each; "
        f"cold start {p['cold_start_s']:.2f}s (import {p['import_s']:.2f}, stubs {p['stubs_s']:.2f}, "
        f"first file {p['first_file_s']:.2f}); in-process peak RSS {p['peak_rss_mb']:.0f} MB\n"
        f"  slowest: {slowest}"
    )


def diagnostics(roots: dict[str, Path], out: Path, jobs: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, root in roots.items():
        result = run_flake8(Path(sys.executable), root, f"-j{jobs}", "--select=KL", "--extend-select=KL9")
        lines = sorted(result["stdout"].splitlines())
        (out / f"{name}.txt").write_text("".join(line + "\n" for line in lines))
        print(f"{name}: {len(lines)} diagnostics -> {out / (name + '.txt')}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", choices=[*CORPORA, "stdlib"],
                        help="corpus to measure (repeatable; default: keras, keras-hub, tf-keras)")
    parser.add_argument("--pairs", type=int, default=3, help="plain/plugin run pairs per corpus (default 3)")
    parser.add_argument("--jobs", type=int, default=1, help="flake8 -j (default 1)")
    parser.add_argument("--cache", help="cache directory (default $KL_BENCH_CACHE or ~/.cache/...)")
    parser.add_argument("--json", help="also write the results as JSON to this file")
    parser.add_argument("--diagnostics", metavar="DIR", help="write the plugin's output per corpus and stop")
    parser.add_argument("--editor-runs", type=int, default=7,
                        help="one-file runs per editor measurement, 0 to skip (default 7)")
    args = parser.parse_args(argv)

    cache = corpus.cache_dir(args.cache)
    roots = corpus.resolve(args.corpus or list(CORPORA), cache)
    _check_plugins(Path(sys.executable), expect_plugin=True)
    if args.diagnostics:
        diagnostics(roots, Path(args.diagnostics), args.jobs)
        return
    plain = plain_python(cache)
    _check_plugins(plain, expect_plugin=False)
    results = []
    for name, root in roots.items():
        print(f"measuring {name} ({root})", file=sys.stderr)
        results.append(measure(name, root, plain, args.pairs, args.jobs))
        print(details(results[-1]), flush=True)
    latency = {}
    if args.editor_runs:
        for label, (cwd, path) in editor.editor_files(roots, corpus.stdlib_root()).items():
            print(f"measuring the editor case: {label}", file=sys.stderr)
            latency[label] = editor.measure(plain, Path(sys.executable), cwd, path, _env(), args.editor_runs)
    print()
    print(table(results))
    if latency:
        print()
        print(editor_table(latency))
    if results:
        print()
        print(slowest_file(results))
    if args.json:
        Path(args.json).write_text(json.dumps({"corpora": results, "editor": latency}, indent=1))


if __name__ == "__main__":
    main()
