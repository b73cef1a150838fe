"""What the plugin adds to an editor's lint: one file, one fresh flake8 process (bench.py runs it).

An editor (or pre-commit on one changed file) starts flake8 once per save,
so the plugin's import and cold start are paid every time. For each file,
plain flake8 and flake8 with the plugin run alternating, ``runs`` times, and
the median of the per-pair differences is what the plugin adds (CPU time of
the process, which other load on a shared machine disturbs least, and wall time).

The files: keras-hub's ``llama_attention.py`` (an ordinary Keras layer file)
and one with nothing Keras-like, the standard library's ``argparse.py``
(classes with bases and ``__init__``, so it passes the text pre-filter: the
plugin must still tell cheaply that none of them is Keras).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LLAMA = "keras_hub/src/models/llama/llama_attention.py"
CACHE_ENV = "FLAKE8_KERAS_LAYERS_CACHE_DIR"  # the plugin's result cache (engine/cache.py)


def editor_files(roots: dict[str, Path], stdlib: Path) -> dict[str, tuple[Path, Path]]:
    """label -> (working directory, file) of the files measured (those whose corpus is at hand)."""
    files = {"non-Keras (stdlib argparse.py)": (stdlib, stdlib / "argparse.py")}
    if "keras-hub" in roots:
        files = {"llama_attention.py": (roots["keras-hub"], roots["keras-hub"] / LLAMA), **files}
    return {label: where for label, where in files.items() if where[1].is_file()}


def _one(python: Path, cwd: Path, path: Path, env: dict[str, str], cache: str | None = None) -> tuple[float, float]:
    """(CPU, wall) seconds of one fresh ``flake8 --isolated <file>`` (all rules on, as an editor runs it);
    ``cache``: the plugin's result cache directory, else an empty one made for this run."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryDirectory() as empty:
        env = {**env, CACHE_ENV: cache or empty}
        start = time.perf_counter()
        process = subprocess.Popen([str(python), "-m", "flake8", "--isolated", str(path)], cwd=cwd,
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            out.seek(0)
            sys.exit(f"flake8 failed on {path}:\n{out.read().decode(errors='replace')[-3000:]}")
    return usage.ru_utime + usage.ru_stime, wall


def measure(plain: Path, plugin: Path, cwd: Path, path: Path, env: dict[str, str], runs: int = 7) -> dict:
    """The plugin's added seconds, median of ``runs`` alternating triples: plain flake8, the plugin with an
    empty result cache (the buffer changed since its last lint: the usual case on save) and with the
    file's results cached (a file opened again unchanged)."""
    deltas: dict[str, list[float]] = {"cpu": [], "wall": [], "warm_cpu": [], "warm_wall": []}
    plain_cpu = []
    with tempfile.TemporaryDirectory() as primed:
        _one(plugin, cwd, path, env, primed)  # also pays the file system's cold cache, for both
        sides = {"plain": lambda: _one(plain, cwd, path, env), "cold": lambda: _one(plugin, cwd, path, env),
                 "warm": lambda: _one(plugin, cwd, path, env, primed)}
        for index in range(runs):
            names = list(sides)[index % 3:] + list(sides)[:index % 3]  # who goes first rotates
            timed = {name: sides[name]() for name in names}
            plain_cpu.append(timed["plain"][0])
            for key, column in (("cpu", 0), ("wall", 1)):
                deltas[key].append(timed["cold"][column] - timed["plain"][column])
                deltas["warm_" + key].append(timed["warm"][column] - timed["plain"][column])
    return {"added_cpu_s": statistics.median(deltas["cpu"]), "added_wall_s": statistics.median(deltas["wall"]),
            "warm_added_cpu_s": statistics.median(deltas["warm_cpu"]),
            "warm_added_wall_s": statistics.median(deltas["warm_wall"]),
            "plain_cpu_s": statistics.median(plain_cpu), "runs": runs}
