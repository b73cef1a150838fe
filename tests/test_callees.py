"""callees.py: a callee claimed to be an imported function is one among astroid's values, found without a build."""

from __future__ import annotations

import ast
import os
import textwrap

import astroid
import pytest
from astroid import nodes

from flake8_keras_layers.analysis import callees, resolver
from flake8_keras_layers.engine.session import Session
from flake8_keras_layers.knowledge import facts, stubs

UTIL = """\
import keras

def helper(x):
    return x

def both(x):
    return x

both = keras.layers.Dense

def deco(f):
    return f

@deco
def decorated(x):
    return x

class Block(keras.layers.Layer):
    pass

if True:
    def in_block(x):
        return x
"""

# callee as written -> claimed a function
CASES = {
    "helper(1)": True,
    "both(1)": True,  # a def among the values: never one class alone
    "decorated(1)": False,  # a decorator may return anything
    "Block()": False,
    "in_block(1)": True,
    "u.helper(1)": True,
    "u.Block()": False,
    "util.helper(1)": True,  # util: a submodule the package never binds
    "bound.helper(1)": False,  # bound: the package binds the name itself
    "starred(1)": False,  # bound by a star import: not read
    "local(1)": False,
}


def _project(tmp_path, name: str) -> str:
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("bound = None\n")
    (package / "util.py").write_text(UTIL)
    (package / "bound.py").write_text(UTIL)
    (package / "star.py").write_text(f"from {name}.util import *\n")
    calls = "\n".join(f"    {call}" for call in CASES)
    main = package / "main.py"
    main.write_text(textwrap.dedent(f"""\
        import {name}.util as u
        from {name} import util, bound
        from {name}.util import helper, both, decorated, Block, in_block
        from {name}.star import helper as starred
        def local(x):
            return x
        def f():
        """) + calls + "\n")
    return str(main)


def _calls(module: nodes.Module) -> dict[str, nodes.Call]:
    function = next(f for f in module.body if isinstance(f, nodes.FunctionDef) and f.name == "f")
    return {c.value.as_string(): c.value for c in function.body}


def test_claims_match_astroid_and_build_nothing(tmp_path):
    filename = _project(tmp_path, "cal_a")
    with Session(filename, facts.default()) as session:
        source = open(filename).read()
        module = session.build_module(source, ast.parse(source))
        built_before = set(astroid.MANAGER.astroid_cache)
        claims = {text: callees.is_imported_function(call.func) for text, call in _calls(module).items()}
        assert claims == CASES
        assert "cal_a.util" not in astroid.MANAGER.astroid_cache, "the check must not build the module"
        assert set(astroid.MANAGER.astroid_cache) == built_before
        # What astroid then says: a function among the values of every claimed callee.
        for text, call in _calls(module).items():
            if claims[text]:
                values = list(call.func.infer())
                assert any(isinstance(v, nodes.FunctionDef) for v in values), text
                assert resolver.constructed_class(call) is None
        assert resolver.constructed_class(_calls(module)["u.Block()"]) is not None


def test_a_constraint_on_the_name_claims_nothing(tmp_path):
    """astroid narrows a name's values under a test on it (``is None`` in 3.3; ``isinstance`` too from 4.0)."""
    filename = _project(tmp_path, "cal_b")
    source = open(filename).read() + "    if helper is not None:\n        helper(2)\n"
    with Session(filename, facts.default()) as session:
        module = session.build_module(source, ast.parse(source))
        guarded = list(module.body[-1].body[-1].nodes_of_class(nodes.Call))[-1]
        assert guarded.func.as_string() == "helper"
        assert not callees.is_imported_function(guarded.func)


@pytest.mark.parametrize("replacement, expected", [("class helper(keras.layers.Layer):\n    pass\n", False),
                                                   ("def helper(x, y=2):\n    return y\n", True)])
def test_a_changed_module_is_read_again(tmp_path, replacement, expected):
    filename = _project(tmp_path, "cal_c")
    util = tmp_path / "cal_c" / "util.py"
    with Session(filename, facts.default()) as session:
        source = open(filename).read()
        module = session.build_module(source, ast.parse(source))
        assert callees.is_imported_function(_calls(module)["helper(1)"].func)
    util.write_text(UTIL.replace("def helper(x):\n    return x\n", replacement))
    stat = os.stat(util)
    os.utime(util, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with Session(filename, facts.default()) as session:
        module = session.build_module(source, ast.parse(source))
        assert callees.is_imported_function(_calls(module)["helper(1)"].func) is expected


# An attribute of an import from a Keras root that no stub has: no class, told without inferring it.

KERAS_CALLEES = """\
import keras
import numpy as np
from keras import ops, layers
try:
    import tf_keras as tk
except ImportError:
    import keras as tk

def f(x):
    ops.matmul(x, x)
    tk.anything(x)
    keras.nothing(x)
    layers.Dense(3)
    layers.__class__(3)
    ops.mro(x)
    np.matmul(x, x)
"""
# callee as written -> claimed no class without inference
KERAS_CASES = {"ops.matmul": True, "tk.anything": True, "keras.nothing": True, "layers.Dense": False,
               "layers.__class__": False, "ops.mro": False, "np.matmul": False}


def _keras_calls(module: nodes.Module) -> dict[str, nodes.Call]:
    function = next(f for f in module.body if isinstance(f, nodes.FunctionDef) and f.name == "f")
    return {c.value.func.as_string(): c.value for c in function.body}


def test_keras_root_attributes_no_stub_has_are_no_class(tmp_path):
    filename = str(tmp_path / "keras_callees.py")
    with Session(filename, facts.default()) as session:
        module = session.build_module(KERAS_CALLEES, ast.parse(KERAS_CALLEES))
        calls = _keras_calls(module)
        assert {text: callees.is_keras_non_class(call.func) for text, call in calls.items()} == KERAS_CASES
        for text, call in calls.items():
            if KERAS_CASES[text]:  # what astroid says: nothing, or nothing that is one class
                values = resolver.safe_infer_all(call.func)
                assert values is None or not isinstance(values[0], nodes.ClassDef), text


def test_an_attribute_registered_on_a_stub_is_inferred(tmp_path):
    """``layers.make = Maker`` puts ``make`` on the stub module for this file: KL104 must see the class."""
    from helpers import lint

    source = """\
        import keras
        from keras import layers

        class Maker(keras.layers.Dense):
            pass

        layers.make = Maker

        class Block(keras.layers.Layer):
            def call(self, x):
                return layers.make(4)(x)
        """
    assert lint(source, tmp_path / "registered.py", codes={"KL104"}) == ["11:KL104"]


def test_nothing_is_claimed_while_keras_own_modules_are_read(tmp_path):
    filename = str(tmp_path / "keras_callees.py")
    with Session(filename, facts.default()) as session:
        module = session.build_module(KERAS_CALLEES, ast.parse(KERAS_CALLEES))
        stubs.use_project_keras(str(tmp_path))
        try:
            assert not callees.is_keras_non_class(_keras_calls(module)["ops.matmul"].func)
        finally:
            stubs.use_project_keras(None)
