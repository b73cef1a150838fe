"""The fast paths give the answers of the slow ones: text pre-filter, astroid module from flake8's tree, caches."""

import ast
import gc
import weakref

import astroid
import pytest
from astroid.builder import AstroidBuilder
from helpers import lint

from flake8_keras_layers.engine import caches, prefilter
from flake8_keras_layers.knowledge import facts as knowledge, stubs
from flake8_keras_layers.engine.session import Session
from flake8_keras_layers.rules import ALL, ModuleRule

POOLING = "import keras\n\n\nclass P(keras.layers.MaxPooling2D):\n    def build(self, input_shape):\n        pass\n"


# Text pre-filter: a necessary condition, never a guess.

def class_rules_kept(source: str) -> set[str]:
    return {r.code for r in prefilter.text_allows(ALL, source) if not isinstance(r, ModuleRule)}


def test_a_file_without_a_method_any_rule_looks_at_costs_no_parse():
    assert prefilter.text_allows(ALL, "import os\n\n\ndef helper(x):\n    return os.path.join(x, 'y')\n") == ()


@pytest.mark.parametrize("definition", [
    "def build(self, s):", "async def build(self, s):", "def  build (self, s):", "def\\\n        build(self, s):",
])
def test_every_spelling_of_a_definition_passes(definition):
    source = f"class P(Base):\n    {definition}\n        pass\n"
    assert "KL101" in class_rules_kept(source)


@pytest.mark.parametrize("spelling", ["undef build(self, s):", "_def build(self, s):", "xdef\\\n build(self):"])
def test_def_must_be_a_whole_word(spelling):
    assert "KL101" not in class_rules_kept(f"class P(Base):\n    x = 1  # {spelling}\n")


def test_several_bases_must_follow_the_class_keyword_as_a_whole_word():
    kept = {r.code for r in prefilter.text_allows(ALL, "subclass P(A, B): pass\n")}
    assert "KL101" not in kept
    assert "KL101" in {r.code for r in prefilter.text_allows(ALL, "class P(A, B): pass\n")}


def test_non_ascii_sources_skip_the_text_step():
    # Python folds identifiers (NFKC): `def ｂｕｉｌｄ` defines `build`.
    source = POOLING.replace("def build", "def \uff42\uff55\uff49\uff4c\uff44")
    assert "KL101" in class_rules_kept(source)


def test_non_ascii_build_is_still_reported(tmp_path):
    source = POOLING.replace("def build", "def \uff42\uff55\uff49\uff4c\uff44")
    assert lint(source, tmp_path / "m.py", codes=("KL101",)) == ["5:KL101"]


# The astroid module from flake8's tree.

SOURCES = {
    "docstrings everywhere": '"""Module."""\nimport keras\n\n\nclass P(keras.layers.Layer):\n    """Class."""\n\n'
                             '    def call(self, x):\n        """Method."""\n        return x\n\n\n'
                             'async def f():\n    """Coroutine."""\n    if True:\n        def g():\n'
                             '            """Nested."""\n',
    "type comments": "def f(a, b):\n    # type: (int, str) -> None\n    x = []  # type: list[int]\n",
    "misplaced type comment": "x = 1\n# type: int\n",
    "decorators and nesting": "import functools\n\n\n@functools.total_ordering\nclass A:\n    class B:\n"
                              "        @staticmethod\n        def f():\n            return lambda: [i for i in ()]\n",
    "match and try": "def f(x):\n    match x:\n        case 1:\n            '''s'''\n    try:\n        pass\n"
                     "    except ValueError:\n        pass\n",
}


def shape(module: astroid.nodes.Module) -> str:
    scopes = [module, *module.nodes_of_class((astroid.nodes.ClassDef, astroid.nodes.FunctionDef))]
    return module.repr_tree() + repr([(s.name, sorted(s.locals), sorted(getattr(s, "instance_attrs", {})))
                                      for s in scopes])


@pytest.mark.parametrize("name", SOURCES)
def test_built_from_flake8s_tree_as_from_source(name):
    source = SOURCES[name]
    tree = ast.parse(source)
    before = ast.dump(tree, include_attributes=True)
    modname = "fastpath_" + name.replace(" ", "_")
    with Session(f"/nonexistent/{modname}.py", knowledge.default()) as session:
        ours = shape(session.build_module(source, tree))
    manager = session.manager
    assert ast.dump(tree, include_attributes=True) == before  # other plugins get the tree intact
    theirs = AstroidBuilder(manager, apply_transforms=False).string_build(source, modname, f"/nonexistent/{modname}.py")
    del manager.astroid_cache[modname]
    assert ours == shape(theirs)


