"""KL102: `self.built = True` in __init__ of a layer with build(), so build() never runs."""

import keras


class Bias(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True  # KL102: Keras will never call build()

    def build(self, input_shape):
        self.bias = self.add_weight(shape=(input_shape[-1],), initializer="zeros")

    def call(self, x):
        return x + self.bias
