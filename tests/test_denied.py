"""engine/denied.py (pre-filter step 4): classes whose base astroid cannot import (a Keras module no stub
provides), module rules whose calls cannot report because of such names, and files of them skip astroid."""

from __future__ import annotations

import ast
import textwrap

import pytest
from astroid import nodes
from astroid.builder import AstroidBuilder
from helpers import resolved_classes

from flake8_keras_layers.analysis import resolver
from flake8_keras_layers.engine import driver
from flake8_keras_layers.engine.session import Session
from flake8_keras_layers.engine.denied import Denied
from flake8_keras_layers.knowledge import facts, stubs, versions
from flake8_keras_layers.rules import ALL

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
    lines = Denied(tree, stubs.ROOTS, stubs.module_names(facts.default())).classes
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


# Module rules (Denied.silent): what each case's calls leave silent, by what the rule needs of a call.
HEADER = """\
from tensorflow.python.keras.layers import core
from tf_keras.src.engine import base_layer
from keras import layers
from project import Mixin


class Cell(base_layer.Layer):
    pass


class Holder:
    Inner = layers.Dense
"""

SILENT = "KL106 KL301 KL902"
MODULE_CASES = [
    ("refused-root", "x = core.Dense(4, activation=layers.ReLU())\n", SILENT),
    ("denied-class-by-name", "x = Cell(activation=layers.ReLU())\n", SILENT),
    ("denied-class-name-rebound", "Cell = layers.Dense\nx = Cell(activation=layers.ReLU())\n", "KL106 KL902"),
    ("attribute-of-a-denied-class", "x = Cell.Inner(activation=layers.ReLU())\n", "KL106 KL902"),
    ("keras-callee", "x = layers.Dense(4, activation=layers.ReLU())\n", "KL106 KL902"),
    ("rebound-in-a-function", "def f(core):\n    return core.Dense(4, activation=layers.ReLU())\n", "KL106 KL902"),
    ("rebound-at-module-level", "core = layers\nx = core.Dense(4, activation=layers.ReLU())\n", "KL106 KL902"),
    ("super-in-a-class-astroid-finds-nothing-above",
     "class Sub(base_layer.Layer):\n    def __init__(self, activation):\n"
     "        super().__init__(activation=activation)\n", SILENT),
    ("super-with-a-base-astroid-reads",
     "class Sub(base_layer.Layer, Mixin):\n    def __init__(self, activation):\n"
     "        super().__init__(activation=activation)\n", "KL106 KL902"),
    ("super-of-a-class-astroid-reads-a-base-of",
     "class Sub(base_layer.Layer, Holder):\n    def __init__(self):\n"
     "        super().Inner(activation=layers.ReLU())\n", "KL106 KL902"),
    ("super-class-attribute",
     "class Sub(base_layer.Layer):\n    def __init__(self, activation):\n"
     "        super().__class__(activation=activation)\n", "KL106 KL902"),
    ("super-with-arguments",
     "class Sub(base_layer.Layer):\n    def __init__(self, activation):\n"
     "        super(Sub, self).__init__(activation=activation)\n", "KL106 KL902"),
    ("super-rebound",
     "super = layers.Layer\nclass Sub(base_layer.Layer):\n    def __init__(self, activation):\n"
     "        super().__init__(activation=activation)\n", "KL106 KL902"),
    ("super-rebound-around",
     "class Sub(base_layer.Layer):\n    def __init__(self, activation, super=None):\n"
     "        super().__init__(activation=activation)\n", "KL106 KL902"),
    ("super-in-a-local-class",
     "def f():\n    class Sub(base_layer.Layer):\n        def __init__(self, activation):\n"
     "            super().__init__(activation=activation)\n", "KL106 KL902"),
    ("add-weight-in-a-denied-class",
     "class Sub(base_layer.Layer):\n    def build(self, shape):\n        self.add_weight('w')\n", SILENT),
    ("add-weight-in-a-keras-class",
     "class Sub(layers.Layer):\n    def build(self, shape):\n        self.add_weight('w')\n", "KL301 KL902"),
    ("add-weight-in-a-class-inside-a-denied-one",
     "class Sub(base_layer.Layer):\n    class Inner(layers.Layer):\n        def build(self, shape):\n"
     "            self.add_weight('w')\n", "KL301 KL902"),
    ("add-weight-outside-classes", "def f(layer):\n    layer.add_weight('w')\n", SILENT),
    ("lambda-of-a-refused-module", "x = core.Lambda(lambda v: v)\n", SILENT),
    ("keras-lambda", "x = layers.Lambda(lambda v: v)\n", "KL106 KL301"),
    ("star-import", "from somewhere import *\nx = core.Dense(4, activation=layers.ReLU())\n", ""),
    # {module}: the module's own name. astroid adds an attribute assigned on a module to that module.
    ("name-assigned-as-an-attribute",
     "import {module}\n{module}.core = layers\nx = core.Dense(4, activation=layers.ReLU())\n", "KL106 KL902"),
    ("name-assigned-as-an-attribute-across-lines",
     "import {module}\n({module} .  # a comment\n    core) = layers\nx = core.Dense(4, activation=layers.ReLU())\n",
     "KL106 KL902"),
    ("name-assigned-as-an-attribute-after-a-continuation",
     "import {module}\n{module}.\\\ncore = layers\nx = core.Dense(4, activation=layers.ReLU())\n", "KL106 KL902"),
    ("name-assigned-as-an-attribute-after-a-tab-and-a-form-feed",
     "import {module}\n{module}.\t\x0ccore = layers\nx = core.Dense(4, activation=layers.ReLU())\n", "KL106 KL902"),
    ("name-assigned-as-an-attribute-after-a-newline-in-brackets",
     "import {module}\n({module}.\n    core) = layers\nx = core.Dense(4, activation=layers.ReLU())\n", "KL106 KL902"),
    ("name-assigned-as-an-attribute-after-a-carriage-return",  # flake8 keeps it in some stdin sources
     "import {module}\n{module}.\\\rcore = layers\nx = core.Dense(4, activation=layers.ReLU())\n", "KL106 KL902"),
    ("name-assigned-as-an-attribute-spelled-in-fullwidth",  # Python folds it (NFKC): the text test is not used
     "import {module}\n{module}.\uff43ore = layers\nx = core.Dense(4, activation=layers.ReLU())\n", "KL106 KL902"),
    ("denied-class-name-assigned-as-an-attribute",
     "import {module}\n{module}.Cell = layers.Dense\nx = Cell(activation=layers.ReLU())\n", "KL106 KL902"),
    ("super-assigned-on-builtins",
     "import builtins\nbuiltins.super = lambda: layers\nclass Sub(base_layer.Layer):\n    def build(self, s):\n"
     "        super().Dense(4, activation=layers.ReLU())\n", "KL106 KL902"),
    ("walrus-in-an-annotation",
     "def f(x: (core := layers)):\n    return x\ny = core.Dense(4, activation=layers.ReLU())\n", "KL106 KL902"),
    ("super-declared-global",
     "def f():\n    global super\nclass Sub(base_layer.Layer):\n    def __init__(self, a):\n"
     "        super().__init__(activation=a)\n", "KL106 KL902"),
    ("super-with-keywords",
     "class Sub(base_layer.Layer):\n    def __init__(self, a):\n        super(x=1).__init__(activation=a)\n",
     "KL106 KL902"),
    ("denied-class-name-declared-global",
     "def f():\n    global Cell\nx = Cell(activation=layers.ReLU())\n", "KL106 KL902"),
    ("relative-import", "from .tensorflow.python.keras.layers import Dense\nx = Dense(4, activation=layers.ReLU())\n",
     "KL106 KL902"),
]


