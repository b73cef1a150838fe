"""KL303 config-missing-arg and KL305 config-drops-base, as cases: source in, ``line:code`` out."""

import pytest
from helpers import Case, run_case

from flake8_keras_layers.engine.driver import analyze
from flake8_keras_layers.knowledge import facts, versions
from flake8_keras_layers.knowledge.config_facts import ConfigKnowledge


def layer(init_params: str, get_config: str, init_body: str = "super().__init__(**kwargs)",
          base: str = "keras.layers.Layer", extra: str = "") -> str:
    """A layer whose ``get_config`` starts on line 8 (``def get_config`` line)."""
    body = "".join(f"        {line}\n" for line in get_config.strip().splitlines())
    return (
        "import keras\n\n"
        f"class Scale({base}):\n"
        f"    def __init__(self, {init_params}):\n"
        f"        {init_body}\n"
        "        self.units = units\n\n"
        "    def get_config(self):\n"
        f"{body}{extra}"
    )


UPDATE = 'config = super().get_config()\nconfig.update({"units": self.units})\nreturn config'

# An abstract-looking base (tfa's AttentionMechanism) whose get_config leaves probability_fn out (its
# `def get_config` is line 10), indented as the cases' sources are: they add subclasses after it.
MECHANISM = """
        import keras

        class Mechanism(keras.layers.Layer):
            def __init__(self, units, probability_fn, **kwargs):
                super().__init__(**kwargs)
                self.units = units
                self.probability_fn = probability_fn

            def get_config(self):
                return {**super().get_config(), "units": self.units}

            def call(self, x):
                return self.probability_fn(x)
"""

# A concrete subclass deciding its own config: its own probability_fn, handed on as a function.
LUONG = """

        class Luong(Mechanism):
            def __init__(self, units, probability_fn="softmax", **kwargs):
                super().__init__(units, probability_fn=len, **kwargs)

            def get_config(self):
                return {**super().get_config(), "probability_fn": "softmax"}
"""

