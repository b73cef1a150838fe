"""KL903: one LayerNormalization applied again further down one block: two depths share one scale and offset
(opt-in)."""

import keras
from keras import layers


class PostNormBlock(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.norm = layers.LayerNormalization()
        self.attention = layers.MultiHeadAttention(num_heads=2, key_dim=8)
        self.feed_forward = layers.Dense(units=16)

    def call(self, x):
        x = self.norm(x + self.attention(x, x))
        return self.norm(x + self.feed_forward(x))  # KL903


class CrossBlock(keras.layers.Layer):
    """One normalization for two parallel inputs (a query and its context) is sharing on purpose: not reported."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.norm = layers.LayerNormalization()
        self.attention = layers.MultiHeadAttention(num_heads=2, key_dim=8)

    def call(self, inputs):
        query, context = inputs
        query = self.norm(query)
        context = self.norm(context)
        return self.attention(query, context)


class Recurrent(keras.layers.Layer):
    """One normalization applied at every time step is sharing by design: not reported."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.norm = layers.LayerNormalization()

    def call(self, steps):
        return [self.norm(step) for step in steps]
