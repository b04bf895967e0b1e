"""Jena windows: the book's generator, the tf.data and Keras pipelines agree; baseline and forecasts."""

import numpy as np
import pytest

from dlwp_widgets.pipelines import timeseries as ts

LOOKBACK, STEP, DELAY, BATCH = 24, 3, 6, 8


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((400, 5)).astype(np.float32)


def test_the_tf_data_pipeline_gives_the_generators_windows(data):
    generator = ts.book_generator(data, LOOKBACK, DELAY, 10, 200, batch_size=BATCH, step=STEP)
    dataset = ts.window_dataset(data, lookback=LOOKBACK, delay=DELAY, min_index=10, max_index=200,
                                batch_size=BATCH, step=STEP, steps=30)
    batches = 0
    for (samples, targets), (ours, our_targets) in zip(generator, dataset):
        np.testing.assert_allclose(samples, ours.numpy(), rtol=1e-6)
        np.testing.assert_allclose(targets, our_targets.numpy(), rtol=1e-6)
        batches += 1
        if batches == 30:  # more than one pass: both wrap around to the split's start
            break
    assert batches == 30
    assert samples.shape == (BATCH, LOOKBACK // STEP, 5)


def test_shuffled_batches_are_reproducible_and_inside_the_split(data):
    first = ts.window_dataset(data, lookback=LOOKBACK, delay=DELAY, min_index=100, max_index=150,
                              shuffle=True, batch_size=BATCH, step=STEP, seed=3, steps=4)
    again = ts.window_dataset(data, lookback=LOOKBACK, delay=DELAY, min_index=100, max_index=150,
                              shuffle=True, batch_size=BATCH, step=STEP, seed=3, steps=4)
    rows = np.arange(124, 150)
    allowed = ts.windows(data, rows, lookback=LOOKBACK, step=STEP)
    for (samples, targets), (same, _) in zip(first, again):
        np.testing.assert_array_equal(samples.numpy(), same.numpy())
        for sample, target in zip(samples.numpy(), targets.numpy()):
            match = np.flatnonzero(np.all(np.isclose(allowed, sample), axis=(1, 2)))
            assert match.size == 1
            assert target == pytest.approx(data[rows[match[0]] + DELAY, 1])


def test_reversed_windows_flip_time(data):
    forward = next(iter(ts.window_dataset(data, lookback=LOOKBACK, delay=DELAY, min_index=0, max_index=100,
                                          batch_size=BATCH, step=STEP, steps=1)))[0].numpy()
    backward = next(iter(ts.window_dataset(data, lookback=LOOKBACK, delay=DELAY, min_index=0, max_index=100,
                                           batch_size=BATCH, step=STEP, steps=1, reverse=True)))[0].numpy()
    np.testing.assert_array_equal(forward[:, ::-1], backward)


def test_keras_timeseries_dataset_is_aligned_with_the_book(data):
    rows = ts.window_rows(len(data), lookback=LOOKBACK, delay=DELAY, min_index=10, max_index=200)
    expected = ts.windows(data, rows, lookback=LOOKBACK, step=STEP)
    dataset = ts.keras_timeseries_dataset(data, lookback=LOOKBACK, delay=DELAY, min_index=10, max_index=200,
                                          batch_size=BATCH, step=STEP)
    samples = np.concatenate([x.numpy() for x, _ in dataset])
    targets = np.concatenate([y.numpy() for _, y in dataset])
    np.testing.assert_allclose(samples, expected, rtol=1e-6)
    np.testing.assert_allclose(targets, ts.targets(data, rows, delay=DELAY), rtol=1e-6)


def test_common_sense_mae_is_the_books_loop(data):
    steps = ts.validation_steps(ts.Split(10, 200), lookback=LOOKBACK, batch_size=BATCH)
    generator = ts.book_generator(data, LOOKBACK, DELAY, 10, 200, batch_size=BATCH, step=STEP)
    maes = []
    for _ in range(steps):
        samples, targets = next(generator)
        maes.append(np.mean(np.abs(samples[:, -1, 1] - targets)))
    rows = ts.window_rows(len(data), lookback=LOOKBACK, delay=DELAY, min_index=10, max_index=200)[: steps * BATCH]
    assert ts.common_sense_mae(data, rows, delay=DELAY, lookback=LOOKBACK, step=STEP) == pytest.approx(np.mean(maes))


def test_normalize_uses_training_rows_only():
    values = np.concatenate([np.zeros((10, 2)), np.full((10, 2), 100.0)]) + np.arange(20)[:, None] % 2
    normalised, mean, std = ts.normalize(values, train_rows=10)
    np.testing.assert_allclose(mean, [0.5, 0.5])
    np.testing.assert_allclose(normalised[:10].mean(axis=0), 0, atol=1e-12)


def test_bad_bounds_and_rows_are_refused(data):
    with pytest.raises(ValueError, match="no window fits"):
        ts.window_rows(len(data), lookback=LOOKBACK, delay=DELAY, min_index=190, max_index=200)
    with pytest.raises(ValueError, match="must lie in"):
        ts.windows(data, [5], lookback=LOOKBACK, step=STEP)


def tiny_models(features=5, timesteps=LOOKBACK // STEP):
    import keras

    keras.utils.set_random_seed(0)
    gru = keras.Sequential([keras.Input((None, features)), keras.layers.GRU(4), keras.layers.Dense(1)])
    dense = keras.Sequential([keras.Input((timesteps, features)), keras.layers.Flatten(), keras.layers.Dense(1)])
    return {"gru": gru, "dense": dense}


def test_forecast_in_celsius(data):
    models = tiny_models()
    result = ts.forecast(data, 100, models, mean=10.0, std=2.0, lookback=LOOKBACK, step=STEP, delay=DELAY)
    assert result.truth == pytest.approx(data[100 + DELAY, 1] * 2 + 10)
    assert result.baseline == pytest.approx(data[100 - STEP, 1] * 2 + 10)
    assert result.past.shape == (LOOKBACK,) and result.past_hours[-1] == pytest.approx(0.0)
    raw = float(np.asarray(models["gru"](ts.windows(data, [100], lookback=LOOKBACK, step=STEP)))[0, 0])
    assert result.predictions["gru"] == pytest.approx(raw * 2 + 10, rel=1e-5)
    mae = ts.model_mae(models["dense"], data, np.arange(50, 90), lookback=LOOKBACK, step=STEP, delay=DELAY)
    assert np.isfinite(mae) and mae > 0


def test_forecast_refuses_bad_inputs(data):
    models = tiny_models()
    kwargs = dict(mean=10.0, std=2.0, lookback=LOOKBACK, step=STEP, delay=DELAY)
    with pytest.raises(ValueError, match="out of range"):
        ts.forecast(data, len(data) - 2, models, **kwargs)
    with pytest.raises(ValueError, match="out of range"):
        ts.forecast(data, 3, models, **kwargs)
    broken = data.copy()
    broken[95, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ts.forecast(broken, 100, models, **kwargs)
    with pytest.raises(ValueError, match="expects input of shape"):
        ts.forecast(data, 100, tiny_models(timesteps=5), **kwargs)
    with pytest.raises(ValueError, match="std > 0"):
        ts.forecast(data, 100, models, **{**kwargs, "std": 0.0})