CASES_303 = [
    # Missing constructor arguments.
    Case("seed 003 sketch: every argument in the config",
         layer("config_param1, config_param2=None, **kwargs",
               'config = super().get_config()\nconfig.update({"config_param1": 1, "config_param2": 2})\n'
               "return config", "super().__init__(**kwargs); units = 1"), []),
    Case("required argument missing", layer("units, rate, **kwargs", UPDATE), ["8:KL303"]),
    Case("defaulted argument missing (reloads with the default)", layer("units, rate=0.5, **kwargs", UPDATE),
         ["8:KL303"]),
    Case("keyword-only argument missing", layer("units, *, rate=0.5, **kwargs", UPDATE), ["8:KL303"]),
    Case("update with keywords", layer("units, rate=0.5, **kwargs",
                                       "config = super().get_config()\nconfig.update(units=1, rate=2)\n"
                                       "return config"), []),
    Case("subscript assignment", layer("units, rate=0.5, **kwargs",
                                       'config = super().get_config()\nconfig["units"] = 1\nconfig["rate"] = 2\n'
                                       "return config"), []),
    Case("dict unpacking", layer("units, rate=0.5, **kwargs",
                                 'return {**super().get_config(), "units": 1, "rate": 2}'), []),
    Case("dict unpacking, one missing", layer("units, rate=0.5, **kwargs",
                                              'return {**super().get_config(), "units": 1}'), ["8:KL303"]),
    Case("dict(base, key=...)", layer("units, rate=0.5, **kwargs",
                                      "return dict(super().get_config(), units=1, rate=2)"), []),
    Case("Keras 2 idiom: dict(list(base.items()) + list(config.items()))",
         layer("units, rate=0.5, **kwargs",
               'config = {"units": 1, "rate": 2}\nbase_config = super(Scale, self).get_config()\n'
               "return dict(list(base_config.items()) + list(config.items()))"), []),
    Case("union operator", layer("units, rate=0.5, **kwargs",
                                 'return super().get_config() | {"units": 1, "rate": 2}'), []),
    Case("keys added in a branch count", layer("units, rate=0.5, **kwargs",
                                               'config = super().get_config()\nconfig["units"] = 1\n'
                                               'if self.units:\n    config["rate"] = 2\nreturn config'), []),
    # A block in get_config is followed, not a reason to give up: each still omits 'rate'.
    Case("an if in get_config, argument still missing", layer("units, rate=0.5, **kwargs",
                                                              'config = super().get_config()\nif self.units:\n'
                                                              '    config["units"] = 1\nreturn config'), ["8:KL303"]),
    Case("a for in get_config, argument still missing", layer("units, rate=0.5, **kwargs",
                                                              'config = super().get_config()\nfor _ in range(1):\n'
                                                              '    config["units"] = 1\nreturn config'), ["8:KL303"]),
    Case("a try in get_config, argument still missing", layer("units, rate=0.5, **kwargs",
                                                              'config = super().get_config()\ntry:\n'
                                                              '    config["units"] = 1\nexcept KeyError:\n'
                                                              '    pass\nreturn config'), ["8:KL303"]),
    Case("a with in get_config, argument still missing", layer("units, rate=0.5, **kwargs",
                                                               'config = super().get_config()\nwith open("f"):\n'
                                                               '    config["units"] = 1\nreturn config'), ["8:KL303"]),
    # A near miss of a parameter that nothing sets: get_config itself raises AttributeError (item 8's message).
    Case("reads self.out_dim, only self.output_dim is set",
         layer("units, output_dim=8, **kwargs", 'config = super().get_config()\n'
               'config.update({"units": self.units, "out_dim": self.out_dim})\nreturn config',
               "super().__init__(**kwargs)\n        self.output_dim = output_dim"), ["9:KL303"]),
    # Construction-only parameters: a one-time effect in __init__, left out of the config on purpose.
    Case("weights loaded once into the built layer: silent",
         layer("units, weights=None, **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        if weights is not None:\n            self.load_weights(weights)"),
         []),
    Case("input tensor handed to a method of the instance: silent",
         layer("units, input_tensor=None, **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        inputs = self.make_inputs(input_tensor)"), []),
    Case("rebound and checked, then loaded: silent",
         layer("units, weights=None, **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        if weights and not isinstance(weights, list):\n"
               "            weights = [weights]\n        if weights:\n            self.set_weights(weights)"), []),
    Case("handed to a sub-layer's constructor: it shapes the layer, reported",
         layer("units, data_format=None, **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        self.conv = keras.layers.Conv2D(8, 3, data_format=data_format)"),
         ["9:KL303"]),
    Case("stored on self, even if also tested: reported",
         layer("units, rate=None, **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        if rate is not None:\n            self.rate = rate"), ["10:KL303"]),
    Case("passed to the Keras base's __init__ by keyword",
         layer("units, activation=None, **kwargs", UPDATE,
               "super().__init__(units=units, activation=activation, **kwargs)", "keras.layers.Dense"), []),
    Case("passed to the Keras base's __init__ by position",
         layer("units, activation=None, **kwargs", UPDATE, "super().__init__(units, activation, **kwargs)",
               "keras.layers.Dense"), []),
    Case("same name as a parameter of the Keras base (its get_config has it)",
         layer("units, use_bias=True, **kwargs", UPDATE, "super().__init__(units, **kwargs)",
               "keras.layers.Dense"), []),
    Case("not passed to the Keras base and not a parameter of it",
         layer("units, scale=2.0, **kwargs", UPDATE, "super().__init__(units, **kwargs)", "keras.layers.Dense"),
         ["8:KL303"]),
    Case("name/trainable/dtype taken explicitly and passed on",
         layer("units, name=None, trainable=True, dtype=None", UPDATE,
               "super().__init__(name=name, trainable=trainable, dtype=dtype)"), []),
    Case(
        "inherited keys from a project base's get_config count",
        """
        import keras

        class Base(keras.layers.Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.units = units

            def get_config(self):
                return {**super().get_config(), "units": self.units}

        class Child(Base):
            def __init__(self, units, rate=0.5, **kwargs):
                super().__init__(units, **kwargs)
                self.rate = rate

            def get_config(self):
                config = super().get_config()
                config.update({"rate": self.rate})
                return config
        """,
        [],
    ),
    Case(
        "a project base whose get_config cannot be followed: silent",
        """
        import keras

        class Base(keras.layers.Layer):
            def get_config(self):
                return self.config.to_dict()

        class Child(Base):
            def __init__(self, units, rate=0.5, **kwargs):
                super().__init__(**kwargs)

            def get_config(self):
                config = super().get_config()
                config.update({"units": 1})
                return config
        """,
        [],
    ),
    Case(
        "abstract base: every concrete subclass fixes `rank` in super().__init__",
        """
        import keras

        class BaseConv(keras.layers.Layer):
            def __init__(self, rank, filters, **kwargs):
                super().__init__(**kwargs)
                self.rank = rank
                self.filters = filters

            def get_config(self):
                config = super().get_config()
                config.update({"filters": self.filters})
                return config

        class Conv2D(BaseConv):
            def __init__(self, filters, **kwargs):
                super().__init__(rank=2, filters=filters, **kwargs)
        """,
        [],
    ),
    Case(
        "abstract base in another module of the project",
        """
        from pkg.base import BaseConv

        class Conv1D(BaseConv):
            def __init__(self, filters, **kwargs):
                super().__init__(1, filters, **kwargs)
        """,
        [],
        files={
            "pkg/__init__.py": "",
            "pkg/base.py": """
                import keras

                class BaseConv(keras.layers.Layer):
                    def __init__(self, rank, filters, **kwargs):
                        super().__init__(**kwargs)
                        self.rank = rank

                    def get_config(self):
                        return {**super().get_config(), "filters": 1}
                """,
        },
    ),
    Case(
        "a subclass that keeps the base's __init__ needs the argument",
        """
        import keras

        class Base(keras.layers.Layer):
            def __init__(self, units, rate=0.5, **kwargs):
                super().__init__(**kwargs)

            def get_config(self):
                return {**super().get_config(), "units": 1}

        class Child(Base):
            pass
        """,
        ["8:KL303"],
    ),
    Case(
        "abstract base: every subclass has its own __init__ and get_config, nothing calls the base",
        MECHANISM + """

        class Luong(Mechanism):
            def __init__(self, units, probability_fn="softmax", **kwargs):
                super().__init__(units, probability_fn=len, **kwargs)
                self.name_of_fn = probability_fn

            def get_config(self):
                return {**super().get_config(), "probability_fn": self.name_of_fn}
        """,
        [],
        files={"pkg/__init__.py": ""},
    ),
    Case(
        "abstract through an intermediate base with nothing of its own; a docstring naming Mechanism(...)",
        MECHANISM.replace("(keras.layers.Layer):\n", '(keras.layers.Layer):\n            """Subclass me; never call '
                          'Mechanism(units, fn) yourself."""\n\n') + """

        class _Monotonic(Mechanism):
            def initial_alignments(self):
                return 0

        class Luong(_Monotonic):
            def __init__(self, units, probability_fn="softmax", **kwargs):
                super().__init__(units, probability_fn=len, **kwargs)

            def get_config(self):
                return {**super().get_config(), "probability_fn": "softmax"}
        """,
        [],
        files={"pkg/__init__.py": ""},
    ),
    Case(
        "the same base called by name somewhere in the package is not abstract",
        MECHANISM + LUONG,
        ["10:KL303"],
        files={"pkg/__init__.py": "", "pkg/use.py": "from pkg.main import Mechanism\nm = Mechanism(4, len)\n"},
    ),
    Case(
        "the base made through a module attribute: not abstract",
        MECHANISM + LUONG,
        ["10:KL303"],
        files={"pkg/__init__.py": "", "pkg/use.py": "from pkg import main as base\nm = base.Mechanism(4, len)\n"},
    ),
    Case(
        "a subclass that hands the argument on and builds on the base's config keeps its omission",
        MECHANISM + """

        class Luong(Mechanism):
            def __init__(self, units, probability_fn=len, **kwargs):
                super().__init__(units, probability_fn=probability_fn, **kwargs)

            def get_config(self):
                return super().get_config()
        """,
        ["10:KL303"],
        files={"pkg/__init__.py": ""},
    ),
    Case(
        "a subclass without its own get_config makes the base's config its own",
        MECHANISM + """

        class Luong(Mechanism):
            def __init__(self, units, probability_fn=len, **kwargs):
                super().__init__(units, probability_fn=probability_fn, **kwargs)
        """,
        ["10:KL303"],
        files={"pkg/__init__.py": ""},
    ),
    Case(
        "keys a base pops from its subclasses' **kwargs in a method (kimm's set_properties)",
        """
        import keras

        class BaseModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

            def set_properties(self, kwargs):
                self._classes = kwargs.pop("classes", 1000)

            def get_config(self):
                return {"name": self.name, "classes": self._classes}

        class Net(BaseModel):
            def __init__(self, depth=3, **kwargs):
                self.set_properties(kwargs)
                super().__init__(**kwargs)
        """,
        [],
    ),
    Case(
        "a key no method of the base spells out still fails through the subclasses' **kwargs",
        """
        import keras

        class BaseModel(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

            def get_config(self):
                return {"name": self.name, "classes": 10}

        class Net(BaseModel):
            def __init__(self, depth=3, **kwargs):
                super().__init__(**kwargs)
        """,
        ["8:KL303"],
    ),
    Case(
        "a tensor that only builds the functional model's inputs (keras-cv's input_tensor)",
        """
        import keras

        def parse_inputs(shape, tensor):
            return keras.Input(shape) if tensor is None else tensor

        class Backbone(keras.Model):
            def __init__(self, depth, input_shape=(None, 3), input_tensor=None, **kwargs):
                inputs = parse_inputs(input_shape, input_tensor)
                x = keras.layers.Dense(depth)(inputs)
                super().__init__(inputs=inputs, outputs=x, **kwargs)
                self.depth = depth

            def get_config(self):
                return {"name": self.name, "depth": self.depth, "input_shape": self.input_shape[1:]}
        """,
        [],
    ),
    Case(
        "the only thing the functional inputs are made of: lost on reload",
        """
        import keras

        class Backbone(keras.Model):
            def __init__(self, depth, image_shape=(None, 3), **kwargs):
                inputs = keras.Input(shape=image_shape)
                x = keras.layers.Dense(depth)(inputs)
                super().__init__(inputs=inputs, outputs=x, **kwargs)
                self.depth = depth

            def get_config(self):
                return {"name": self.name, "depth": self.depth}
        """,
        ["11:KL303"],
    ),
    Case("a truth value derived from it is stored: lost on reload",
         layer("units, mode='add', **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        self.subtract = mode == 'sub'",
               extra="\n    def call(self, x):\n        return -x if self.subtract else x\n"), ["9:KL303"]),
    Case("it shapes a weight through self.add_weight: lost on reload",
         layer("units, width=4, **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        self.add_weight(shape=(width,))"), ["9:KL303"]),
    Case(
        "the same helper's result kept for later: not construction-only",
        """
        import keras

        def parse_inputs(shape, tensor):
            return keras.Input(shape) if tensor is None else tensor

        class Backbone(keras.Model):
            def __init__(self, depth, input_shape=(None, 3), input_tensor=None, **kwargs):
                inputs = keras.Input(input_shape)
                self.source = parse_inputs(input_shape, input_tensor)
                x = keras.layers.Dense(depth)(inputs)
                super().__init__(inputs=inputs, outputs=x, **kwargs)
                self.depth = depth

            def get_config(self):
                return {"name": self.name, "depth": self.depth, "input_shape": self.input_shape[1:]}

            def call(self, x):
                return self.source
        """,
        ["15:KL303"],
    ),
    Case("handed to a constructor whose result is the base's first argument (an RNN's cell): kept",
         layer("units, seed=None, **kwargs", UPDATE,
               "cell = keras.layers.SimpleRNNCell(units, seed=seed)\n        super().__init__(cell, **kwargs)",
               base="keras.layers.RNN"),
         ["9:KL303"]),
    Case("a hardware-kernel switch Keras keeps out of its own configs (use_cudnn), handed to an LSTM",
         layer("units, use_cudnn='auto', **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        self.rnn = keras.layers.LSTM(units, use_cudnn=use_cudnn)"), []),
    Case("another keyword handed the same way is a plain argument",
         layer("units, go_backwards=False, **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        self.rnn = keras.layers.LSTM(units, go_backwards=go_backwards)"),
         ["9:KL303"]),
    Case("stored on self under an attribute nothing reads: nothing changes on reload",
         layer("units, channel_axis=None, **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        self.channels_axis = channel_axis"), []),
    Case("stored, and read only to make a value the config carries",
         layer("units, decoder=None, activation=None, **kwargs",
               'config = super().get_config()\nconfig.update({"units": self.units, "decoder": self._decoder})\n'
               "return config",
               "super().__init__(**kwargs)\n        self.activation = activation\n"
               "        self._decoder = decoder or make_decoder(self.activation == 'sigmoid')"), []),
    Case("stored, and read only in build() to make a sub-layer the config carries",
         layer("units, block=None, block_cfg=None, **kwargs",
               'config = super().get_config()\nconfig.update({"units": self.units, "block": self._block})\n'
               "return config",
               "super().__init__(**kwargs)\n        self._block_cfg = block_cfg",
               extra="\n    def build(self, input_shape):\n        self._block = make_block(self._block_cfg)\n"),
         []),
    Case("stored, read in build() into a sub-layer the config does not carry: lost on reload",
         layer("units, block_cfg=None, **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        self._block_cfg = block_cfg",
               extra="\n    def build(self, input_shape):\n        self._block = make_block(self._block_cfg)\n"),
         ["9:KL303"]),
    Case("stored, read for the config's value and again in call(): lost on reload",
         layer("units, decoder=None, activation=None, **kwargs",
               'config = super().get_config()\nconfig.update({"units": self.units, "decoder": self._decoder})\n'
               "return config",
               "super().__init__(**kwargs)\n        self.activation = activation\n"
               "        self._decoder = decoder or make_decoder(self.activation == 'sigmoid')",
               extra="\n    def call(self, x):\n        return self.activation(x)\n"),
         ["10:KL303"]),
    Case("stored and read later: lost on reload",
         layer("units, channel_axis=None, **kwargs", UPDATE,
               "super().__init__(**kwargs)\n        self.channels_axis = channel_axis",
               extra="\n    def call(self, x):\n        return x.sum(axis=self.channels_axis)\n"),
         ["9:KL303"]),
    Case("stored under another key it provably flows into (InputLayer's batch_shape)",
         layer("units, shape=None, batch_size=None, batch_shape=None, **kwargs",
               'config = super().get_config()\nconfig.update({"units": 1, "batch_shape": self._batch_shape})\n'
               "return config",
               "super().__init__(**kwargs)\n        if shape is not None:\n"
               "            batch_shape = (batch_size,) + shape\n        self._batch_shape = batch_shape"), []),
    Case("without the base config, name is KL305's finding",
         layer("units, name=None, **kwargs", 'return {"units": self.units}'), []),
    Case("config object: silent", layer("units, rate=0.5, **kwargs", "return self.config.to_dict()"), []),
    Case("handed to a helper: silent", layer("units, rate=0.5, **kwargs",
                                             "config = super().get_config()\nadd_keys(config)\nreturn config"), []),
    Case("keys from a loop: silent", layer("units, rate=0.5, **kwargs",
                                           "config = super().get_config()\nfor k in self.keys:\n"
                                           "    config[k] = getattr(self, k)\nreturn config"), []),
    Case("update from an unknown dict: silent", layer("units, rate=0.5, **kwargs",
                                                      "config = super().get_config()\nconfig.update(self.extra)\n"
                                                      "return config"), []),
    Case("a renaming from_config: silent",
         layer("units, rate=0.5, **kwargs", UPDATE,
               extra='\n    @classmethod\n    def from_config(cls, config):\n'
                     '        return cls(config.pop("units"), rate=0.5, **config)\n'), []),
    Case("a from_config that only deserializes values still counts",
         layer("units, rate=0.5, **kwargs", UPDATE,
               extra='\n    @classmethod\n    def from_config(cls, config):\n'
                     '        config["units"] = int(config["units"])\n        return cls(**config)\n'),
         ["8:KL303"]),
    Case("no __init__ of its own: the Keras constructor's business",
         "import keras\n\nclass D(keras.layers.Dense):\n    def get_config(self):\n"
         "        return super().get_config()\n", []),
    # Keys no constructor accepts (typos).
    Case("typo in a key", layer("units, **kwargs",
                                'config = super().get_config()\nconfig.update({"unit": self.units, "units": 1})\n'
                                "return config"), ["8:KL303"]),
    Case(
        "keys an abstract base returns for its subclasses' constructors",
        """
        import keras

        class Task(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

            def get_config(self):
                return {**super().get_config(), "backbone": 1}

        class Classifier(Task):
            def __init__(self, backbone, **kwargs):
                super().__init__(**kwargs)
        """,
        [],
    ),
    Case("*args constructors are not followed for keys",
         layer("*args, units=1, **kwargs", 'config = super().get_config()\nconfig.update({"units": 1, "x": 2})\n'
                                           "return config", "super().__init__(*args, **kwargs)"), []),
    Case("keys Layer.__init__ accepts through **kwargs are fine",
         layer("units, **kwargs", 'config = super().get_config()\nconfig.update({"units": 1, "name": "n", '
                                  '"trainable": True, "dtype": "float32"})\nreturn config'), []),
    Case("a key of the Keras base's constructor is fine",
         layer("units, **kwargs", 'config = super().get_config()\nconfig.update({"units": 1, "use_bias": True})\n'
                                  "return config", "super().__init__(units, **kwargs)", "keras.layers.Dense"), []),
    Case("a key taken from **kwargs by name (kwargs.pop) is accepted",
         layer("units, **kwargs", 'config = super().get_config()\nconfig.update({"units": 1, "config_file": "f"})\n'
                                  "return config", 'self.config_file = kwargs.pop("config_file", "x")\n'
                                  "        super().__init__(**kwargs)"),
         []),
    Case("kwargs swallowed: not followed, silent",
         layer("units, **kwargs", 'config = super().get_config()\nconfig.update({"units": 1, "unit": 1})\n'
                                  "return config", "super().__init__()"), []),
    Case("tf_keras: missing argument reported, typos not probed",
         layer("units, rate=0.5, **kwargs", 'config = super().get_config()\nconfig.update({"units": 1, "x": 1})\n'
                                            "return config").replace("import keras", "import tf_keras as keras"),
         ["8:KL303"]),
]

