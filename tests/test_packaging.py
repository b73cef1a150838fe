"""Packaging as users get it: one version, a license, a wheel and sdist that install and lint.

The slow tests (``tox -e slow``) build the working tree with ``python -m build``,
check both dists with twine, install the wheel in a fresh venv, run the tox
recipe the README shows, and run part of the test suite from the unpacked sdist.
"""

from __future__ import annotations

import re
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest
from distribution import (BAD_LAYER, BAD_LAYER_LINE, RESHAPE_LAYER, ROOT, built_dists, clean_env, find_links, require,
                          run)
from recipes import recipe

import flake8_keras_layers

VERSION = flake8_keras_layers.__version__
PYPROJECT = (ROOT / "pyproject.toml").read_text()


def test_version_is_defined_once():
    """``__version__`` in the package; pyproject.toml reads it, and nothing else states it."""
    assert re.search(r'^dynamic = \["version"\]$', PYPROJECT, re.M)
    assert 'version = { attr = "flake8_keras_layers.__version__" }' in PYPROJECT
    assert not re.search(r"^version\s*=\s*\"", PYPROJECT, re.M)
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)


def test_changelog_has_the_current_version():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(VERSION)}\b", changelog, re.M)


def test_license_is_mit_as_pyproject_says():
    assert re.search(r'^license = "MIT"$', PYPROJECT, re.M)
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


# What the test suite, the docs build and the benchmarks the tests import need, beside the package.
PROJECT_DIRECTORIES = ("docs", "tests", "tools", "examples", "benchmarks")


def test_manifest_puts_what_tests_need_in_the_sdist():
    manifest = (ROOT / "MANIFEST.in").read_text()
    for directory in PROJECT_DIRECTORIES:
        assert re.search(rf"^recursive-include {directory} ", manifest, re.M), directory
    # setuptools warns about an exclude pattern that matches nothing, as in every clean checkout.
    assert not re.search(r"^(global-|recursive-)?exclude|^prune", manifest, re.M)


def test_tox_recipe_pins_nothing_the_package_does_not_need():
    """The README's lint env installs flake8 and the plugin by name, nothing of the user's project."""
    text = recipe("tox-lint")
    assert "skip_install = true" in text
    assert re.search(r"^\s+flake8-keras-layers$", text, re.M)
    assert re.search(r"^keras-version = \d+\.\d+", text, re.M)


# --- slow: the real tools from PyPI -------------------------------------------------------------


def project_files(source: Path) -> set[str]:
    """Every file of the directories the sdist must carry, relative to the tree."""
    found = set()
    for directory in PROJECT_DIRECTORIES:
        for path in (source / directory).rglob("*"):
            if path.is_file():
                found.add(path.relative_to(source).as_posix())
    return found


@pytest.mark.slow
def test_twine_accepts_the_wheel_and_sdist(tmp_path_factory):
    require("twine")
    dists = built_dists(tmp_path_factory)
    result = run(sys.executable, "-m", "twine", "check", "--strict", dists.wheel, dists.sdist, cwd=dists.directory)
    assert result.stdout.count("PASSED") == 2, result.stdout
    assert dists.wheel.name == f"flake8_keras_layers-{VERSION}-py3-none-any.whl"


@pytest.mark.slow
def test_wheel_carries_the_data_file_the_license_and_the_entry_point(tmp_path_factory):
    dists = built_dists(tmp_path_factory)
    with zipfile.ZipFile(dists.wheel) as wheel:
        names = set(wheel.namelist())
        info = f"flake8_keras_layers-{VERSION}.dist-info"
        metadata = wheel.read(f"{info}/METADATA").decode()
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert "flake8_keras_layers/knowledge/data/keras_facts.json" in names
    assert "flake8_keras_layers/knowledge/data/keras_config_facts.json" in names
    for package in ("rules", "engine", "analysis", "knowledge"):
        assert f"flake8_keras_layers/{package}/__init__.py" in names
    assert f"{info}/licenses/LICENSE" in names
    assert f"\nVersion: {VERSION}\n" in metadata
    assert "\nLicense-Expression: MIT\n" in metadata
    assert "[flake8.extension]\nKL = flake8_keras_layers.plugin:KerasLayersChecker" in entry_points


