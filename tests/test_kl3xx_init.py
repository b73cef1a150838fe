"""KL302 init-drops-kwargs and KL304 config-not-serializable, as cases: source in, ``line:code`` out."""

import pytest
from helpers import Case, run_case

GET_CONFIG = (
    "\n    def get_config(self):\n"
    "        config = super().get_config()\n"
    '        config.update({"units": self.units})\n'
    "        return config\n"
)


def layer(params: str, body: str = "super().__init__(**kwargs)", get_config: str = GET_CONFIG,
          decorator: str = "", base: str = "keras.layers.Layer") -> str:
    """A layer whose ``def __init__`` is on line 5 (line 4 holds the decorator, if any)."""
    return (
        "import keras\n\n"
        f"{decorator or '# not registered'}\n"
        f"class Scale({base}):\n"
        f"    def __init__(self, {params}):\n"
        f"        {body}\n"
        "        self.units = units\n"
        f"{get_config}"
    )


REGISTERED = '@keras.saving.register_keras_serializable(package="demo")'

CASES_302 = [
    Case("no **kwargs, get_config calls super", layer("units", "super().__init__()"), ["5:KL302"]),
    Case("no **kwargs, registered, auto config", layer("units", "super().__init__()", "", REGISTERED), ["5:KL302"]),
    Case("keras.utils registration", layer("units", "super().__init__()", "",
                                           "@keras.utils.register_keras_serializable()"), ["5:KL302"]),
    Case("**kwargs accepted but not passed on", layer("units, **kwargs", "super().__init__()"), ["5:KL302"]),
    Case("**kwargs passed on", layer("units, **kwargs"), []),
    Case("seed 003 CustomLayer is fine", layer("units, config_param2=None, **kwargs"), []),
    Case("**kwargs read: not followed", layer("units, **kwargs", "super().__init__(name=kwargs.get('name'))"), []),
    Case("a filtered dict passed on with **", layer("units, **kwargs",
                                                    "super().__init__(**{k: v for k, v in kwargs.items()})"), []),
    Case("name/trainable/dtype taken explicitly", layer("units, name=None, trainable=True, dtype=None",
                                                        "super().__init__(name=name, trainable=trainable, "
                                                        "dtype=dtype)"), []),
    Case("not in config round trips: no get_config, not registered",
         layer("units", "super().__init__()", ""), []),
    Case("subclassed Model only saved by weights",
         "import keras\n\nclass Net(keras.Model):\n    def __init__(self, units):\n        super().__init__()\n"
         "        self.d = keras.layers.Dense(units)\n", []),
    Case("super().__init__ never called: KL107 alone", layer("units", "self.built = False"), []),
    Case("get_config without the base config: KL305, not KL302",
         layer("units", "super().__init__()", '\n    def get_config(self):\n        return {"units": self.units}\n'),
         []),
    Case(
        "a project base that rebuilds name/dtype by hand (keras' SpatialDropout2D)",
        """
        import keras

        class Base(keras.layers.Dropout):
            def __init__(self, rate, name=None, dtype=None):
                super().__init__(rate, name=name, dtype=dtype)

            def get_config(self):
                return {"rate": self.rate, "name": self.name, "dtype": self.dtype}

        class Child(Base):
            def __init__(self, rate, data_format=None, name=None, dtype=None):
                super().__init__(rate, name=name, dtype=dtype)

            def get_config(self):
                return {**super().get_config(), "data_format": None}
        """,
        [],
    ),
    Case(
        "get_config in a project base",
        """
        import keras

        class Base(keras.layers.Layer):
            def get_config(self):
                return super().get_config()

        class Child(Base):
            def __init__(self, units):
                super().__init__()
        """,
        ["9:KL302"],
    ),
    Case("a Keras 3 Model with get_config", "import keras\n\nclass Net(keras.Model):\n    def __init__(self, units):\n"
         "        super().__init__()\n\n    def get_config(self):\n        return super().get_config()\n",
         ["4:KL302"]),
    Case("a Keras 2 Model: its base config is empty (tf_keras SharpnessAwareMinimization)",
         "import tf_keras as keras\n\nclass Net(keras.Model):\n    def __init__(self, units):\n"
         "        super().__init__()\n\n    def get_config(self):\n        return super().get_config()\n", []),
    Case("a Keras 2 Layer: name/trainable/dtype in its config (tf_keras 2.21, measured)",
         layer("units", "super().__init__()").replace("import keras", "import tf_keras as keras"), ["5:KL302"]),
    Case("tf.keras (Keras 3) too", layer("units", "super().__init__()").replace(
        "import keras", "import tensorflow as tf\nkeras = tf.keras").replace("\n# not", "# not"),
        ["5:KL302"]),
]

