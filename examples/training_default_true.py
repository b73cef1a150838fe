"""KL109: call() defaults training=True; model(x) then runs the BatchNormalization after it in training mode."""

import keras


class RandomShift(keras.layers.Layer):
    def __init__(self, amount=0.1, **kwargs):
        super().__init__(**kwargs)
        self.amount = amount
        self.seed = keras.random.SeedGenerator(1)

    def call(self, x, training=True):
        if training:
            noise = keras.random.uniform(keras.ops.shape(x), -self.amount, self.amount, seed=self.seed)
            return x + noise
        return x


class Classifier(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shift = RandomShift()
        self.norm = keras.layers.BatchNormalization()
        self.head = keras.layers.Dense(10)

    def call(self, x):
        return self.head(self.norm(self.shift(x)))
