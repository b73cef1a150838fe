"""Every message fits one editor line (``KLxxx name: message`` at most 200 characters) even when real code
brings long class, attribute and argument names: details give way, the class, the cause and the fix stay."""

import pytest
from helpers import option_target

from flake8_keras_layers.engine.driver import analyze
from flake8_keras_layers.knowledge import facts
from flake8_keras_layers.rules import BY_CODE
from flake8_keras_layers.rules.base import MAX_LINE

LONG = "HierarchicalTransformerEncoderV2"  # as long as the longest class names of the ecosystem corpus

SOURCES = {
    "KL101": f"""import keras

class {LONG}(keras.layers.GlobalAveragePooling2D):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(1,))
""",
    "KL107": f"""import keras

class {LONG}(keras.layers.Layer):
    def __init__(self, units):
        self.units = units
""",
    "KL302": f"""import keras

class {LONG}(keras.layers.Layer):
    def __init__(self, units):
        super().__init__()
        self.units = units

    def get_config(self):
        return {{**super().get_config(), "units": self.units}}
""",
    "KL303": f"""import keras

class {LONG}(keras.layers.Layer):
    def __init__(self, units, use_query_bias, use_key_bias, use_value_bias, use_output_bias,
                 layer_norm_epsilon=1e-6, norm_layer=keras.layers.LayerNormalization, **kwargs):
        super().__init__(**kwargs)
        self.all = (units, use_query_bias, use_key_bias, use_value_bias, use_output_bias, layer_norm_epsilon,
                    norm_layer)

    def get_config(self):
        return {{**super().get_config(), "units": self.all, "query_projection_bias": 1, "key_projection_bias": 1,
                "value_projection_bias": 1, "output_projection_bias": 1}}
""",
    "KL903": f"""import keras

class {LONG}(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.attention_output_layer_norm = keras.layers.LayerNormalization()

    def call(self, x):
        x = self.attention_output_layer_norm(x + 1)
        return self.attention_output_layer_norm(x * 2)
""",
}


@pytest.mark.parametrize("code", sorted(SOURCES))
def test_a_message_with_long_names_fits_one_line_and_names_the_class(code, tmp_path):
    path = tmp_path / "m.py"
    path.write_text(SOURCES[code])
    # A declared range makes KL101 say where it comes from: the longest form of its message.
    target = option_target(">=3.6,<3.10")
    found = [d for d in analyze(SOURCES[code], str(path), target, facts.default(), rules=[BY_CODE[code]])]
    assert found, f"{code} did not fire"
    for diagnostic in found:
        line = f"{code} {BY_CODE[code].name}: {diagnostic.message}"
        assert len(line) <= MAX_LINE, line
        assert LONG in diagnostic.message


def test_the_shortest_kl303_form_counts_in_words(tmp_path):
    """One required argument and one reset: '1 required arg missing', '1 arg reset', no plural s."""
    source = f"""import keras

class {LONG}Mechanism(keras.layers.Layer):
    def __init__(self, units, probability_function_for_the_scores, memory_sequence_lengths_of_the_batch=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.all = (units, probability_function_for_the_scores, memory_sequence_lengths_of_the_batch)

    def get_config(self):
        return {{**super().get_config(), "units": self.all}}
"""
    path = tmp_path / "m.py"
    path.write_text(source)
    (found,) = analyze(source, str(path), option_target(None), facts.default(), rules=[BY_CODE["KL303"]])
    assert "1 required arg missing (reload raises TypeError), 1 arg reset to defaults" in found.message, found.message
