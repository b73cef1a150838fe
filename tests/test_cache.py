"""The result cache (engine/cache.py): a file is analysed again whenever anything its results depend on changed.

Every scenario runs the real flake8 twice or more on one project with one
cache directory, changing the project in between, and compares each output
with a run that keeps no cache (``--no-keras-cache``): they must be equal.
The in-process tests show that a hit does not run the analysis at all.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from flake8_keras_layers import debug
from flake8_keras_layers.analysis import reads
from flake8_keras_layers.engine import cache
from flake8_run import flake8
from test_kl3xx_config import LUONG, MECHANISM

BASE_WITH_BUILD = """
    import keras

    class Base(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(2,))
"""
BASE_WITHOUT_BUILD = """
    import keras

    class Base(keras.layers.Layer):
        pass
"""
# KL104: a project layer whose own code makes weights (Base.build), constructed in call().
CHILD = """
    import keras
    from pkg.base import Base

    class Child(keras.layers.Layer):
        def call(self, x):
            return Base()(x)
"""


def write(root: Path, files: dict[str, str]) -> None:
    """Writes the files, then ages the whole tree: a package edited in the last two seconds is never trusted
    (reads.py), and the scenarios must show the cache answering, not merely declining."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
        _age(path)


def stamps(cache_dir: Path) -> dict[Path, tuple[int, int]]:
    """Each entry's inode and mtime: an entry that answered was not written again."""
    return {e: (e.stat().st_ino, e.stat().st_mtime_ns) for e in entries(cache_dir)}


def lint(project: Path, cache_dir: Path | None, *extra: str, paths: tuple[str, ...] = (".",)) -> list[str]:
    args = ["--isolated", "--select=KL", "--extend-select=KL9", *extra]
    args += [f"--keras-cache-dir={cache_dir}"] if cache_dir else ["--no-keras-cache"]
    result = flake8(*args, *paths, cwd=project)
    assert result.returncode in (0, 1), result.stderr
    return sorted(result.stdout.splitlines())


def same_as_uncached(project: Path, cache_dir: Path, *extra: str) -> list[str]:
    cached = lint(project, cache_dir, *extra)
    assert cached == lint(project, None, *extra)
    return cached


def entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob(f"results-{cache.FORMAT}/*/*.json"))


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    write(root, {"pkg/__init__.py": "", "pkg/base.py": BASE_WITH_BUILD, "pkg/child.py": CHILD})
    return root


def test_a_base_class_changed_in_another_module_is_seen(project, tmp_path):
    store = tmp_path / "cache"
    first = same_as_uncached(project, store)
    assert any("KL104" in line for line in first)
    stored = stamps(store)
    assert len(stored) == 2  # base.py and child.py; the empty __init__.py never reaches the analysis
    assert same_as_uncached(project, store) == first
    assert stamps(store) == stored  # every file answered from the cache
    write(project, {"pkg/base.py": BASE_WITHOUT_BUILD})
    assert not any("KL104" in line for line in same_as_uncached(project, store))
    write(project, {"pkg/base.py": BASE_WITH_BUILD})
    assert same_as_uncached(project, store) == first


# KL303, only when Base is a Keras layer: decided by astroid importing ``base`` for the class's bases (a
# module outside the package, whose files KL303 reads itself).
SUBCLASS = """
    from base import Base

    class Child(Base):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def get_config(self):
            config = super().get_config()
            config.update({"other": 1})
            return config
"""
PLAIN_BASE = """
    class Base:
        def __init__(self, **kwargs):
            pass

        def get_config(self):
            return {}
"""


def test_a_base_class_that_stops_being_a_layer_is_seen(project, tmp_path):
    store = tmp_path / "cache"
    write(project, {"pkg/child.py": SUBCLASS, "base.py": BASE_WITH_BUILD})
    assert any("KL303" in line for line in same_as_uncached(project, store))
    stored = stamps(store)
    same_as_uncached(project, store)
    assert stamps(store) == stored
    write(project, {"base.py": PLAIN_BASE})
    assert not any("KL303" in line for line in same_as_uncached(project, store))


def test_a_module_added_where_an_import_failed_is_seen(project, tmp_path):
    store = tmp_path / "cache"
    write(project, {"pkg/child.py": CHILD.replace("pkg.base", "pkg.layers.base")})
    assert not any("KL104" in line for line in same_as_uncached(project, store))
    write(project, {"pkg/layers/__init__.py": "", "pkg/layers/base.py": BASE_WITH_BUILD})
    assert any("KL104" in line for line in same_as_uncached(project, store))


