"""pre-commit, as a project uses it: this repository as a hook, or the plugin in the flake8 hook.

The slow tests run pre-commit from PyPI against a git snapshot of the working
tree (committed or not: ``try-repo`` and ``rev:`` need a commit), in a user's
project that is a git repository holding a bad layer file. The configs are the
README's recipes with only the ``repo:`` URL replaced by a local path.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest
from distribution import (BAD_LAYER, BAD_LAYER_LINE, RESHAPE_LAYER, ROOT, built_dists, clean_env, find_links, git,
                          git_project, git_snapshot, require, run)
from recipes import recipe

import flake8_keras_layers

VERSION = flake8_keras_layers.__version__
HOOKS = (ROOT / ".pre-commit-hooks.yaml").read_text()

# The user's flake8 config: the hook must honour keras-version (3.8: Reshape is not affected).
USER_CONFIG = "[flake8]\nmax-line-length = 120\nkeras-version = 3.8\n"
USER_FILES = {"layers/bad.py": BAD_LAYER, "layers/reshape.py": RESHAPE_LAYER, "setup.cfg": USER_CONFIG}
KL101_AT = f"layers/bad.py:{BAD_LAYER_LINE}:5: KL101 build-never-called"


def with_repo(config: str, url: str) -> str:
    """A recipe with its one ``repo:`` URL pointed at a local git repository."""
    replaced, count = re.subn(r"(- repo: )\S+", lambda m: m.group(1) + url, config)
    assert count == 1
    return replaced


def with_repos(config: str, local: dict[str, Path]) -> str:
    """A recipe with each ``repo:`` URL (``local``'s keys, all of them) pointed at a local git repository."""
    assert re.findall(r"- repo: (\S+)", config) == list(local)
    return re.sub(r"(- repo: )(\S+)", lambda m: m.group(1) + str(local[m.group(2)]), config)


def rev_for(config: str, url: str) -> str:
    """The ``rev:`` right after the ``repo: url`` line."""
    return re.search(rf"- repo: {re.escape(url)}\n\s+rev: (\S+)\n", config).group(1)


def rev_of(config: str) -> str:
    return re.search(r"^\s+rev: (\S+)$", config, re.M).group(1)


def kl_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": KL" in line]


def test_hook_manifest():
    """The hook runs flake8 (which this package installs) on Python files, KL codes by default."""
    assert re.search(r"^- id: flake8-keras-layers$", HOOKS, re.M)
    for line in ("entry: flake8", "language: python", "types: [python]", "args: [--select=KL]"):
        assert re.search(rf"^  {re.escape(line)}$", HOOKS, re.M), line
    assert not re.search(r"^\s+additional_dependencies:", HOOKS, re.M)


def test_recipes_name_the_current_version():
    assert rev_of(recipe("pre-commit-hook")) == f"v{VERSION}"
    assert f"additional_dependencies: [flake8-keras-layers=={VERSION}]" in recipe("pre-commit-flake8")


@pytest.fixture
def pre_commit_env(tmp_path):
    require("pre_commit")
    return clean_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PRE_COMMIT_COLOR="never")


def pre_commit(*args, cwd, env, ok=(0, 1)):
    return run(sys.executable, "-m", "pre_commit", *args, cwd=cwd, env=env, ok=ok)


@pytest.mark.slow
def test_try_repo_reports_the_kl_code(tmp_path, pre_commit_env):
    hook_repo = tmp_path / "hook"
    git_snapshot(hook_repo)
    project = git_project(tmp_path / "project", USER_FILES)
    result = pre_commit("try-repo", hook_repo, "flake8-keras-layers", "--all-files", cwd=project,
                        env=pre_commit_env, ok=(1,))
    assert kl_lines(result.stdout) == [line for line in result.stdout.splitlines() if line.startswith(KL101_AT)]
    assert len(kl_lines(result.stdout)) == 1, result.stdout


