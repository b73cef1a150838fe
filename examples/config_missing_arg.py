"""KL303: get_config leaves out a constructor argument; the reloaded block silently has no dropout."""

import keras
from keras import layers


class TransformerBlock(layers.Layer):
    def __init__(self, embed_dim, num_heads, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.rate = rate
        self.att = layers.MultiHeadAttention(num_heads, embed_dim)
        self.dropout = layers.Dropout(rate)

    def call(self, x, training=None):
        return self.dropout(self.att(x, x), training=training)

    def get_config(self):
        config = super().get_config()
        config.update({"embed_dim": self.embed_dim, "num_heads": self.num_heads})
        return config


block = TransformerBlock(64, 4, rate=0.3)
clone = TransformerBlock.from_config(block.get_config())  # clone.rate == 0.1
keras.Sequential([keras.Input((8, 64)), block])