def test_a_module_shadowing_the_one_imported_is_seen(project, tmp_path):
    """``base`` resolves from the working directory's sys.path entry once a ``base.py`` exists there."""
    store = tmp_path / "cache"
    write(project, {"pkg/child.py": CHILD.replace("from pkg.base import", "from base import")})
    os.rename(project / "pkg" / "base.py", project / "pkg" / "unused.py")
    assert not any("KL104" in line for line in same_as_uncached(project, store))
    write(project, {"base.py": BASE_WITH_BUILD})  # the project root is a search root of pkg/child.py
    assert any("KL104" in line for line in same_as_uncached(project, store))


# KL303's abstract-base exception reads the whole package: Mechanism leaves probability_fn out of its config,
# and that is its subclass's business only while nothing in the package makes a Mechanism itself.
MECHANISM_AND_LUONG = MECHANISM + LUONG


def test_a_use_elsewhere_in_the_package_is_seen(tmp_path):
    project, store = tmp_path / "project", tmp_path / "cache"
    write(project, {"pkg/__init__.py": "", "pkg/main.py": MECHANISM_AND_LUONG,
                    "pkg/use.py": "from pkg.main import Mechanism\nm = Mechanism(4, len)\n"})
    assert any("KL303" in line for line in same_as_uncached(project, store))
    write(project, {"pkg/use.py": "from pkg.main import Mechanism\nm = None\n"})
    assert not any("KL303" in line for line in same_as_uncached(project, store))


# Base's module is built (for aaa.py) by a process that later reuses it for child.py: the build inferred
# its decorator, imported from pkg/deco.py, which child.py's own analysis never imports again.
DECORATED_BASE = """
    import keras
    from pkg.deco import register

    @register
    class Base(keras.layers.Layer):
        maker: type = keras.layers.Dense
"""
USES_MAKER = """
    from pkg.base import Base

    class {name}(Base):
        def call(self, x):
            return self.maker(4)(x)
"""


def test_what_a_module_build_read_counts_for_every_file_reusing_it(tmp_path):
    project, store = tmp_path / "project", tmp_path / "cache"
    write(project, {"pkg/__init__.py": "", "pkg/deco.py": "def register(cls):\n    return cls\n",
                    "pkg/base.py": DECORATED_BASE, "pkg/aaa.py": USES_MAKER.format(name="Other"),
                    "pkg/child.py": USES_MAKER.format(name="Child")})
    before = lint(project, store, "-j1", paths=("pkg/aaa.py", "pkg/child.py"))
    assert sum("KL104" in line for line in before) == 2
    write(project, {"pkg/deco.py": "from dataclasses import dataclass as register\n"})
    alone = lint(project, store, paths=("pkg/child.py",))
    assert alone == lint(project, None, paths=("pkg/child.py",))
    assert not any("KL104" in line for line in alone)


# astroid keeps a function's method type on the node: computed for aaa.py (inferring the decorator down to
# pkg/impl.py), it must not answer for child.py without those reads (engine/lazy.py).
MAKES = """
    import keras
    from pkg.base import Base

    class {name}(Base):
        def call(self, x):
            return self.make(keras.layers.Dense)(4)(x)
"""


def test_a_value_astroid_keeps_on_a_node_is_computed_again_for_each_file(tmp_path):
    project, store = tmp_path / "project", tmp_path / "cache"
    write(project, {"pkg/__init__.py": "", "pkg/impl.py": "def wrap(f):\n    return f\n",
                    "pkg/deco.py": "from pkg.impl import wrap\n\ndef mydeco(f):\n    return wrap(f)\n",
                    "pkg/base.py": "import keras\nfrom pkg.deco import mydeco\n\nclass Base(keras.layers.Layer):\n"
                                   "    @mydeco\n    def make(first, second=None):\n        return second\n",
                    "pkg/aaa.py": MAKES.format(name="Other"), "pkg/child.py": MAKES.format(name="Child")})
    assert sum("KL104" in line for line in lint(project, store, "-j1", paths=("pkg/aaa.py", "pkg/child.py"))) == 2
    write(project, {"pkg/impl.py": "wrap = staticmethod\n"})
    alone = lint(project, store, paths=("pkg/child.py",))
    assert alone == lint(project, None, paths=("pkg/child.py",)) == []