@pytest.mark.slow
def test_sdist_carries_docs_tests_tools_and_examples(tmp_path_factory):
    dists = built_dists(tmp_path_factory)
    listing = run("tar", "tzf", dists.sdist, cwd=dists.directory).stdout.split()
    prefix = f"flake8_keras_layers-{VERSION}/"
    inside = {name[len(prefix):] for name in listing if name.startswith(prefix)}
    wanted = project_files(dists.source)
    assert {"docs/index.md", "docs/rules/KL101.md", "tests/test_docs.py", "tools/gen_docs.py",
            "examples/pooling_build.py", "benchmarks/sweep.py"} <= wanted
    assert sorted(wanted - inside) == []
    top = {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "setup.cfg", "tox.ini", "mkdocs.yml",
           ".pre-commit-hooks.yaml", ".ci/run", "MANIFEST.in", "flake8_keras_layers/knowledge/data/keras_facts.json"}
    assert sorted(top - inside) == []
    assert not [name for name in inside if "__pycache__" in name or name.endswith(".pyc")]


@pytest.mark.slow
def test_tests_run_from_the_unpacked_sdist(tmp_path_factory, tmp_path):
    """A distributor's check: the unpacked sdist runs its own tests (here the docs and KL101 tables)."""
    dists = built_dists(tmp_path_factory)
    with tarfile.open(dists.sdist) as archive:
        # Extraction filters came in 3.11.4 (Debian 12's Python is 3.11.2); the archive is our own build.
        archive.extractall(tmp_path, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    unpacked = tmp_path / f"flake8_keras_layers-{VERSION}"
    result = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_docs.py",
                 "tests/test_kl101.py", "tests/test_docs_site.py", cwd=unpacked,
                 env=clean_env(PYTHONPATH=str(unpacked)))
    assert re.search(r"^\d+ passed", result.stdout.splitlines()[-1]), result.stdout


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    """A new virtualenv with only the built wheel (and its dependencies from PyPI) installed."""
    dists = built_dists(tmp_path_factory)
    target = tmp_path_factory.mktemp("venv") / "venv"
    venv.create(target, with_pip=True)
    bindir = target / ("Scripts" if sys.platform == "win32" else "bin")
    run(bindir / "python", "-m", "pip", "install", "--quiet", dists.wheel, cwd=target)
    return bindir


@pytest.mark.slow
def test_flake8_version_lists_the_installed_plugin(fresh_venv, tmp_path):
    result = run(fresh_venv / "flake8", "--version", cwd=tmp_path)
    assert f"flake8-keras-layers: {VERSION}" in result.stdout


@pytest.mark.slow
def test_installed_wheel_lints_a_file(fresh_venv, tmp_path):
    """The wheel alone (not this checkout) reports KL101, which needs the shipped Keras facts."""
    (tmp_path / "bad.py").write_text(BAD_LAYER)
    result = run(fresh_venv / "flake8", "--select=KL", "bad.py", cwd=tmp_path, ok=(1,))
    assert result.stdout.startswith(f"bad.py:{BAD_LAYER_LINE}:5: KL101 build-never-called: ScaledPooling.build()")
    where = run(fresh_venv / "python", "-c",
                "import importlib.resources as r, flake8_keras_layers as p; print(p.__file__); "
                "d = r.files(p).joinpath('knowledge', 'data'); "
                "print(d.joinpath('keras_facts.json').is_file() and d.joinpath('keras_config_facts.json').is_file())",
                cwd=tmp_path)
    module_file, has_data = where.stdout.split()
    assert Path(module_file).is_relative_to(fresh_venv.parent), module_file
    assert has_data == "True"


@pytest.mark.slow
def test_tox_lint_recipe(tmp_path_factory, tmp_path):
    """The README's ``[testenv:lint]`` and ``[flake8]`` recipe, run by tox in a user's project.

    The plugin is not on PyPI yet, so pip finds ``flake8-keras-layers`` by name
    in the directory of the built wheel (``PIP_FIND_LINKS``, which tox passes on).
    """
    require("tox")
    dists = built_dists(tmp_path_factory)
    (tmp_path / "tox.ini").write_text(recipe("tox-lint"))
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "bad.py").write_text(BAD_LAYER)
    (tmp_path / "layers" / "reshape.py").write_text(RESHAPE_LAYER)  # unaffected in the recipe's keras-version
    env = clean_env(**find_links(dists.directory))
    result = run(sys.executable, "-m", "tox", "-e", "lint", cwd=tmp_path, env=env, ok=(1,))
    reported = [line for line in result.stdout.splitlines() if ": KL" in line]
    where = [line.split(": ")[0].removeprefix("./") for line in reported]
    assert where == [f"layers/bad.py:{BAD_LAYER_LINE}:5"], result.stdout
    assert "KL101 build-never-called" in reported[0]
    version = run(tmp_path / ".tox" / "lint" / "bin" / "flake8", "--version", cwd=tmp_path, env=env)
    assert f"flake8-keras-layers: {VERSION}" in version.stdout
