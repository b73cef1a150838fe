"""engine/assattr.py registers ``self.<attr> = ...`` as astroid's own ``delayed_assattr`` does, on every shape."""

import itertools

import astroid
import pytest
from astroid import nodes
from astroid.builder import AstroidBuilder

from flake8_keras_layers.engine import assattr

_names = itertools.count()

# (source, how many of its ``<expr>.<attr> = ...`` statements take the direct way)
CASES = {
    "plain methods": ("""
class Block:
    def __init__(self, units):
        self.units = units
        self.dense = object()
    def build(self, shape):
        self.kernel = shape
        for i in range(3):
            self.last = i
        with open("x") as f:
            self.handle = f
        try:
            self.maybe = 1
        except Exception:
            self.maybe = 2
""", 7),
    "another name than self": ("class A:\n    def f(this):\n        this.x = 1\n", 1),
    "positional-only self": ("class A:\n    def f(me, /, y):\n        me.x = y\n", 1),
    "classmethod": ("class A:\n    @classmethod\n    def f(cls):\n        cls.x = 1\n", 0),
    "classmethod by assignment": ("class A:\n    def f(cls):\n        cls.x = 1\n    f = classmethod(f)\n", 0),
    "staticmethod": ("class A:\n    @staticmethod\n    def f(obj):\n        obj.x = 1\n", 0),
    "__new__": ("class A:\n    def __new__(cls):\n        cls.x = 1\n        return object.__new__(cls)\n", 0),
    "__init_subclass__": ("class A:\n    def __init_subclass__(cls):\n        cls.x = 1\n", 0),
    "metaclass": ("class Meta(type):\n    def __init__(cls, *args):\n        cls.x = 1\n", 0),
    "self rebound": ("class A:\n    def f(self, other):\n        self = other\n        self.x = 1\n", 0),
    "narrowed by if": ("class A:\n    def f(self):\n        if self is None:\n            self.x = 1\n", 0),
    "in an else": (
        "class A:\n    def f(self):\n        if self is not None:\n            pass\n        else:\n"
        "            self.y = 1\n", 0),
    "in a comprehension target": ("class A:\n    def f(self):\n        [0 for self.x in range(2)]\n", 0),
    "nested function": ("class A:\n    def f(self):\n        def g():\n            self.x = 1\n        g()\n", 0),
    "self only as *args": ("class A:\n    def f(*self):\n        self.x = 1\n", 0),
    "not the first parameter": ("class A:\n    def f(self, other):\n        other.x = 1\n", 0),
    "a module function": ("def f(obj):\n    obj.x = 1\n", 0),
    "slots forbid it": (
        "class A:\n    __slots__ = ('a',)\n    def f(self):\n        self.a = 1\n        self.b = 2\n", 2),
    "slots only annotated": (  # astroid 3.3 cannot read them (InferenceError), astroid 4 reads none
        "class A:\n    __slots__: tuple\n    def __init__(self):\n        self.units = 4\n", 1),
    "exception subclass": ("class E(Exception):\n    def __init__(self):\n        self.code = 1\n", 1),
    "on another object": (
        "class A:\n    pass\nclass B:\n    def f(self):\n        A.x = 1\n        self.y = A\n", 1),
    "decorated method": (
        "import functools\nclass A:\n    @functools.lru_cache\n    def f(self):\n        self.x = 1\n", 1),
}


def _registrations(module: nodes.Module) -> dict:
    """Where every ``<expr>.<attr>`` statement landed: each scope's instance attributes and locals."""
    found = {}
    for scope in module.nodes_of_class((nodes.ClassDef, nodes.FunctionDef)):
        for kind in ("instance_attrs", "locals"):
            for name, values in getattr(scope, kind, {}).items():
                attrs = [(v.lineno, v.col_offset) for v in values if isinstance(v, nodes.AssignAttr)]
                if attrs:
                    found[(scope.name, scope.lineno, kind, name)] = attrs
    return found


def _build(source: str) -> nodes.Module:
    return AstroidBuilder(astroid.MANAGER).string_build(source, f"assattr_case_{next(_names)}")


@pytest.fixture
def direct():
    assattr.begin()
    yield
    assattr.end()


@pytest.mark.parametrize("name", CASES)
def test_the_direct_way_registers_what_astroid_does(name, direct):
    source, shortcuts = CASES[name]
    mine = _build(source)
    assattr.end()
    theirs = _build(source)
    assert _registrations(mine) == _registrations(theirs)
    taken = [n for n in mine.nodes_of_class(nodes.AssignAttr) if assattr.own_instance_class(n) is not None]
    assert len(taken) == shortcuts  # the direct way is taken exactly where certain


def test_astroid_s_own_method_is_back_after_the_session():
    original = AstroidBuilder.delayed_assattr
    assattr.begin()
    assert AstroidBuilder.delayed_assattr is not original
    assattr.end()
    assert AstroidBuilder.delayed_assattr is original
