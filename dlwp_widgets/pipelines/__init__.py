"""Input pipelines: what turns a dataset into the batches a model trains on.

One module per kind of input (images, time-series windows, text), apart from the
dataset modules that load the data and the models that consume the batches.
"""
