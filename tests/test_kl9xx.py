"""Opt-in KL901 backend-specific-op and KL902 lambda-not-loadable, as cases: source in, ``line:code`` out."""

import pytest
from helpers import Case, run_case

from flake8_keras_layers.rules import BY_CODE


def layer(call_body: str, header: str = "import keras\nimport tensorflow as tf",
          base: str = "keras.layers.Layer") -> str:
    """A layer whose ``call()`` body starts on line 6."""
    body = "".join(f"        {line}\n" for line in call_body.strip().splitlines())
    return f"{header}\n\nclass Norm({base}):\n    def call(self, x):\n{body}"


CASES_901 = [
    Case("tf op in a Keras 3 layer", layer("return tf.reduce_sum(x, axis=-1)"), ["6:KL901"]),
    Case("every tf call, nested ones once", layer("y = tf.nn.relu(tf.square(x))\nreturn tf.math.sqrt(y)"),
         ["6:KL901", "7:KL901"]),
    Case("from keras import layers", layer("return tf.abs(x)", "from keras import layers\nimport tensorflow as tf",
                                           "layers.Layer"), ["6:KL901"]),
    Case("tensorflow imported under another name", layer("return tflow.abs(x)",
                                                          "import keras\nimport tensorflow as tflow"), ["6:KL901"]),
    Case(
        "base defined in the same file",
        """
        import keras
        import tensorflow as tf

        class Base(keras.layers.Layer):
            pass

        class Norm(Base):
            def call(self, x):
                return tf.abs(x)
        """,
        ["10:KL901"],
    ),
    # Nearest legitimate patterns.
    Case("keras.ops is portable", layer("return keras.ops.sum(x, axis=-1)"), []),
    Case("tf.keras layer: TensorFlow is the backend", layer("return tf.reduce_sum(x)", "import tensorflow as tf",
                                                            "tf.keras.layers.Layer"), []),
    Case("tf.keras base in a file that also imports keras", layer("return tf.reduce_sum(x)",
                                                                   "import keras\nimport tensorflow as tf",
                                                                   "tf.keras.layers.Layer"), []),
    Case("seed 003 sketch (tf.keras) is not reported", layer("return tf.matmul(x, x)", "import tensorflow as tf",
                                                             "tf.keras.layers.Layer"), []),
    Case("tf.keras.ops through tf", layer("return tf.keras.ops.sum(x)"), []),
    Case("tf ops outside call()", "import keras\nimport tensorflow as tf\n\nclass N(keras.layers.Layer):\n"
         "    def build(self, shape):\n        self.k = tf.constant(1.0)\n", []),
    Case("tf_keras layer (Keras 2)", layer("return tf.abs(x)", "import tf_keras as keras\nimport tensorflow as tf"),
         []),
    Case("@tf.function on call() is not an op", "import keras\nimport tensorflow as tf\n\n"
         "class N(keras.layers.Layer):\n    @tf.function(jit_compile=True)\n    def call(self, x):\n"
         "        return keras.ops.abs(x)\n", []),
    Case("a local variable named tf", layer("tf = keras.ops\nreturn tf.abs(x)", "import keras"), []),
]

# TensorFlow ops only TensorFlow execution reaches (keras-hub's Gemma4 image converter): silent.
GUARDED = "return tf.abs(x)\n"
CASES_901 += [
    Case("inside tf.data/tf.function tracing", layer("if not tf.executing_eagerly():\n    " + GUARDED
                                                     + "return keras.ops.abs(x)"), []),
    Case("the else of an eager test", layer("if tf.executing_eagerly():\n    return keras.ops.abs(x)\nelse:\n    "
                                            + GUARDED), []),
    Case("eager alone is no guard (a JAX run with TensorFlow installed is eager)",
         layer("if tf.executing_eagerly():\n    " + GUARDED + "return keras.ops.abs(x)"), ["7:KL901"]),
    Case("keras.backend.backend() == 'tensorflow'",
         layer('if keras.backend.backend() == "tensorflow":\n    ' + GUARDED + "return keras.ops.abs(x)"), []),
    Case("keras.config.backend() != 'tensorflow' else-branch",
         layer('if keras.config.backend() != "tensorflow":\n    return keras.ops.abs(x)\nelse:\n    ' + GUARDED), []),
    Case("another backend named: no guard",
         layer('if keras.config.backend() != "jax":\n    ' + GUARDED + "return keras.ops.abs(x)"), ["7:KL901"]),
    Case("early return for the other backends",
         layer('if keras.backend.backend() != "tensorflow":\n    return keras.ops.abs(x)\n' + GUARDED), []),
    Case("isinstance(x, tf.Tensor)", layer("if isinstance(x, tf.Tensor):\n    " + GUARDED + "return x"), []),
    Case("tf.is_tensor(x) and more", layer("if tf.is_tensor(x) and x.shape:\n    " + GUARDED + "return x"), []),
    Case("a conditional expression", layer("return tf.abs(x) if tf.is_tensor(x) else keras.ops.abs(x)"), []),
    Case("a branch that imports TensorFlow itself",
         layer("if self.fast:\n    import tensorflow as tf2\n    return tf2.abs(x)\nreturn keras.ops.abs(x)",
               "import keras"), []),
    Case(
        "a project helper returning the guard (one level)",
        """
        import keras
        import tensorflow as tf

        def in_tf_function():
            if tf is None:
                return False
            return not tf.executing_eagerly()

        class Norm(keras.layers.Layer):
            def call(self, x):
                if in_tf_function():
                    return tf.abs(x)
                return keras.ops.abs(x)
        """,
        [],
    ),
    Case(
        "a helper that can return true outside TensorFlow is no guard",
        """
        import keras
        import tensorflow as tf

        def fast_path(x):
            return True

        class Norm(keras.layers.Layer):
            def call(self, x):
                if fast_path(x):
                    return tf.abs(x)
                return keras.ops.abs(x)
        """,
        ["11:KL901"],
    ),
]

