"""Hold-out, K-fold and iterated K-fold validation (section 4.2)."""

from __future__ import annotations

import numpy as np
import pytest

from dlwp_widgets import evaluation


class MeanModel:
    """A stand-in model: predicts the mean training target; logs one 'epoch' per fit epoch."""

    def fit(self, x, y, validation_data, epochs=1, **kwargs):
        self.mean = float(np.mean(y))
        x_val, y_val = validation_data
        mae = float(np.abs(y_val - self.mean).mean())
        self.fitted_on = len(x)
        return type("History", (), {"history": {"loss": [1.0] * epochs, "val_mae": [mae + e for e in range(epochs)]}})

    def evaluate(self, x, y, verbose=0, return_dict=False):
        return {"loss": 0.0, "mae": float(np.abs(y - self.mean).mean())}


def test_kfold_splits_follow_the_book():
    splits = evaluation.kfold_splits(404, 4)
    assert [len(val) for _, val in splits] == [101] * 4
    assert all(len(train) == 303 for train, _ in splits)
    assert np.array_equal(np.sort(np.concatenate([val for _, val in splits])), np.arange(404))
    train, val = splits[1]
    assert val[0] == 101 and not set(train) & set(val)
    with pytest.raises(ValueError, match="k >= 2"):
        evaluation.kfold_splits(10, 1)
    with pytest.raises(ValueError, match="cannot split"):
        evaluation.kfold_splits(3, 4)


def test_mean_prediction_baseline_predicts_each_training_mean():
    y = np.array([0.0, 2.0, 4.0, 10.0])
    # fold 0 validates on [0, 2] against the mean 7 of [4, 10]; fold 1 on [4, 10] against 1
    assert evaluation.mean_prediction_mae(y, evaluation.kfold_splits(4, k=2)) == pytest.approx((6 + 6) / 2)
    assert evaluation.mean_prediction_mae(y, [(np.array([0, 1, 2]), np.array([3]))]) == pytest.approx(8.0)


def test_holdout_split_shuffles_reproducibly():
    train, val = evaluation.holdout_split(100, 20, seed=3)
    assert len(val) == 20 and len(train) == 80 and not set(train) & set(val)
    assert np.array_equal(val, evaluation.holdout_split(100, 20, seed=3)[1])
    assert np.array_equal(evaluation.holdout_split(5, 2, shuffle=False)[1], [0, 1])
    with pytest.raises(ValueError, match="num_validation"):
        evaluation.holdout_split(5, 5)


def test_kfold_validation_scores_each_fold_and_averages_curves():
    x = np.zeros((8, 1))
    y = np.array([0.0, 0, 4, 4, 8, 8, 12, 12])
    run = evaluation.kfold_validation(MeanModel, x, y, k=4, metric="mae", report=None, epochs=3)
    assert len(run.scores) == 4
    assert run.scores[0] == pytest.approx(np.abs(0 - y[2:].mean()))
    assert run.mean_score == pytest.approx(np.mean(run.scores))
    assert run.mean_curve() == pytest.approx([run.mean_score + e for e in range(3)])


def test_holdout_and_iterated_kfold():
    x, y = np.zeros((12, 1)), np.arange(12.0)
    assert len(evaluation.holdout_validation(MeanModel, x, y, num_validation=4, metric="mae").scores) == 1
    iterated = evaluation.iterated_kfold_validation(MeanModel, x, y, k=3, repeats=2, metric="mae", report=None)
    assert len(iterated.scores) == 6 and len(set(np.round(iterated.scores, 6))) > 1


def test_missing_metric_is_explained():
    with pytest.raises(KeyError, match="compile it with that metric"):
        evaluation.kfold_validation(MeanModel, np.zeros((4, 1)), np.zeros(4), k=2, metric="accuracy", report=None)


def test_with_a_real_keras_model():
    from dlwp_widgets.models.dense import boston_regressor

    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 13)).astype("float32")
    y = x[:, 0] * 3 + 20
    run = evaluation.kfold_validation(boston_regressor, x, y, k=2, metric="mae", report=None, epochs=2, batch_size=8)
    assert len(run.scores) == 2 and len(run.mean_curve()) == 2