def _rules():
    return tuple(r for r in ALL if r.code in ("KL106", "KL301", "KL902"))


@pytest.mark.parametrize("name, body, silent", MODULE_CASES, ids=[c[0] for c in MODULE_CASES])
def test_which_module_rules_are_silent(name, body, silent):
    source = HEADER + body.replace("{module}", "m")
    found = Denied(ast.parse(source), stubs.ROOTS, stubs.module_names(facts.default()), _rules(), source).silent
    assert sorted(found) == silent.split()


def _can_report(call: nodes.Call, needs: str) -> bool:
    """What astroid says of the call, for what the rule needs of it (rules.ModuleRule.needs)."""
    if needs == "method":
        scope = call.scope()
        cls = scope.parent if isinstance(scope, nodes.FunctionDef) else None
        return isinstance(cls, nodes.ClassDef) and resolver.resolve_class(cls) is not None
    values = resolver.safe_infer_all(call.func) or []
    return any(isinstance(v, nodes.ClassDef) and (stubs.keras_identity(v) or resolver.resolve_class(v))
               for v in values)


@pytest.mark.parametrize("transforms", [False, True], ids=["linted", "imported"])
def test_silent_rules_are_what_astroid_says(tmp_path, transforms):
    """For every case, a rule is claimed silent only if astroid lets none of its calls report: the module
    built as the linted file (no brain transforms) and as an imported one (``super()``'s inference tip)."""
    rules = _rules()
    reporting_in = {}
    for name, body, _ in MODULE_CASES:
        path = tmp_path / f"{name.replace('-', '_')}.py"
        source = HEADER + body.replace("{module}", path.stem)
        path.write_text(source, encoding="utf-8", newline="")
        silent = Denied(ast.parse(source), stubs.ROOTS, stubs.module_names(facts.default()), rules, source).silent
        with Session(str(path), facts.default()) as session:
            if transforms:
                module = AstroidBuilder(session.manager).string_build(source, path.stem, str(path))
            else:
                module = session.build_module(source, ast.parse(source))
            reporting = {r.code for r in rules for call in module.nodes_of_class(nodes.Call)
                         if _triggers(r, call) and _can_report(call, r.needs)}
        assert not reporting & silent, name
        reporting_in[name] = reporting
    # Not vacuous: astroid does find Keras' classes where they are.
    assert reporting_in["keras-callee"] == {"KL301"} and reporting_in["keras-lambda"] == {"KL902"}
    assert reporting_in["add-weight-in-a-keras-class"] == {"KL106"}
    assert reporting_in["super-of-a-class-astroid-reads-a-base-of"] == ({"KL301"} if transforms else set())
    assert all(found == {"KL301"} for name, found in reporting_in.items() if name.startswith("name-assigned"))
    assert reporting_in["super-assigned-on-builtins"] == (set() if transforms else {"KL301"})


