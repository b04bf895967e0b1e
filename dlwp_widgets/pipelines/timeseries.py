"""Time-series windows for the Jena forecasting problem (chapters 6.3 and 6.4).

A *sample* is the window of ``lookback`` past time steps taken every ``step``
rows before a row ``r`` (``data[r - lookback:r:step]``) and its *target* is the
temperature ``delay`` rows after ``r`` (``data[r + delay][1]``), exactly as the
book's generator (listing 6.39) defines them.  Three ways to produce batches:

* :func:`book_generator`: the book's per-row Python generator, ported faithfully
  (kept as the reference and the benchmark's baseline);
* :func:`window_dataset`: the same windows by vectorised index arithmetic inside a
  ``tf.data`` pipeline (one ``gather`` per batch; what the notebooks use);
* :func:`keras_timeseries_dataset`: ``keras.utils.timeseries_dataset_from_array``
  with the book's alignment (measured slower; for the benchmark).

Plus the pure numpy pieces the common-sense baseline and the forecast viewer
use: :func:`window_rows`, :func:`windows`, :func:`common_sense_mae`,
:func:`forecast`.  Rows are split as the book does (listing 6.40): training rows
``0..200000``, validation ``200001..300000``, test ``300001..end``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TEMPERATURE_COLUMN = 1  # "T (degC)" among the 14 measurement columns


@dataclass(frozen=True)
class Split:
    """The rows of one split, as the book's generator bounds them (``max_index`` exclusive for rows)."""

    min_index: int
    max_index: int | None


TRAIN = Split(0, 200_000)
VALIDATION = Split(200_001, 300_000)
TEST = Split(300_001, None)


def normalize(float_data: np.ndarray, train_rows: int = 200_000):
    """``(normalised copy, mean, std)`` with training-row statistics only (listing 6.38)."""
    mean = float_data[:train_rows].mean(axis=0)
    std = float_data[:train_rows].std(axis=0)
    return (float_data - mean) / std, mean, std


def _bounds(data_length: int, lookback: int, delay: int, min_index: int, max_index: int | None) -> tuple[int, int]:
    if max_index is None:
        max_index = data_length - delay - 1
    first = min_index + lookback
    if first >= max_index:
        raise ValueError(
            f"no window fits: rows must lie in [{first}, {max_index}) (min_index {min_index} + lookback "
            f"{lookback}), but that range is empty."
        )
    return first, max_index


