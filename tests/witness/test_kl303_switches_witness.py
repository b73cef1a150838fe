"""KL303 leaves hardware-kernel switches (``use_cudnn``, ``flash_attention``) out on purpose: on real Keras,
Keras' own layers keep them out of their configs, a config that carries one set to True reloads into a layer
that fails on a machine without the kernel (this CPU), and the config without it reloads and runs."""

import pytest
from harness import run
from helpers import lint

from flake8_keras_layers.knowledge import config_facts
from flake8_keras_layers.knowledge import facts as knowledge
from flake8_keras_layers.knowledge.versions import format_version, parse

LATEST = format_version(knowledge.default().versions[-1])
X = "import numpy as np\nx = np.ones((2, 4, 8), 'float32')\n"
LAYERS = {
    "use_cudnn": ("keras.layers.LSTM", "units=3", "(x)"),
    "flash_attention": ("keras.layers.MultiHeadAttention", "num_heads=2, key_dim=4", "(x, x)"),
}


def cases(switch: str) -> dict[str, tuple[str, str]]:
    cls, args, call = LAYERS[switch]
    made = f"layer = {cls}({args}, {switch}=True)\n"
    return {
        f"{switch} kept out": (X + made, f"observed = {{'in_config': {switch!r} in layer.get_config()}}\n"),
        f"{switch} serialised": (X + made, f"{cls}.from_config(dict(layer.get_config(), {switch}=True)){call}\n"),
        f"{switch} left out": (X + made, f"{cls}.from_config(layer.get_config()){call}\n"),
    }


def first_measured(switch: str) -> str:
    return config_facts.default().switches[switch]["measured"][0][0]


@pytest.mark.parametrize("switch, version", [(s, v) for s in LAYERS for v in sorted({first_measured(s), LATEST})])
def test_a_switch_is_kept_out_of_keras_configs_and_fails_where_its_kernel_is_missing(switch, version, tmp_path):
    assert switch in config_facts.default().machine_switches
    outcomes = run(version, cases(switch))
    assert outcomes[f"{switch} kept out"] == {"ok": True, "in_config": False}, outcomes
    fails = any(parse(first) <= parse(version) <= parse(last)
                for first, last in config_facts.default().switches[switch]["fails_on_cpu"])
    assert outcomes[f"{switch} serialised"]["ok"] is not fails, outcomes
    assert outcomes[f"{switch} left out"]["ok"], outcomes
    cls, args, _ = LAYERS[switch]
    source = (f"import keras\n\nclass Block(keras.layers.Layer):\n    def __init__(self, units, {switch}=None, **kw):\n"
              f"        super().__init__(**kw)\n        self.units = units\n"
              f"        self.inner = {cls}({args}, {switch}={switch})\n\n"
              "    def get_config(self):\n        return {**super().get_config(), 'units': self.units}\n")
    assert lint(source, tmp_path / "block.py", version, ("KL303",)) == []