# Caches: what one file leaves behind.

def _forgotten(monkeypatch) -> list:
    """Weak references to the modules the session forgets, as it forgets them."""
    seen: list = []
    original = caches.forget
    monkeypatch.setattr(caches, "forget", lambda m, module, foreign: (
        seen.append(weakref.ref(module)) if module is not None else None, original(m, module, foreign)))
    return seen


def test_the_linted_module_is_dropped_and_collected(tmp_path, monkeypatch):
    seen = _forgotten(monkeypatch)
    assert lint(POOLING, tmp_path / "pooling.py") == ["5:KL101"]
    assert "pooling" not in astroid.MANAGER.astroid_cache
    gc.unfreeze()
    gc.collect()
    assert seen and seen[0]() is None


def test_the_linted_module_is_collected_before_the_survivors_are_frozen(tmp_path, monkeypatch):
    """By the session's own collection: frozen with the caches, it would stay until the next full one."""
    seen = _forgotten(monkeypatch)
    assert lint(POOLING, tmp_path / "pooling.py") == ["5:KL101"]
    assert seen and seen[0]() is None


def test_an_imported_module_stays_cached(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "base.py").write_text("import keras\n\n\nclass Base(keras.layers.MaxPooling2D):\n    pass\n")
    source = "from pkg.base import Base\n\n\nclass P(Base):\n    def build(self, input_shape):\n        pass\n"
    assert lint(source, tmp_path / "pkg" / "p.py") == ["5:KL101"]
    assert "pkg.base" in astroid.MANAGER.astroid_cache
    assert "pkg.p" not in astroid.MANAGER.astroid_cache


def test_what_a_file_assigns_on_keras_classes_does_not_outlive_it(tmp_path):
    source = (
        "import keras\n\nkeras.layers.Dense.extra = 1\nkeras.novelty = 2\nmodel = keras.Model()\n"
        "model.norm = keras.layers.BatchNormalization()\n\n\n"
        "class P(keras.layers.MaxPooling2D):\n    def build(self, input_shape):\n        pass\n"
    )
    assert lint(source, tmp_path / "m.py", codes=("KL101",)) == ["10:KL101"]
    impl = stubs._stub_modules_cached(knowledge.default())["keras.layers"]
    assert "extra" not in impl["Dense"].locals
    assert "novelty" not in stubs._stub_modules_cached(knowledge.default())["keras"].locals
    assert not impl["Model"].instance_attrs


def test_failed_imports_keep_no_traceback(tmp_path):
    lint("import keras\nimport no_such_module_anywhere\n\n\nclass P(keras.layers.Layer):\n"
         "    def call(self, x):\n        return no_such_module_anywhere.f(x)\n", tmp_path / "m.py")
    errors = [v for v in astroid.MANAGER._mod_file_cache.values() if isinstance(v, BaseException)]
    assert errors and all(e.__traceback__ is None for e in errors)


def test_project_modules_are_evicted_past_the_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(caches, "MAX_PROJECT_MODULES", 3)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    for i in range(6):
        (tmp_path / "pkg" / f"base{i}.py").write_text(f"import keras\n\n\nclass B{i}(keras.layers.MaxPooling2D):\n"
                                                      "    pass\n")
        source = f"from pkg.base{i} import B{i}\n\n\nclass P(B{i}):\n    def build(self, input_shape):\n        pass\n"
        assert lint(source, tmp_path / "pkg" / f"p{i}.py") == ["5:KL101"]
    cached = [name for name in astroid.MANAGER.astroid_cache if name.startswith("pkg")]
    assert len(cached) <= 3 + 2  # the bound, plus what the last file imported after the check
    assert "keras.layers" in astroid.MANAGER.astroid_cache  # the stubs are always there


def test_a_shadowed_builtin_base_is_still_checked(tmp_path):
    source = ("import keras\n\nException = keras.layers.MaxPooling2D\n\n\nclass P(Exception):\n"
              "    def build(self, input_shape):\n        pass\n")
    assert lint(source, tmp_path / "m.py", codes=("KL101",)) == ["7:KL101"]


def test_what_the_process_keeps_is_built_without_collections_and_frozen(monkeypatch):
    monkeypatch.setattr(caches, "_cached_after_full", 0)
    frozen = gc.get_freeze_count()
    kept = []
    with caches.permanent(astroid.MANAGER):
        assert not gc.isenabled()
        kept.extend([[i] for i in range(1000)])  # cyclic-GC-tracked objects made while building
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + 1000
    assert caches._cached_after_full == len(astroid.MANAGER.astroid_cache)


