"""KL302: an __init__ without **kwargs cannot take back the name/trainable/dtype of its own config."""

import keras


class PositionalEncoding(keras.layers.Layer):
    def __init__(self, position, d_model):
        super().__init__()
        self.position = position
        self.d_model = d_model

    def call(self, x):
        return x

    def get_config(self):
        config = super().get_config()
        config.update({"position": self.position, "d_model": self.d_model})
        return config
