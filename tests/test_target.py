"""The target as the project declares it: source trees as data, each a project root with its metadata files
and a layer module, linted the way the plugin lints a file without --keras-version."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from docs_examples import DOCS, example
from flake8_run import codes, flake8
from helpers import lint, option_target

from flake8_keras_layers.engine.driver import analyze
from flake8_keras_layers.knowledge import facts as knowledge, target as targets

# One module, four findings that the target decides differently.
LAYERS = '''\
import keras


class Pool(keras.layers.MaxPooling2D):
    def build(self, input_shape):
        super().build(input_shape)


class Shape(keras.layers.Reshape):
    def build(self, input_shape):
        super().build(input_shape)


class Lazy(keras.layers.Layer):
    def call(self, inputs):
        if not hasattr(self, "scale"):
            self.scale = self.add_weight(shape=(), initializer="ones")
        return inputs * self.scale


class Net(keras.Model):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def get_config(self):
        return {"units": self.units}
'''
POOL = "5:KL101"  # MaxPooling2D built at __init__: 3.6.0 to 3.9.2
SHAPE = "10:KL101"  # Reshape built at __init__: 3.12.0 on
LAZY = "17:KL103"  # guarded creation in call(): an error in Keras 3, legitimate in Keras 2
NET = "26:KL305"  # a subclassed Model's base config: empty in Keras 2
KERAS3 = [POOL, SHAPE, LAZY, NET]
ANY = "no Keras version declared"
NEWEST = targets.format_version(knowledge.default().versions[-1])


@dataclass(frozen=True)
class Tree:
    """A project: ``files`` (path under the root -> text), the module linted, and what it must report."""

    id: str
    files: dict[str, str]
    expected: list[str]
    note: str  # where the target came from, as messages say it
    module: str = "layers.py"
    option: str | None = None
    skipped: tuple[str, ...] = ()  # files named by a "source skipped" debug line
    releases: str | None = None  # the releases a KL101 on Pool names, when it reports one
    files_bytes: dict[str, bytes] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.id


PEP621 = '[project]\nname = "p"\ndependencies = [{}]\n'

TREES = [
    # -- each source --------------------------------------------------------------------------------
    Tree("nothing declared", {}, KERAS3, ANY, releases="3.6-3.9.2"),
    Tree("pyproject dependencies", {"pyproject.toml": PEP621.format('"numpy", "keras>=3.10"')},
         [SHAPE, LAZY, NET], "keras>=3.10 in pyproject.toml"),
    Tree("pyproject optional dependencies", {"pyproject.toml": PEP621.format('"numpy"') + (
        '[project.optional-dependencies]\ngpu = ["tensorflow[and-cuda]>=2.13,<2.16"]\n')},
        [], "tensorflow>=2.13,<2.16 in pyproject.toml"),
    Tree("poetry tilde", {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.10"\nkeras = "~3.8"\n'},
         [POOL, LAZY, NET], "keras>=3.8,<3.9 in pyproject.toml", releases="3.8.0"),
    Tree("poetry caret", {"pyproject.toml": '[tool.poetry.group.ml.dependencies]\ntensorflow = "^2.12"\n'},
         KERAS3, "tensorflow>=2.12,<3 in pyproject.toml", releases="3.6-3.9.2"),
    Tree("tf-keras does not stop the search", {"requirements.txt": "keras==3.8.0\n",
                                               "sub/requirements.txt": "tf-keras==2.15.0\n"},
         [POOL, LAZY, NET], "keras==3.8.0 in requirements.txt", module="sub/layers.py"),
    Tree("poetry table with a version", {"pyproject.toml": (
        '[tool.poetry.dependencies]\nkeras = { version = ">=3.12", optional = true }\n')},
        [SHAPE, LAZY, NET], "keras>=3.12 in pyproject.toml"),
    Tree("setup.cfg", {"setup.cfg": "[metadata]\nname = p\n[options]\ninstall_requires =\n    numpy\n"
                                    "    keras==3.8.0  # pinned\n"},
         [POOL, LAZY, NET], "keras==3.8.0 in setup.cfg", releases="3.8.0"),
    Tree("setup.cfg extras", {"setup.cfg": "[options.extras_require]\ntf =\n    tensorflow-cpu<2.16\n"},
         [], "tensorflow-cpu<2.16 in setup.cfg"),
    Tree("setup.py literal", {"setup.py": "from setuptools import setup\n\n"
                                          "setup(name='p', install_requires=['keras>=3.12'])\n"},
         [SHAPE, LAZY, NET], "keras>=3.12 in setup.py"),
    Tree("setup.py module-level list", {"setup.py": "import setuptools\n\nREQUIRED = ['tensorflow<2.16']\n\n"
                                                    "setuptools.setup(name='p', install_requires=REQUIRED)\n"},
         [], "tensorflow<2.16 in setup.py"),
    Tree("setup.py extras", {"setup.py": "from setuptools import setup\nsetup(extras_require={"
                                         "'tf': ['tensorflow>=2.16'], 'legacy': 'tensorflow<2.16\\nnumpy'})\n"},
         KERAS3, "tensorflow>=2.16 (and 1 more) in setup.py"),
    Tree("setup.cfg with file:", {"setup.cfg": "[options]\ninstall_requires = file: requirements.in\n",
                                  "requirements-base.txt": "-c constraints.txt\nkeras\n",
                                  "constraints.txt": "keras==3.9.0\n"},
         KERAS3, "keras in requirements-base.txt", skipped=("setup.cfg",)),  # -c is not followed
    Tree("requirements.txt", {"requirements.txt": "# pins\nnumpy>=1.26\nkeras==3.9.2 ; python_version >= '3.9'\n"},
         [POOL, LAZY, NET], "keras==3.9.2 in requirements.txt", releases="3.9.2"),
    Tree("requirements includes", {
        "requirements.txt": "-r requirements/base.txt\n--index-url https://example.org/simple\n-e .\n",
        "requirements/base.txt": "keras==3.12.1 \\\n    --hash=sha256:0123\ngit+https://example.org/x.git\n"},
        [SHAPE, LAZY, NET], "keras==3.12.1 in requirements/base.txt"),
    Tree("requirements variants", {"requirements-dev.txt": "tensorflow-macos==2.15.0\n",
                                   "requirements-gpu.txt": "tensorflow-gpu==2.15.1\n"},
         [], "tensorflow-macos==2.15.0 (and 1 more) in requirements-dev.txt"),
    Tree("sdist PKG-INFO", {"PKG-INFO": "Metadata-Version: 2.1\nName: p\nVersion: 1\n"
                                        "Requires-Dist: keras>=3.10\n"},
         [SHAPE, LAZY, NET], "keras>=3.10 in PKG-INFO"),
    Tree("unpacked wheel METADATA", {
        "p-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: p\nVersion: 1.0\n"
                                    "Requires-Dist: tensorflow (<2.16.0,>=2.13.0) ; extra == 'tensorflow'\n",
        "p/__init__.py": ""}, [], "tensorflow<2.16.0,>=2.13.0 in p-1.0.dist-info/METADATA", module="p/layers.py"),
    Tree("keras' own tree", {"keras/src/version.py": '__version__ = "3.9.2"\n', "keras/__init__.py": "",
                             "keras/src/__init__.py": "", "requirements.txt": "tensorflow-cpu~=2.18.0\n"},
         [POOL, LAZY, NET], "keras 3.9.2 in keras/src/version.py", module="integration_tests/layers.py",
         releases="3.9.2"),
    Tree("keras' own tree beyond the newest probed", {"keras/src/version.py": '__version__ = "99.1.0"\n'},
         [SHAPE, LAZY, NET], f"keras 99.1.0 in keras/src/version.py; 99.1.0 is newer than the newest probed, {NEWEST}",
         module="keras/src/layers/layers.py"),
    # -- precedence ---------------------------------------------------------------------------------
    Tree("pyproject before requirements", {"pyproject.toml": PEP621.format('"keras>=3.10"'),
                                           "requirements.txt": "keras==3.8.0\n"},
         [SHAPE, LAZY, NET], "keras>=3.10 in pyproject.toml"),
    Tree("first source per distribution", {"pyproject.toml": PEP621.format('"tensorflow>=2.16"'),
                                           "requirements.txt": "keras==3.8.0\n"},
         [POOL, LAZY, NET], "keras==3.8.0 in requirements.txt", releases="3.8.0"),
    Tree("tensorflow below 2.16 makes keras 2", {"setup.py": "from setuptools import setup\nsetup(install_requires="
                                                             "['keras>=2.12', 'tensorflow>=2.12,<2.16'])\n"},
         [], "keras>=2.12 in setup.py, tensorflow>=2.12,<2.16 in setup.py"),
    Tree("the option before the project", {"requirements.txt": "keras==3.8.0\n"}, [SHAPE, LAZY, NET],
         "--keras-version 3.12", option="3.12"),
    Tree("a nearer root declaring nothing", {"pyproject.toml": PEP621.format('"keras==3.8.0"'),
                                             "docs/requirements.txt": "sphinx\n"},
         [POOL, LAZY, NET], "keras==3.8.0 in pyproject.toml", module="docs/layers.py"),
    Tree("a root above, in the same repository", {"../requirements.txt": "keras==3.8.0\n", "setup.cfg": "[flake8]\n"},
         [POOL, LAZY, NET], "keras==3.8.0 in requirements.txt"),
    Tree("no root above the repository", {"../requirements.txt": "keras==3.8.0\n", ".git/HEAD": "ref\n"},
         KERAS3, ANY),
    Tree("tf-keras alone decides nothing", {"requirements.txt": "tf-keras~=2.16\n"}, KERAS3, ANY),
    # -- ranges -------------------------------------------------------------------------------------
    Tree("range option", {}, [POOL, LAZY, NET], "--keras-version >=3.8,<3.11", option=">=3.8,<3.11",
         releases="3.8-3.9.2"),
    Tree("compatible release", {"requirements.txt": "keras~=3.9.0\n"}, [POOL, LAZY, NET],
         "keras~=3.9.0 in requirements.txt", releases="3.9-3.9.2"),
    Tree("tensorflow range reaching 2.16", {"requirements.txt": "tensorflow>=2.10\n"}, KERAS3,
         "tensorflow>=2.10 in requirements.txt", releases="3.6-3.9.2"),
    Tree("keras 2 option", {}, [], "--keras-version 2.15", option="2.15"),
    # -- malformed sources: skipped, the next source decides ---------------------------------------
    Tree("bad toml", {"pyproject.toml": "[project\ndependencies = ['keras==3.8.0']\n",
                      "requirements.txt": "keras>=3.12\n"},
         [SHAPE, LAZY, NET], "keras>=3.12 in requirements.txt", skipped=("pyproject.toml",)),
    Tree("pyproject dependencies not a list", {"pyproject.toml": '[project]\ndependencies = "keras==3.8.0"\n'},
         KERAS3, ANY, skipped=("pyproject.toml",)),
    Tree("bad setup.cfg", {"setup.cfg": "[options\ninstall_requires = keras==3.8.0\n"}, KERAS3, ANY,
         skipped=("setup.cfg",)),
    Tree("computed setup.py", {"setup.py": "from setuptools import setup\n"
                                           "setup(install_requires=open('deps.txt').read().split())\n"},
         KERAS3, ANY, skipped=("setup.py",)),
    Tree("setup.py syntax error", {"setup.py": "setup(install_requires=['keras==3.8.0'\n"}, KERAS3, ANY,
         skipped=("setup.py",)),
    Tree("requirement line pip rejects", {"requirements.txt": "keras==3.8.0\nnumpy>=>1\n",
                                          "requirements-ci.txt": "tensorflow>=2.16\n"},
         KERAS3, "tensorflow>=2.16 in requirements-ci.txt", skipped=("requirements.txt",)),
    Tree("missing include", {"requirements.txt": "-r nowhere.txt\nkeras==3.8.0\n"}, KERAS3, ANY,
         skipped=("requirements.txt",)),
    Tree("bad METADATA requirement", {"p-1.0.dist-info/METADATA": "Name: p\nRequires-Dist: keras (>>3)\n",
                                      "p/__init__.py": ""}, KERAS3, ANY, module="p/layers.py",
         skipped=("p-1.0.dist-info/METADATA",)),
    Tree("version.py without a literal", {"keras/src/version.py": "__version__ = compute()\n"}, KERAS3, ANY,
         module="keras/src/layers.py", skipped=("keras/src/version.py",)),
    Tree("unreadable requirements", {}, KERAS3, ANY, files_bytes={"requirements.txt": b"keras==3.8.0 \xff\xfe\n"},
         skipped=("requirements.txt",)),
    Tree("no release satisfies it", {"requirements.txt": "keras>=3.9,<3.8\n"}, KERAS3, ANY,
         skipped=("requirements.txt",)),
]


def lint_tree(tree: Tree, root: Path) -> tuple[targets.Target, list, list[str]]:
    root.mkdir(parents=True)
    for name, text in tree.files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    for name, data in tree.files_bytes.items():
        (root / name).write_bytes(data)
    module = root / tree.module
    module.parent.mkdir(parents=True, exist_ok=True)
    module.write_text(LAYERS)
    skipped: list[str] = []
    if tree.option is not None:
        target = option_target(tree.option)
    else:
        target = targets.for_directory(str(module.parent), lambda path, reason: skipped.append(path))
    found = analyze(LAYERS, str(module), target, knowledge.default())
    return target, found, [Path(p).relative_to(root).as_posix() for p in skipped]


@pytest.fixture
def nothing_installed(monkeypatch):
    """The cases are about the project's own files: a keras installed beside the tests is not one of them."""
    monkeypatch.setattr(targets, "_installed_target", lambda: targets.Target.any())


