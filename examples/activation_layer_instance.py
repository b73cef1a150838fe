"""KL301 (seed 002): a Conv layer given a layer instance as activation cannot be reloaded (Keras 3.0 to 3.9)."""

from keras import layers, models

model = models.Sequential([
    layers.Input((32, 3)),
    layers.Conv1D(32, 3, activation=layers.ReLU()),
    layers.Conv1D(32, 3, activation=layers.LeakyReLU(negative_slope=0.2)),
])
