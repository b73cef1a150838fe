"""held.py: a ``self.<attr>`` callee claimed to hold an instance has one among astroid's values, found without a build."""

from __future__ import annotations

import ast
import textwrap

import astroid
from astroid import bases, nodes

from flake8_keras_layers.analysis import held, resolver
from flake8_keras_layers.engine.session import Session
from flake8_keras_layers.knowledge import facts

MAIN = """\
import keras
from {name}.sub import Sub

class Local(keras.layers.Layer):
    pass

class Meta(type):
    def __call__(cls, *args):
        return cls

class Odd(metaclass=Meta):
    pass

def factory():
    return keras.layers.Dense

class Block(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(4)
        self.local = Local()
        self.sub = Sub()
        self.cls = keras.layers.Dense
        self.made = factory()
        self.odd = Odd()
        self.both = Local()

    def build(self, shape):
        self.both = Sub()

    def call(self, x):
        self.dense(x)
        self.local(x)
        self.sub(x)
        self.cls(x)
        self.made(x)
        self.odd(x)
        self.both(x)
        if self.dense is not None:
            self.dense(x)
        return x

    @staticmethod
    def helper(self):
        self.dense(1)
"""

# (callee, line in call()/helper, in order) -> claimed to hold an instance
CASES = [
    ("self.dense", True),  # a Keras stub class called
    ("self.local", True),  # a class of this module called
    ("self.sub", False),  # a class imported from the project: would need its module
    ("self.cls", False),  # the class itself: calling it constructs
    ("self.made", False),  # a factory's result: unknown
    ("self.odd", False),  # a metaclass __call__ decides what the call gives
    ("self.both", True),  # Local() is enough, whatever build() stores
    ("self.dense", False),  # narrowed by the test on it
    ("self.dense", False),  # a staticmethod's first parameter is no instance
]


def _project(tmp_path, name: str) -> str:
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "sub.py").write_text("import keras\n\nclass Sub(keras.layers.Layer):\n    pass\n")
    main = package / "main.py"
    main.write_text(textwrap.dedent(MAIN.format(name=name)))
    return str(main)


def _callees(module: nodes.Module) -> list[nodes.Call]:
    block = module.body[-1]
    methods = [m for m in block.body if isinstance(m, nodes.FunctionDef) and m.name in ("call", "helper")]
    return [c for m in methods for c in m.nodes_of_class(nodes.Call)
            if isinstance(c.func, nodes.Attribute) and c.func.as_string().startswith("self.")]


def test_claims_match_astroid_and_build_nothing(tmp_path):
    filename = _project(tmp_path, "held_a")
    with Session(filename, facts.default()) as session:
        source = open(filename).read()
        module = session.build_module(source, ast.parse(source))
        calls = _callees(module)
        assert [c.func.as_string() for c in calls] == [text for text, _ in CASES]
        built_before = set(astroid.MANAGER.astroid_cache)
        claims = [held.holds_instance(c.func) for c in calls]
        assert claims == [claim for _, claim in CASES]
        assert set(astroid.MANAGER.astroid_cache) == built_before, "the check must not build a module"
        # Proved: constructed_class answers without astroid building Sub's module for self.both's other value.
        both = calls[6]
        assert resolver.constructed_class(both) is None
        assert "held_a.sub" not in astroid.MANAGER.astroid_cache
        # What astroid then says: an instance among the values of every claimed callee.
        for call, claim in zip(calls, claims):
            if claim:
                values = list(call.func.infer())
                assert any(isinstance(v, bases.Instance) and not isinstance(v, bases.BoundMethod)
                           for v in values), call.func.as_string()
                assert resolver.constructed_class(call) is None
        # The class object itself still constructs.
        assert resolver.constructed_class(calls[3]) is not None
