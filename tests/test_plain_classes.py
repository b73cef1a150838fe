"""prefilter.plain_classes: classes proven no Keras class from the text alone, and files of them skip astroid."""

from __future__ import annotations

import ast
import textwrap

import pytest
from helpers import resolved_classes

from flake8_keras_layers.engine import driver
from flake8_keras_layers.engine.prefilter import plain_classes
from flake8_keras_layers.knowledge import facts, versions

SOURCE = """\
import keras
from keras import layers


class Error(Exception):  # plain
    def __init__(self, message):
        super().__init__(message)


class Base(object):  # plain
    pass


class Child(Base):  # plain: a plain class above
    def __init__(self):
        super().__init__()


class Early(Later):  # not plain: its base is defined below
    pass


class Later(object):  # plain
    pass


class Layered(layers.Layer):  # not plain
    def call(self, x):
        return x


class FromLayer(Layered):  # not plain: its base is a Keras layer
    pass


class Shadowed(ValueError):  # not plain: ValueError is rebound below
    pass


ValueError = keras.layers.Dense


def factory(object):
    class Local(object):  # not plain: the parameter shadows the builtin
        pass

    class Other(Exception):  # plain: nothing around binds Exception
        pass

    return Local, Other


def elsewhere(RuntimeError):
    return RuntimeError


class Untouched(RuntimeError):  # plain: a parameter of another function does not bind the module's name
    pass


class Twice(Base):  # plain, but its name is bound twice: a subclass of it is unproven
    pass


Twice = Layered


class FromTwice(Twice):  # not plain
    pass
"""

PLAIN = {"Error", "Base", "Child", "Later", "Other", "Untouched", "Twice"}


def _classes(tree: ast.AST) -> dict[str, int]:
    return {n.name: n.lineno for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}


def test_which_classes_are_plain():
    tree = ast.parse(SOURCE)
    lines = _classes(tree)
    assert {name for name, line in lines.items() if line in plain_classes(tree)} == PLAIN


def test_plain_classes_are_what_the_resolver_says(tmp_path):
    """Every class claimed plain resolves to no Keras ancestry; the layers do."""
    resolved = resolved_classes(SOURCE, tmp_path / "m.py")
    assert all(resolved[name] is None for name in PLAIN)
    assert resolved["Layered"] is not None and resolved["FromLayer"] is not None


@pytest.mark.parametrize("header", ["from somewhere import *\n", "def f():\n    global Exception\n    Exception = 1\n",
                                    "import Exception\n", "for Exception in ():\n    pass\n",
                                    "def f(x: (Exception := int)):\n    pass\n",  # astroid binds it here
                                    "def f(*x: (Exception := int)) -> None:\n    pass\n"])
def test_a_rebinding_leaves_the_class_unproven(header):
    tree = ast.parse(header + "class Error(Exception):\n    def __init__(self):\n        pass\n")
    assert not plain_classes(tree)


def test_a_class_with_type_parameters_is_unproven():
    """``class Error[T](Exception)`` (Python 3.12): astroid looks ``Exception`` up in the class body first.
    The node's ``type_params`` are set by hand: this test runs on any Python."""
    tree = ast.parse("class Error(Exception):\n    def __init__(self):\n        pass\n")
    assert plain_classes(tree)
    tree.body[0].type_params = [ast.Name("T")]
    assert not plain_classes(tree)


def test_a_file_of_plain_classes_never_reaches_astroid(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(driver, "Session", lambda *args: opened.append(args))
    source = textwrap.dedent("""\
        class Error(Exception):
            def __init__(self, message):
                super().__init__(message)
                self.built = True

            def call(self):
                return Exception()
        """)
    asked = []

    def target():
        asked.append("target")
        return versions.Target.any()

    assert driver.analyze(source, str(tmp_path / "m.py"), target, facts.default) == []
    assert opened == [] and asked == []