def test_a_file_runs_with_fewer_young_collections_and_the_host_gets_its_thresholds_back(tmp_path, monkeypatch):
    host = (600, 9, 8)
    original = gc.get_threshold()
    seen = []
    real_forget = caches.forget
    monkeypatch.setattr(caches, "forget", lambda *args: (seen.append(gc.get_threshold()), real_forget(*args)))
    gc.set_threshold(*host)
    try:
        assert lint(POOLING, tmp_path / "pooling.py") == ["5:KL101"]
        assert gc.get_threshold() == host
    finally:
        gc.set_threshold(*original)
    assert seen and seen[0] == (caches.FILE_GEN0_THRESHOLD, 9, 8)  # still automatic: bounded garbage


def test_a_session_that_did_not_open_leaves_the_thresholds_to_the_next_one(tmp_path, monkeypatch):
    original = gc.get_threshold()
    caches.hold()
    caches.hold()  # a second open before any close keeps the host's values, not the raised ones
    assert gc.get_threshold()[0] == caches.FILE_GEN0_THRESHOLD
    assert lint(POOLING, tmp_path / "pooling.py") == ["5:KL101"]
    assert gc.get_threshold() == original


CALLS = [
    "x = 1\n",
    "layer = Dense(4, activation='relu')\n",
    "f(**{'activation': 'relu'})\n",
    "@deco(activation='relu')\ndef f(a=g(activation=1)):\n    return lambda: h(activation=2)\n",
    "class C(Base, metaclass=M):\n    w = self.add_weight\n",
    "class C(Base):\n    def build(self, s):\n        self.w = self.add_weight(shape=s)\n",
    "y = f'{Lambda(lambda t: t)}'\nz = [k(activation=i) for i in range(3)]\n",
    "obj.add_weight[0](1)\n(lambda: 0)(activation=1)\n",
    "match v:\n    case P(x=1):\n        Lambda(f)\n",
]


@pytest.mark.parametrize("source", CALLS)
def test_the_calls_step_sees_every_call_ast_walk_sees(source):
    """Against the plain definition: the last name of each called expression, each keyword, anywhere."""
    module_rules = tuple(r for r in ALL if isinstance(r, ModuleRule))
    tree = ast.parse(source)
    callees, keywords = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            callees.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None))
            keywords.update(k.arg for k in node.keywords)
    expected = tuple(r for r in module_rules if r.callees & callees or r.keywords & keywords)
    assert prefilter.called(tree, module_rules) == expected
    for rule in module_rules:  # one rule at a time too: the walk may stop early
        assert prefilter.called(tree, (rule,)) == tuple(r for r in expected if r is rule)


EVERY_PLACE_A_CLASS_CAN_BE = """\
class A:
    class Inner:
        pass
    def method(self):
        class InMethod:
            pass
if True:
    class InIf:
        pass
else:
    class InElse:
        pass
try:
    class InTry:
        pass
except ImportError:
    class InHandler:
        pass
else:
    class InTryElse:
        pass
finally:
    class InFinally:
        pass
for _ in ():
    class InFor:
        pass
while False:
    class InWhile:
        pass
with open(__file__) as f:
    class InWith:
        pass
match 1:
    case 1:
        class InCase:
            pass
@decorated
class Last(A):
    pass
"""


def test_the_statement_walk_finds_astroid_s_classes_in_source_order():
    from flake8_keras_layers.engine.ast_walk import statements
    from astroid import nodes

    module = astroid.parse(EVERY_PLACE_A_CLASS_CAN_BE)
    walked = sorted((n for n in statements(module) if isinstance(n, nodes.ClassDef)),
                    key=lambda c: (c.lineno, c.col_offset))
    assert [c.name for c in walked] == [c.name for c in module.nodes_of_class(nodes.ClassDef)]
    assert len(walked) == 14


@pytest.mark.parametrize("kind", ["Call", "Attribute", "ClassDef", "Name", "Import|ImportFrom", "NodeNG"])
def test_a_module_s_kept_walk_gives_what_nodes_of_class_gives(kind):
    from astroid import nodes

    from flake8_keras_layers.analysis import syntax

    klass = tuple(getattr(nodes, k) for k in kind.split("|"))
    source = EVERY_PLACE_A_CLASS_CAN_BE + "import os\nfrom os import path\nx = os.path.join(path.sep, f(a.b(c)))\n"
    module = astroid.parse(source)
    try:
        assert syntax.module_nodes(module, klass) == list(module.nodes_of_class(klass))
        assert syntax.module_nodes(module, klass) == list(module.nodes_of_class(klass))  # kept, same answer
    finally:
        syntax.forget_walks()
