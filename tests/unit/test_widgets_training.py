"""CurveBoard and the overfitting explorer, driven by setting values and clicking."""

from __future__ import annotations

import numpy as np
import pytest

from dlwp_widgets.widgets.overfitting import OverfittingExplorer, imdb_trainer
from dlwp_widgets.widgets.training_curves import CurveBoard

REFERENCE = {"loss": [0.5, 0.3, 0.2], "val_loss": [0.4, 0.35, 0.5]}
SMALLER = {"loss": [0.6, 0.4, 0.3], "val_loss": [0.5, 0.4, 0.38]}


def plotted_labels(board):
    return [line.get_label() for line in board.last_figure.axes[0].lines]


def test_board_toggles_runs_and_switches_metric():
    board = CurveBoard({"reference": REFERENCE, "smaller": SMALLER})
    assert plotted_labels(board) == ["reference", "smaller"]
    assert bytes(board.image.value).startswith(b"\x89PNG")
    board.checkboxes["reference"].value = False
    assert plotted_labels(board) == ["smaller"]
    board.metric.value = "loss"
    assert list(board.last_figure.axes[0].lines[0].get_ydata()) == SMALLER["loss"]
    board.checkboxes["smaller"].value = False
    assert board.last_figure is None and board.last_plotted == []


def fake_trainer(calls):
    def train(hidden_units, *, dropout, l2, epochs):
        calls.append((hidden_units, dropout, l2, epochs))
        return {"loss": [0.3] * epochs, "val_loss": [0.3 + dropout] * epochs}

    return train


def test_retrain_adds_a_curve_that_joins_the_others():
    calls = []
    explorer = OverfittingExplorer({"reference": REFERENCE}, fake_trainer(calls), epochs=3)
    explorer.size.value = "smaller 4-4"
    explorer.dropout.value = 0.25
    explorer.l2.value = 0.002
    explorer.epochs.value = 4
    explorer.button.click()
    assert calls == [((4, 4), 0.25, 0.002, 4)]
    assert explorer.last_label == "4-4, dropout 0.25, L2 0.002, 4 epochs"
    assert plotted_labels(explorer.board) == ["reference", explorer.last_label]
    assert list(explorer.board.last_figure.axes[0].lines[1].get_ydata()) == [0.55] * 4
    assert explorer.last_error is None and "added" in explorer.status.value


def test_bad_settings_are_explained_and_the_widget_stays_usable():
    calls = []
    explorer = OverfittingExplorer({"reference": REFERENCE}, fake_trainer(calls))
    for field, value, words in ((explorer.dropout, 1.0, "Dropout rate"), (explorer.dropout, -0.2, "Dropout rate"),
                                (explorer.l2, -0.1, "L2 factor"), (explorer.l2, float("nan"), "must be numbers"),
                                (explorer.epochs, 0, "Epochs")):
        previous = field.value
        field.value = value
        explorer.button.click()
        assert words in explorer.last_error and words in explorer.board.error.value
        field.value = previous
    assert calls == []
    explorer.epochs.value = 2
    explorer.button.click()
    assert explorer.last_error is None and len(calls) == 1 and not explorer.button.disabled


def test_training_failures_are_shown_not_raised():
    def broken(hidden_units, **settings):
        raise RuntimeError("out of memory")

    explorer = OverfittingExplorer({"reference": REFERENCE}, broken)
    explorer.button.click()
    assert "out of memory" in explorer.last_error and not explorer.button.disabled
    assert plotted_labels(explorer.board) == ["reference"]


def test_imdb_trainer_trains_real_keras_variants_on_tiny_data():
    pytest.importorskip("keras")  # the widget shows a missing Keras as an error; the test needs a real fit
    rng = np.random.default_rng(0)
    x = (rng.random((64, 20)) < 0.2).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    explorer = OverfittingExplorer({"reference": REFERENCE}, imdb_trainer(x[:48], y[:48], x[48:], y[48:], batch_size=16))
    explorer.epochs.value = 2
    explorer.dropout.value = 0.0
    explorer.l2.value = 0.001
    explorer.button.click()
    assert explorer.last_error is None
    assert len(explorer.board.runs[explorer.last_label]["val_loss"]) == 2


def test_board_redraws_on_one_figure_with_fresh_colours():
    board = CurveBoard({"reference": REFERENCE, "smaller": SMALLER})
    figure = board.last_figure
    colours = [line.get_color() for line in figure.axes[0].lines]
    board.smoothing.value = 0.5
    board.checkboxes["reference"].value = False
    board.checkboxes["reference"].value = True
    assert board.last_figure is figure and len(figure.axes) == 1
    assert [line.get_color() for line in figure.axes[0].lines] == colours  # as on a new plot
    board.metric.value = "loss"
    assert figure.axes[0].get_ylabel() == "loss" and figure.axes[0].get_ylim()[1] >= 0.6
    assert bytes(board.image.value).startswith(b"\x89PNG")
