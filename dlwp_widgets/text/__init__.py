"""Character-level text generation (chapter 8.1).

``sampling``: temperature reweighting and drawing characters, safe at T=0, with
zero probabilities and under float rounding.  ``generation``: one-hot
vectorisation of a corpus, and a fast numpy sampler that runs the trained
Keras LSTM's weights without retraining and without a Keras call per character.
Neither module imports TensorFlow.
"""
