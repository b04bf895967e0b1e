"""Local generalization: fits that hold inside the training range and break outside it.

* :func:`fit_features` — a fixed random ReLU basis (a one-hidden-layer ReLU network
  whose first layer is frozen) fitted by ridge least squares: refits in milliseconds,
  and like any ReLU network it continues *linearly* outside the data it saw.
* :func:`dense_regressor` — the same question with a small trained Keras network.
* :func:`binary_numbers` — the identity on numbers written in binary; trained on even
  numbers only, the last bit is always 0 in training.
* :func:`sorting_data` / :func:`sorting_model` — sort digit sequences; trained on short
  ones, tested on longer ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FUNCTIONS = {
    "x²": np.square,
    "sin(x)": np.sin,
    "|x|": np.abs,
    "x³": lambda x: x**3,
}


class RangeError(ValueError):
    """A training range or function that cannot be used."""


def check_range(low, high, *, what: str = "training range") -> tuple[float, float]:
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        raise RangeError(f"the {what} needs two numbers, got {low!r}, {high!r}.") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RangeError(f"the {what} must be finite, got [{low}, {high}].")
    if not high > low:
        raise RangeError(f"the {what} [{low:g}, {high:g}] is empty: the upper end must exceed the lower end.")
    return low, high


def target_function(name: str):
    if name not in FUNCTIONS:
        raise RangeError(f"unknown function {name!r}: choose one of {', '.join(FUNCTIONS)}.")
    return FUNCTIONS[name]


@dataclass(frozen=True)
class FeatureFit:
    """``y ≈ relu(x * w + b) @ coef + intercept`` with ``w``, ``b`` fixed at random."""

    weights: np.ndarray
    biases: np.ndarray
    coef: np.ndarray
    intercept: float

    def predict(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
        return np.maximum(x * self.weights + self.biases, 0.0) @ self.coef + self.intercept


def fit_features(x, y, *, width: int = 200, ridge: float = 1e-6, seed: int = 0) -> FeatureFit:
    """Ridge least squares on ``width`` random ReLU features whose kinks lie inside the data range."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.size < 2 or x.size != y.size:
        raise RangeError(f"need at least 2 (x, y) pairs of equal length, got {x.size} and {y.size}.")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise RangeError("the training data hold NaN or infinite values.")
    low, high = check_range(x.min(), x.max(), what="data range")
    rng = np.random.default_rng(seed)
    weights = rng.choice([-1.0, 1.0], size=width) * rng.uniform(0.5, 2.0, size=width)
    kinks = rng.uniform(low, high, size=width)
    biases = -weights * kinks
    features = np.maximum(x[:, None] * weights + biases, 0.0)
    mean_f, mean_y = features.mean(axis=0), y.mean()
    centred = features - mean_f
    coef = np.linalg.solve(centred.T @ centred + ridge * len(x) * np.eye(width), centred.T @ (y - mean_y))
    return FeatureFit(weights, biases, coef, float(mean_y - mean_f @ coef))


def range_errors(predict, function, low, high, outer_low, outer_high, *, points: int = 400) -> dict[str, float]:
    """Root-mean-square error inside [low, high] and in the rest of [outer_low, outer_high]."""
    low, high = check_range(low, high)
    outer_low, outer_high = check_range(outer_low, outer_high, what="plotted range")
    grid = np.linspace(outer_low, outer_high, points)
    error = np.asarray(predict(grid), dtype=np.float64).ravel() - function(grid)
    inside = (grid >= low) & (grid <= high)
    rmse = lambda mask: float(np.sqrt(np.mean(error[mask] ** 2))) if mask.any() else float("nan")  # noqa: E731
    return {"inside": rmse(inside), "outside": rmse(~inside)}


def training_points(function, low, high, count: int = 200, *, noise: float = 0.0, seed: int = 0):
    low, high = check_range(low, high)
    if count < 2:
        raise RangeError(f"at least 2 training points are needed, got {count}.")
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, count)
    return x, function(x) + noise * rng.standard_normal(count)


def dense_regressor(units: int = 64, layers_count: int = 2):
    """A small ReLU network for 1-D regression (Adam, MSE)."""
    import keras
    from keras import layers

    model = keras.Sequential(
        [keras.Input(shape=(1,)), *[layers.Dense(units, activation="relu") for _ in range(layers_count)], layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    return model


# ---- identity on binary numbers -------------------------------------------------


def binary_numbers(numbers, bits: int) -> np.ndarray:
    """Each number as ``bits`` binary digits, most significant first (float 0/1)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if (numbers < 0).any() or (numbers >= 2**bits).any():
        raise RangeError(f"numbers must be in 0..{2**bits - 1} for {bits} bits.")
    return ((numbers[:, None] >> np.arange(bits - 1, -1, -1)) & 1).astype(np.float32)


def identity_model(bits: int, units: int = 64):
    """Dense -> Dense -> one sigmoid per bit: should copy its input."""
    import keras
    from keras import layers

    model = keras.Sequential(
        [keras.Input(shape=(bits,)), layers.Dense(units, activation="relu"), layers.Dense(units, activation="relu"),
         layers.Dense(bits, activation="sigmoid")]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    return model


def bit_accuracy(predicted, expected) -> np.ndarray:
    """Per-bit accuracy (columns) of thresholded predictions."""
    return ((np.asarray(predicted) > 0.5) == (np.asarray(expected) > 0.5)).mean(axis=0)


# ---- sorting digit sequences ------------------------------------------------------


def sorting_data(count: int, length: int, *, symbols: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random digit sequences and their sorted versions (integers in 0..symbols-1)."""
    if count < 1 or length < 1 or symbols < 2:
        raise RangeError(f"need count ≥ 1, length ≥ 1, symbols ≥ 2; got {count}, {length}, {symbols}.")
    rng = np.random.default_rng([seed, length])
    x = rng.integers(0, symbols, size=(count, length))
    return x.astype(np.int32), np.sort(x, axis=1).astype(np.int32)


def sorting_model(symbols: int = 10, units: int = 64):
    """Embedding -> two bidirectional GRUs -> a softmax per position (same-length output)."""
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int32"),
            layers.Embedding(symbols, 16),
            layers.Bidirectional(layers.GRU(units, return_sequences=True)),
            layers.Bidirectional(layers.GRU(units, return_sequences=True)),
            layers.Dense(symbols, activation="softmax"),
        ],
        name="sorter",
    )
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def sequence_scores(model, x, y) -> dict[str, float]:
    """Per-digit accuracy and whole-sequence exact-match rate of a sorting model."""
    predicted = np.asarray(model.predict(x, verbose=0, batch_size=256)).argmax(-1)
    return {"digit_accuracy": float((predicted == y).mean()), "exact_match": float((predicted == y).all(axis=1).mean())}
