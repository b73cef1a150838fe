"""Broken, hostile or huge input yields diagnostics or nothing, never a crash or an import."""

import ast
import textwrap

import pytest
from flake8_run import codes, flake8
from helpers import lint

from flake8_keras_layers.engine import driver as analysis
from flake8_keras_layers.knowledge import facts as knowledge, versions
from flake8_keras_layers.rules import ALL, Rule

# A release where POOLING is reported (KL101), rather than whatever keras is installed beside the tests.
TARGET = "--keras-version=3.8"
POOLING = "import keras\n\n\nclass P(keras.layers.MaxPooling2D):\n    def build(self, input_shape):\n        pass\n"

BROKEN_SOURCES = {
    "syntax error": "class P(keras.layers.MaxPooling2D:\n    def build(self):\n",
    "null byte": "import keras\x00\n",
    "star import of a missing module": "from nowhere import *\n\nclass P(Base):\n    def build(self, s):\n        pass\n",
    "self-referencing base": "class P(P):\n    def build(self, s):\n        pass\n",
    "base is a call": "import keras\n\nclass P(type('X', (keras.layers.MaxPooling2D,), {})):\n"
                      "    def build(self, s):\n        pass\n",
    "base is a lambda result": "class P((lambda: object)()):\n    def call(self, x):\n        return self.bn(self.bn(x))\n",
    "deep attribute chain": "import keras\n\nclass P(" + "keras" + ".layers" * 300 + "):\n    def build(self, s):\n        pass\n",
    "decorated class and methods": "import keras, functools\n\n@functools.total_ordering\nclass P(keras.layers.Layer):\n"
                                   "    @property\n    def call(self):\n        return self.x(self.x)\n",
}


def flake8_can_parse(source: str) -> bool:
    """flake8 handles a SyntaxError from ``ast.parse``; older Pythons (Debian 12's 3.11.2) raise
    ValueError for NUL bytes instead, and flake8 then aborts, plugin or not."""
    try:
        ast.parse(source)
    except SyntaxError:
        pass
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("name", BROKEN_SOURCES)
def test_broken_source_does_not_crash_flake8(name, tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN_SOURCES[name])
    (tmp_path / "ok.py").write_text(POOLING)
    result = flake8("--isolated", "--select=KL,E999", TARGET, ".", cwd=tmp_path)
    if not flake8_can_parse(BROKEN_SOURCES[name]):
        # flake8 itself fails on this file before any plugin sees it: the plugin must not be involved.
        assert "ValueError" in result.stderr and "flake8_keras_layers" not in result.stderr
        return
    assert "failed during execution" not in result.stderr
    assert "Traceback" not in result.stderr
    assert "ok.py:5:KL101" in codes(result)


def test_a_failing_rule_costs_only_its_class(tmp_path, monkeypatch):
    class Exploding(Rule):
        code, name, summary, methods = "KL999", "exploding", "raises", frozenset({"build"})

        def check(self, ctx):
            if ctx.cls.name == "First":
                raise RuntimeError("boom")
            return iter(())

    source = POOLING.replace("class P", "class First") + "\n\n" + POOLING.replace("import keras\n", "")
    found = analysis.analyze(source, str(tmp_path / "m.py"), versions.Target.any(), knowledge.default(),
                             rules=(Exploding(), *ALL))
    assert [f"{d.line}:{d.code}" for d in found] == ["12:KL101"]


def test_ten_thousand_line_file(tmp_path):
    block = textwrap.dedent(
        """
        class P{n}(keras.layers.MaxPooling2D):
            def build(self, input_shape):
                pass

            def helper(self, x):
                y = x + 1
                return y
        """
    )
    source = "import keras\n" + "".join(block.format(n=n) for n in range(1250))
    assert source.count("\n") > 10_000
    path = tmp_path / "huge.py"
    path.write_text(source)
    result = flake8("--isolated", "--select=KL", TARGET, "huge.py", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    # Either every class is reported, or the file budget ran out part way: never a crash.
    assert 0 < len(codes(result)) <= 1250


def test_linting_never_imports_keras_tensorflow_or_user_code(tmp_path):
    poison = tmp_path / "poison"
    for package in ("keras", "tensorflow", "tf_keras", "keras/layers"):
        (poison / package).mkdir(parents=True, exist_ok=True)
        # A different MaxPooling2D: parsing these instead of the stubs would change the results.
        (poison / package / "__init__.py").write_text(
            f"open({str(tmp_path / 'IMPORTED')!r}, 'a').write({package!r})\n"
            "raise SystemExit('imported ' + __name__)\nclass MaxPooling2D: pass\n"
        )
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pkg" / "__init__.py").write_text(f"open({str(tmp_path / 'IMPORTED')!r}, 'a').write('user')\n")
    (project / "pkg" / "base.py").write_text(
        f"open({str(tmp_path / 'IMPORTED')!r}, 'a').write('user')\n"
        "import keras\n\n\nclass Base(keras.layers.MaxPooling2D):\n    pass\n"
    )
    (project / "pkg" / "p.py").write_text(
        "from pkg.base import Base\n\n\nclass P(Base):\n    def build(self, input_shape):\n        pass\n"
    )
    result = flake8("--isolated", "--select=KL", TARGET, "pkg/p.py", cwd=project, pythonpath=str(poison))
    assert codes(result) == ["p.py:5:KL101"], result.stderr
    assert not (tmp_path / "IMPORTED").exists()


def test_unparsable_input_in_process(tmp_path):
    assert lint("def f(:\n", tmp_path / "x.py") == []


def test_linting_keras_itself_reads_its_own_modules_never_an_installed_keras(tmp_path):
    """Keras' own source tree (issue 11, item 6): a project base in a keras.src module no stub stands for
    resolves from the project, while the poisoned keras on the path is still never read."""
    poison = tmp_path / "poison" / "keras" / "src" / "ops"
    poison.mkdir(parents=True)
    for directory in (poison.parent.parent, poison.parent, poison):
        (directory / "__init__.py").write_text(f"open({str(tmp_path / 'IMPORTED')!r}, 'a').write('keras')\n")
    (poison / "base.py").write_text("class Base:\n    pass\n")
    project = tmp_path / "keras-src"
    package = project / "keras" / "src" / "ops"
    package.mkdir(parents=True)
    for directory in (project / "keras", package.parent, package):
        (directory / "__init__.py").write_text("")
    (package.parent / "version.py").write_text("__version__ = '3.8.0'\n")  # an affected release: its own target
    (package / "base.py").write_text(
        "from keras.src.layers.pooling.max_pooling2d import MaxPooling2D\n\n\nclass Base(MaxPooling2D):\n    pass\n"
    )
    child = "from keras.src.ops.base import Base\n\n\nclass P(Base):\n    def build(self, input_shape):\n        pass\n"
    (package / "child.py").write_text(child)
    # The same import in a project that is not Keras: keras.src.ops.base is nobody's, so nothing resolves.
    other = tmp_path / "other"
    other.mkdir()
    (other / "child.py").write_text(child)
    result = flake8("--isolated", "--select=KL", "-j1", str(package / "child.py"), str(other / "child.py"),
                    cwd=tmp_path, pythonpath=str(tmp_path / "poison"))
    assert codes(result) == ["child.py:5:KL101"], result.stderr
    assert str(package / "child.py") in result.stdout
    assert not (tmp_path / "IMPORTED").exists()
    (package.parent / "version.py").unlink()  # not Keras after all: its keras.src modules are refused
    assert codes(flake8("--isolated", "--select=KL", str(package / "child.py"), cwd=tmp_path,
                        pythonpath=str(tmp_path / "poison"))) == []