@pytest.mark.parametrize("tree", TREES, ids=str)
def test_target_from_the_project(tree, tmp_path, nothing_installed):
    root = tmp_path / "project"
    target, found, skipped = lint_tree(tree, root)
    assert [f"{d.line}:{d.code}" for d in found] == tree.expected
    assert target.note == tree.note
    assert skipped == list(tree.skipped)
    for diagnostic in found:
        if diagnostic.code == "KL101":
            # The whole note when it fits the line, else where the target came from (before its ";").
            notes = (f"({tree.note})", f"({tree.note.split(';')[0]})")
            assert any(diagnostic.message.count(note) == 1 for note in notes), diagnostic.message
    pool = next((d for d in found if d.line == 5), None)
    if tree.releases is not None:
        assert pool is not None and f"in Keras {tree.releases} (" in pool.message, pool


def test_each_root_is_read_once(tmp_path, monkeypatch):
    from flake8_keras_layers.knowledge import declared

    (tmp_path / "requirements.txt").write_text("keras==3.8.0\n")
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
    opened: list[str] = []
    real = declared._text
    monkeypatch.setattr(declared, "_text", lambda path: opened.append(path) or real(path))
    for sub in ("a", "b", "a"):
        assert targets.for_directory(str(tmp_path / sub), lambda *_: None).note == "keras==3.8.0 in requirements.txt"
    assert opened == [str(tmp_path / "requirements.txt")]


