"""A new user's first hour: install instructions, and the README's commands run exactly as written.

The slow tests run the README's command 1, its wheel build and the CI recipe
of docs/integrations.md as a user on a stock Debian/Ubuntu machine would: by
``/bin/sh``, in a fresh copy of the working tree, with a ``PATH`` on which
``python3`` is the system Python (``/usr/bin/python3``) and nothing else is.
Such a Python refuses ``pip install`` outside a virtual environment (PEP 668),
so every command makes ``.venv`` first and installs only there.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from distribution import BAD_LAYER, BAD_LAYER_LINE, ROOT, built_dists, clean_env, copy_tree
from recipes import INTEGRATIONS, README, commands

import flake8_keras_layers
from flake8_keras_layers.rules import BY_CODE

VERSION = flake8_keras_layers.__version__
SYSTEM_PYTHON = Path("/usr/bin/python3")
FIRST_HOUR = commands("first-hour")  # 1. install and lint the examples, 2. the whole test suite
DOCS = [README, *sorted((ROOT / "docs").rglob("*.md"))]
_SH_BLOCK = re.compile(r"```sh\n(.*?)```", re.S)


def test_commands_make_a_virtual_environment_and_install_only_there():
    assert len(FIRST_HOUR) == 2
    for command in [*FIRST_HOUR, *commands("wheel"), commands("ci", INTEGRATIONS)[0]]:
        first, *rest = command.split(" && ")
        assert first == "python3 -m venv .venv", command
        assert rest and all(step.startswith(".venv/bin/") for step in rest), command


def test_ci_runs_the_readme_test_command():
    """.ci/run runs command 2 itself, so CI fails where a new user's run would."""
    assert FIRST_HOUR[1].endswith(" && .venv/bin/tox")
    assert FIRST_HOUR[1] in (ROOT / ".ci" / "run").read_text().splitlines()


def test_no_instruction_installs_the_plugin_by_name_from_pypi():
    """Not released yet: shell blocks install from a checkout or a wheel (the recipes say how to find it by name)."""
    by_name = re.compile(r"^flake8-keras-layers([=<>~!].*)?$")
    for path in DOCS:
        for block in _SH_BLOCK.findall(path.read_text()):
            for line in block.splitlines():
                if "pip install" in line:
                    assert not any(by_name.match(word) for word in line.split()), f"{path.name}: {line}"


def test_readme_names_what_command_2_runs():
    """Each env of the envlist is described, and each ``tox -e NAME`` the README shows exists."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "tox.ini")
    envlist = [env.strip() for env in config["tox"]["envlist"].split(",")]
    envs = {name.removeprefix("testenv:") for name in config.sections() if name.startswith("testenv:")}
    readme = README.read_text()
    assert [env for env in envlist if f"`{env}`" not in readme] == []
    assert sorted(set(re.findall(r"tox -e ([\w-]+)", readme)) - envs - set(envlist)) == []


# --- slow: as written, with the system Python ----------------------------------------------------


@pytest.fixture
def system_path(tmp_path) -> str:
    """A ``PATH`` holding the system ``python3`` and nothing else."""
    if not SYSTEM_PYTHON.is_file():
        pytest.skip(f"no system Python at {SYSTEM_PYTHON}: the README's commands are for a machine that has one")
    bindir = tmp_path / "system-python"
    bindir.mkdir()
    (bindir / "python3").symlink_to(SYSTEM_PYTHON)
    return str(bindir)


def as_a_new_user(script: str, cwd: Path, path: str) -> subprocess.CompletedProcess:
    """``script`` by /bin/sh on ``path``, stdout and stderr in one stream (in order)."""
    env = clean_env(PATH=path)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # this machine's setting, not a user's: setuptools warns about it
    return subprocess.run(["/bin/sh", "-c", script], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900)


def base_prefix(python: Path) -> str:
    return subprocess.run([python, "-c", "import sys; print(sys.base_prefix)"], capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.mark.slow
def test_command_1_as_written_shows_every_code(tmp_path, system_path):
    checkout = copy_tree(tmp_path / "checkout")
    result = as_a_new_user(FIRST_HOUR[0], checkout, system_path)
    assert result.returncode == 1, result.stdout  # flake8's exit status: it reported something
    reported = re.findall(r"^examples/\w+\.py:\d+:\d+: (KL\d{3}) ", result.stdout, re.M)
    assert set(reported) == set(BY_CODE), result.stdout
    # No keras in .venv and no keras-version: every affected release counts, so both of these show
    # (MaxPooling2D subclasses are affected before 3.10, Reshape ones from 3.12 on).
    assert len(re.findall(r"^examples/pooling_build\.py:\d+:\d+: KL101 ", result.stdout, re.M)) == 2
    assert base_prefix(checkout / ".venv" / "bin" / "python") == base_prefix(SYSTEM_PYTHON)


@pytest.mark.slow
def test_wheel_command_as_written_builds_without_a_warning(tmp_path, system_path):
    checkout = copy_tree(tmp_path / "checkout")
    (command,) = commands("wheel")
    result = as_a_new_user(command, checkout, system_path)
    assert result.returncode == 0, result.stdout
    build = result.stdout[result.stdout.index("* Creating isolated environment"):]  # after pip installing build
    assert [line for line in build.splitlines() if "warning" in line.lower()] == []
    assert sorted(p.name for p in (checkout / "dist").iterdir()) == [
        f"flake8_keras_layers-{VERSION}-py3-none-any.whl", f"flake8_keras_layers-{VERSION}.tar.gz"]


@pytest.mark.slow
def test_ci_recipe_as_written(tmp_path_factory, tmp_path, system_path):
    """docs/integrations.md's CI commands in a user's project, with the built wheel in its dist/."""
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "bad.py").write_text(BAD_LAYER)
    (project / "dist").mkdir()
    shutil.copy(built_dists(tmp_path_factory).wheel, project / "dist")
    result = as_a_new_user("set -e\n" + "\n".join(commands("ci", INTEGRATIONS)), project, system_path)
    assert result.returncode == 1, result.stdout  # the job fails on the bug
    assert re.findall(r"^src/bad\.py:\d+:\d+: KL\d{3}", result.stdout, re.M) == [f"src/bad.py:{BAD_LAYER_LINE}:5: KL101"]
