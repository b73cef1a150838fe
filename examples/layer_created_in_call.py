"""KL104: layers with weights constructed inside call(): fresh, untrained weights on every call."""

from tensorflow import keras
from tensorflow.keras import layers


class ConvBlock(keras.layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters

    def _make_block(self, x):
        x = layers.Conv2D(self.filters, 3, padding="same")(x)  # KL104
        x = layers.BatchNormalization()(x)  # KL104
        return layers.ReLU()(x)  # stateless: fine

    def call(self, x):
        return self._make_block(x)
