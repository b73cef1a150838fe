"""Analyses that answer one question each about user code (which Keras class, which path, which keys...)."""
