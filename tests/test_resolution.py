"""How a class is found to be Keras (RULES.md "Resolution"), seen through KL101.

Each case's class overrides ``build`` on a base that may or may not be
``keras.layers.MaxPooling2D``; KL101 fires exactly when it resolves to it.
"""

import astroid
import pytest
from helpers import Case, run_case

from flake8_keras_layers.analysis import syntax

REPORTED = ["build:KL101"]  # KL101 at the `def build` line

BUILD = """
    def build(self, input_shape):
        pass
"""


def pooling_subclass(header: str, base: str) -> str:
    return f"{header}\n\nclass P({base}):{BUILD}"


CASES = [
    Case("import keras", pooling_subclass("import keras", "keras.layers.MaxPooling2D"), REPORTED),
    Case("from keras import layers", pooling_subclass("from keras import layers", "layers.MaxPooling2D"), REPORTED),
    Case("Keras alias MaxPool2D", pooling_subclass("from keras.layers import MaxPool2D", "MaxPool2D"), REPORTED),
    Case("import alias", pooling_subclass("from keras.layers import MaxPool2D as MP", "MP"), REPORTED),
    Case("keras.src", pooling_subclass("from keras.src import layers", "layers.MaxPooling2D"), REPORTED),
    Case("keras.src deep module", pooling_subclass(
        "from keras.src.layers.pooling.max_pooling2d import MaxPooling2D", "MaxPooling2D"), REPORTED),
    Case("from tensorflow import keras", pooling_subclass("from tensorflow import keras", "keras.layers.MaxPooling2D"), REPORTED),
    Case("tensorflow.keras layers as L", pooling_subclass("from tensorflow.keras import layers as L", "L.MaxPool2D"), REPORTED),
    Case("tf.keras", pooling_subclass("import tensorflow as tf", "tf.keras.layers.MaxPooling2D"), REPORTED),
    Case("tf_keras is Keras 2", pooling_subclass("import tf_keras", "tf_keras.layers.MaxPooling2D"), []),
    Case("unknown Keras module is not guessed", pooling_subclass("from keras.src.nothing import MaxPooling2D", "MaxPooling2D"), []),
    Case("missing module", pooling_subclass("from not_installed_anywhere import Base", "Base"), []),
    Case("dynamic base", pooling_subclass("import keras\nBase = type('Base', (object,), {})", "Base"), []),
    Case("own class named like Keras", pooling_subclass("class MaxPooling2D:\n    pass", "MaxPooling2D"), []),
    Case("star import of Keras", pooling_subclass("from keras.layers import *", "MaxPooling2D"), REPORTED),
    Case("unresolvable mixin makes the MRO unknown", pooling_subclass(
        "import keras\nfrom nowhere import Mixin", "Mixin, keras.layers.MaxPooling2D"), []),
    Case(
        "conditional base choice among Keras classes is ambiguous: silent",
        # A condition no astroid can evaluate (astroid 3.3's os brain reads the linting machine's own
        # os.environ, so `if os.environ` picks a branch there).
        pooling_subclass("import keras, random\n"
                         "Base = keras.layers.MaxPooling2D if random.random() < 0.5 else keras.layers.Dense", "Base"),
        [],
    ),
    Case(
        "base class in another module, absolute import",
        "from pkg.base import Base\n\nclass P(Base):" + BUILD,
        REPORTED,
        files={"pkg/__init__.py": "", "pkg/base.py": "import keras\n\nclass Base(keras.layers.MaxPooling2D):\n    pass\n"},
    ),
    Case(
        "base class in another module, relative import",
        "from .base import Base\n\nclass P(Base):" + BUILD,
        REPORTED,
        files={"pkg/__init__.py": "", "pkg/base.py": "from keras import layers\n\nclass Base(layers.MaxPooling2D):\n    pass\n"},
    ),
    Case(
        "project module re-exporting keras",
        "from pkg.backend import keras\n\nclass P(keras.layers.MaxPooling2D):" + BUILD,
        REPORTED,
        files={"pkg/__init__.py": "", "pkg/backend.py": "import keras  # noqa: F401\n"},
    ),
    Case(
        "project module re-exporting layers",
        "from pkg.backend import layers\n\nclass P(layers.MaxPooling2D):" + BUILD,
        REPORTED,
        files={"pkg/__init__.py": "", "pkg/backend.py": "from keras import layers  # noqa: F401\n"},
    ),
    Case(
        "cyclic hierarchy across modules",
        "from pkg.other import B\n\nclass A(B):" + BUILD,
        [],
        files={"pkg/__init__.py": "", "pkg/other.py": "from pkg.main import A\n\nclass B(A):\n    pass\n"},
    ),
    Case(
        "base module with a syntax error",
        "from pkg.broken import Base\n\nclass P(Base):" + BUILD,
        [],
        files={"pkg/__init__.py": "", "pkg/broken.py": "class Base(:\n"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_resolution(case, tmp_path):
    build_line = next(n for n, line in enumerate(case.source.splitlines(), 1) if "def build" in line)
    expected = [e.replace("build:", f"{build_line}:") for e in case.expected]
    assert run_case(case, tmp_path) == expected


@pytest.mark.parametrize("source, expected", [
    ("import tensorflow.keras\ntensorflow.keras.layers.Dense", "tensorflow.keras.layers.Dense"),
    ("import tensorflow.keras as tfk\ntfk.layers.Dense", "tensorflow.keras.layers.Dense"),
    ("import tensorflow as tf\ntf.math.abs", "tensorflow.math.abs"),
    ("from tensorflow.keras import backend as K\nK.conv2d", "tensorflow.keras.backend.conv2d"),
    ("tf = object()\ntf.math.abs", None),
])
def test_imported_name_spells_the_module_an_attribute_chain_reaches(source, expected):
    assert syntax.imported_name(astroid.extract_node(source)) == expected