CASES_305 = [
    Case("dict literal without the base config", layer("units, **kwargs", 'return {"units": self.units}'),
         ["8:KL305"]),
    # With super().__init__ never called, KL107 alone: super().get_config() would itself fail there.
    Case("super().__init__ never called: KL107's finding", layer("units, **kwargs", 'return {"units": self.units}',
                                                                 "pass"), []),
    Case("no **kwargs in __init__: still reported", layer("units", 'return {"units": self.units}',
                                                          "super().__init__()"), ["8:KL305"]),
    Case("base config fetched but not returned", layer("units, **kwargs",
                                                       'base = super().get_config()\nreturn {"units": self.units}'),
         ["8:KL305"]),
    Case("dict(...) without the base", layer("units, **kwargs", "return dict(units=self.units)"), ["8:KL305"]),
    Case("config.update on super's dict", layer("units, **kwargs", UPDATE), []),
    Case("Keras 2 style super(Class, self)", layer("units, **kwargs",
                                                   "base = super(Scale, self).get_config()\n"
                                                   'return dict(list(base.items()) + [("units", 1)])'), []),
    Case("Base.get_config(self)", layer("units, **kwargs",
                                        'return {**keras.layers.Layer.get_config(self), "units": 1}'), []),
    Case("one path with the base is enough to stay silent", layer("units, **kwargs",
                                                                   'if self.units:\n    return {"units": 1}\n'
                                                                   'return {**super().get_config(), "units": 1}'),
         []),
    Case("dynamic config: silent", layer("units, **kwargs", "return self.config.to_dict()"), []),
    Case("a Keras 3 Model", layer("units, **kwargs", 'return {"units": self.units}', base="keras.Model"),
         ["8:KL305"]),
    Case("a Keras 2 Model: its base config is empty", layer("units, **kwargs", 'return {"units": self.units}',
                                                           base="keras.Model").replace("import keras",
                                                                                       "import tf_keras as keras"), []),
    Case("a Keras 2 Layer", layer("units, **kwargs", 'return {"units": self.units}').replace(
        "import keras", "import tf_keras as keras"), ["8:KL305"]),
    Case("name spelt out: the base rebuilt by hand (keras-hub Task)",
         layer("units, **kwargs", 'return {"units": self.units, "name": self.name}'), []),
    Case("returns super's config as is", layer("units, **kwargs", "return super().get_config()"), []),
]


