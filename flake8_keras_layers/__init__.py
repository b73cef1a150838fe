"""flake8-keras-layers: static checks for Keras custom layers and models."""

__version__ = "0.1.0"
