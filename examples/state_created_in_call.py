"""KL103: weights and sub-layers created lazily in call(), as tf.keras code did; Keras 3 raises."""

import tensorflow as tf


class Attention(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self._query = None

    def _build_from_signature(self, query):
        self._query = tf.keras.layers.Dense(self.units)  # KL103 (reached from call())
        self.temperature = self.add_weight(name="temperature", shape=(), initializer="ones")  # KL103

    def call(self, query):
        if self._query is None:
            self._build_from_signature(query)
        return self._query(query) / self.temperature
