"""KL901 (opt-in): TensorFlow ops in a Keras 3 layer break under the JAX and PyTorch backends."""

import keras
import tensorflow as tf


class RMSNorm(keras.layers.Layer):
    def call(self, x):
        return x * tf.math.rsqrt(tf.reduce_mean(tf.square(x), axis=-1, keepdims=True) + 1e-6)