@pytest.mark.parametrize("case", CASES_303, ids=str)
def test_kl303(case, tmp_path):
    assert run_case(Case(case.id, case.source, case.expected, case.keras_version, case.files, ("KL303",)),
                    tmp_path) == case.expected


@pytest.mark.parametrize("case", CASES_305, ids=str)
def test_kl305(case, tmp_path):
    assert run_case(Case(case.id, case.source, case.expected, case.keras_version, case.files, ("KL305",)),
                    tmp_path) == case.expected


def test_kl303_names_the_attribute_error_of_a_near_miss(tmp_path):
    case = next(c for c in CASES_303 if c.id.startswith("reads self.out_dim"))
    path = tmp_path / "m.py"
    path.write_text(case.source)
    (found,) = [d for d in analyze(case.source, str(path), versions.Target.any(), facts.default())
                if d.code == "KL303"]
    assert found.message == ("Scale.get_config() reads self.out_dim, which is never set: saving raises "
                             "AttributeError; use self.output_dim")


@pytest.mark.parametrize("params", ["block=keras.layers.Dense", "spec=keras.layers.InputSpec(ndim=3)",
                                    "block: type = None", "spec: keras.layers.InputSpec = None"])
def test_kl303_a_class_or_input_spec_is_serialised_in_get_config_and_rebuilt_in_from_config(params, tmp_path):
    name = params.split("=")[0].split(":")[0].strip()
    source = layer(f"units, {params}, **kwargs", UPDATE, f"super().__init__(**kwargs)\n        self.{name} = {name}",
                   extra=f"\n    def call(self, x):\n        return self.{name}\n")
    path = tmp_path / "m.py"
    path.write_text(source)
    (found,) = [d for d in analyze(source, str(path), versions.Target.any(), facts.default()) if d.code == "KL303"]
    assert found.message == (f"Scale.get_config() omits '{name}' (reloads with the default); serialise '{name}' in "
                             "get_config, rebuild it in from_config")


