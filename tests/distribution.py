"""The project as users get it: a snapshot of the working tree, a git commit of it, built dists.

The slow tests (``tox -e slow``) use these to run pre-commit, pip, tox and
mkdocs from PyPI on exactly the files in the working tree, committed or not,
in a git checkout or an unpacked sdist alike.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Never part of the project: caches, build output, virtual environments.
IGNORED = (".git", ".tox", ".venv", "build", "dist", "site", "*.egg-info", "__pycache__", "*.py[cod]",
           ".pytest_cache", ".cache")

GIT_IDENTITY = ("-c", "user.name=flake8-keras-layers tests", "-c", "user.email=tests@example.invalid",
                "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main")


def require(*modules: str) -> None:
    """The PyPI tools a slow test drives; ``tox -e slow`` installs them (a missing one is a failure)."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    assert not missing, f"install {missing} (tox -e slow does) to run this test"


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment minus what would leak into the tools we start.

    tox reads ``TOX_*`` variables as settings, so an outer ``tox -e slow`` must
    not steer the tox a test runs; nor may this virtualenv or PYTHONPATH, nor
    ``GIT_DIR`` and friends (set when the suite runs from a git hook).
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TOX_", "PRE_COMMIT", "GIT_")) and k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(extra)
    return env


def find_links(*dirs: Path) -> dict[str, str]:
    """``PIP_FIND_LINKS`` with ``dirs`` added to what is already set: pip finds the built wheel by name."""
    links = [os.environ.get("PIP_FIND_LINKS", ""), *map(str, dirs)]
    return {"PIP_FIND_LINKS": " ".join(link for link in links if link)}


def run(*cmd, cwd, env=None, timeout: float = 900, ok=(0,)) -> subprocess.CompletedProcess:
    """Run a command; an unexpected exit status fails with its whole output."""
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env if env is not None else clean_env(),
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode in ok, (
        f"{cmd} exited {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}")
    return result


def copy_tree(dest: Path) -> Path:
    """The working tree (committed or not) without caches and build output."""
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(*IGNORED))
    return dest


def git(*args, cwd) -> str:
    return run("git", *GIT_IDENTITY, *args, cwd=cwd).stdout.strip()


def git_snapshot(dest: Path) -> str:
    """A git repository whose HEAD commit is the working tree; returns the commit id."""
    copy_tree(dest)
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "snapshot of the working tree", cwd=dest)
    return git("rev-parse", "HEAD", cwd=dest)


def git_project(dest: Path, files: dict[str, str]) -> Path:
    """A user's project: a git repository with ``files`` staged (pre-commit lints tracked files)."""
    dest.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text(text)
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    return dest


@dataclass(frozen=True)
class Dists:
    wheel: Path
    sdist: Path
    source: Path  # the tree they were built from

    @property
    def directory(self) -> Path:
        return self.wheel.parent


@functools.lru_cache(maxsize=None)
def _build(workdir: Path) -> Dists:
    require("build")
    source = copy_tree(workdir / "source")
    out = workdir / "dist"
    # `python -m build` builds the sdist, then the wheel from the unpacked sdist:
    # a file the sdist lacks makes the wheel build (or the installed wheel) fail.
    run(sys.executable, "-m", "build", "--outdir", out, source, cwd=workdir)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return Dists(wheel, sdist, source)


def built_dists(tmp_path_factory) -> Dists:
    """The wheel and sdist of the working tree, built once per test session."""
    if not _WORKDIR:
        _WORKDIR.append(tmp_path_factory.mktemp("dists"))
    return _build(_WORKDIR[0])


_WORKDIR: list[Path] = []

# The bad layer file the slow tests lint, and the line KL101 reports.
BAD_LAYER = """\
import keras


class ScaledPooling(keras.layers.MaxPooling2D):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")
"""
BAD_LAYER_LINE = 5

# Affected from Keras 3.12.0 on only: reported without keras-version, silent with keras-version = 3.8.
RESHAPE_LAYER = """\
import keras


class ScaledReshape(keras.layers.Reshape):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(), initializer="ones")
"""
