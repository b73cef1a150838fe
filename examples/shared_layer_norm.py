"""KL903: one LayerNormalization for two streams: they share one scale and offset (opt-in)."""

import keras
from keras import layers


class CrossBlock(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.norm = layers.LayerNormalization()
        self.attention = layers.MultiHeadAttention(num_heads=2, key_dim=8)

    def call(self, inputs):
        query, context = inputs
        query = self.norm(query)
        context = self.norm(context)  # KL903
        return self.attention(query, context)


class Recurrent(keras.layers.Layer):
    """One normalization applied at every time step is sharing by design: not reported."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.norm = layers.LayerNormalization()

    def call(self, steps):
        return [self.norm(step) for step in steps]
