"""Keras model builders, one function per model the book trains (imported on demand)."""
