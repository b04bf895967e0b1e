"""ForecastViewer driven from Python: tiny models on a tiny series, and bad inputs shown, never raised."""

import numpy as np
import pytest

from dlwp_widgets.pipelines import timeseries as ts
from dlwp_widgets.widgets.forecast_viewer import ForecastViewer

LOOKBACK, STEP, DELAY = 48, 6, 12


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(1)
    time = np.arange(600)
    temperature = np.sin(2 * np.pi * time / 24) + 0.1 * rng.standard_normal(600)
    other = rng.standard_normal((600, 2))
    return np.column_stack([other[:, 0], temperature, other[:, 1]]).astype(np.float32)


@pytest.fixture(scope="module")
def models():
    import keras

    keras.utils.set_random_seed(0)
    gru = keras.Sequential([keras.Input((None, 3)), keras.layers.GRU(4), keras.layers.Dense(1)])
    dense = keras.Sequential([keras.Input((LOOKBACK // STEP, 3)), keras.layers.Flatten(), keras.layers.Dense(1)])
    wrong = keras.Sequential([keras.Input((5, 3)), keras.layers.Flatten(), keras.layers.Dense(1)])
    return {"gru": gru, "dense": dense, "wrong": wrong}


def viewer(series, models, **kwargs):
    options = dict(mean=10.0, std=2.0, lookback=LOOKBACK, step=STEP, delay=DELAY, rows=np.arange(300, 500))
    return ForecastViewer(series, models, **{**options, **kwargs})


def test_the_slider_moves_through_validation_windows(series, models):
    shown = viewer(series, {"gru": models["gru"], "dense": models["dense"]})
    assert shown.last_error is None
    first = shown.last_forecast
    assert first.row == 300 and set(first.predictions) == {"gru", "dense"}
    assert first.truth == pytest.approx(series[300 + DELAY, 1] * 2 + 10)
    shown.window.value = 150
    assert shown.last_forecast.row == 450
    assert shown.chart.value and shown.chart.layout.display is None
    assert set(shown.maes_celsius) == {ForecastViewer.BASELINE, "gru", "dense"}
    rows = np.arange(300, 500)
    expected = 2.0 * ts.common_sense_mae(series, rows, delay=DELAY, lookback=LOOKBACK, step=STEP)
    assert shown.maes_celsius[ForecastViewer.BASELINE] == pytest.approx(expected, rel=1e-5)
    assert "°C" in shown.table.value
    shown.days.value = 1.0
    assert shown.last_error is None


def test_a_model_with_the_wrong_input_shape_is_named_and_the_others_still_shown(series, models):
    shown = viewer(series, models)
    assert "wrong" in shown.last_error and "expects input of shape" in shown.last_error
    assert set(shown.last_forecast.predictions) == {"gru", "dense"}
    assert "wrong" not in shown.maes_celsius
    shown.window.value = 10
    assert shown.last_forecast.row == 310


def test_out_of_range_windows_are_shown_as_errors(series, models):
    shown = viewer(series, {"gru": models["gru"]}, rows=np.array([300, 595]))
    shown.window.value = 1  # row 595 has no target 12 rows later
    assert "out of range" in shown.last_error
    assert shown.last_forecast is None and shown.chart.layout.display == "none"
    shown.window.value = 0  # and the widget recovers
    assert shown.last_error is None and shown.last_forecast.row == 300


def test_nan_in_the_series_is_shown_not_raised(series, models):
    broken = series.copy()
    broken[290, 1] = np.nan
    shown = viewer(broken, {"gru": models["gru"]})
    assert "NaN" in shown.last_error
    shown.window.value = 100  # a window clear of the NaN
    assert shown.last_error is None and np.isfinite(shown.last_forecast.predictions["gru"])


def test_empty_rows_and_bad_statistics_are_shown(series, models):
    assert "no validation windows" in viewer(series, {"gru": models["gru"]}, rows=np.array([], dtype=int)).last_error
    assert "std > 0" in viewer(series, {"gru": models["gru"]}, std=float("nan")).last_error


def test_days_shown_only_redraws_on_the_one_figure(series, models, monkeypatch):
    import dlwp_widgets.widgets.forecast_viewer as module

    shown = viewer(series, {"gru": models["gru"], "dense": models["dense"]})
    chart, png, forecast = shown._chart, shown.chart.value, shown.last_forecast
    calls = []
    real = module.ts.forecast
    monkeypatch.setattr(module.ts, "forecast", lambda *args, **kwargs: calls.append(1) or real(*args, **kwargs))
    shown.days.value = shown.days.min
    assert calls == [] and shown.last_forecast is forecast  # the forecast does not depend on the days shown
    assert shown._chart is chart and shown.chart.value != png
    assert len(chart.past.get_xdata()) < LOOKBACK
    shown.window.value = 7
    assert calls == [1] and shown._chart is chart and shown.last_forecast.row == 307
    labels = [text.get_text() for text in chart.axes.get_legend().get_texts()]
    assert labels[2] == f"truth {shown.last_forecast.truth:.1f} °C" and labels[3].startswith("gru ")
