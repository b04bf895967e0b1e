"""Evaluation protocols of section 4.2: hold-out, K-fold and iterated K-fold validation.

The book gives these as outlines (listings 4.1 and 4.2) that call an undefined
``get_model()``/``model.train()``; here they are working functions that take a
``build_model`` callable returning a fresh compiled Keras model, and keyword
arguments for ``fit``.  Chapter 3.6 uses :func:`kfold_validation` on Boston
housing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class ValidationRun:
    """What one protocol measured: a score per trained model and their per-epoch logs."""

    metric: str
    scores: list[float] = field(default_factory=list)
    histories: list[dict[str, list[float]]] = field(default_factory=list)

    @property
    def mean_score(self) -> float:
        return float(np.mean(self.scores))

    def mean_curve(self, key: str | None = None) -> list[float]:
        """Per-epoch average over all models of ``key`` (default ``val_<metric>``), as in listing 3.59."""
        key = key or f"val_{self.metric}"
        curves = [history[key] for history in self.histories]
        return [float(v) for v in np.mean(np.array(curves, dtype=float), axis=0)]


def holdout_split(num_samples: int, num_validation: int, *, shuffle: bool = True, seed: int = 0):
    """Indices ``(train, validation)``: the first ``num_validation`` of a (shuffled) order are held out."""
    if not 0 < num_validation < num_samples:
        raise ValueError(f"num_validation must be between 1 and {num_samples - 1}, got {num_validation}.")
    order = np.random.default_rng(seed).permutation(num_samples) if shuffle else np.arange(num_samples)
    return order[num_validation:], order[:num_validation]


def kfold_splits(num_samples: int, k: int, *, order: np.ndarray | None = None):
    """``k`` pairs ``(train, validation)`` of index arrays; fold ``i`` validates on the ``i``-th block.

    Each block has ``num_samples // k`` samples, as in the book; the few samples
    left over are always trained on.
    """
    if k < 2:
        raise ValueError(f"K-fold validation needs k >= 2, got {k}.")
    if num_samples < k:
        raise ValueError(f"cannot split {num_samples} samples into {k} folds.")
    order = np.arange(num_samples) if order is None else np.asarray(order)
    size = num_samples // k
    return [
        (np.concatenate([order[: i * size], order[(i + 1) * size :]]), order[i * size : (i + 1) * size])
        for i in range(k)
    ]


def mean_prediction_mae(y, splits) -> float:
    """The trivial regression baseline: MAE of predicting each split's mean training target, averaged.

    ``splits`` are ``(train, validation)`` index pairs (from :func:`kfold_splits`
    or one :func:`holdout_split`); a model that does not beat this learned nothing.
    """
    y = np.asarray(y, dtype=float)
    return float(np.mean([np.abs(y[validation] - y[train].mean()).mean() for train, validation in splits]))


def _train_and_score(build_model, x, y, train, validation, metric, fit_kwargs, run: ValidationRun):
    model = build_model()
    history = model.fit(x[train], y[train], validation_data=(x[validation], y[validation]), **fit_kwargs)
    scores = model.evaluate(x[validation], y[validation], verbose=0, return_dict=True)
    if metric not in scores:
        raise KeyError(f"the model reports {', '.join(scores)}, not {metric!r}; compile it with that metric.")
    run.scores.append(float(scores[metric]))
    run.histories.append({key: [float(v) for v in values] for key, values in history.history.items()})


def holdout_validation(build_model: Callable, x, y, *, num_validation: int, metric: str = "loss",
                       shuffle: bool = True, seed: int = 0, **fit_kwargs) -> ValidationRun:
    """Train once on all but ``num_validation`` samples, score on those (listing 4.1, working)."""
    train, validation = holdout_split(len(x), num_validation, shuffle=shuffle, seed=seed)
    run = ValidationRun(metric)
    _train_and_score(build_model, x, y, train, validation, metric, {"verbose": 0, **fit_kwargs}, run)
    return run


def kfold_validation(build_model: Callable, x, y, *, k: int = 4, metric: str = "loss",
                     report: Callable[[str], None] | None = print, order=None, **fit_kwargs) -> ValidationRun:
    """Train ``k`` models, each validated on one fold; the score is their average (listings 3.56, 4.2)."""
    run = ValidationRun(metric)
    for fold, (train, validation) in enumerate(kfold_splits(len(x), k, order=order)):
        if report:
            report(f"processing fold #{fold} ({len(train)} train / {len(validation)} validation samples)")
        _train_and_score(build_model, x, y, train, validation, metric, {"verbose": 0, **fit_kwargs}, run)
    return run


def iterated_kfold_validation(build_model: Callable, x, y, *, k: int = 4, repeats: int = 3, seed: int = 0,
                              metric: str = "loss", report: Callable[[str], None] | None = print,
                              **fit_kwargs) -> ValidationRun:
    """K-fold ``repeats`` times, shuffling before each: ``repeats * k`` models (section 4.2.3)."""
    rng = np.random.default_rng(seed)
    run = ValidationRun(metric)
    for repeat in range(repeats):
        if report:
            report(f"repeat {repeat + 1}/{repeats}")
        single = kfold_validation(build_model, x, y, k=k, metric=metric, report=None,
                                  order=rng.permutation(len(x)), **fit_kwargs)
        run.scores += single.scores
        run.histories += single.histories
    return run