def test_a_name_another_directory_resolved_is_resolved_again(tmp_path):
    """Two script directories with their own ``blocks.py``: in one process, the second must not get the first's."""
    project, store = tmp_path / "project", tmp_path / "cache"
    model = "import keras\nfrom blocks import Block\n\nclass Model(keras.layers.Layer):\n" \
            "    def call(self, x):\n        return Block()(x)\n"
    write(project, {"ex1/model.py": model, "ex2/model.py": model, "ex1/blocks.py": BASE_WITH_BUILD.replace("Base", "Block"),
                    "ex2/blocks.py": BASE_WITHOUT_BUILD.replace("Base", "Block")})
    together = lint(project, store, "-j1", paths=("ex1/model.py", "ex2/model.py"))
    assert [line.split(":")[0] for line in together if "KL104" in line] == ["ex1/model.py"]
    assert lint(project, store, paths=("ex2/model.py",)) == lint(project, None, paths=("ex2/model.py",)) == []


def test_the_target_is_part_of_the_key(project, tmp_path):
    store = tmp_path / "cache"
    write(project, {"pkg/child.py": """
        from keras import layers, models

        model = models.Sequential([layers.Conv1D(32, 3, activation=layers.ReLU())])
    """})
    # Both pinned: tox -e installed-keras has a keras installed, the default target otherwise.
    affected = same_as_uncached(project, store, "--keras-version=3.8")
    fixed = same_as_uncached(project, store, "--keras-version=3.10")
    assert any("KL301" in line for line in affected) and not fixed
    assert same_as_uncached(project, store, "--keras-version=3.8") == affected
    assert same_as_uncached(project, store, "--keras-version=3.10") == fixed


def test_a_deleted_or_corrupt_cache_costs_only_time(project, tmp_path):
    store = tmp_path / "cache"
    first = same_as_uncached(project, store)
    for entry in entries(store):
        entry.write_text("{not json")
    assert same_as_uncached(project, store) == first
    for entry in entries(store):
        entry.write_text(json.dumps({"env": "x"}))
    assert same_as_uncached(project, store) == first
    for entry in entries(store):
        entry.unlink()
    assert same_as_uncached(project, store) == first