# -- through flake8 --------------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PEP621.format('"keras>=3.10"'))
    (root / "src" / "layers.py").write_text(LAYERS)
    return root


def test_stdin_with_display_name_finds_the_project(project, tmp_path):
    on_disk = flake8("--isolated", "--select=KL", "src/layers.py", cwd=project)
    assert codes(on_disk) == ["layers.py:10:KL101", "layers.py:17:KL103", "layers.py:26:KL305"]
    assert "(keras>=3.10 in pyproject.toml)" in on_disk.stdout
    (project / "src" / "layers.py").write_text("")  # an editor's unsaved buffer
    for cwd, name in ((project, "src/layers.py"), (tmp_path, "project/src/layers.py")):
        buffer = flake8("--isolated", "--select=KL", "-", f"--stdin-display-name={name}", cwd=cwd, stdin=LAYERS)
        assert buffer.stdout.replace("project/", "") == on_disk.stdout
    # Plain stdin: the working directory's project.
    plain = flake8("--isolated", "--select=KL", "-", cwd=project, stdin=LAYERS)
    assert codes(plain) == ["stdin:10:KL101", "stdin:17:KL103", "stdin:26:KL305"]


def test_messages_say_where_the_option_came_from(project):
    (project / "setup.cfg").write_text("[flake8]\nselect = KL\nkeras-version = 3.8\n")
    from_config = flake8("src/layers.py", cwd=project)
    assert codes(from_config)[0] == "layers.py:5:KL101"
    assert "in Keras 3.8.0 (keras-version 3.8 in setup.cfg)" in from_config.stdout
    command_line = flake8("--keras-version=>=3.12", "src/layers.py", cwd=project)  # beats setup.cfg's
    assert "in Keras 3.12-" in command_line.stdout and "(--keras-version >=3.12)" in command_line.stdout
    (project / "lint.ini").write_text("[flake8]\nselect = KL\nkeras-version = ~=3.9.0\n")
    named = flake8("--config=lint.ini", "src/layers.py", cwd=project)
    assert "in Keras 3.9-3.9.2 (keras-version ~=3.9.0 in lint.ini)" in named.stdout