@pytest.mark.slow
def test_hook_recipe_fails_on_the_bug_and_passes_once_fixed(tmp_path, pre_commit_env):
    config = recipe("pre-commit-hook")
    hook_repo = tmp_path / "hook"
    git_snapshot(hook_repo)
    git("tag", rev_of(config), cwd=hook_repo)  # the release tag the recipe pins
    files = dict(USER_FILES, **{".pre-commit-config.yaml": with_repo(config, str(hook_repo))})
    project = git_project(tmp_path / "project", files)

    failed = pre_commit("run", "--all-files", cwd=project, env=pre_commit_env, ok=(1,))
    assert len(kl_lines(failed.stdout)) == 1 and kl_lines(failed.stdout)[0].startswith(KL101_AT), failed.stdout

    fixed = BAD_LAYER.replace("    def build", "    def __init__(self, **kwargs):\n"
                                            "        super().__init__(**kwargs)\n"
                                            "        self.built = False\n\n    def build")
    (project / "layers" / "bad.py").write_text(fixed)
    git("add", "-A", cwd=project)
    passed = pre_commit("run", "--all-files", cwd=project, env=pre_commit_env, ok=(0,))
    assert "flake8-keras-layers" in passed.stdout and "Passed" in passed.stdout


# flake8's own hook definition (PyCQA/flake8's .pre-commit-hooks.yaml).
FLAKE8_HOOKS = """\
-   id: flake8
    name: flake8
    description: '`flake8` is a command-line utility for enforcing style consistency across Python projects.'
    entry: flake8
    language: python
    types: [python]
    require_serial: true
"""


def hook_standin(dest: Path, hooks: str, rev: str, requirement: str) -> Path:
    """A local git repository standing in for a hook repository of PyPI tools (flake8's, ruff's).

    It has the real repository's hook definitions (``hooks``) and, tagged ``rev``,
    a package that installs ``requirement`` from PyPI, as the real one does.
    """
    dest.mkdir()
    (dest / ".pre-commit-hooks.yaml").write_text(hooks)
    (dest / "pyproject.toml").write_text(textwrap.dedent(f"""\
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{dest.name}-standin"
        version = "{rev.removeprefix("v")}"
        dependencies = ["{requirement}"]

        [tool.setuptools]
        py-modules = []
        """))
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", f"stand-in for a hook repository ({requirement})", cwd=dest)
    git("tag", rev, cwd=dest)
    return dest


@pytest.mark.slow
def test_flake8_hook_recipe_with_the_plugin_as_additional_dependency(tmp_path_factory, tmp_path, pre_commit_env):
    """The README's flake8-hook recipe, with a local stand-in for the PyCQA/flake8 repository.

    The stand-in has flake8's hook definition and installs flake8 at the recipe's
    ``rev``, as the real repository does; ``flake8-keras-layers==VERSION`` is
    found by name in the built wheel's directory (PIP_FIND_LINKS) until it is on PyPI.
    """
    config = recipe("pre-commit-flake8")
    rev = rev_of(config)
    standin = hook_standin(tmp_path / "flake8-hook", FLAKE8_HOOKS, rev, f"flake8=={rev}")

    dists = built_dists(tmp_path_factory)
    env = dict(pre_commit_env, **find_links(dists.directory))
    files = dict(USER_FILES, **{".pre-commit-config.yaml": with_repo(config, str(standin))})
    project = git_project(tmp_path / "project", files)
    result = pre_commit("run", "--all-files", cwd=project, env=env, ok=(1,))
    assert len(kl_lines(result.stdout)) == 1 and kl_lines(result.stdout)[0].startswith(KL101_AT), result.stdout
    versions = run(*_hook_flake8(env["PRE_COMMIT_HOME"]), "--version", cwd=project, env=env).stdout
    assert f"flake8-keras-layers: {VERSION}" in versions and versions.startswith(rev)


def _hook_flake8(home: str) -> list[str]:
    """The flake8 pre-commit installed for the hook (its only python environment)."""
    return [_hook_tool(home, "flake8")]


def _hook_tool(home: str, name: str) -> str:
    """A console script of the one hook environment pre-commit installed that has it."""
    found = sorted(Path(home).glob(f"repo*/py_env-*/bin/{name}"))
    assert len(found) == 1, found
    return str(found[0])


# ruff's hook definition (astral-sh/ruff-pre-commit's .pre-commit-hooks.yaml, the hook the recipe uses).
RUFF_HOOKS = """\
- id: ruff-check
  name: ruff check
  entry: ruff check --force-exclude
  language: python
  types_or: [python, pyi, jupyter]
  require_serial: true
"""
RUFF_PRE_COMMIT = "https://github.com/astral-sh/ruff-pre-commit"