def test_an_unwritable_cache_directory_is_not_used(project, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert lint(project, blocker / "cache") == lint(project, None)


def test_no_keras_cache_writes_nothing(project, tmp_path):
    result = flake8("--isolated", "--select=KL", "--no-keras-cache", ".", cwd=project,
                    env={cache.ENV_DIR: str(tmp_path / "cache")})
    assert result.returncode == 1
    assert not (tmp_path / "cache").exists()


def test_the_environment_variable_chooses_the_default_directory(project, tmp_path):
    result = flake8("--isolated", "--select=KL", ".", cwd=project, env={cache.ENV_DIR: str(tmp_path / "env-cache")})
    assert result.returncode == 1
    assert entries(tmp_path / "env-cache")
    # Marked inside the directory the plugin owns, not in the one named (``keras-cache-dir = .`` in a repository).
    assert not (tmp_path / "env-cache" / ".gitignore").exists()
    owned = tmp_path / "env-cache" / f"results-{cache.FORMAT}"
    assert (owned / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (owned / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


# -- in process: what is stored, and that a hit does not analyse --------------------------------------------


def test_a_hit_does_not_run_the_analysis_and_a_changed_source_does(tmp_path):
    store = cache.Store(str(tmp_path / "cache"))
    path = str(tmp_path / "layer.py")
    Path(path).write_text("x = 1\n")
    runs = []

    def run():
        runs.append(1)
        return [(1, 0, "KL999 fake: stored")]

    assert cache.analyze(store, "x = 1\n", path, lambda: "target", run) == [(1, 0, "KL999 fake: stored")]
    assert cache.analyze(store, "x = 1\n", path, lambda: "target", run) == [(1, 0, "KL999 fake: stored")]
    assert len(runs) == 1
    cache.analyze(store, "x = 2\n", path, lambda: "target", run)
    cache.analyze(store, "x = 2\n", path, lambda: "other target", run)
    assert len(runs) == 3


def reading(tmp_path, edit_while_read: bool = False):
    """(a store, the linted path, the dependency file, a run that reads it and counts its calls)."""
    store = cache.Store(str(tmp_path / "cache"))
    path, dependency = str(tmp_path / "layer.py"), tmp_path / "base.py"
    dependency.write_text("A = 1\n")
    runs: list[int] = []

    def run():
        runs.append(1)
        reads.file(str(dependency))
        if edit_while_read:
            dependency.write_text("A = 2\n")  # saved in an editor while the file is analysed
        return []

    return store, path, dependency, run, runs


def test_what_the_analysis_read_decides_a_hit(tmp_path):
    store, path, dependency, run, runs = reading(tmp_path)
    cache.analyze(store, "", path, lambda: "t", run)
    cache.analyze(store, "", path, lambda: "t", run)
    assert len(runs) == 1
    dependency.write_text("A = 2\n")
    reads._fingerprints.clear()  # a new flake8 run: fingerprints are kept per process
    cache.analyze(store, "", path, lambda: "t", run)
    assert len(runs) == 2


def test_a_dependency_edited_during_the_run_is_stored_as_it_was_read(tmp_path):
    """Fingerprints are taken when a dependency is first recorded, before it is read: an edit after that
    makes the entry differ from the disk, so the next run analyses again."""
    store, path, _, run, runs = reading(tmp_path, edit_while_read=True)
    cache.analyze(store, "", path, lambda: "t", run)
    reads._fingerprints.clear()  # the next flake8 run
    cache.analyze(store, "", path, lambda: "t", lambda: runs.append(1) or [])
    assert len(runs) == 2


def test_a_module_without_a_known_build_is_not_stored(tmp_path):
    store = cache.Store(str(tmp_path / "cache"))
    path = str(tmp_path / "layer.py")

    def run():
        reads.reuse(type("Module", (), {})(), project=True)  # a project module built while nothing recorded
        return []

    cache.analyze(store, "", path, lambda: "t", run)
    assert not entries(tmp_path / "cache")


def test_installed_means_the_standard_library_and_site_packages_only(tmp_path):
    import sysconfig

    assert reads.installed(os.__file__)
    assert reads.installed(os.path.join(sysconfig.get_paths()["purelib"], "anything.py"))
    assert not reads.installed(os.path.join(sys.prefix, "src", "project", "layer.py"))


def test_an_import_hook_file_is_part_of_the_environment(tmp_path, monkeypatch):
    """An editable install's finder maps its package to a checkout; reinstalling from another one rewrites it."""
    module = tmp_path / "kl_test_finder.py"
    module.write_text("class Finder:\n    @classmethod\n    def find_spec(cls, *args):\n        return None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import kl_test_finder

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, kl_test_finder.Finder])
    cache._finders.cache_clear()
    try:
        assert str(module) in cache._finders()
    finally:
        cache._finders.cache_clear()
        sys.modules.pop("kl_test_finder", None)


def test_a_file_whose_analysis_contained_a_failure_is_not_stored(tmp_path):
    store = cache.Store(str(tmp_path / "cache"))
    path = str(tmp_path / "layer.py")

    def failing():
        debug.internal_error(path, "class X (line 1)", ValueError("boom"))
        return []

    cache.analyze(store, "", path, lambda: "t", failing)
    assert not entries(tmp_path / "cache")


def test_debug_mode_writes_but_never_reads(tmp_path, monkeypatch):
    store = cache.Store(str(tmp_path / "cache"))
    path = str(tmp_path / "layer.py")
    runs = []
    monkeypatch.setenv(debug.ENV, "1")
    for _ in range(2):
        cache.analyze(store, "", path, lambda: "t", lambda: runs.append(1) or [])
    assert len(runs) == 2 and entries(tmp_path / "cache")


def _age(root: Path) -> None:
    """``root`` and every file under it last modified a minute ago (fingerprints distrust recent edits)."""
    then = time.time() - 60
    for path in (root, *root.rglob("*")):
        os.utime(path, (then, then))


def test_a_package_tree_dependency_changes_with_any_of_its_files(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "class A: pass\n"})
    _age(tmp_path)
    before = reads._compute("tree", str(tmp_path / "pkg"))
    assert reads._compute("tree", str(tmp_path / "pkg")) == before
    write(tmp_path, {"pkg/sub/b.py": "class B(A): pass\n"})
    _age(tmp_path)
    assert reads._compute("tree", str(tmp_path / "pkg")) != before
    write(tmp_path, {"pkg/a.py": "class A: passed\n"})
    _age(tmp_path)
    assert reads._compute("tree", str(tmp_path / "pkg")) != before


def test_a_tree_with_a_file_edited_just_now_matches_nothing(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("class A: pass\n")
    assert reads._compute("tree", str(tmp_path / "pkg")) != reads._compute("tree", str(tmp_path / "pkg"))


def test_a_directory_fingerprint_is_what_an_import_could_find_there(tmp_path):
    write(tmp_path, {"pkg/__init__.py": ""})
    assert reads._compute("dir", str(tmp_path / "missing")) == "-"
    before = reads._compute("dir", str(tmp_path / "pkg"))
    (tmp_path / "pkg" / "notes.txt").write_text("not importable")
    assert reads._compute("dir", str(tmp_path / "pkg")) == before
    (tmp_path / "pkg" / "sub").mkdir()  # a namespace package
    assert reads._compute("dir", str(tmp_path / "pkg")) != before
