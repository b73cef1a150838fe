"""KL101 build-never-called, as cases: source in, ``line:code`` out."""

import pytest
from helpers import Case, run_case

POOLING_WITH_BUILD = """
    import keras

    class CustomPooling(keras.layers.MaxPooling2D):
        def __init__(self, pool_size):
            super().__init__(pool_size)

        def build(self, input_shape):
            super().build(input_shape)
"""

CASES = [
    Case("seed: MaxPooling2D subclass with build, any version", POOLING_WITH_BUILD, ["8:KL101"]),
    Case("affected release targeted", POOLING_WITH_BUILD, ["8:KL101"], keras_version="3.6.0"),
    Case("last affected release", POOLING_WITH_BUILD, ["8:KL101"], keras_version="3.9.2"),
    Case("unreleased patch resolves to its release", POOLING_WITH_BUILD, ["8:KL101"], keras_version="3.8"),
    Case("fixed release targeted", POOLING_WITH_BUILD, [], keras_version="3.10.0"),
    Case("release before the regression", POOLING_WITH_BUILD, [], keras_version="3.5.0"),
    Case("Keras 2 target: keras is Keras 2, not probed", POOLING_WITH_BUILD, [], keras_version="2.15"),
    Case(
        "reset after super().__init__() is the fix",
        """
        import keras

        class CustomPooling(keras.layers.MaxPooling2D):
            def __init__(self, pool_size):
                super().__init__(pool_size)
                self.built = False

            def build(self, input_shape):
                super().build(input_shape)
        """,
        [],
    ),
    Case(
        "reset before super().__init__() is undone by Keras",
        """
        import keras

        class CustomPooling(keras.layers.MaxPooling2D):
            def __init__(self, pool_size):
                self.built = False
                super().__init__(pool_size)

            def build(self, input_shape):
                super().build(input_shape)
        """,
        ["9:KL101"],
    ),
    Case(
        "reset in a project base counts",
        """
        from keras import layers

        class Base(layers.MaxPooling2D):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.built = False

        class Child(Base):
            def build(self, input_shape):
                super().build(input_shape)
        """,
        [],
    ),
    Case(
        "subclass of a subclass, build in the grandchild",
        """
        from keras.layers import MaxPool2D as MP

        class Base(MP):
            pass

        class Child(Base):
            def build(self, input_shape):
                super().build(input_shape)
        """,
        ["8:KL101"],
    ),
    Case(
        "module alias through tensorflow.keras",
        """
        from tensorflow.keras import layers as L

        class P(L.MaxPooling2D):
            def build(self, input_shape):
                pass
        """,
        ["5:KL101"],
    ),
    Case(
        "tf.keras attribute chain",
        """
        import tensorflow as tf

        class P(tf.keras.layers.MaxPooling2D):
            def build(self, input_shape):
                pass
        """,
        ["5:KL101"],
    ),
    Case(
        "tf_keras is Keras 2: not affected",
        """
        import tf_keras

        class P(tf_keras.layers.MaxPooling2D):
            def build(self, input_shape):
                pass
        """,
        [],
    ),
    Case(
        "Reshape regression from 3.12.0",
        """
        import keras

        class R(keras.layers.Reshape):
            def build(self, input_shape):
                pass
        """,
        ["5:KL101"],
        keras_version="3.12.0",
    ),
    Case(
        "Reshape before 3.12.0 runs build",
        """
        import keras

        class R(keras.layers.Reshape):
            def build(self, input_shape):
                pass
        """,
        [],
        keras_version="3.11.3",
    ),
    Case(
        "Dense is never built at init",
        """
        import keras

        class D(keras.layers.Dense):
            def build(self, input_shape):
                super().build(input_shape)
        """,
        [],
    ),
    Case(
        "no build override: nothing is skipped",
        """
        import keras

        class P(keras.layers.MaxPooling2D):
            def call(self, x):
                return super().call(x)
        """,
        [],
    ),
    Case(
        "__init__ without super().__init__(): Keras never marks it built (KL107's business)",
        """
        import keras

        class P(keras.layers.MaxPooling2D):
            def __init__(self):
                self.pool_size = 2

            def build(self, input_shape):
                pass
        """,
        [],
        codes=("KL101",),
    ),
    Case(
        "a project class that only shares a Keras name is not Keras",
        """
        class MaxPooling2D:
            pass

        class P(MaxPooling2D):
            def build(self, input_shape):
                pass
        """,
        [],
    ),
    Case(
        "noqa is flake8's job; the analysis still reports",
        """
        import keras

        class P(keras.layers.MaxPooling2D):
            def build(self, input_shape):  # noqa: KL101
                pass
        """,
        ["5:KL101"],
    ),
]


