"""KL106: add_weight("name", ...) ported from tf.keras: Keras 3's first parameter is shape."""

import keras


class Attention(keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", shape=(input_shape[-1], 1))  # KL106
        self.bias = self.add_weight((1,), name="bias", initializer="zeros")  # a positional shape is fine

    def call(self, x):
        scores = keras.ops.softmax(keras.ops.matmul(x, self.kernel) + self.bias, axis=1)
        return keras.ops.sum(x * scores, axis=1)
