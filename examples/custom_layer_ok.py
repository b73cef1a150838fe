"""The custom layer/model contract done right (seed: __init__(**kwargs), build, call, get_config)."""

import tensorflow as tf


class CustomLayer(tf.keras.layers.Layer):
    def __init__(self, config_param1, config_param2=None, **kwargs):
        super().__init__(**kwargs)
        self.config_param1 = config_param1
        self.config_param2 = config_param2

    def build(self, input_shape):
        self.w = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.config_param1),
            initializer="random_normal",
            trainable=True,
        )
        self.b = self.add_weight(name="bias", shape=(self.config_param1,), initializer="zeros", trainable=False)
        self.built = True

    def call(self, inputs, training=None):
        return tf.matmul(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        config.update({"config_param1": self.config_param1, "config_param2": self.config_param2})
        return config


class CustomModel(tf.keras.Model):
    def __init__(self, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.block_1 = CustomLayer(64)
        self.classifier = tf.keras.layers.Dense(num_classes)

    def call(self, inputs, training=None):
        return self.classifier(self.block_1(inputs))
