"""Editors lint the unsaved buffer: ``flake8 - --stdin-display-name=PATH``.

pylsp runs the ``flake8`` script from the workspace root with a path relative
to it; the VS Code flake8 extension runs ``python -m flake8`` with an absolute
path. Either way the diagnostics must be those of the file on disk, including
the ones that need a base class from another module of the project, found
from PATH's location. The project below has a ``src/`` layout, a nested
package, relative and absolute imports and a re-export, and a ``setup.cfg``
at its root that sets ``keras-version`` (found from subdirectories too).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from distribution import require
from flake8_run import codes, flake8

PROJECT = {
    "setup.cfg": """\
        [flake8]
        select = KL
        keras-version = 3.8
        """,
    "src/acme/__init__.py": "",
    "src/acme/common/__init__.py": "",
    "src/acme/common/bases.py": """\
        import keras
        from keras import layers
        from keras.layers import BatchNormalization as Norm  # noqa: F401 - re-exported


        class PoolBase(layers.MaxPooling2D):
            pass


        class ReshapeBase(keras.layers.Reshape):
            pass
        """,
    "src/acme/models/__init__.py": """\
        from .blocks.pooling import Relative  # noqa: F401 - re-exported
        """,
    "src/acme/models/blocks/__init__.py": "",
    "src/acme/models/blocks/pooling.py": """\
        from ...common.bases import PoolBase


        class Relative(PoolBase):
            def build(self, input_shape):
                pass
        """,
    "src/acme/models/absolute.py": """\
        from acme.common.bases import PoolBase, ReshapeBase


        class Absolute(PoolBase):
            def build(self, input_shape):
                pass


        class Reshaped(ReshapeBase):  # Reshape is affected from 3.12.0 on, not in 3.8
            def build(self, input_shape):
                pass
        """,
    "src/acme/models/reexport.py": """\
        from acme.models import Relative


        class Deeper(Relative):
            def build(self, input_shape):
                pass
        """,
    "src/acme/models/norm.py": """\
        import keras

        from ..common import bases


        class Twice(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.bn = bases.Norm()

            def call(self, a, b):
                return self.bn(a) + self.bn(b)
        """,
    "src/acme/models/fixed.py": """\
        from ..common.bases import PoolBase


        class Fixed(PoolBase):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.built = False

            def build(self, input_shape):
                pass
        """,
}

# What the files on disk report (keras-version 3.8 from setup.cfg): each needs another module.
ON_DISK = {
    "src/acme/models/blocks/pooling.py": ["pooling.py:5:KL101"],
    "src/acme/models/absolute.py": ["absolute.py:5:KL101"],
    "src/acme/models/reexport.py": ["reexport.py:5:KL101"],
    "src/acme/models/norm.py": ["norm.py:12:KL201"],
    "src/acme/models/fixed.py": [],
}

FLAKE8_SCRIPT = Path(sys.executable).with_name("flake8")


def flake8_script(*args: str, cwd, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The ``flake8`` console script, as pylsp runs it (no working directory on sys.path)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([str(FLAKE8_SCRIPT), *args], cwd=cwd, input=stdin, capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "proj"
    for name, text in PROJECT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def lines_for(result: subprocess.CompletedProcess, path: str) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(path + ":")]


def test_project_on_disk_reports_what_needs_other_modules(project):
    result = flake8(*ON_DISK, cwd=project)
    assert sorted(codes(result)) == sorted(c for found in ON_DISK.values() for c in found)


@pytest.mark.parametrize("run", [flake8, flake8_script], ids=["python -m flake8", "flake8 script"])
@pytest.mark.parametrize("path", sorted(ON_DISK))
def test_buffer_from_project_root_matches_disk(project, path, run):
    """pylsp: cwd is the workspace root, the display path is relative to it."""
    on_disk = run(path, cwd=project)
    buffer = (project / path).read_text()
    (project / path).write_text("")  # the editor's buffer is what counts, not the disk
    from_stdin = run("-", f"--stdin-display-name={path}", cwd=project, stdin=buffer)
    assert codes(on_disk) == ON_DISK[path]
    assert from_stdin.stdout == on_disk.stdout
    assert from_stdin.returncode == on_disk.returncode


@pytest.mark.parametrize("run", [flake8, flake8_script], ids=["python -m flake8", "flake8 script"])
def test_buffer_from_a_subdirectory_with_relative_display_paths(project, run):
    """flake8 run inside src/acme/models: paths relative to it, setup.cfg found above it."""
    cwd = project / "src/acme/models"
    paths = [os.path.relpath(project / path, cwd) for path in sorted(ON_DISK)]
    assert "blocks/pooling.py" in paths
    on_disk = run(*paths, cwd=cwd)
    assert sorted(codes(on_disk)) == sorted(c for found in ON_DISK.values() for c in found)
    for path in paths:
        buffer = (cwd / path).read_text()
        from_stdin = run("-", f"--stdin-display-name={path}", cwd=cwd, stdin=buffer)
        assert from_stdin.stdout.splitlines() == lines_for(on_disk, path), path


def test_absolute_display_path_from_anywhere(project, tmp_path):
    """VS Code passes an absolute path; the cwd may be outside the project, whose setup.cfg then does not apply.

    The working directory's own config does: its keras-version (3.12: Reshape affected, MaxPooling2D not)
    is the opposite of the project's (3.8), so the output says which config was read.
    """
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "setup.cfg").write_text("[flake8]\nkeras-version = 3.12\n")
    path = str(project / "src/acme/models/absolute.py")
    on_disk = flake8(path, cwd=outside)
    from_stdin = flake8("-", f"--stdin-display-name={path}", cwd=outside, stdin=Path(path).read_text())
    assert codes(on_disk) == ["absolute.py:10:KL101"]
    assert from_stdin.stdout == on_disk.stdout


def test_buffer_that_differs_from_disk_is_what_is_linted(project):
    """The fix is typed but not saved, then the bug is typed but not saved: the buffer wins both times."""
    path = "src/acme/models/blocks/pooling.py"
    disk = (project / path).read_text()
    fixed = disk.replace("    def build", "    def __init__(self, **kwargs):\n"
                                        "        super().__init__(**kwargs)\n"
                                        "        self.built = False\n\n    def build")
    assert codes(flake8("-", f"--stdin-display-name={path}", cwd=project, stdin=fixed)) == []
    assert codes(flake8(path, cwd=project)) == ["pooling.py:5:KL101"]

    (project / path).write_text(fixed)
    assert codes(flake8("-", f"--stdin-display-name={path}", cwd=project, stdin=disk)) == ["pooling.py:5:KL101"]


def test_new_unsaved_file_in_a_package(project):
    """A buffer never saved yet: its display path does not exist, its package does."""
    path = "src/acme/models/blocks/unsaved.py"
    buffer = "from ..absolute import Absolute\n\n\nclass New(Absolute):\n    def build(self, input_shape):\n        pass\n"
    assert not (project / path).exists()
    assert codes(flake8("-", f"--stdin-display-name={path}", cwd=project, stdin=buffer)) == ["unsaved.py:5:KL101"]


def test_package_init_buffer(project):
    """Relative imports in an ``__init__.py`` buffer are relative to its own package."""
    path = "src/acme/models/__init__.py"
    buffer = "from ..common.bases import PoolBase\n\n\nclass InInit(PoolBase):\n    def build(self, input_shape):\n        pass\n"
    (project / path).write_text(buffer)
    on_disk = flake8(path, cwd=project)
    (project / path).write_text("")
    from_stdin = flake8("-", f"--stdin-display-name={path}", cwd=project, stdin=buffer)
    assert codes(on_disk) == ["__init__.py:5:KL101"]
    assert from_stdin.stdout == on_disk.stdout


BUFFER_ONLY = """\
import keras


class LocalBase(keras.layers.MaxPooling2D):
    pass


class P(LocalBase):
    def build(self, input_shape):
        pass
"""


@pytest.mark.parametrize("run", [flake8, flake8_script], ids=["python -m flake8", "flake8 script"])
def test_plain_stdin_resolves_within_the_buffer(project, run):
    """No display name: no location, so what the buffer itself (and Keras) defines is resolved."""
    result = run("-", cwd=project, stdin=BUFFER_ONLY)
    assert codes(result) == ["stdin:9:KL101"]


@pytest.mark.parametrize("run", [flake8, flake8_script], ids=["python -m flake8", "flake8 script"])
def test_plain_stdin_relative_import_is_silent(project, run):
    """A relative import has no package to be relative to: silence, not a crash."""
    buffer = (project / "src/acme/models/blocks/pooling.py").read_text()
    result = run("-", cwd=project, stdin=buffer)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize("run", [flake8, flake8_script], ids=["python -m flake8", "flake8 script"])
def test_plain_stdin_finds_project_modules_from_the_working_directory(project, run):
    """``flake8 -`` and ``python -m flake8 -`` agree: both search the working directory (here src/)."""
    buffer = (project / "src/acme/models/absolute.py").read_text()
    result = run("-", cwd=project / "src", stdin=buffer)
    assert codes(result) == ["stdin:5:KL101"]


# --- slow: a real language server -----------------------------------------------------------------


class LanguageServer:
    """A minimal LSP client over stdio: requests, notifications, and the server's notifications."""

    def __init__(self, cwd: Path):
        self.process = subprocess.Popen([sys.executable, "-m", "pylsp"], cwd=cwd, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 0

    def send(self, method: str, params: dict, request: bool = False) -> None:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.next_id += 1
            message["id"] = self.next_id
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def receive(self) -> dict:
        length = None
        while True:
            line = self.process.stdout.readline()
            assert line, "pylsp exited"
            if not line.strip():
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def diagnostics(self, uri: str, deadline: float) -> list[dict]:
        """The first diagnostics the server publishes for ``uri`` that include flake8's."""
        while time.monotonic() < deadline:
            message = self.receive()
            params = message.get("params", {})
            if message.get("method") == "textDocument/publishDiagnostics" and params.get("uri") == uri:
                found = [d for d in params["diagnostics"] if d.get("source") == "flake8"]
                if found:
                    return found
        raise AssertionError("no flake8 diagnostics from pylsp in time")

    def close(self) -> None:
        try:
            self.send("shutdown", {}, request=True)
            self.send("exit", {})
            self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.mark.slow
def test_pylsp_shows_the_diagnostic_of_the_unsaved_buffer(project):
    """pylsp with its flake8 plugin: the buffer (bug typed, not saved) is linted, its base found in another module."""
    require("pylsp")
    path = project / "src/acme/models/blocks/pooling.py"
    buffer = path.read_text()
    path.write_text(buffer.replace("    def build", "    def __init__(self, **kwargs):\n"
                                                 "        super().__init__(**kwargs)\n"
                                                 "        self.built = False\n\n    def build"))
    server = LanguageServer(project)
    try:
        server.send("initialize", {"processId": None, "rootUri": project.as_uri(), "capabilities": {}}, request=True)
        server.send("initialized", {})
        plugins = {"flake8": {"enabled": True, "executable": str(FLAKE8_SCRIPT)},
                   **{name: {"enabled": False} for name in ("pycodestyle", "pyflakes", "mccabe", "pydocstyle")}}
        server.send("workspace/didChangeConfiguration", {"settings": {"pylsp": {"plugins": plugins}}})
        server.send("textDocument/didOpen", {"textDocument": {"uri": path.as_uri(), "languageId": "python",
                                                              "version": 1, "text": buffer}})
        found = server.diagnostics(path.as_uri(), time.monotonic() + 120)
    finally:
        server.close()
    assert [(d["code"], d["range"]["start"]["line"] + 1) for d in found] == [("KL101", 5)]
    assert found[0]["message"].startswith("KL101 build-never-called: Relative.build() never runs")
