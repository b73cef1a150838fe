"""The plugin as users meet it: the flake8 command line, config files, stdin, noqa."""

import textwrap

import pytest
from flake8_run import codes, flake8

POOLING = textwrap.dedent(
    """\
    import keras


    class P(keras.layers.MaxPooling2D):
        def build(self, input_shape):
            super().build(input_shape)
    """
)


# These tests expect KL101 on a MaxPooling2D subclass: they target a release where it applies
# (3.8) rather than whatever keras happens to be installed beside the tests.
TARGET = "--keras-version=3.8"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "p.py").write_text(POOLING)
    return tmp_path


def test_reports_through_flake8(project):
    result = flake8("--isolated", "--select=KL", TARGET, "p.py", cwd=project)
    assert codes(result) == ["p.py:5:KL101"]
    assert "KL101 build-never-called: P.build() never runs" in result.stdout
    assert result.returncode == 1


def test_keras_version_option(project):
    assert codes(flake8("--isolated", "--select=KL", "--keras-version=3.10", "p.py", cwd=project)) == []
    assert codes(flake8("--isolated", "--select=KL", "--keras-version=3.7", "p.py", cwd=project)) == [
        "p.py:5:KL101"]


@pytest.mark.parametrize("config_file", ["setup.cfg", "tox.ini", ".flake8"])
def test_keras_version_from_config(project, config_file):
    (project / config_file).write_text("[flake8]\nselect = KL\nkeras-version = 3.10.0\n")
    assert codes(flake8("p.py", cwd=project)) == []
    (project / config_file).write_text("[flake8]\nselect = KL\nkeras-version = 3.8\n")
    assert codes(flake8("p.py", cwd=project)) == ["p.py:5:KL101"]


@pytest.mark.parametrize("value", ["banana", "3", "3.x", "v3.10"])
def test_malformed_version_is_an_option_error(project, value):
    result = flake8("--isolated", f"--keras-version={value}", "p.py", cwd=project)
    assert result.returncode == 2
    assert "argument --keras-version: invalid Keras version" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_version_in_config_is_an_option_error(project):
    (project / "setup.cfg").write_text("[flake8]\nkeras-version = three\n")
    result = flake8("p.py", cwd=project)
    assert result.returncode == 2
    assert "invalid Keras version 'three'" in result.stderr
    assert "Traceback" not in result.stderr


def test_installed_keras_version_from_metadata(project, tmp_path_factory):
    """keras is never imported: its distribution metadata alone sets the target."""
    site = tmp_path_factory.mktemp("site")
    dist = site / "keras-3.10.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: keras\nVersion: 3.10.0\n")
    assert codes(flake8("--isolated", "--select=KL", "p.py", cwd=project, pythonpath=str(site))) == []
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: keras\nVersion: 3.9.2\n")
    assert codes(flake8("--isolated", "--select=KL", "p.py", cwd=project, pythonpath=str(site))) == [
        "p.py:5:KL101"]


def test_noqa(project):
    (project / "p.py").write_text(POOLING.replace("input_shape):", "input_shape):  # noqa: KL101"))
    assert codes(flake8("--isolated", "--select=KL", TARGET, "p.py", cwd=project)) == []


def test_stdin_with_display_name_matches_disk(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "base.py").write_text("from keras import layers\n\n\nclass Base(layers.MaxPooling2D):\n    pass\n")
    buffer = "from .base import Base\n\n\nclass P(Base):\n    def build(self, input_shape):\n        pass\n"
    (pkg / "p.py").write_text(buffer)
    on_disk = flake8("--isolated", "--select=KL", TARGET, "pkg/p.py", cwd=tmp_path)
    # An editor lints the unsaved buffer, which here differs from the file on disk.
    (pkg / "p.py").write_text("")
    from_stdin = flake8("--isolated", "--select=KL", TARGET, "-", "--stdin-display-name=pkg/p.py", cwd=tmp_path,
                        stdin=buffer)
    assert codes(on_disk) == ["p.py:5:KL101"]
    assert from_stdin.stdout == on_disk.stdout


def test_plain_stdin_resolves_what_the_buffer_holds(project):
    result = flake8("--isolated", "--select=KL", TARGET, "-", cwd=project, stdin=POOLING)
    assert codes(result) == ["stdin:5:KL101"]


def test_jobs_give_the_same_output(project):
    for n in range(6):
        (project / f"q{n}.py").write_text(POOLING)
    one = flake8("--isolated", "--select=KL", TARGET, "-j1", ".", cwd=project)
    two = flake8("--isolated", "--select=KL", TARGET, "-j2", ".", cwd=project)
    assert sorted(one.stdout.splitlines()) == sorted(two.stdout.splitlines())
    assert len(one.stdout.splitlines()) == 7


def test_version_lists_the_plugin():
    assert "flake8-keras-layers" in flake8("--version").stdout