def test_an_unsatisfiable_option_is_an_option_error(project):
    result = flake8("--isolated", "--keras-version=>=3.9,<3.8", "src/layers.py", cwd=project)
    assert result.returncode == 2
    assert "invalid Keras version '>=3.9,<3.8': no Keras release can satisfy it" in result.stderr
    assert "Traceback" not in result.stderr


def test_skipped_sources_are_named_once_in_debug_mode(project):
    (project / "pyproject.toml").write_text("[project\n")
    (project / "src" / "more.py").write_text(LAYERS)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"FLAKE8_KERAS_LAYERS_DEBUG": "1"}
    env_run = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select=KL", "-j1", "src"],
                             cwd=project, capture_output=True, text=True, env=env, timeout=300)
    skipped = [line for line in env_run.stderr.splitlines() if "source skipped" in line]
    assert len(skipped) == 1
    assert skipped[0].startswith(f"flake8-keras-layers: source skipped: {project / 'pyproject.toml'}: TOMLDecodeError")
    assert env_run.stderr.splitlines()[-1] == (
        "flake8-keras-layers: debug summary: 2 files, 8 classes checked, 0 internal errors, 0 budget stops")
    # The malformed source is skipped and the search goes on: to the keras installed beside flake8 if any
    # (whose release may have none of the version-dependent findings that carry the note), else to none.
    if targets.installed_keras_version() is None:
        assert "(no Keras version declared)" in env_run.stdout
    quiet = flake8("--isolated", "--select=KL", "-j1", "src", cwd=project)
    assert quiet.stderr == "" and quiet.stdout == env_run.stdout


