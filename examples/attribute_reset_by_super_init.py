"""KL108: supports_masking set before super().__init__(); Layer.__init__ resets it to False."""

import keras


class MaskedScale(keras.layers.Layer):
    def __init__(self, scale=2.0, **kwargs):
        self.supports_masking = True
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, x):
        return x * self.scale