# A deliberate silence: the project targets 3.8 and knows the layer's build() never runs.
SILENCED = BAD_LAYER.replace("    def build(self, input_shape):", "    def build(self, input_shape):  # noqa: KL101")
# The project's own ruff selection; the recipe adds `external` to the same table.
RUFF_USER = 'extend-select = ["RUF"]  # ruff\'s own rules: RUF100 and RUF102 fix noqa comments\n'


@pytest.mark.slow
def test_ruff_recipe_keeps_the_kl_noqa(tmp_path, pre_commit_env):
    """The README's ruff + flake8-keras-layers pre-commit recipe, ruff from PyPI at the recipe's rev.

    With ``external = ["KL"]`` ruff leaves ``# noqa: KL101`` alone and both hooks pass; without it,
    ruff's fix deletes the comment and flake8 reports the silenced line again.
    """
    config = recipe("pre-commit-ruff")
    ruff_rev = rev_for(config, RUFF_PRE_COMMIT)
    ruff_repo = hook_standin(tmp_path / "ruff-hook", RUFF_HOOKS, ruff_rev, f"ruff=={ruff_rev.removeprefix('v')}")
    hook_repo = tmp_path / "hook"
    git_snapshot(hook_repo)
    ours = re.search(r"- repo: (\S+/flake8-keras-layers)\n", config).group(1)
    git("tag", rev_for(config, ours), cwd=hook_repo)
    external = recipe("ruff-external")
    assert external.startswith("[tool.ruff.lint]\n")
    files = {"layers/bad.py": SILENCED, "setup.cfg": USER_CONFIG, "pyproject.toml": external + RUFF_USER,
             ".pre-commit-config.yaml": with_repos(config, {RUFF_PRE_COMMIT: ruff_repo, ours: hook_repo})}
    project = git_project(tmp_path / "project", files)

    kept = pre_commit("run", "--all-files", cwd=project, env=pre_commit_env, ok=(0,))
    assert (project / "layers/bad.py").read_text() == SILENCED, kept.stdout
    assert re.search(r"^ruff check\.+Passed$", kept.stdout, re.M) and kl_lines(kept.stdout) == [], kept.stdout

    (project / "pyproject.toml").write_text("[tool.ruff.lint]\n" + RUFF_USER)
    git("add", "-A", cwd=project)
    removed = pre_commit("run", "--all-files", cwd=project, env=pre_commit_env, ok=(1,))
    assert (project / "layers/bad.py").read_text() == BAD_LAYER, removed.stdout
    assert len(kl_lines(removed.stdout)) == 1 and kl_lines(removed.stdout)[0].startswith(KL101_AT), removed.stdout

    # RUF100 alone (unused noqa) drops a whole comment whose other code is unused, KL101 with it, unless
    # KL is external: the same ruff, on a line that is not too long.
    ruff = _hook_tool(pre_commit_env["PRE_COMMIT_HOME"], "ruff")
    (project / "both.py").write_text("x = 1  # noqa: E501, KL101\n")
    run(ruff, "check", "--isolated", "--select=RUF100", "--fix", "both.py", cwd=project, env=pre_commit_env)
    assert (project / "both.py").read_text() == "x = 1\n"
    (project / "both.py").write_text("x = 1  # noqa: E501, KL101\n")
    run(ruff, "check", "--isolated", "--select=RUF100", "--config", "lint.external = ['KL']", "--fix", "both.py",
        cwd=project, env=pre_commit_env)
    assert (project / "both.py").read_text() == "x = 1  # noqa: KL101\n"


def test_ruff_recipes_declare_the_kl_codes_external():
    assert re.search(r'^external = \["KL"\]$', recipe("ruff-external"), re.M)
    config = recipe("pre-commit-ruff")
    assert rev_for(config, RUFF_PRE_COMMIT).startswith("v")
    assert re.search(r"^\s+- id: ruff-check\n\s+args: \[--fix\]$", config, re.M)
    assert re.search(r"^\s+- id: flake8-keras-layers$", config, re.M)