def book_generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=128, step=6, *, seed=None):
    """Listing 6.39, ported as is: an endless generator of ``(samples, targets)`` batches.

    ``seed`` (ours) makes the shuffled draws reproducible; the book uses the global
    ``np.random``.
    """
    rng = np.random.default_rng(seed) if seed is not None else np.random
    if max_index is None:
        max_index = len(data) - delay - 1
    i = min_index + lookback
    while 1:
        if shuffle:
            rows = rng.integers(min_index + lookback, max_index, size=batch_size) if seed is not None else \
                rng.randint(min_index + lookback, max_index, size=batch_size)
        else:
            if i + batch_size >= max_index:
                i = min_index + lookback
            rows = np.arange(i, min(i + batch_size, max_index))
            i += len(rows)
        samples = np.zeros((len(rows), lookback // step, data.shape[-1]))
        targets = np.zeros((len(rows),))
        for j, row in enumerate(rows):
            indices = range(rows[j] - lookback, rows[j], step)
            samples[j] = data[indices]
            targets[j] = data[rows[j] + delay][1]
        yield samples, targets


def window_rows(data_length: int, *, lookback: int, delay: int, min_index: int, max_index: int | None) -> np.ndarray:
    """Every row a window can end at in a split, in order (what the unshuffled generator walks)."""
    first, last = _bounds(data_length, lookback, delay, min_index, max_index)
    return np.arange(first, last)


def windows(data: np.ndarray, rows, *, lookback: int, step: int) -> np.ndarray:
    """``(len(rows), lookback // step, features)`` windows ending before ``rows`` (numpy fancy indexing)."""
    rows = np.asarray(rows, dtype=np.int64)
    if rows.ndim != 1:
        raise ValueError(f"rows must be one-dimensional, got shape {rows.shape}.")
    if rows.size and (rows.min() < lookback or rows.max() > len(data)):
        raise ValueError(f"rows must lie in [{lookback}, {len(data)}] so that a full window fits.")
    offsets = np.arange(-lookback, 0, step)
    return data[rows[:, None] + offsets[None, :]]


def targets(data: np.ndarray, rows, *, delay: int, column: int = TEMPERATURE_COLUMN) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.int64)
    return data[rows + delay, column]


def validation_steps(split: Split, *, lookback: int, batch_size: int = 128) -> int:
    """The book's ``(max_index - min_index - lookback) // batch_size`` for a split with a ``max_index``."""
    return (split.max_index - split.min_index - lookback) // batch_size


def window_dataset(
    data: np.ndarray,
    *,
    lookback: int,
    delay: int,
    min_index: int,
    max_index: int | None,
    shuffle: bool = False,
    batch_size: int = 128,
    step: int = 6,
    seed: int = 0,
    steps: int | None = None,
    reverse: bool = False,
):
    """The book's generator as a ``tf.data.Dataset``, batches gathered by index arithmetic.

    ``shuffle=True``: endless batches of rows drawn uniformly from the split (like
    the generator; reproducible through ``seed``).  ``shuffle=False``: consecutive
    rows from the split's start, batch after batch; ``steps`` batches if given
    (then the dataset is finite and every pass sees the same windows), otherwise
    endless, wrapping like the generator.  ``reverse=True`` flips the time axis
    of every window (section 6.3.8's experiment).
    """
    import tensorflow as tf

    first, last = _bounds(len(data), lookback, delay, min_index, max_index)
    table = tf.constant(np.asarray(data, dtype=np.float32))
    offsets = tf.range(-lookback, 0, step, dtype=tf.int64)
    if reverse:
        offsets = tf.reverse(offsets, axis=[0])
    width = last - first
    # The generator starts again from the split's start before a batch that would reach
    # max_index, so one pass holds only full batches (the split's last rows are never used).
    per_pass = max(1, (width - 1) // batch_size)

    def gather(rows):
        samples = tf.gather(table, rows[:, None] + offsets[None, :])
        return samples, tf.gather(table[:, TEMPERATURE_COLUMN], rows + delay)

    if shuffle:
        def draw(counter):
            rows = tf.random.stateless_uniform(
                [batch_size], seed=tf.stack([tf.cast(seed, tf.int64), counter]), minval=first, maxval=last, dtype=tf.int64
            )
            return gather(rows)

        dataset = tf.data.Dataset.counter().map(draw, num_parallel_calls=tf.data.AUTOTUNE)
        if steps is not None:
            dataset = dataset.take(steps)
    else:
        def consecutive(k):
            start = first + (k % per_pass) * batch_size
            return gather(tf.range(start, tf.minimum(start + batch_size, last)))

        indices = tf.data.Dataset.range(steps) if steps is not None else tf.data.Dataset.counter()
        dataset = indices.map(consecutive, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def keras_timeseries_dataset(data, *, lookback, delay, min_index, max_index, shuffle=False, batch_size=128, step=6, seed=0):
    """``keras.utils.timeseries_dataset_from_array`` aligned to the book's windows (one pass over the split).

    A window starting at row ``s`` ends before row ``s + lookback`` and its target
    is the temperature ``delay`` rows after that, so the targets array is the
    temperature column shifted by ``lookback + delay``.
    """
    import keras

    first, last = _bounds(len(data), lookback, delay, min_index, max_index)
    return keras.utils.timeseries_dataset_from_array(
        np.asarray(data[min_index:last], dtype=np.float32),
        targets=np.asarray(data[first + delay : last + delay, TEMPERATURE_COLUMN], dtype=np.float32),
        sequence_length=lookback // step,
        sampling_rate=step,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
    )


def last_offset(lookback: int, step: int) -> int:
    """How many rows before ``r`` a window's last value lies (``step`` when ``lookback`` is a multiple of it)."""
    return lookback - ((lookback - 1) // step) * step


def common_sense_mae(data: np.ndarray, rows, *, delay: int, lookback: int, step: int,
                     column: int = TEMPERATURE_COLUMN) -> float:
    """MAE over ``rows`` of "the temperature ``delay`` rows later equals the latest one in the window".

    The latest value in a window is ``data[r - step]`` (listing 6.42 takes
    ``samples[:, -1, 1]``), so the book's baseline forecasts ``delay + step`` rows ahead.
    """
    rows = np.asarray(rows, dtype=np.int64)
    latest = rows - last_offset(lookback, step)
    return float(np.mean(np.abs(data[rows + delay, column] - data[latest, column])))


# --------------------------------------------------------------------------- forecasts (viewer)


def check_model_input(model, *, lookback: int, step: int, features: int) -> None:
    """Raise ValueError when ``model`` cannot take ``(batch, lookback // step, features)`` windows."""
    shape = getattr(model, "input_shape", None)
    if shape is None:
        return
    if isinstance(shape, list):
        raise ValueError(f"the model takes {len(shape)} inputs; a forecaster takes one window.")
    expected = (lookback // step, features)
    got = tuple(shape[1:])
    if len(got) != 2 or any(g is not None and g != e for g, e in zip(got, expected)):
        raise ValueError(
            f"the model expects input of shape {tuple(shape)}, but windows here are "
            f"(batch, {expected[0]}, {expected[1]}) (lookback {lookback}, step {step}, {features} columns)."
        )


def predict_windows(model, samples: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """The model's forecasts (normalised units) for ``samples``, as a 1-D float array."""
    samples = np.asarray(samples, dtype=np.float32)
    if len(samples) == 0:
        return np.zeros(0, dtype=np.float32)
    # predict_on_batch runs the model's compiled predict function (an eager call of
    # a recurrent layer steps through time in Python, tens of times slower).
    outputs = [np.asarray(model.predict_on_batch(samples[start : start + batch_size])).reshape(-1)
               for start in range(0, len(samples), batch_size)]
    return np.concatenate(outputs)


def model_mae(model, data: np.ndarray, rows, *, lookback: int, step: int, delay: int) -> float:
    """A model's MAE (normalised units) on the windows ending before ``rows``."""
    predictions = predict_windows(model, windows(data, rows, lookback=lookback, step=step))
    return float(np.mean(np.abs(predictions - targets(data, rows, delay=delay))))


@dataclass
class Forecast:
    """One window's forecasts, in degrees Celsius (``None`` entries: not computed)."""

    row: int
    past_hours: np.ndarray  # hours relative to "now" (negative) for every past value shown
    past: np.ndarray  # temperature over the past
    truth: float  # the temperature ``delay`` rows later
    baseline: float  # the common-sense forecast: the latest temperature in the window
    predictions: dict  # model name -> forecast


def forecast(
    data: np.ndarray,
    row: int,
    models: dict,
    *,
    mean: float,
    std: float,
    lookback: int,
    step: int,
    delay: int,
    minutes_per_row: int = 10,
) -> Forecast:
    """Truth, baseline and every model's forecast for the window ending before ``row``, in °C."""
    if not np.isfinite(mean) or not np.isfinite(std) or std <= 0:
        raise ValueError(f"the temperature's mean and std must be finite with std > 0 (got {mean}, {std}).")
    row = int(row)
    if row < lookback or row + delay >= len(data):
        raise ValueError(
            f"row {row} is out of range: it needs {lookback} rows before it and {delay} after "
            f"(rows {lookback}..{len(data) - delay - 1})."
        )
    window = windows(data, [row], lookback=lookback, step=step)
    if not np.all(np.isfinite(data[row - lookback : row])) or not np.isfinite(data[row + delay, TEMPERATURE_COLUMN]):
        raise ValueError(f"the window ending at row {row} (or its target) contains NaN or infinite values.")
    predictions = {}
    for name, model in models.items():
        check_model_input(model, lookback=lookback, step=step, features=data.shape[-1])
        value = float(predict_windows(model, window)[0])
        if not np.isfinite(value):
            raise ValueError(f"model {name!r} forecasts a non-finite value ({value}).")
        predictions[name] = value * std + mean
    past = data[row - lookback : row, TEMPERATURE_COLUMN] * std + mean
    return Forecast(
        row=row,
        past_hours=(np.arange(-lookback, 0) + 1) * minutes_per_row / 60,
        past=past,
        truth=float(data[row + delay, TEMPERATURE_COLUMN] * std + mean),
        baseline=float(window[0, -1, TEMPERATURE_COLUMN] * std + mean),
        predictions=predictions,
    )
