"""Densely connected models of chapters 3 and 4 (IMDB, Reuters, Boston housing).

Each builder returns a compiled Keras 3 model that starts with ``keras.Input``
(the book's ``input_shape=`` argument is deprecated) and uses the book's
optimizer, loss and metric.  Keras is imported inside the functions so that
importing this module stays cheap.
"""

from __future__ import annotations

VOCABULARY_SIZE = 10_000
REUTERS_TOPICS = 46
BOSTON_FEATURES = 13


def dense_stack(
    input_dim: int,
    hidden_units: tuple[int, ...],
    output_units: int,
    output_activation: str | None,
    *,
    l2: float | None = None,
    dropout: float | None = None,
    name: str | None = None,
):
    """``Input -> Dense(relu) [-> Dropout] ... -> Dense(output)``, uncompiled.

    ``l2`` adds an L2 weight penalty to every hidden layer (listing 4.7);
    ``dropout`` follows every hidden layer with ``Dropout(rate)`` (listing 4.13).
    """
    import keras

    if dropout is not None and not 0 <= dropout < 1:
        raise ValueError(f"dropout rate must be in [0, 1), got {dropout}.")
    if l2 is not None and l2 < 0:
        raise ValueError(f"the L2 factor must not be negative, got {l2}.")
    regularizer = keras.regularizers.L2(l2) if l2 else None
    layers = [keras.Input(shape=(input_dim,))]
    for units in hidden_units:
        layers.append(keras.layers.Dense(units, activation="relu", kernel_regularizer=regularizer))
        if dropout:
            layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(output_units, activation=output_activation))
    return keras.Sequential(layers, name=name)


def imdb_classifier(
    hidden_units: tuple[int, ...] = (16, 16),
    *,
    l2: float | None = None,
    dropout: float | None = None,
    input_dim: int = VOCABULARY_SIZE,
    name: str = "imdb_reference",
):
    """IMDB sentiment classifier on multi-hot vectors (listings 3.15-3.16): rmsprop, binary crossentropy."""
    model = dense_stack(input_dim, hidden_units, 1, "sigmoid", l2=l2, dropout=dropout, name=name)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def imdb_reference(input_dim: int = VOCABULARY_SIZE):
    """The 16-16-1 network of listings 3.15 and 4.4."""
    return imdb_classifier((16, 16), input_dim=input_dim, name="imdb_reference")


def imdb_smaller(input_dim: int = VOCABULARY_SIZE):
    """Lower capacity, 4-4-1 (listing 4.5)."""
    return imdb_classifier((4, 4), input_dim=input_dim, name="imdb_smaller")


def imdb_bigger(input_dim: int = VOCABULARY_SIZE):
    """Higher capacity, 512-512-1 (listing 4.6)."""
    return imdb_classifier((512, 512), input_dim=input_dim, name="imdb_bigger")


def imdb_l2(factor: float = 0.001, input_dim: int = VOCABULARY_SIZE):
    """16-16-1 with an L2 penalty on both hidden layers (listing 4.7)."""
    return imdb_classifier((16, 16), l2=factor, input_dim=input_dim, name="imdb_l2")


def imdb_dropout(rate: float = 0.5, input_dim: int = VOCABULARY_SIZE):
    """16-16-1 with Dropout after both hidden layers (listing 4.13)."""
    return imdb_classifier((16, 16), dropout=rate, input_dim=input_dim, name="imdb_dropout")


# The chapter 4 capacity/regularisation variants, by the name the overfitting explorer shows.
IMDB_VARIANTS = {
    "reference": imdb_reference,
    "smaller": imdb_smaller,
    "bigger": imdb_bigger,
    "l2": imdb_l2,
    "dropout": imdb_dropout,
}


def reuters_classifier(
    middle_units: int = 64,
    *,
    input_dim: int = VOCABULARY_SIZE,
    num_topics: int = REUTERS_TOPICS,
    loss: str = "categorical_crossentropy",
    name: str = "reuters_dense",
):
    """Reuters topic classifier 64-``middle_units``-46 (listings 3.35-3.36).

    ``loss="sparse_categorical_crossentropy"`` takes integer labels (listing 3.49).
    """
    model = dense_stack(input_dim, (64, middle_units), num_topics, "softmax", name=name)
    model.compile(optimizer="rmsprop", loss=loss, metrics=["accuracy"])
    return model


def reuters_bottleneck(input_dim: int = VOCABULARY_SIZE, num_topics: int = REUTERS_TOPICS):
    """The 64-4-46 network with a 4-unit information bottleneck (listing 3.50)."""
    return reuters_classifier(4, input_dim=input_dim, num_topics=num_topics, name="reuters_bottleneck")


def boston_regressor(input_dim: int = BOSTON_FEATURES):
    """Boston housing price regressor 64-64-1, linear output, MSE loss, MAE metric (listing 3.55)."""
    model = dense_stack(input_dim, (64, 64), 1, None, name="boston_regressor")
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model
