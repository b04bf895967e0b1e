"""dlwp companion: helpers for the Deep Learning with Python notebooks.

Importing the package is cheap: TensorFlow and Keras are only imported by the
modules and functions that need them.
"""

__version__ = "0.1.0"
