"""KL106 add-weight-positional-name, as cases: source in, ``line:code`` out."""

from dataclasses import replace

import textwrap

import pytest
from helpers import Case, option_target, run_case

from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.engine.driver import analyze


def layer(build_body: str, header: str = "import keras", base: str = "keras.layers.Layer") -> str:
    """A layer whose build() body is given (``def build`` is line 4, its body starts on line 5)."""
    body = "".join(f"        {line}\n" for line in build_body.strip().splitlines())
    return f"{header}\n\nclass Net({base}):\n    def build(self, input_shape):\n{body}"


NAMED = 'self.w = self.add_weight("w", shape=(4,))'

CASES = [
    Case("seed: name first, shape by keyword, any release", layer(NAMED), ["5:KL106"]),
    Case("TypeError releases", layer(NAMED), ["5:KL106"], keras_version="3.13.2"),
    Case("ValueError releases", layer(NAMED), ["5:KL106"], keras_version="3.14.0"),
    Case("first release", layer(NAMED), ["5:KL106"], keras_version="3.0.0"),
    Case("name and shape both positional", layer('self.w = self.add_weight("w", (4,))'), ["5:KL106"]),
    Case("an f-string name", layer('self.w = self.add_weight(f"w_{0}", shape=(4,))'), ["5:KL106"]),
    Case("a name held in a constant", layer('name = "kernel"\nself.w = self.add_weight(name, shape=(4,))'),
         ["6:KL106"]),
    Case("in __init__ and other methods too",
         'import keras\n\nclass Net(keras.layers.Layer):\n    def __init__(self):\n        super().__init__()\n'
         '        self.w = self.add_weight("w", shape=(1,))\n', ["6:KL106"]),
    Case("name and shape positional, initializer= by keyword",
         layer('self.w = self.add_weight("w", (4,), initializer="ones")'), ["5:KL106"]),
    Case("Keras 2's name, shape, dtype by position", layer('self.w = self.add_weight("w", (4,), "float32")'),
         ["5:KL106"]),
    Case("a form the probe did not run still takes the name as the shape",
         layer('self.w = self.add_weight("w", (4,), "float32", dtype="float32")'), ["5:KL106"]),
    Case("four positional arguments: refused from 3.14",
         layer('self.w = self.add_weight((4,), "ones", "float32", True)'), ["5:KL106"], keras_version="3.14.0"),
    Case("four positional arguments are Keras 3's own signature before 3.14",
         layer('self.w = self.add_weight((4,), "ones", "float32", True)'), [], keras_version="3.13.2"),
    Case("three positional arguments with the shape first",
         layer('self.w = self.add_weight((4,), "ones", "float32")'), []),
    Case("four positional arguments, first unknown: silent",
         layer('self.w = self.add_weight(self.spec, "ones", "float32", True)'), []),
    Case("four positional arguments under Keras 2",
         layer('self.w = self.add_weight((4,), "ones", "float32", True)', header="import tf_keras",
               base="tf_keras.layers.Layer"), []),
    Case("the name first, then *args", layer('self.w = self.add_weight("w", *rest)'), ["5:KL106"]),
    Case("a shape first, then *args: not followed", layer('self.w = self.add_weight((4,), *rest)'), []),
    Case("a positional shape is Keras 3's first parameter", layer("self.w = self.add_weight((4,), name='w')"), []),
    Case("a positional shape from input_shape", layer("self.w = self.add_weight((input_shape[-1],))"), []),
    Case("name by keyword", layer('self.w = self.add_weight(name="w", shape=(4,))'), []),
    Case("an unknown first argument", layer("self.w = self.add_weight(self.spec, shape=(4,))"), []),
    Case("Keras 2 (tf_keras) takes the name first", layer(NAMED, header="import tf_keras",
                                                          base="tf_keras.layers.Layer"), []),
    Case("a 2.x keras-version", layer(NAMED), [], keras_version="2.15"),
    Case("another object's add_weight", layer('self.w = other.add_weight("w", shape=(4,))'), []),
    Case(
        "a plain class",
        """
        class Store:
            def add_weight(self, name, shape=None):
                return name

            def make(self):
                return self.add_weight("w", shape=(4,))
        """,
        [],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_kl106(case, tmp_path):
    assert run_case(replace(case, codes=("KL106",)), tmp_path) == case.expected


def message_106(source: str, tmp_path, version: str | None = None) -> str:
    target = option_target(version)
    found = [d for d in analyze(textwrap.dedent(source), str(tmp_path / "m.py"), target, knowledge.default())
             if d.code == "KL106"]
    assert len(found) == 1, found
    assert len(found[0].message) <= 200, found[0].message
    return found[0].message


@pytest.mark.parametrize("version, error", [("3.13.2", "TypeError \"got multiple values for argument 'shape'\""),
                                            ("3.14.0", "ValueError \"`name` must be passed as a keyword")])
def test_message_names_the_exception_of_the_targeted_release(version, error, tmp_path):
    message = message_106(layer(NAMED), tmp_path, version)
    assert error in message
    assert message.startswith("Net.build(): add_weight() gets the name by position: ")
    assert message.endswith("; pass name='w'")


@pytest.mark.parametrize("call, version, quoted", [
    ('self.add_weight("w", (4,), initializer="ones")', "3.13.2",
     "TypeError \"got multiple values for argument 'initializer'\" (Keras 3.13.2)"),
    ('self.add_weight("w", (4,))', "3.13.2", "ValueError \"Could not interpret initializer identifier\""),
    ('self.add_weight("w")', "3.0.0", "ValueError \"Cannot convert '...' to a shape\""),
    ('self.add_weight((4,), "ones", "float32", True)', "3.14.0",
     "TypeError \"takes at most 3 positional arguments but 4 were given\" (Keras 3.14.0)"),
])
def test_message_quotes_the_error_of_the_call_form(call, version, quoted, tmp_path):
    assert quoted in message_106(layer(f"self.w = {call}"), tmp_path, version)


def test_every_release_group_is_named_within_200_characters(tmp_path):
    message = message_106(layer('self.w = self.add_weight("w", (4,), initializer="ones")'), tmp_path)
    assert "(Keras 3.0-3.13.2)" in message and "(3.14-3.15.1)" in message


def test_an_unprobed_form_quotes_no_exception(tmp_path):
    message = message_106(layer('self.w = self.add_weight("w", (4,), "float32", dtype="float32")'), tmp_path)
    assert "which Keras 3 takes as the shape: it fails (Keras 3.0-3.15.1)" in message


def test_one_unquoted_error_across_release_groups_is_named_once(tmp_path):
    # A long class and weight name leave no room to quote Keras: the two ValueError groups read as one.
    source = layer('self.w = self.add_weight("a_rather_long_weight_name_for_the_line", trainable=True)').replace(
        "class Net(", "class AQuantizerWithAClassNameLongEnoughToCrowdTheLine(")
    message = message_106(source, tmp_path)
    assert "ValueError (Keras 3.0-3.15.1); pass name=" in message, message
