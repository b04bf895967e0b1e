"""History plots, smoothing, and the LiveCurves callback."""

from __future__ import annotations

import numpy as np
import pytest

from dlwp_widgets import plots

HISTORY = {"loss": [0.9, 0.5, 0.3], "val_loss": [0.8, 0.6, 0.7], "accuracy": [0.6, 0.8, 0.9],
           "val_accuracy": [0.7, 0.75, 0.74]}


def test_smooth_curve_is_the_exponential_moving_average():
    assert plots.smooth_curve([10, 0, 0], factor=0.5) == [10, 5, 2.5]
    assert plots.smooth_curve([1, 2, 3], factor=0.0) == [1, 2, 3]
    assert plots.smooth_curve([]) == []
    with pytest.raises(ValueError, match="smoothing factor"):
        plots.smooth_curve([1, 2], factor=1.0)


def test_plot_history_draws_training_dots_and_validation_lines():
    figure = plots.plot_history(HISTORY, ["loss", "accuracy"])
    loss_ax, acc_ax = figure.axes
    labels = [line.get_label() for line in loss_ax.lines]
    assert labels == ["Training loss", "Validation loss"]
    assert list(loss_ax.lines[1].get_ydata()) == HISTORY["val_loss"]
    assert loss_ax.lines[0].get_linestyle() == "None" and acc_ax.get_ylabel() == "Accuracy"
    skipped = plots.plot_history(HISTORY, ["loss"], skip=1, smoothing=0.5)
    assert list(skipped.axes[0].lines[0].get_xdata()) == [2, 3]


def test_plot_history_rejects_unknown_metrics_and_inputs():
    with pytest.raises(KeyError, match="no mae in the history"):
        plots.plot_history(HISTORY, ["mae"])
    with pytest.raises(TypeError, match="Keras History"):
        plots.history_dict([1, 2])


def test_plot_curves_overlays_runs():
    figure = plots.plot_curves({"a": [1, 2], "b": [3, 4, 5]}, ylabel="Validation loss")
    assert [line.get_label() for line in figure.axes[0].lines] == ["a", "b"]
    assert plots.figure_png(figure).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="no curves"):
        plots.plot_curves({})


def tiny_fit(callback, epochs=3):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    return model.fit(x, y, epochs=epochs, validation_split=0.25, verbose=0, callbacks=[callback])


def test_live_curves_static_mode_prints_one_summary(capsys):
    from dlwp_widgets.training import LiveCurves

    curves = LiveCurves(interactive=False)
    history = tiny_fit(curves)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "3 epochs in" in out and "lowest val_loss at epoch" in out
    assert curves.history["val_loss"] == pytest.approx(history.history["val_loss"])
    assert curves.figure is None  # nothing drawn outside a kernel


def test_live_curves_interactive_mode_redraws_each_epoch(monkeypatch):
    from dlwp_widgets import training

    shown = []
    monkeypatch.setattr(training, "_display", lambda obj, handle=None: shown.append(type(obj).__name__) or "handle")
    curves = training.LiveCurves(["loss", "accuracy"], interactive=True)
    tiny_fit(curves, epochs=2)
    assert shown == ["Pretty", "Image"] * 2
    assert len(curves.figure.axes) == 2


def test_static_plots_env_var_wins(monkeypatch):
    from dlwp_widgets import training

    monkeypatch.setenv("DLWP_STATIC_PLOTS", "1")
    assert training.interactive_frontend() is False
    monkeypatch.delenv("DLWP_STATIC_PLOTS")
    assert training.interactive_frontend() is False  # pytest is not a Jupyter kernel