def _triggers(rule, call: nodes.Call) -> bool:
    func = call.func
    name = func.attrname if isinstance(func, nodes.Attribute) else getattr(func, "name", None)
    return name in rule.callees or any(k.arg in rule.keywords for k in call.keywords or ())


def test_a_file_of_silent_module_rule_calls_never_reaches_astroid(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(driver, "Session", lambda *args: opened.append(args))
    source = HEADER + "x = core.Dense(4, activation=layers.ReLU())\ny = Cell(activation=layers.ReLU())\n"
    assert driver.analyze(source, str(tmp_path / "m.py"), versions.Target.any(), facts.default) == []
    assert opened == []
    monkeypatch.setattr(driver, "Session", _open)
    with pytest.raises(_Opened):  # one call that may report is enough
        driver.analyze(source + "z = layers.Dense(4, activation=layers.ReLU())\n", str(tmp_path / "m.py"),
                       versions.Target.any(), facts.default)


def test_a_star_import_anywhere_leaves_every_rule_to_astroid():
    """Wherever it is (the module's imports are read from the last statement up)."""
    body = "x = core.Dense(4, activation=layers.ReLU())\n"
    for source in ("from somewhere import *\n" + HEADER + body, HEADER + "from somewhere import *\n" + body):
        assert not Denied(ast.parse(source), stubs.ROOTS, stubs.module_names(facts.default()), _rules(), source).silent


def test_a_class_with_type_parameters_is_not_claimed():
    """``class L[T](base_layer.Layer)`` (Python 3.12): astroid looks ``base_layer`` up in the class body first.
    The node's ``type_params`` are set by hand: this test runs on any Python."""
    tree = ast.parse(HEADER + "class L(base_layer.Layer):\n    def build(self, shape):\n        self.add_weight('w')\n")
    generic = tree.body[-1]
    assert _claims(tree) == ({"Cell", "L"}, {"KL106", "KL301", "KL902"})
    generic.type_params = [ast.Name("T")]
    assert _claims(tree) == ({"Cell"}, {"KL301", "KL902"})


def _claims(tree: ast.AST) -> tuple[set[str], set[str]]:
    found = Denied(tree, stubs.ROOTS, stubs.module_names(facts.default()), _rules())
    names = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.lineno in found.classes}
    return names, set(found.silent)


def test_not_in_a_module_whose_own_classes_the_stubs_take_for_keras(tmp_path, monkeypatch):
    """A project's ``keras/layers.py`` (not Keras' own tree): keras_identity takes its classes for Keras'."""
    (tmp_path / "keras").mkdir()
    (tmp_path / "keras" / "__init__.py").write_text("")
    monkeypatch.setattr(driver, "Session", _open)
    source = HEADER + "class L(base_layer.Layer):\n    def build(self, shape):\n        self.add_weight('w')\n"
    with pytest.raises(_Opened):
        driver.analyze(source, str(tmp_path / "keras" / "layers.py"), versions.Target.any(), facts.default)
