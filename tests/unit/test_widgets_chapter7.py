"""Chapter 7 widgets driven from Python: EnsembleMixer (sliders -> ensemble accuracy) and TunerBoard (sorting)."""

import math
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from dlwp_widgets import ensembling  # noqa: E402
from dlwp_widgets.widgets.common import ERROR_CLASS  # noqa: E402
from dlwp_widgets.widgets.ensemble_mixer import EnsembleMixer  # noqa: E402
from dlwp_widgets.widgets.tuner_board import TunerBoard  # noqa: E402

RNG = np.random.default_rng(0)
LABELS = RNG.integers(0, 3, 300)
STRONG = np.eye(3)[LABELS] * 0.6 + RNG.uniform(0, 0.4, (300, 3))
WEAK = RNG.dirichlet(np.ones(3), 300)


def normalised(p):
    return p / p.sum(axis=1, keepdims=True)


PREDICTIONS = [normalised(STRONG), WEAK]


def test_sliders_update_the_ensemble_accuracy_instantly():
    mixer = EnsembleMixer(PREDICTIONS, LABELS, ["strong", "weak"])
    assert mixer.last_error is None
    assert mixer.last_accuracy == pytest.approx(ensembling.ensemble_accuracy(PREDICTIONS, LABELS))
    mixer.sliders[1].value = 0.0
    assert mixer.last_accuracy == pytest.approx(ensembling.accuracy(PREDICTIONS[0], LABELS))
    np.testing.assert_allclose(mixer.last_weights, [1.0, 0.0])
    assert "strong" in mixer.table.value and "validation accuracy" in mixer.result.value


def test_optimise_button_moves_the_sliders_to_better_weights():
    mixer = EnsembleMixer(PREDICTIONS, LABELS)
    equal_loss = ensembling.log_loss(ensembling.weighted_average(PREDICTIONS), LABELS)
    mixer.optimise.click()
    assert mixer.last_error is None
    assert mixer.sliders[0].value > mixer.sliders[1].value
    loss = ensembling.log_loss(ensembling.weighted_average(PREDICTIONS, mixer.last_weights), LABELS)
    assert loss < equal_loss
    mixer.equal.click()
    np.testing.assert_allclose(mixer.last_weights, [0.5, 0.5])


def test_all_zero_weights_show_a_message_and_the_widget_recovers():
    mixer = EnsembleMixer(PREDICTIONS, LABELS)
    mixer.sliders[0].value = 0.0
    mixer.sliders[1].value = 0.0
    assert "All weights are zero" in mixer.last_error and ERROR_CLASS in mixer.error.value
    assert mixer.last_accuracy is None
    mixer.sliders[1].value = 0.5
    assert mixer.last_error is None and mixer.last_accuracy is not None


def test_nan_slider_value_is_an_error_not_an_exception():
    mixer = EnsembleMixer(PREDICTIONS, LABELS)
    mixer.sliders[0].value = math.nan
    assert mixer.last_error is not None and "finite" in mixer.last_error
    mixer.sliders[0].value = 1.0
    assert mixer.last_error is None


def test_mismatched_predictions_are_shown_inside():
    mixer = EnsembleMixer([PREDICTIONS[0], PREDICTIONS[1][:10]], LABELS)
    assert "different shapes" in mixer.last_error
    assert mixer.optimise.disabled
    assert EnsembleMixer([PREDICTIONS[0]], LABELS[:5]).last_error == "5 labels for 300 predictions."
    assert "at least one model" in EnsembleMixer([], LABELS).last_error
    assert "1 names for 2" in EnsembleMixer(PREDICTIONS, LABELS, ["only"]).last_error


def test_from_models_predicts_once_with_tiny_models():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    x = RNG.normal(size=(40, 4)).astype("float32")
    labels = (x[:, 0] > 0).astype(int)
    models = [
        keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")]) for _ in range(2)
    ]
    mixer = EnsembleMixer.from_models(models, x, labels)
    assert mixer.last_error is None and len(mixer.sliders) == 2
    assert 0.0 <= mixer.last_accuracy <= 1.0


TRIALS = [
    {"trial": "0", "score": 0.81, "status": "COMPLETED", "units": 16, "dropout": 0.2},
    {"trial": "1", "score": None, "status": "FAILED", "units": 64, "dropout": 0.0},
    {"trial": "2", "score": 0.86, "status": "COMPLETED", "units": 32, "dropout": 0.4},
]


def test_tuner_board_sorts_by_the_chosen_column():
    board = TunerBoard(TRIALS)
    assert board.last_error is None
    assert [t["trial"] for t in board.last_rows] == ["2", "0", "1"]
    assert list(board.sort_by.options) == ["trial", "score", "status", "units", "dropout"]
    board.sort_by.value = "units"
    assert [t["trial"] for t in board.last_rows] == ["1", "2", "0"]
    board.descending.value = False
    assert [t["trial"] for t in board.last_rows] == ["0", "2", "1"]
    assert bytes(board.plot.value).startswith(b"\x89PNG")
    assert "<b>" not in board.table.value and "font-weight:bold" in board.table.value


def test_tuner_board_shows_errors_for_empty_or_bad_trials():
    empty = TunerBoard([])
    assert "No trials" in empty.last_error and empty.sort_by.disabled
    bad = TunerBoard([{"units": 8}])
    assert "'score'" in bad.last_error