SEQUENTIAL = (
    "import keras\n\n"
    "class Stack(keras.Sequential):\n"
    "    def __init__(self, {params}):\n"
    "        super().__init__([keras.layers.Dense(2)], {forward})\n\n"
    "    def get_config(self):\n"
    "        return super().get_config()\n"
)
AUTO = (
    "import keras\n\n"
    "@keras.saving.register_keras_serializable(package='demo')\n"
    "class Scale(keras.layers.Layer):\n"
    "    def __init__(self, {params}):\n"
    "        super().__init__({forward})\n"
    "        self.units = units\n"
)

# Which keys reach __init__ on reload is probed per Keras base (tools/probe_reload.py).
CASES_302 += [
    Case("Sequential.from_config passes only name: an __init__ taking name reloads",
         SEQUENTIAL.format(params="name=None", forward="name=name"), []),
    Case("a Sequential subclass without name fails on 'name'",
         SEQUENTIAL.format(params="depth=1", forward=""), ["4:KL302"]),
    Case("automatic config keeps trainable: fails on 'trainable' even with name taken",
         AUTO.format(params="units, name=None", forward="name=name"), ["5:KL302"]),
    Case("automatic config with name, trainable and dtype taken",
         AUTO.format(params="units, name=None, trainable=True, dtype=None",
                     forward="name=name, trainable=trainable, dtype=dtype"), []),
    Case("Keras 2 automatic config keeps only what __init__ takes (tf_keras 2.21)",
         AUTO.format(params="units", forward="").replace("import keras", "import tf_keras as keras"), []),
    Case("Keras 2 target, automatic config", AUTO.format(params="units", forward=""), [], keras_version="2.15"),
    Case("Keras 2 target, explicit config", layer("units", "super().__init__()"), ["5:KL302"], keras_version="2.15"),
    Case("a project from_config decides what reaches __init__: not followed",
         layer("units", "super().__init__()", GET_CONFIG + "\n    @classmethod\n    def from_config(cls, config):\n"
               "        return cls(config['units'])\n"), []),
    Case("**kwargs swallowed, name and dtype handed on explicitly: trainable is still lost",
         layer("units, name=None, dtype=None, **kwargs", "super().__init__(name=name, dtype=dtype)"), ["5:KL302"]),
    Case("**kwargs swallowed, every base keyword handed on explicitly: nothing is lost",
         layer("units, name=None, trainable=True, dtype=None, **kwargs",
               "super().__init__(name=name, trainable=trainable, dtype=dtype)"), []),
    Case("**kwargs swallowed, a constant name: the caller's name is lost",
         layer("units, **kwargs", "super().__init__(name='scale')"), ["5:KL302"]),
]

# A class body that defines __init__ twice means the last one, as Python binds it.
CASES_302 += [
    Case("__init__ defined twice: the effective one lacks **kwargs",
         "import keras\n\nclass Scale(keras.layers.Layer):\n"
         "    def __init__(self, units, **kwargs):\n        super().__init__(**kwargs)\n\n"
         "    def __init__(self, units):\n        super().__init__()\n\n"
         "    def get_config(self):\n        return {**super().get_config(), 'units': 1}\n",
         ["7:KL302"]),
    Case("__init__ defined twice: the effective one takes and forwards **kwargs",
         "import keras\n\nclass Scale(keras.layers.Layer):\n"
         "    def __init__(self, units):\n        super().__init__()\n\n"
         "    def __init__(self, units, **kwargs):\n        super().__init__(**kwargs)\n\n"
         "    def get_config(self):\n        return {**super().get_config(), 'units': 1}\n",
         []),
]

SITE = "\n\nlayer = Scale({})\n"


def plain(params: str, default_site: str = "", body: str = "super().__init__(**kwargs)") -> str:
    """A layer without get_config (``def __init__`` on line 4), constructed on line 9 when ``default_site``."""
    source = (
        "import keras\n\n"
        "class Scale(keras.layers.Layer):\n"
        f"    def __init__(self, {params}, **kwargs):\n"
        f"        {body}\n"
        "        self.fn = fn\n\n"
    )
    return source + (f"layer = Scale({default_site})\n" if default_site else "")