def test_kl303_a_plain_value_keeps_the_plain_fix(tmp_path):
    source = layer("units, rate=0.5, **kwargs", UPDATE, "super().__init__(**kwargs)\n        self.rate = rate",
                   extra="\n    def call(self, x):\n        return x * self.rate\n")
    path = tmp_path / "m.py"
    path.write_text(source)
    (found,) = [d for d in analyze(source, str(path), versions.Target.any(), facts.default()) if d.code == "KL303"]
    assert found.message.endswith("; make its keys the __init__ arguments")


@pytest.mark.parametrize("fact, switch", [
    ({"measured": [["3.2.0", "3.15.1"]], "omitted": [["3.2.0", "3.15.1"]], "fails_on_cpu": [["3.2.0", "3.2.0"]]}, True),
    ({"measured": [["3.2.0", "3.15.1"]], "omitted": [["3.2.0", "3.9.2"]], "fails_on_cpu": [["3.2.0", "3.15.1"]]}, False),
    ({"measured": [["3.2.0", "3.15.1"]], "omitted": [["3.2.0", "3.15.1"]], "fails_on_cpu": []}, False),
])
def test_a_switch_is_one_keras_keeps_out_of_every_config_and_fails_with_somewhere(fact, switch):
    assert ("use_x" in ConfigKnowledge({"switches": {"use_x": fact}}).machine_switches) is switch
