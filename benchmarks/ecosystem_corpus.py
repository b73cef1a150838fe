"""The ecosystem corpus: pinned distributions from PyPI, downloaded once and unpacked into the bench cache.

An sdist is preferred wherever it carries the project's own metadata files
(pyproject.toml, setup.py, setup.cfg, requirements*.txt at its root): those
files say which Keras the project targets. A wheel is used where PyPI has no
usable sdist; each pin records which kind it is and why.

Cache layout (shared with corpus.py): ``<cache>/wheels/*.whl`` and
``<cache>/sdists/*.tar.gz`` as downloaded, ``<cache>/src/<wheel stem>/`` and
``<cache>/src/<sdist top directory>/`` unpacked. Whatever is already unpacked
there is used as it is.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

METADATA_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


@dataclass(frozen=True)
class Dist:
    name: str
    version: str
    kind: str  # "sdist" or "wheel"
    why: str  # why this distribution is in the corpus, and why a wheel where it is one
    pip_args: tuple[str, ...] = field(default=())  # pins a platform wheel, whatever Python runs this

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


PINNED = (
    Dist("keras", "3.15.1", "sdist", "Keras itself: its tests and integration tests subclass everything"),
    Dist("keras-hub", "0.32.0", "sdist", "keras-team's model library, Keras 3"),
    Dist("keras-cv", "0.9.0", "sdist", "keras-team's vision library, written for Keras 2 and 3"),
    Dist("tf-keras", "2.21.0", "sdist", "Keras 2 (tf_keras)"),
    Dist("tf-models-official", "2.20.0", "wheel",
         "TensorFlow Model Garden; wheel: its sdist has neither setup.py nor pyproject.toml (pip refuses it)"),
    Dist("tensorflow-addons", "0.23.0", "wheel", "TensorFlow Addons, Keras 2 era; wheel: no sdist on PyPI",
         ("--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
          "--platform", "manylinux2014_x86_64")),
    # The example corpus: community libraries of custom layers and models, standing in for keras-io's
    # examples (not on PyPI). kimm is Keras 3 only; deel-lip 1.5.0 and spektral are tf.keras (Keras 2)
    # libraries; larq subclasses Keras' own layers (QuantConv2D is a Conv2D).
    Dist("kimm", "0.2.5", "sdist", "community Keras 3 model zoo (timm ports): many custom layers and models"),
    Dist("deel-lip", "1.5.0", "sdist", "community library of k-Lipschitz layers subclassing Keras layers"),
    Dist("larq", "0.14.0", "sdist", "community library of quantized layers subclassing Keras layers"),
    Dist("spektral", "1.3.1", "sdist", "community library of graph layers and models"),
)

BY_NAME = {d.name: d for d in PINNED}


def _download(dist: Dist, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    binary = "--no-binary=:all:" if dist.kind == "sdist" else "--only-binary=:all:"
    print(f"downloading {dist.requirement} ({dist.kind}) into {dest}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", binary, *dist.pip_args,
                    "--dest", str(dest), dist.requirement], check=True)


def _archive(dist: Dist, cache: Path) -> Path | None:
    stem = f"{dist.name.replace('-', '_')}-{dist.version}"
    if dist.kind == "wheel":
        return next(iter(sorted((cache / "wheels").glob(stem + "-*.whl"))), None)
    # sdist file names normalise the name differently across build backends ('deel-lip-', 'keras_hub-').
    names = {stem, f"{dist.name}-{dist.version}"}
    found = [p for n in sorted(names) for p in sorted((cache / "sdists").glob(n + ".tar.gz"))]
    return found[0] if found else None


def _top_directory(archive: tarfile.TarFile, path: Path) -> str:
    tops = {member.name.split("/", 1)[0] for member in archive.getmembers()}
    if len(tops) != 1:
        raise SystemExit(f"{path}: expected one top directory, found {sorted(tops)[:5]}")
    return tops.pop()


def _extract(archive: tarfile.TarFile, dest: Path) -> None:
    if hasattr(tarfile, "data_filter"):
        archive.extractall(dest, filter="data")  # no links out of the tree, no device files
        return
    # Pythons without extraction filters (before 3.10.12/3.11.4): plain files and directories inside dest only.
    members = [m for m in archive.getmembers()
               if (m.isfile() or m.isdir()) and not m.name.startswith("/") and ".." not in m.name.split("/")]
    archive.extractall(dest, members=members)


def _unpack(archive: Path, src: Path) -> Path:
    src.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".whl":
        target = src / archive.name[: -len(".whl")]
        if not target.is_dir():
            partial = target.with_name(target.name + ".partial")
            with zipfile.ZipFile(archive) as zipped:
                zipped.extractall(partial)
            partial.rename(target)
        return target
    with tarfile.open(archive) as tarred:
        target = src / _top_directory(tarred, archive)
        if not target.is_dir():
            partial = src / (target.name + ".partial")
            partial.mkdir(exist_ok=True)
            _extract(tarred, partial)
            (partial / target.name).rename(target)
            partial.rmdir()
    return target


def root(dist: Dist, cache: Path) -> Path:
    """The unpacked distribution's root directory (where its metadata files are), downloading it if needed."""
    archive = _archive(dist, cache)
    if archive is None:
        _download(dist, cache / ("wheels" if dist.kind == "wheel" else "sdists"))
        archive = _archive(dist, cache)
        if archive is None:
            raise SystemExit(f"pip downloaded {dist.requirement} but no {dist.kind} named as expected is in {cache}")
    return _unpack(archive, cache / "src")


def metadata_files(path: Path) -> list[str]:
    """The project metadata files at a distribution's root: what the Target issue reads."""
    found = [name for name in METADATA_FILES if (path / name).is_file()]
    found += sorted(p.name for p in path.glob("requirements*.txt"))
    if (path / "requirements").is_dir():
        found.append("requirements/")
    return found
