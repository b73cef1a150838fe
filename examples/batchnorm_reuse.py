"""KL201: one BatchNormalization reused on feature maps of different widths (seed: subclassed Model)."""

import tensorflow as tf
from tensorflow.keras.layers import BatchNormalization, Conv2D, MaxPool2D


class FeatureExtractor(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.conv_1 = Conv2D(6, 4, padding="valid", activation="relu")
        self.batchnorm = BatchNormalization()
        self.maxpool = MaxPool2D(pool_size=2, strides=2)
        self.conv_2 = Conv2D(16, 4, padding="valid", activation="relu")

    def call(self, x):
        x = self.conv_1(x)
        x = self.batchnorm(x)
        x = self.maxpool(x)  # stateless: reuse is fine
        x = self.conv_2(x)
        x = self.batchnorm(x)  # KL201: 16 channels into a layer built for 6
        return self.maxpool(x)


class PreOrPostNorm(tf.keras.layers.Layer):
    """Calls on exclusive paths are not reuse: not reported."""

    def __init__(self, units, norm_first=True, **kwargs):
        super().__init__(**kwargs)
        self.dense = tf.keras.layers.Dense(units)
        self.norm = BatchNormalization()
        self.norm_first = norm_first

    def call(self, x, training=None):
        if self.norm_first:
            x = self.norm(x, training=training)
        x = self.dense(x)
        if not self.norm_first:
            x = self.norm(x, training=training)
        return x
