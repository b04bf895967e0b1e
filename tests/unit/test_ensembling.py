"""Ensembling (section 7.3.3) and trial tables (7.3.2): pure functions, tiny hand-made predictions."""

import math

import numpy as np
import pytest

from dlwp_widgets import ensembling, tuning

LABELS = np.array([0, 1, 2, 1])
GOOD = np.eye(3)[LABELS] * 0.7 + 0.1  # right on every sample
BAD = np.eye(3)[[1, 2, 0, 0]] * 0.7 + 0.1  # wrong on every sample


def test_weighted_average_normalises_the_weights():
    average = ensembling.weighted_average([GOOD, BAD], [3, 1])
    np.testing.assert_allclose(average, 0.75 * GOOD + 0.25 * BAD)
    np.testing.assert_allclose(ensembling.weighted_average([GOOD, BAD]), 0.5 * (GOOD + BAD))


def test_accuracy_handles_binary_and_categorical_predictions():
    assert ensembling.accuracy(GOOD, LABELS) == 1.0
    assert ensembling.accuracy(BAD, LABELS) == 0.0
    assert ensembling.accuracy(np.array([0.9, 0.2, 0.6]), [1, 0, 0]) == pytest.approx(2 / 3)
    assert ensembling.accuracy(np.array([[0.9], [0.2]]), [1, 0]) == 1.0


def test_log_loss_matches_the_formula():
    assert ensembling.log_loss(np.array([0.8, 0.3]), [1, 0]) == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2)
    assert ensembling.log_loss(GOOD, LABELS) == pytest.approx(-math.log(0.8))


def test_optimised_weights_favour_the_better_model_and_sum_to_one():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 400)
    good = np.clip(labels + rng.normal(0, 0.35, 400), 0.01, 0.99)
    noise = rng.uniform(0.01, 0.99, 400)
    weights = ensembling.optimise_weights([noise, good], labels)
    assert weights.sum() == pytest.approx(1.0)
    assert (weights >= 0).all() and weights[1] > 0.8
    loss = ensembling.log_loss(ensembling.weighted_average([noise, good], weights), labels)
    assert loss <= ensembling.log_loss(ensembling.weighted_average([noise, good]), labels)


@pytest.mark.parametrize(
    "weights, message",
    [([0, 0], "All weights are zero"), ([math.nan, 1], "finite"), ([-1, 2], "negative"), ([1], "1 weights for 2")],
)
def test_bad_weights_get_a_clear_message(weights, message):
    with pytest.raises(ensembling.EnsembleError, match=message):
        ensembling.weighted_average([GOOD, BAD], weights)


def test_mismatched_or_missing_predictions_are_refused():
    with pytest.raises(ensembling.EnsembleError, match="different shapes"):
        ensembling.stack_predictions([GOOD, GOOD[:2]])
    with pytest.raises(ensembling.EnsembleError, match="at least one model"):
        ensembling.stack_predictions([])
    with pytest.raises(ensembling.EnsembleError, match="NaN"):
        ensembling.stack_predictions([np.full((2, 3), np.nan)])
    with pytest.raises(ensembling.EnsembleError, match="3 labels for 4"):
        ensembling.accuracy(GOOD, [0, 1, 2])


def test_summary_names_members_and_ensembles():
    rows = ensembling.summary([GOOD, BAD], LABELS, weights=[1, 0])
    assert list(rows) == ["model_a", "model_b", "naive average", "weighted average"]
    assert rows["weighted average"] == 1.0


TRIALS = [
    {"trial": "0", "score": 0.81, "status": "COMPLETED", "units": 16, "dropout": 0.2, "learning_rate": 0.001},
    {"trial": "1", "score": None, "status": "FAILED", "units": 64, "dropout": 0.0, "learning_rate": 0.01},
    {"trial": "2", "score": 0.86, "status": "COMPLETED", "units": 32, "dropout": 0.4, "learning_rate": 0.0001},
]


def test_trials_sort_by_any_column_with_missing_scores_last():
    assert [t["trial"] for t in tuning.sort_trials(TRIALS)] == ["2", "0", "1"]
    assert [t["trial"] for t in tuning.sort_trials(TRIALS, "units", descending=False)] == ["0", "2", "1"]
    assert [t["trial"] for t in tuning.sort_trials(TRIALS, "score", descending=False)] == ["0", "2", "1"]
    assert tuning.best_trial(TRIALS)["trial"] == "2"
    assert tuning.hyperparameter_names(TRIALS) == ["units", "dropout", "learning_rate"]


def test_trial_table_text_and_figure():
    text = tuning.trial_table_text(TRIALS)
    assert text.splitlines()[0].split() == ["trial", "score", "status", "units", "dropout", "learning_rate"]
    assert text.splitlines()[-1].split()[:2] == ["1", "-"]
    figure = tuning.score_figure(TRIALS)
    assert len(figure.axes) == 3


def test_bad_trials_are_refused():
    with pytest.raises(tuning.TrialsError, match="No trials"):
        tuning.sort_trials([])
    with pytest.raises(tuning.TrialsError, match="No column"):
        tuning.sort_trials(TRIALS, "momentum")
    with pytest.raises(tuning.TrialsError, match="'score'"):
        tuning.check_trials([{"units": 3}])
    with pytest.raises(tuning.TrialsError, match="No trial has a score"):
        tuning.best_trial([TRIALS[1]])


def test_trials_from_a_real_keras_tuner_search(tmp_path):
    import keras_tuner

    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, (64, 20)).astype("float32")
    y = (x[:, 0] > 0.5).astype("float32")
    tuner = keras_tuner.RandomSearch(
        tuning.imdb_dense_hypermodel(input_dim=20), objective="val_accuracy", max_trials=2, seed=0,
        directory=str(tmp_path), project_name="tiny", overwrite=True,
    )
    tuner.search(x, y, epochs=1, validation_data=(x, y), verbose=0)
    trials = tuning.trials_from_tuner(tuner)
    assert len(trials) == 2
    assert {"units", "dropout", "learning_rate"} <= set(trials[0])
    assert all(t["status"] == "COMPLETED" and 0 <= t["score"] <= 1 for t in trials)
