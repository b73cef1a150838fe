"""A file that uses a Keras 2 only API (knowledge/data/keras2_api.json) runs Keras 2 only, as cases: a KL106
finding (a Keras 3 failure) stands or goes with what the rest of the file uses."""

from __future__ import annotations

import ast
import textwrap

import pytest
from helpers import Case, messages, option_target, run_case

from flake8_keras_layers.analysis import keras2_uses
from flake8_keras_layers.knowledge import keras2_api, versions


def layer(uses: str, header: str = "import tensorflow as tf") -> str:
    """``header``, a KL106 layer (the finding on line 5 when the header is one line; ``uses`` from line 7) and ``uses`` after it."""
    return (f"{header}\n\nclass Scale(tf.keras.layers.Layer):\n    def build(self, input_shape):\n"
            f'        self.w = self.add_weight("w", shape=(1,))\n\n{textwrap.dedent(uses)}')


KL106 = ["5:KL106"]
PLACEHOLDER = "def graph():\n    return tf.keras.backend.placeholder(ndim=2)\n"

CASES = [
    # -- Keras 2 only: the KL106 finding (Keras 3's) goes -----------------------------------------------
    Case("tf.keras.backend.placeholder", layer(PLACEHOLDER), []),
    Case("tf.keras.backend.function at module level", layer("f = tf.keras.backend.function([], [])\n"), []),
    Case("a Keras 2 only base class", layer("class Local(tf.keras.layers.LocallyConnected1D):\n    pass\n"), []),
    Case("imported by name", layer("from tensorflow.keras.layers import LocallyConnected2D\n"), []),
    Case("an aliased module", layer("from tensorflow.keras import backend as K\nx = K.learning_phase()\n"), []),
    Case("import a.b.c as d", layer("import tensorflow.keras.backend as K\nx = K.placeholder(ndim=2)\n"), []),
    Case("from tensorflow import keras", layer("from tensorflow import keras\nkeras.backend.set_learning_phase(1)\n"),
         []),
    Case("a removed module, and a name under it", layer("est = tf.keras.estimator.model_to_estimator\n"), []),
    Case("plain keras: conv2d left keras.backend", layer("from keras import backend as K\ny = K.conv2d(1, 2)\n"), []),
    Case("a legacy optimizer constructed", layer("opt = tf.keras.optimizers.legacy.Adam(1e-3)\n"), []),
    Case("a legacy optimizer imported, then constructed",
         layer("from tensorflow.keras.optimizers.legacy import SGD as Legacy\nopt = Legacy()\n"), []),
    Case("whatever --keras-version admits", layer(PLACEHOLDER), [], keras_version="3.8"),
    Case("only a bare `if` around it", layer("if DEBUG:\n    x = tf.keras.backend.placeholder(ndim=2)\n"), []),
    # -- not Keras 2 only, or unsure: the finding stays -------------------------------------------------
    Case("the same file without it", layer("def graph():\n    return tf.keras.backend.shape(1)\n"), KL106),
    Case("plain keras: keras.backend.shape is Keras 2 only", layer("import keras\ns = keras.backend.shape(1)\n"), []),
    Case("tf.keras.backend.conv2d: Keras 3's tf.keras has it",
         layer("from tensorflow.keras import backend as K\ny = K.conv2d(1, 2)\n"), KL106),
    Case("tf.keras.backend.bias_add too", layer("from tensorflow.keras import backend as K\ny = K.bias_add(1, 2)\n"),
         KL106),
    Case("a name bound otherwise too", layer("K = pick_backend()\nx = K.placeholder(ndim=2)\n"), KL106),
    Case("the root rebound in a function", layer(PLACEHOLDER + "def f(tf):\n    return tf\n"), KL106),
    Case("one name, two modules", layer("from tensorflow.keras import backend as K\nfrom keras import ops as K\n"
                                        "x = K.placeholder(ndim=2)\n"), KL106),
    Case("a star import", layer(PLACEHOLDER + "from helpers import *\n"), KL106),
    Case("tf.keras evidence beside a plain keras import (tf.keras may be tf_keras there)",
         layer(PLACEHOLDER, header="import tensorflow as tf\nimport keras"), ["6:KL106"]),
    Case("inside try", layer("try:\n    x = tf.keras.backend.placeholder(ndim=2)\nexcept AttributeError:\n"
                             "    x = None\n"), KL106),
    Case("a guarded import", layer("try:\n    from tensorflow.keras.layers import LocallyConnected1D\n"
                                   "except ImportError:\n    LocallyConnected1D = None\n"), KL106),
    Case("under a version test", layer('if tf.__version__ < "2.16":\n    x = tf.keras.backend.placeholder(ndim=2)\n'),
         KL106),
    Case("in a test skipped by version",
         layer('import pytest\n\n@pytest.mark.skipif(tf.__version__ >= "2.16", reason="Keras 3")\n' + PLACEHOLDER),
         KL106),
    Case("in an annotation", layer("def f(x: tf.keras.layers.LocallyConnected1D) -> None:\n    pass\n"), KL106),
    Case("a legacy optimizer only referred to",
         layer("def check(opt):\n    return isinstance(opt, tf.keras.optimizers.legacy.Optimizer)\n"), KL106),
    Case("tf_keras is its own namespace", layer("import tf_keras\nx = tf_keras.backend.placeholder(ndim=2)\n"),
         KL106),
    Case("a string is no use", layer('NAME = "tf.keras.backend.placeholder"\n'), KL106),
    Case("an attribute assigned, not read", layer("tf.keras.backend.placeholder = None\n"), KL106),
    Case("a project module of that name", layer("from . import keras\nx = keras.backend.placeholder()\n"), KL106),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_keras2_only_api_narrows_the_file(case, tmp_path):
    assert run_case(case, tmp_path) == case.expected


def note(source: str) -> str:
    return keras2_uses.narrow(versions.Target.any(), ast.parse(source), source).note


def test_the_note_names_the_use_and_its_line():
    assert note(layer(PLACEHOLDER)) == "tf.keras.backend.placeholder (line 8) is Keras 2 only"
    assert note(layer("from keras import backend as K\ny = K.conv2d(1, 2)\n")) == \
        "keras.backend.conv2d (line 8) is Keras 2 only"
    assert note(layer("est = tf.keras.estimator.model_to_estimator\n")) == "tf.keras.estimator (line 7) is Keras 2 only"
    # The first use in the file, wherever the walk meets it.
    assert note(layer(PLACEHOLDER, header="import tensorflow as tf\nfrom tensorflow.keras.layers import "
                                          "LocallyConnected1D")) == \
        "tf.keras.layers.LocallyConnected1D (line 2) is Keras 2 only"


def test_a_narrowed_target_is_keras2_only_for_keras_and_tf_keras_alike():
    narrowed = keras2_uses.narrow(option_target(">=3.8"), ast.parse(layer(PLACEHOLDER)), layer(PLACEHOLDER))
    assert narrowed.releases("keras") == versions.KERAS2 == narrowed.releases("tf_keras")
    assert narrowed.keras.structure is None  # structural facts: any probed release stands for Keras 2


POOL = "import keras\n{uses}\n\nclass Pool(keras.layers.MaxPooling2D):\n    def build(self, input_shape):\n" \
       "        super().build(input_shape)\n"


def test_kl101_speaks_with_the_usual_note_and_not_at_all_once_narrowed(tmp_path):
    """KL101 is Keras 3 behaviour: its note says where the target came from; on a file that uses a Keras 2 only
    name it has nothing to say (no rule that prints the note speaks for Keras 2)."""
    plain = Case("plain", POOL.format(uses="x = keras.backend.floatx"), [])
    assert [m.endswith("(no Keras version declared); set self.built = False after super().__init__()")
            for m in messages(plain, "KL101", tmp_path)] == [True]
    narrowed = Case("narrowed", POOL.format(uses="x = keras.backend.placeholder"), [])
    assert messages(narrowed, "KL101", tmp_path) == []
    assert note(narrowed.source) == "keras.backend.placeholder (line 2) is Keras 2 only"


def test_a_file_without_keras_is_never_walked(monkeypatch):
    def walked(*args):
        raise AssertionError("walked")

    monkeypatch.setattr(keras2_uses, "first_use", walked)
    target = versions.Target.any()
    for source in ("import numpy as np\nx = np.placeholder\n",  # no keras in the text
                   "import keras\nx = keras.ops.shape(1)\n",  # no listed name's last part
                   "import keras\nfrom keras.src import backend\nx = backend.placeholder\n",  # keras.src: none listed
                   "import tensorflow as tf\nx = tf.compat.v1.placeholder\n"):  # no chain reaches a listed name
        assert keras2_uses.narrow(target, ast.parse(source), source) is target


def test_deep_expressions_cost_the_narrowing_only():
    source = "import tensorflow as tf\nx = tf.keras.backend.placeholder(" + "1+" * 2000 + "1)\n"
    tree = ast.parse(source)
    assert keras2_uses.narrow(versions.Target.any(), tree, source) == versions.Target.any()


def test_the_shipped_data_names_what_the_cases_rely_on():
    api = keras2_api.default()
    for name in ("backend.placeholder", "backend.function", "backend.learning_phase", "layers.LocallyConnected1D",
                 "estimator"):
        assert name in api.absent["tensorflow.keras"], name
        assert name in api.absent["keras"], name
    assert "backend.conv2d" in api.absent["keras"] and "backend.conv2d" not in api.absent["tensorflow.keras"]
    assert "optimizers.legacy.Adam" in api.raises_on_call["tensorflow.keras"]


def test_the_text_check_needs_the_import_name_as_a_whole_word(monkeypatch):
    """`mytf.keras.backend.placeholder` is no use of `tf` (the word boundary before the name)."""
    reached = []
    monkeypatch.setattr(keras2_uses, "first_use", lambda tree, api: reached.append(1))
    target = versions.Target.any()
    for source in ("import tensorflow as tf\nx = mytf.keras.backend.placeholder\n",
                   "import tensorflow as tf\nx = _tf.keras.backend.placeholder\n"):
        assert keras2_uses.narrow(target, ast.parse(source), source) is target
    assert not reached
    for source in ("import tensorflow as tf\nx = tf.keras.backend.placeholder\n",
                   "import tensorflow as tf\nx = (tf .keras. backend.placeholder)\n"):
        keras2_uses.narrow(target, ast.parse(source), source)
    assert len(reached) == 2