CASES_902 = [
    Case("Lambda given a Python lambda", "from keras import layers\n\nf = layers.Lambda(lambda x: x * 2)\n",
         ["3:KL902"]),
    Case("keyword function=", "import keras\n\nf = keras.layers.Lambda(function=lambda x: x + 1)\n", ["3:KL902"]),
    Case("a name bound to a lambda", "import keras\n\nsq = lambda x: x * x\nf = keras.layers.Lambda(sq)\n",
         ["4:KL902"]),
    Case("tf.keras is Keras 3", "import tensorflow as tf\n\nf = tf.keras.layers.Lambda(lambda x: x)\n", ["3:KL902"]),
    Case("a named function", "import keras\n\ndef double(x):\n    return x * 2\n\nf = keras.layers.Lambda(double)\n",
         []),
    Case("a project class named Lambda", "class Lambda:\n    def __init__(self, f):\n        self.f = f\n\n"
         "f = Lambda(lambda x: x)\n", []),
    Case("Keras 2 (tf_keras)", "import tf_keras as keras\n\nf = keras.layers.Lambda(lambda x: x)\n", []),
    Case("Keras 2 target", "import keras\n\nf = keras.layers.Lambda(lambda x: x)\n", [], keras_version="2.15"),
    Case("unknown callee", "f = make().Lambda(lambda x: x)\n", []),
    Case("named by name=", "import keras\n\nf = keras.layers.Lambda(lambda x: x, name='double')\n", ["3:KL902"]),
    Case("the first release refuses .keras files", "import keras\n\nf = keras.layers.Lambda(lambda x: x)\n",
         ["3:KL902"], keras_version="3.0.0"),
]


def message_902(source: str, tmp_path, version=None) -> str:
    import textwrap

    from helpers import option_target

    from flake8_keras_layers.engine.driver import analyze
    from flake8_keras_layers.knowledge import facts as knowledge

    found = [d for d in analyze(textwrap.dedent(source), str(tmp_path / "m.py"), option_target(version),
                                knowledge.default(), rules=[BY_CODE["KL902"]])]
    assert len(found) == 1, found
    assert len(found[0].message) <= 200, found[0].message
    return found[0].message


NAMED = "import keras\n\nf = keras.layers.Lambda(lambda x: x * 2, name='double')\n"


def test_902_names_the_lambda(tmp_path):
    assert message_902(NAMED, tmp_path).startswith("Lambda 'double' holds a Python lambda: load_model")
    unnamed = NAMED.replace(", name='double'", "")
    assert message_902(unnamed, tmp_path).startswith("Lambda holds a Python lambda")


@pytest.mark.parametrize("version, says, not_says", [
    ("3.0.0", "load_model (.keras) refuses it unless safe_mode=False (Keras 3.0.0);", ".h5"),
    ("3.14.0", "load_model (.keras, .h5) refuses it unless safe_mode=False (Keras 3.14.0);", "from_config"),
    ("3.15.0", "load_model (.keras, .h5) and from_config refuse it unless safe_mode=False (Keras 3.15.0)", None),
    # Every loader with its own releases is more than one line: the page's table has them.
    (None, "load_model and from_config refuse it unless safe_mode=False in some targeted releases;", None),
    (">=3.12,<3.13", ".h5) and from_config (Keras 3.12.3-3.12.4) refuse it unless safe_mode=False;", None),
])
def test_902_names_the_loaders_that_refuse_it_in_the_target(version, says, not_says, tmp_path):
    message = message_902(NAMED, tmp_path, version)
    assert says in message, message
    assert not_says is None or not_says not in message


@pytest.mark.parametrize("case", CASES_901, ids=str)
def test_kl901(case, tmp_path):
    assert run_case(Case(case.id, case.source, case.expected, case.keras_version, case.files, ("KL901",)),
                    tmp_path) == case.expected


@pytest.mark.parametrize("case", CASES_902, ids=str)
def test_kl902(case, tmp_path):
    assert run_case(Case(case.id, case.source, case.expected, case.keras_version, case.files, ("KL902",)),
                    tmp_path) == case.expected


@pytest.mark.parametrize("code", ["KL901", "KL902"])
def test_opt_in(code):
    assert BY_CODE[code].opt_in


def test_off_by_default_on_with_extend_select(tmp_path):
    from flake8_run import codes, flake8

    source = tmp_path / "portable.py"
    source.write_text(layer("return tf.abs(x)"))

    def kl(*args):
        return [c for c in codes(flake8("--isolated", *args, str(source))) if ":KL" in c]

    assert kl() == []
    assert kl("--extend-select=KL9") == ["portable.py:6:KL901"]
