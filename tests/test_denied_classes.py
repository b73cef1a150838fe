"""prefilter.denied_classes: classes whose base astroid cannot import (a Keras module no stub provides), and
files of them skip astroid."""

from __future__ import annotations

import ast
import textwrap

import pytest
from helpers import resolved_classes

from flake8_keras_layers.engine import driver
from flake8_keras_layers.engine.prefilter import denied_classes
from flake8_keras_layers.knowledge import facts, stubs, versions

SOURCE = """\
import tensorflow as tf
import tensorflow.python.keras as tfk
import tensorflow.python.keras
from keras import layers
from tf_keras.src.engine import base_layer
from tensorflow.python.keras.engine.base_layer import Layer as TFLayer
try:
    from tf_keras.src.engine import training
except ImportError:
    from tensorflow.python.keras.engine import training
from tf_keras.src.engine import input_spec
input_spec = layers


class Dense(base_layer.Layer):  # denied
    def call(self, x):
        return x


class Model(training.Model):  # denied: both imports are refused
    def call(self, x):
        return x


class Old(TFLayer):  # denied
    def call(self, x):
        return x


class Aliased(tfk.layers.Layer):  # denied: ``import a.b as c`` imports a.b
    def call(self, x):
        return x


class Mixed(object, base_layer.Layer):  # denied: one base is enough
    def call(self, x):
        return x


class Stubbed(tf.keras.layers.Layer):  # not denied: tensorflow's stub
    def call(self, x):
        return x


class Rooted(tensorflow.python.keras.layers.Layer):  # not denied: ``import a.b`` binds a, a stub (astroid
    def call(self, x):  # then fails on tensorflow.python: only direct imports of refused modules are claimed)
        return x


class Keras3(layers.Layer):  # not denied
    def call(self, x):
        return x


class Rebound(input_spec.Layer):  # not denied: input_spec is assigned too
    def call(self, x):
        return x


def factory():
    class Local(base_layer.Layer):  # not denied: not a module-level class
        def call(self, x):
            return x
    return Local
"""

DENIED = {"Dense", "Model", "Old", "Aliased", "Mixed"}


def _denied(source: str) -> set[str]:
    tree = ast.parse(source)
    lines = denied_classes(tree, stubs.ROOTS, stubs.module_names(facts.default()))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.lineno in lines}


def test_which_classes_are_denied():
    assert _denied(SOURCE) == DENIED


def test_denied_classes_are_what_the_resolver_says(tmp_path):
    """Every class claimed denied resolves to no Keras ancestry; the stubbed ones do."""
    resolved = resolved_classes(SOURCE, tmp_path / "m.py")
    assert all(resolved[name] is None for name in DENIED)
    assert all(resolved[name] is not None for name in ("Stubbed", "Keras3", "Rebound"))


@pytest.mark.parametrize("header", [
    "from somewhere import *\n",
    "def f():\n    global base_layer\n    base_layer = 1\n",
    "base_layer = 1\n",
    "from .engine import base_layer\n",  # relative: the linted project's own module
])
def test_a_rebinding_or_a_star_import_leaves_the_class_unproven(header):
    source = "from tf_keras.src.engine import base_layer\n" + header + \
        "class Dense(base_layer.Layer):\n    def call(self, x):\n        return x\n"
    assert not _denied(source)


def test_a_file_of_denied_classes_never_reaches_astroid(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(driver, "Session", lambda *args: opened.append(args))
    source = textwrap.dedent("""\
        from tf_keras.src.engine import base_layer

        class Dense(base_layer.Layer):
            def build(self, input_shape):
                self.built = True

            def call(self, x):
                return x
        """)
    assert driver.analyze(source, str(tmp_path / "m.py"), versions.Target.any(), facts.default) == []
    assert opened == []


def test_keras_own_source_tree_is_not_screened_so(tmp_path, monkeypatch):
    """There, ``keras.src`` modules are read from the project: the import is not refused."""
    (tmp_path / "keras" / "src").mkdir(parents=True)
    (tmp_path / "keras" / "src" / "version.py").write_text("__version__ = '3.8.0'\n")
    monkeypatch.setattr(driver, "Session", _open)
    source = "from keras.src.engine import base\n\nclass Dense(base.Layer):\n    def call(self, x):\n        return x\n"
    with pytest.raises(_Opened):
        driver.analyze(source, str(tmp_path / "keras" / "src" / "m.py"), versions.Target.any(), facts.default)


class _Opened(Exception):
    pass


def _open(*args):
    raise _Opened()  # in place of opening a session
