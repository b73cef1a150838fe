#!/usr/bin/env python3
"""Measure facts about Keras 3 layer classes by running real Keras releases.

    python tools/probe_keras.py [--versions 3.6.0 3.10.0 ...]
                                [--out flake8_keras_layers/knowledge/data/keras_facts.json]
                                [--raw-dir DIR] [-j 2] [--force]

For every requested release (default: every Keras 3 final release on PyPI) a
subprocess (tools/kerasenv.run_keras) imports that release, probes every public
layer class (tools/probe_facts.py: one function per fact) and writes one JSON
document of raw facts (cached per version in ``--raw-dir``).  This module runs
those subprocesses and compiles their raw documents into the schema described
in tools/SCHEMA.md.  Nothing version-specific is written by hand: the only
hand-written tables are *probe inputs* (tools/probe_sample.py).

Library use (e.g. from a test):
    probe_version("3.6.0") -> dict            raw facts of one release (live run)
    raw_fact(raw, "MaxPooling2D", "built_at_init_subclass_with_build")
        -> True / False / None (None: unknown in that release)
    compile_facts([raw, ...]) -> dict         the schema document
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import re
import subprocess
import sys
import time

TOOLS_DIR = pathlib.Path(__file__).resolve().parent
REPO_DIR = TOOLS_DIR.parent
DEFAULT_OUT = REPO_DIR / "flake8_keras_layers" / "knowledge" / "data" / "keras_facts.json"
sys.path.insert(0, str(TOOLS_DIR))
sys.path.insert(0, str(REPO_DIR))
import kerasenv  # noqa: E402
from probe_facts import CLASS_FACTS, FAMILY_FACTS, GLOBAL_FACTS, PROBE_REVISION  # noqa: E402

from flake8_keras_layers.knowledge.versions import fold_ranges  # noqa: E402

__all__ = ["CLASS_FACTS", "FAMILY_FACTS", "GLOBAL_FACTS", "PROBE_REVISION", "compile_facts", "dumps_compact",
           "family_members", "load_facts", "probe_version", "raw_fact"]

# Keras backend the probe runs on.  The measured facts are backend-independent
# (3.0.0-3.0.1 and 3.6.0 were probed on both jax and numpy with identical
# results, except JaxLayer which only works on jax); numpy is ~10x faster
# because every eager jax op on a new shape is compiled by XLA.  A release whose
# numpy backend cannot run the probe (3.0.5's numpy backend imports torch) is
# probed on jax instead.  Classes left with unknown facts on numpy (JaxLayer is
# jax-only; 3.10-3.11's numpy backend calls np.reshape(newshape=), gone in
# numpy 2) are re-probed on jax, and the jax result is kept for them.
PROBE_BACKENDS = ("numpy", "jax")
# unknowns that no backend can fix
_HOPELESS = ("ImportError", "no sample value for required parameter")


def default_raw_dir() -> pathlib.Path:
    return kerasenv.cache_root() / "raw"


def pypi_keras3_versions() -> list[str]:
    """Every Keras 3 final release on PyPI (via `pip index versions keras`)."""
    proc = subprocess.run([sys.executable, "-m", "pip", "index", "versions", "keras",
                           "--disable-pip-version-check"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    m = re.search(r"Available versions:\s*(.+)", proc.stdout)
    if not m:
        raise RuntimeError(f"cannot parse pip index output:\n{proc.stdout}\n{proc.stderr}")
    vs = [v.strip() for v in m.group(1).split(",")]
    return sorted((v for v in vs if re.fullmatch(r"3\.\d+\.\d+", v)), key=kerasenv.version_key)


def probe_version(version: str, raw_dir: pathlib.Path | str | None = None,
                  force: bool = False, timeout: float = 3600,
                  backends: tuple[str, ...] | list[str] = PROBE_BACKENDS) -> dict:
    """Raw facts of one Keras release, measured live on the first of ``backends``
    that works (or read from the raw cache RAW_DIR/BACKEND/VERSION.json if
    ``raw_dir`` is given and holds a result of the current probe revision)."""
    if isinstance(backends, str):
        backends = (backends,)
    if raw_dir and not force:
        for backend in backends:
            cache = pathlib.Path(raw_dir) / backend / f"{version}.json"
            if cache.exists():
                data = json.loads(cache.read_text())
                if (data.get("probe_revision") == PROBE_REVISION
                        and data.get("keras_version") == version):
                    return data
    errors = []
    for backend in backends:
        try:
            return _probe_live(version, backend, raw_dir, timeout)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            errors.append(f"[{backend}] {e}")
    raise RuntimeError("\n".join(errors))


def _probe_live(version, backend, raw_dir, timeout) -> dict:
    cache = pathlib.Path(raw_dir) / backend / f"{version}.json" if raw_dir else None
    data = _run_inner(version, backend, timeout)
    if backend != "jax":
        jax_only = sorted(
            n for n, c in data["classes"].items()
            if c["namespace"] == "layers" and None in c["facts"].values()
            and not any(h in str(c["notes"].get("init", "")) for h in _HOPELESS))
        if jax_only:
            extra = _run_inner(version, "jax", timeout, only=jax_only)
            for n in jax_only:
                if n in extra["classes"]:
                    data["classes"][n] = extra["classes"][n]
                    data["classes"][n]["backend"] = "jax"
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp_path = cache.with_suffix(".json.tmp")
        tmp_path.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(tmp_path, cache)
    return data


def _run_inner(version, backend, timeout, only=None) -> dict:
    data = kerasenv.run_probe(version, "probe_facts", f"write_release({{out}}, {only!r})", timeout,
                              env={"KERAS_BACKEND": backend})
    if data.get("backend") != backend:
        raise RuntimeError(f"asked for keras {version} on {backend}, probed on {data.get('backend')}")
    return data


def compile_facts(raws: list[dict]) -> dict:
    """Compile raw per-version documents into the keras_facts.json schema."""
    raws = sorted(raws, key=lambda r: kerasenv.version_key(r["keras_version"]))
    versions = [r["keras_version"] for r in raws]
    names = sorted({n for r in raws for n in r["classes"]})
    classes = {}
    for name in names:
        present = [(r["keras_version"], r["classes"][name]) for r in raws if name in r["classes"]]
        newest = present[-1][1]
        modules = []
        for _, e in present:
            if e["module"] not in modules:
                modules.append(e["module"])
        aliases = sorted({a for _, e in present for a in e.get("aliases", [])} - {name})
        width_param = None
        for _, e in reversed(present):
            if e.get("width_param_measured"):
                width_param = e.get("width_param")
                break
        # Constructor parameters in order, for arguments given by position (Conv2D(6, 4)):
        # kept only when every release agrees on the order up to the width parameter.
        params = list(newest.get("params") or [])
        if width_param in params:
            prefix = params[: params.index(width_param) + 1]
            if any(list(e.get("params") or [])[: len(prefix)] != prefix for _, e in present):
                params = []
        facts, unknown = {}, {}
        for fact in CLASS_FACTS:
            true_set = {v for v, e in present if e["facts"].get(fact) is True}
            unk = [v for v, e in present if e["facts"].get(fact) is None]
            facts[fact] = fold_ranges(versions, true_set.__contains__)
            if unk:
                unknown[fact] = unk
        for family in FAMILY_FACTS:
            measured = {v: set(e["families"][family]) for v, e in present
                        if e.get("families", {}).get(family) is not None}
            for member in sorted(set().union(*measured.values())):
                facts[f"{family}.{member}"] = fold_ranges(
                    versions, lambda v, member=member: member in measured.get(v, ()))
            unk = [v for v, _ in present if v not in measured]
            if unk:
                unknown[family] = unk
        classes[name] = {
            "namespace": newest["namespace"],
            "bases": newest["bases"],
            "aliases": aliases,
            "modules": modules,
            "width_param": width_param,
            "params": params,
            "facts": facts,
            "unknown": unknown,
        }
    glob = {}
    for fact in GLOBAL_FACTS:
        holds = {r["keras_version"] for r in raws if r["globals"].get(fact)}
        glob[fact] = fold_ranges(versions, holds.__contains__)
    pythons = sorted({r.get("python", "") for r in raws})
    return {
        "schema": 1,
        "generator": "tools/probe_keras.py",
        "python": pythons[-1] if len(pythons) == 1 else ",".join(pythons),
        "versions": versions,
        "classes": classes,
        "globals": glob,
    }


def dumps_compact(doc: dict) -> str:
    """indent=1, sorted keys, with short scalar lists (ranges, names) on one line."""
    text = json.dumps(doc, indent=1, sort_keys=True)
    scalar = r'(?:"[^"\n]*"|null|true|false|-?\d+(?:\.\d+)?)'
    pattern = re.compile(r"\[\s*" + scalar + r"(?:\s*,\s*" + scalar + r")*\s*\]")

    def squash(m):
        return json.dumps(json.loads(m.group(0)))

    # innermost lists first: ranges ["3.0.0", "3.1.0"], then lists of them
    text = pattern.sub(squash, text)
    ranges = re.compile(r"\[\s*(\[[^\[\]\n]*\](?:\s*,\s*\[[^\[\]\n]*\])*)\s*\]")
    text = ranges.sub(lambda m: json.dumps(json.loads(m.group(0))), text)
    return text + "\n"


def load_facts(path: pathlib.Path | str = DEFAULT_OUT) -> dict:
    return json.loads(pathlib.Path(path).read_text())


def _raw_entry(raw: dict, class_name: str) -> dict | None:
    entry = raw["classes"].get(class_name)
    if entry is None:
        for e in raw["classes"].values():
            if class_name in e.get("aliases", []):
                return e
    return entry


def raw_fact(raw: dict, class_name: str, fact: str):
    """The same fact read from a raw (probe_version) document (a family member as ``<family>.<member>``)."""
    if fact in raw.get("globals", {}):
        return bool(raw["globals"][fact])
    entry = _raw_entry(raw, class_name)
    family, dot, member = fact.partition(".")
    if entry is None:
        return False if fact == "exists" or dot else None
    if dot:
        members = entry.get("families", {}).get(family)
        return None if members is None else member in members
    return entry["facts"].get(fact)


def family_members(raw: dict, class_name: str, family: str) -> list[str] | None:
    """The members of a family that hold for a class in a raw document (None: unmeasured)."""
    entry = _raw_entry(raw, class_name)
    return None if entry is None else entry.get("families", {}).get(family)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--versions", nargs="+", help="Keras versions (default: every 3.x on PyPI)")
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--raw-dir", default=None, help=f"raw cache (default {default_raw_dir()})")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--force", action="store_true", help="ignore cached raw results")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per version")
    ap.add_argument("--backends", nargs="+", default=list(PROBE_BACKENDS),
                    help="Keras backends to probe on, first that works (default numpy jax)")
    ns = ap.parse_args(argv)
    versions = ns.versions or pypi_keras3_versions()
    versions = sorted(set(versions), key=kerasenv.version_key)
    raw_dir = pathlib.Path(ns.raw_dir) if ns.raw_dir else default_raw_dir()
    t0 = time.time()
    print(f"probing {len(versions)} Keras versions on {'/'.join(ns.backends)} with -j {ns.jobs}; "
          f"raw cache {raw_dir}",
          file=sys.stderr)
    # Install the dependency sets up front (one at a time: they are big).
    for v in versions:
        kerasenv.ensure_deps(v)

    raws, failed = {}, {}

    def one(v):
        t = time.time()
        data = probe_version(v, raw_dir=raw_dir, force=ns.force, timeout=ns.timeout,
                             backends=ns.backends)
        return v, data, time.time() - t

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, ns.jobs)) as pool:
        futs = {pool.submit(one, v): v for v in versions}
        for fut in concurrent.futures.as_completed(futs):
            v = futs[fut]
            try:
                _, data, secs = fut.result()
            except Exception as e:  # noqa: BLE001
                failed[v] = str(e)
                print(f"[{time.time() - t0:7.1f}s] {v}: FAILED {str(e)[:2000]}", file=sys.stderr)
                continue
            raws[v] = data
            n_unknown = sum(1 for c in data["classes"].values()
                            for x in c["facts"].values() if x is None)
            print(f"[{time.time() - t0:7.1f}s] {v} ({data['backend']}): {len(data['classes'])} classes, "
                  f"{n_unknown} unknown facts, probe {data.get('seconds')}s (wall {secs:.0f}s)",
                  file=sys.stderr)
    if failed:
        print(f"FAILED versions (left out of the output): {sorted(failed, key=kerasenv.version_key)}",
              file=sys.stderr)
    if not raws:
        return 1
    doc = compile_facts(list(raws.values()))
    out = pathlib.Path(ns.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(dumps_compact(doc))
    print(f"wrote {out} ({len(doc['versions'])} versions, {len(doc['classes'])} classes) "
          f"in {time.time() - t0:.0f}s", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
