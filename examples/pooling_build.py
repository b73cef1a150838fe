"""KL101: build() that Keras never calls (seed: Keras 3.6 stateless layers built in __init__)."""

import keras


class CustomPooling(keras.layers.MaxPooling2D):
    def __init__(self, pool_size):
        super().__init__(pool_size)

    def build(self, input_shape):
        print("custom build logic")  # never printed in Keras 3.6.0 to 3.9.2
        super().build(input_shape)


class ScaledReshape(keras.layers.Reshape):
    def build(self, input_shape):  # never called from Keras 3.12.0 on
        self.scale = self.add_weight(shape=(), initializer="ones")
        super().build(input_shape)

    def call(self, inputs):
        return super().call(inputs) * self.scale


class FixedPooling(keras.layers.MaxPooling2D):
    def __init__(self, pool_size):
        super().__init__(pool_size)
        self.built = False  # the fix: not reported

    def build(self, input_shape):
        super().build(input_shape)
