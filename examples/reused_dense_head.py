"""KL202: one Dense head applied to 6- and 16-channel feature maps: ValueError at the second call."""

import keras
from keras import layers


class TwoScaleHead(keras.Model):
    def __init__(self):
        super().__init__()
        self.fine = layers.Conv2D(filters=6, kernel_size=3)
        self.coarse = layers.Conv2D(filters=16, kernel_size=3)
        self.pool = layers.GlobalAveragePooling2D()
        self.head = layers.Dense(units=10)

    def call(self, x):
        a = self.head(self.fine(x))
        b = self.head(self.coarse(x))  # KL202: built for 6 channels, given 16
        return self.pool(a + b)


class Siamese(keras.Model):
    """Weight sharing on purpose, on inputs of one width: not reported."""

    def __init__(self):
        super().__init__()
        self.encoder = layers.Dense(units=32)

    def call(self, pair):
        left, right = pair
        return keras.ops.abs(self.encoder(left) - self.encoder(right))
