"""The plugin's own cost, measured inside one process (run by bench.py in the plugin's environment).

``python benchmarks/inprocess.py ROOT...`` prints one JSON object:
cold start (import, stub install, first file that needs astroid), then the
warm per-file times of every other file, analysed as flake8 hands them over
(source text and an already parsed tree; parsing is flake8's cost, not timed).
"""

from __future__ import annotations

import ast
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import python_files  # noqa: E402


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))]


def _read(path: Path):
    try:
        source = path.read_text(encoding="utf-8")
        return source, ast.parse(source)
    except (SyntaxError, ValueError, UnicodeDecodeError):
        return None


def main(roots: list[str]) -> dict:
    started = time.perf_counter()
    from flake8_keras_layers.engine import driver as analysis  # noqa: PLC0415
    from flake8_keras_layers.engine.session import Session  # noqa: PLC0415
    from flake8_keras_layers.knowledge import facts as knowledge, target as targets  # noqa: PLC0415

    imported = time.perf_counter()
    facts = knowledge.default()
    with Session("<stdin>", facts):  # installs the stubs: part of the cold start
        pass
    stubs_installed = time.perf_counter()

    # Which files reached astroid: the pre-filter's verdict, observed, not re-implemented.
    built: list[bool] = [False]
    original_build = Session.build_module

    def observed_build(*args, **kwargs):
        built[0] = True
        return original_build(*args, **kwargs)

    Session.build_module = observed_build  # type: ignore[method-assign]

    files = [f for root in roots for f in python_files(Path(root))]
    first_file = None
    times: dict[str, float] = {}
    skipped: list[float] = []
    findings = 0
    for path in files:
        parsed = _read(path)
        if parsed is None:
            continue
        source, tree = parsed
        built[0] = False
        begin = time.perf_counter()
        # As the plugin does without --keras-version: the file's project decides (read once per root).
        target = targets.for_directory(str(path.parent), lambda *_: None)
        findings += len(analysis.analyze(source, str(path), target, facts, tree))
        elapsed = time.perf_counter() - begin
        if first_file is None and built[0]:
            first_file = elapsed
            continue
        times[str(path)] = elapsed
        if not built[0]:
            skipped.append(elapsed)
    warm = sorted(times.values())
    slowest = sorted(times.items(), key=lambda item: -item[1])[:5]
    common = os.path.commonpath(list(roots)) if roots else ""
    return {
        "files": len(times) + (first_file is not None),
        "astroid_files": len(times) - len(skipped) + (first_file is not None),
        "findings": findings,
        "import_s": imported - started,
        "stubs_s": stubs_installed - imported,
        "first_file_s": first_file or 0.0,
        "cold_start_s": (stubs_installed - started) + (first_file or 0.0),
        "warm_total_s": sum(warm),
        "p50_ms": 1000 * _percentile(warm, 0.50),
        "p95_ms": 1000 * _percentile(warm, 0.95),
        "max_ms": 1000 * (warm[-1] if warm else 0.0),
        "prefiltered_mean_us": 1e6 * (sum(skipped) / len(skipped) if skipped else 0.0),
        "slowest": [[os.path.relpath(p, common), round(1000 * t, 1)] for p, t in slowest],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
