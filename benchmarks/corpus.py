"""Real code to measure on: pinned Keras wheels from PyPI, unpacked once into a cache directory.

The cache layout is ``<cache>/wheels/*.whl`` and ``<cache>/src/<wheel stem>/``;
an already unpacked copy found there is used as is (nothing is downloaded).
The cache defaults to ``$KL_BENCH_CACHE``, else ``~/.cache/flake8-keras-layers-bench``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

# name on the command line -> (distribution, pinned version)
PINNED = {
    "keras": ("keras", "3.15.1"),
    "keras-hub": ("keras-hub", "0.32.0"),
    "tf-keras": ("tf-keras", "2.21.0"),
}

# Directories flake8 excludes by default, plus build litter.
_SKIP_DIRS = {".svn", "CVS", ".bzr", ".hg", ".git", "__pycache__", ".tox", ".nox", ".eggs", "site-packages"}


def cache_dir(explicit: str | None = None) -> Path:
    path = explicit or os.environ.get("KL_BENCH_CACHE") or os.path.expanduser("~/.cache/flake8-keras-layers-bench")
    return Path(path).resolve()


def _stem_prefix(distribution: str, version: str) -> str:
    return f"{distribution.replace('-', '_')}-{version}-"


def corpus(name: str, cache: Path) -> Path:
    """The unpacked wheel of a pinned corpus, downloaded (``pip download --no-deps``) if missing."""
    distribution, version = PINNED[name]
    prefix = _stem_prefix(distribution, version)
    src = cache / "src"
    found = sorted(p for p in src.glob(prefix + "*") if p.is_dir()) if src.is_dir() else []
    if found:
        return found[0]
    wheels = cache / "wheels"
    wheel = next(iter(sorted(wheels.glob(prefix + "*.whl"))), None) if wheels.is_dir() else None
    if wheel is None:
        wheels.mkdir(parents=True, exist_ok=True)
        print(f"downloading {distribution}=={version} into {wheels}", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--dest", str(wheels), f"{distribution}=={version}"],
            check=True,
        )
        wheel = next(iter(sorted(wheels.glob(prefix + "*.whl"))))
    target = src / wheel.name[: -len(".whl")]
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(partial)
    partial.rename(target)
    return target


def stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def python_files(root: Path) -> list[Path]:
    """Every ``.py`` file under ``root`` in a stable order, as flake8 would find them."""
    files = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
        files.extend(Path(directory, n) for n in sorted(names) if n.endswith(".py"))
    return files


def resolve(names: list[str], cache: Path) -> dict[str, Path]:
    """Corpus name -> root directory; ``stdlib`` is this interpreter's standard library."""
    return {name: stdlib_root() if name == "stdlib" else corpus(name, cache) for name in names}