CASES_304 = [
    Case("a layer passed at the construction site", plain("fn", "keras.layers.Dense(3)"), ["4:KL304"]),
    Case("a lambda passed", plain("fn", "fn=lambda x: x * 2"), ["4:KL304"]),
    Case("a project function passed", plain("fn", "helper").replace("layer =", "def helper(x):\n    return x\n\n"
                                                                    "layer ="), ["4:KL304"]),
    Case("a list of layers passed", plain("fn", "[keras.layers.Dense(3), keras.layers.Dense(4)]"), ["4:KL304"]),
    Case("plain values round-trip (auto config)", plain("fn", "3"), []),
    Case("a list of ints is plain", plain("fn", "[1, 2, 3]"), []),
    Case("unknown value: silent", plain("fn", "make_fn()"), []),
    Case("not constructed in the file: silent", plain("fn"), []),
    Case("Keras 2 target: not probed", plain("fn", "keras.layers.Dense(3)"), [], keras_version="2.15"),
    Case("tf_keras: not probed", plain("fn", "keras.layers.Dense(3)").replace("import keras",
                                                                                "import tf_keras as keras"), []),
    Case("a function as default, 3.12 and later capture defaults",
         "import keras\n\ndef helper(x):\n    return x\n\nclass Scale(keras.layers.Layer):\n"
         "    def __init__(self, fn=helper, **kwargs):\n        super().__init__(**kwargs)\n", ["7:KL304"],
         keras_version="3.12.0"),
    Case("a function as default, not captured before 3.12",
         "import keras\n\ndef helper(x):\n    return x\n\nclass Scale(keras.layers.Layer):\n"
         "    def __init__(self, fn=helper, **kwargs):\n        super().__init__(**kwargs)\n", [],
         keras_version="3.10.0"),
    Case("get_config defined: KL303's business", plain("fn", "keras.layers.Dense(3)") +
         "    def get_config(self):\n        return super().get_config()\n", []),
    Case(
        "Keras base with a get_config of its own (Dense)",
        "import keras\n\nclass Scale(keras.layers.Dense):\n    def __init__(self, fn, **kwargs):\n"
        "        super().__init__(3, **kwargs)\n\nlayer = Scale(keras.layers.Dense(3))\n",
        [],
    ),
    Case(
        "an unregistered Model: only saved by weights",
        "import keras\n\nclass Net(keras.Model):\n    def __init__(self, backbone, **kwargs):\n"
        "        super().__init__(**kwargs)\n\nnet = Net(keras.layers.Dense(3))\n",
        [],
    ),
    Case(
        "a registered Model",
        "import keras\n\n@keras.saving.register_keras_serializable()\nclass Net(keras.Model):\n"
        "    def __init__(self, backbone, **kwargs):\n        super().__init__(**kwargs)\n\n"
        "net = Net(keras.layers.Dense(3))\n",
        ["5:KL304"],
        keras_version="3.12.0",
    ),
]


@pytest.mark.parametrize("case", CASES_302, ids=str)
def test_kl302(case, tmp_path):
    assert run_case(Case(case.id, case.source, case.expected, case.keras_version, case.files, ("KL302",)),
                    tmp_path) == case.expected


@pytest.mark.parametrize("case", CASES_304, ids=str)
def test_kl304(case, tmp_path):
    assert run_case(Case(case.id, case.source, case.expected, case.keras_version, case.files, ("KL304",)),
                    tmp_path) == case.expected


def message_302(source: str, tmp_path, keras_version=None) -> str:
    from helpers import option_target
    from flake8_keras_layers.engine.driver import analyze
    from flake8_keras_layers.knowledge import facts as knowledge

    import textwrap

    found = [d for d in analyze(textwrap.dedent(source), str(tmp_path / "m.py"), option_target(keras_version),
                                knowledge.default()) if d.code == "KL302"]
    assert len(found) == 1, found
    assert len(found[0].message) <= 200, found[0].message
    return found[0].message


@pytest.mark.parametrize("source, keyword", [
    (layer("units", "super().__init__()"), "name"),
    (layer("units, name=None", "super().__init__(name=name)"), "trainable"),
    (AUTO.format(params="units", forward=""), "trainable"),
    (SEQUENTIAL.format(params="depth=1", forward=""), "name"),
])
def test_302_names_the_keyword_reload_fails_on(source, keyword, tmp_path):
    message = message_302(source, tmp_path)
    assert f"TypeError \"unexpected keyword argument '{keyword}'\" (Keras 3.0-3.15.1);" in message
    assert message.startswith(("Scale.__init__", "Stack.__init__"))


def test_302_keras2_target_says_keras_2(tmp_path):
    assert "'name'\" (Keras 2);" in message_302(layer("units", "super().__init__()"), tmp_path, "2.15")
    assert "'name'\" (Keras 2, 3.0-3.15.1);" in message_302(layer("units", "super().__init__()"), tmp_path, ">=2.15")


@pytest.mark.parametrize("params, body, lost", [
    ("units, **kwargs", "super().__init__()", ": name, trainable and dtype are silently ignored"),
    ("units, name=None, dtype=None, **kwargs", "super().__init__(name=name, dtype=dtype)",
     ": trainable is silently ignored"),
    ("units, **kwargs", "super().__init__(name='scale')", ": name, trainable and dtype are"),
])
def test_302_lists_only_what_is_lost(params, body, lost, tmp_path):
    assert lost in message_302(layer(params, body), tmp_path)