# A class body that defines a method twice means the last one, as Python binds it.
CASES += [
    Case(
        "__init__ defined twice: the last one resets built, the fix applies",
        """
        import keras

        class CustomPooling(keras.layers.MaxPooling2D):
            def __init__(self, pool_size):
                super().__init__(pool_size)

            def __init__(self, pool_size):
                super().__init__(pool_size)
                self.built = False

            def build(self, input_shape):
                super().build(input_shape)
        """,
        [],
    ),
    Case(
        "__init__ defined twice: only the first (dead) one resets built",
        """
        import keras

        class CustomPooling(keras.layers.MaxPooling2D):
            def __init__(self, pool_size):
                super().__init__(pool_size)
                self.built = False

            def __init__(self, pool_size):
                super().__init__(pool_size)

            def build(self, input_shape):
                super().build(input_shape)
        """,
        ["12:KL101"],
    ),
]


# build() from a mixin (issue 11, item 2): reported on the class statement that combines them.
MIXIN = """
    import keras

    class ScaleMixin:
        def build(self, input_shape):
            self.scale = self.add_weight(shape=(), initializer="ones")

    class ScaledPool(ScaleMixin, keras.layers.{base}):
        pass
"""
CASES += [
    Case("a mixin's build() with AveragePooling2D", MIXIN.format(base="AveragePooling2D"), ["8:KL101"]),
    Case("a mixin's build() with AveragePooling2D, fixed release", MIXIN.format(base="AveragePooling2D"), [],
         keras_version="3.10.0"),
    Case("a mixin's build() with AveragePooling2D, affected release", MIXIN.format(base="AveragePooling2D"),
         ["8:KL101"], keras_version="3.6.0"),
    Case("the same mixin with Conv2D is fine", MIXIN.format(base="Conv2D"), []),
    Case(
        "a mixin imported from another module",
        "import keras\nfrom pkg.mixins import ScaleMixin\n\n\nclass ScaledPool(ScaleMixin, keras.layers.MaxPooling2D):\n"
        "    pass\n",
        ["5:KL101"],
        files={"pkg/__init__.py": "", "pkg/mixins.py": "class ScaleMixin:\n    def build(self, input_shape):\n"
                                                        "        self.scale = 1.0\n"},
    ),
    Case(
        "the combining class resets built",
        """
        import keras

        class ScaleMixin:
            def build(self, input_shape):
                self.scale = 1.0

        class ScaledPool(ScaleMixin, keras.layers.AveragePooling2D):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.built = False
        """,
        [],
    ),
    Case(
        "a Keras base class defining build() is reported itself, once",
        """
        import keras

        class Base(keras.layers.MaxPooling2D):
            def build(self, input_shape):
                self.scale = 1.0

        class Other:
            pass

        class Child(Base, Other):
            pass
        """,
        ["5:KL101"],
    ),
]

# `self.built = False` in a helper __init__ calls after super().__init__() (issue 11, item 8).
CASES += [
    Case(
        "reset through a helper of __init__",
        """
        import keras

        class CustomPooling(keras.layers.MaxPooling2D):
            def __init__(self, pool_size):
                super().__init__(pool_size)
                self._unbuild()

            def _unbuild(self):
                self.built = False

            def build(self, input_shape):
                super().build(input_shape)
        """,
        [],
    ),
    Case(
        "a helper called before super().__init__() is undone by Keras",
        """
        import keras

        class CustomPooling(keras.layers.MaxPooling2D):
            def __init__(self, pool_size):
                self._unbuild()
                super().__init__(pool_size)

            def _unbuild(self):
                self.built = False

            def build(self, input_shape):
                super().build(input_shape)
        """,
        ["12:KL101"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl101(case, tmp_path):
    assert run_case(case, tmp_path) == case.expected
