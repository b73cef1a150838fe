"""KL107 super-init-not-called, as cases: source in, ``line:code`` out."""

from dataclasses import replace

import pytest
from helpers import Case, run_case


def layer(init_body: str, header: str = "import keras", base: str = "keras.layers.Layer", extra: str = "") -> str:
    """A layer whose __init__ body is given (``def __init__`` is line 4)."""
    body = "".join(f"        {line}\n" for line in init_body.strip().splitlines())
    return f"{header}\n\nclass Net({base}):\n    def __init__(self, units=4, **kwargs):\n{body}{extra}"


CASES = [
    Case("seed: no super().__init__() at all", layer("self.units = units"), ["4:KL107"]),
    Case("Model subclass", layer("self.units = units", base="keras.Model"), ["4:KL107"]),
    Case("tf_keras (Keras 2)", layer("self.units = units", header="import tf_keras as keras"), ["4:KL107"]),
    Case("an empty body", layer("pass"), ["4:KL107"]),
    Case("super().__init__(**kwargs)", layer("super().__init__(**kwargs)\nself.units = units"), []),
    Case("super(Net, self).__init__()", layer("super(Net, self).__init__()"), []),
    Case("Base.__init__(self)", layer("keras.layers.Layer.__init__(self, **kwargs)"), []),
    Case("under a condition", layer("if units:\n    super().__init__(**kwargs)\nelse:\n    super().__init__()"),
         []),
    Case("inside try", layer("try:\n    super().__init__(**kwargs)\nexcept TypeError:\n    raise"), []),
    Case(
        "through the class's own helper",
        layer("self._init_helper(**kwargs)", extra="\n    def _init_helper(self, **kwargs):\n"
                                                   "        super().__init__(**kwargs)\n"),
        [],
    ),
    Case(
        "through two helpers",
        layer("self._a(**kwargs)", extra="\n    def _a(self, **kwargs):\n        self._b(**kwargs)\n"
                                         "\n    def _b(self, **kwargs):\n        super().__init__(**kwargs)\n"),
        [],
    ),
    Case(
        "a helper that never reaches it",
        layer("self._a()", extra="\n    def _a(self):\n        self.units = 1\n"),
        ["4:KL107"],
    ),
    Case("self handed to a function that may initialise it", layer("init_layer(self, **kwargs)"), []),
    Case("an __init__ that only raises", layer('raise NotImplementedError("abstract")'), []),
    Case(
        "a project base's __init__ is not run when the child skips super()",
        """
        import keras

        class Base(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

        class Child(Base):
            def __init__(self, units):
                self.units = units
        """,
        ["9:KL107"],
    ),
    Case(
        "no __init__ of its own: Keras' runs",
        """
        import keras

        class Net(keras.layers.Layer):
            def call(self, x):
                return x
        """,
        [],
    ),
    Case(
        "a plain class is not a layer",
        """
        class Helper:
            def __init__(self):
                self.units = 1
        """,
        [],
    ),
]


# A class body that defines __init__ twice means the last one, as Python binds it.
CASES += [
    Case(
        "__init__ defined twice: the effective one never calls super().__init__()",
        """
        import keras

        class Scale(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

            def __init__(self, **kwargs):
                self.units = 1
        """,
        ["8:KL107"],
    ),
    Case(
        "__init__ defined twice: the effective one calls it",
        """
        import keras

        class Scale(keras.layers.Layer):
            def __init__(self, **kwargs):
                self.units = 1

            def __init__(self, **kwargs):
                super().__init__(**kwargs)
        """,
        [],
    ),
]


# super() forms that never run Layer.__init__ (issue 11, item 3), and the forms that do.
CASES += [
    Case("super(Layer, self) starts the lookup after Layer",
         layer("super(keras.layers.Layer, self).__init__(**kwargs)"), ["4:KL107"]),
    Case("super(Layer, self) with Layer imported", layer("super(Layer, self).__init__()",
                                                         header="import keras\nfrom keras.layers import Layer"),
         ["5:KL107"]),
    Case("super(Layer, self) in a Model", layer("super(keras.layers.Layer, self).__init__()", base="keras.Model"),
         ["4:KL107"]),
    Case("object.__init__(self)", layer("object.__init__(self)"), ["4:KL107"]),
    Case("super(Dense, self) in a Dense subclass still runs Layer.__init__",
         layer("super(keras.layers.Dense, self).__init__(units, **kwargs)", base="keras.layers.Dense"), []),
    Case(
        "a project base's __init__, by name or through super(Base, self)",
        """
        import keras

        class Base(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

        class ByName(Base):
            def __init__(self, **kwargs):
                Base.__init__(self, **kwargs)

        class BySuper(Base):
            def __init__(self, **kwargs):
                super(Base, self).__init__(**kwargs)
        """,
        [],
    ),
    Case(
        "a mixin's __init__ may cooperate",
        """
        import keras

        class Mixin:
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

        class Net(Mixin, keras.layers.Layer):
            def __init__(self, **kwargs):
                Mixin.__init__(self, **kwargs)
        """,
        [],
    ),
]


# A __call__ of its own that never reaches super().__call__: Keras' check never runs (a container of
# sub-layers, keras-cv's Augmenter); one that does reach it still fails.
CASES += [
    Case(
        "__call__ bypasses Keras: never reaches the check",
        """
        import keras

        class Heads(keras.layers.Layer):
            def __init__(self):
                self.heads = [keras.layers.Dense(2)]

            def __call__(self, x):
                return [head(x) for head in self.heads]
        """,
        [],
    ),
    Case(
        "__call__ that calls super().__call__: the check runs",
        """
        import keras

        class Heads(keras.layers.Layer):
            def __init__(self):
                self.units = 2

            def __call__(self, x):
                return super().__call__(x)
        """,
        ["5:KL107"],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl107(case, tmp_path):
    assert run_case(replace(case, codes=("KL107",)), tmp_path) == case.expected