def test_the_project_before_the_installed_keras(project, tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    (site / "keras-3.9.2.dist-info").mkdir()
    (site / "keras-3.9.2.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: keras\nVersion: 3.9.2\n")
    declared = flake8("--isolated", "--select=KL", "src/layers.py", cwd=project, pythonpath=str(site))
    assert "(keras>=3.10 in pyproject.toml)" in declared.stdout and "layers.py:5:" not in declared.stdout
    (project / "pyproject.toml").unlink()
    installed = flake8("--isolated", "--select=KL", "src/layers.py", cwd=project, pythonpath=str(site))
    assert codes(installed)[0] == "layers.py:5:KL101"
    assert "in Keras 3.9.2 (installed keras 3.9.2)" in installed.stdout


# -- the docs ---------------------------------------------------------------------------------------------

CONFIGURATION = (DOCS.parent / "configuration.md").read_text()
KERAS3_ONLY = re.findall(r"KL\d+", re.search(r"rules about Keras 3 behaviour \(([^)]*)\)", CONFIGURATION).group(1))
KERAS2_DIFFERS = re.findall(r"KL\d+", CONFIGURATION.split("rules whose Keras 2 behaviour differs")[1].split(". ")[0])


@pytest.mark.parametrize("code", KERAS3_ONLY)
def test_keras3_only_rules_are_silent_for_keras2_as_the_page_says(code, tmp_path):
    bad = example(code, "bad").source
    assert code in {c.split(":")[1] for c in lint(bad, tmp_path / "a.py")}
    assert code not in {c.split(":")[1] for c in lint(bad, tmp_path / "b.py", "2.15")}


@pytest.mark.parametrize("page", sorted((DOCS).glob("KL*.md")), ids=lambda p: p.stem)
def test_version_dependent_pages_say_how_the_target_decides(page):
    text = page.read_text()
    if "<!-- versions:" in text or page.stem in KERAS3_ONLY + KERAS2_DIFFERS:
        assert "](../configuration.md#the-target)" in text
