"""Model ensembling (section 7.3.3): weighted averages of member predictions, their accuracy, optimised weights.

Pure numpy/scipy over predictions computed once: no model is called here, so a
slider can re-weight an ensemble instantly.  ``predictions`` is a list of arrays
of one shape, one per member: ``(samples,)`` or ``(samples, 1)`` sigmoid
probabilities for a binary task, ``(samples, classes)`` softmax probabilities
otherwise.  ``labels`` are 0/1 (binary) or class indices.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

EPSILON = 1e-7


class EnsembleError(ValueError):
    """Predictions, labels or weights that cannot make an ensemble (the message says why)."""


def stack_predictions(predictions: Sequence) -> np.ndarray:
    """The members' predictions as one ``(members, samples, classes)`` float64 array, checked."""
    if len(predictions) == 0:
        raise EnsembleError("No member predictions: an ensemble needs at least one model.")
    arrays = [np.asarray(p, dtype=np.float64) for p in predictions]
    arrays = [a[:, None] if a.ndim == 1 else a for a in arrays]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        described = ", ".join(str(a.shape) for a in arrays)
        raise EnsembleError(f"Member predictions have different shapes ({described}): predict on the same samples.")
    stacked = np.stack(arrays)
    if stacked.ndim != 3 or stacked.shape[1] == 0:
        raise EnsembleError(f"Expected (samples,) or (samples, classes) predictions, got {arrays[0].shape}.")
    if not np.isfinite(stacked).all():
        raise EnsembleError("Member predictions contain NaN or infinite values.")
    return stacked


def normalise_weights(weights: Sequence[float], members: int) -> np.ndarray:
    """Weights as a float64 array summing to 1; a clear error for a wrong count, NaN, negative or all-zero."""
    values = np.asarray(weights, dtype=np.float64).ravel()
    if values.size != members:
        raise EnsembleError(f"{values.size} weights for {members} member models.")
    if not np.isfinite(values).all():
        raise EnsembleError("Weights must be finite numbers (got NaN or infinity).")
    if (values < 0).any():
        raise EnsembleError("Weights must not be negative.")
    total = values.sum()
    if total <= 0:
        raise EnsembleError("All weights are zero: give at least one model a positive weight.")
    return values / total


def weighted_average(predictions: Sequence, weights: Sequence[float] | None = None) -> np.ndarray:
    """The ensemble's predictions: the (normalised) weighted average of the members' (listings 7.33/7.34)."""
    stacked = stack_predictions(predictions)
    if weights is None:
        weights = np.ones(len(stacked))
    w = normalise_weights(weights, len(stacked))
    return np.tensordot(w, stacked, axes=1)


def _labels(labels, samples: int) -> np.ndarray:
    y = np.asarray(labels).ravel()
    if y.size != samples:
        raise EnsembleError(f"{y.size} labels for {samples} predictions.")
    return y.astype(np.int64)


def accuracy(predictions, labels) -> float:
    """Accuracy of one prediction array: threshold 0.5 for one column, argmax otherwise."""
    p = np.asarray(predictions, dtype=np.float64)
    p = p[:, None] if p.ndim == 1 else p
    y = _labels(labels, len(p))
    guessed = (p[:, 0] > 0.5).astype(np.int64) if p.shape[1] == 1 else p.argmax(axis=1)
    return float((guessed == y).mean())


def log_loss(predictions, labels) -> float:
    """Mean cross-entropy of one prediction array (binary or categorical), clipped away from log(0)."""
    p = np.clip(np.asarray(predictions, dtype=np.float64), EPSILON, 1 - EPSILON)
    p = p[:, None] if p.ndim == 1 else p
    y = _labels(labels, len(p))
    if p.shape[1] == 1:
        q = p[:, 0]
        return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))
    if y.min() < 0 or y.max() >= p.shape[1]:
        raise EnsembleError(f"Labels must be class indices in [0, {p.shape[1] - 1}].")
    return float(-np.mean(np.log(p[np.arange(len(p)), y])))


def member_accuracies(predictions: Sequence, labels) -> list[float]:
    stacked = stack_predictions(predictions)
    return [accuracy(p, labels) for p in stacked]


def ensemble_accuracy(predictions: Sequence, labels, weights: Sequence[float] | None = None) -> float:
    return accuracy(weighted_average(predictions, weights), labels)


def optimise_weights(predictions: Sequence, labels, *, restarts: int = 3, seed: int = 0) -> np.ndarray:
    """Non-negative weights summing to 1 that minimise the ensemble's cross-entropy on (validation) ``labels``.

    The book's listing 7.34 leaves the search open ("found by optimization on the
    validation data"); here the weights are a softmax of free parameters, optimised
    with L-BFGS from the equal weights and a few random starts.  The loss is smooth
    (accuracy is not), and cross-entropy never prefers a worse-calibrated mixture.
    """
    from scipy.optimize import minimize

    stacked = stack_predictions(predictions)
    y = _labels(labels, stacked.shape[1])
    members = len(stacked)
    if members == 1:
        return np.ones(1)

    def loss(theta):
        w = np.exp(theta - theta.max())
        return log_loss(np.tensordot(w / w.sum(), stacked, axes=1), y)

    rng = np.random.default_rng(seed)
    starts = [np.zeros(members)] + [rng.normal(size=members) for _ in range(restarts)]
    best = min((minimize(loss, start, method="L-BFGS-B") for start in starts), key=lambda result: result.fun)
    w = np.exp(best.x - best.x.max())
    return w / w.sum()


def summary(predictions: Sequence, labels, weights: Sequence[float] | None = None, names: Sequence[str] | None = None) -> dict:
    """Accuracy and loss of each member, of the equal-weight average and of ``weights`` (a dict for printing)."""
    stacked = stack_predictions(predictions)
    names = list(names) if names is not None else [f"model_{chr(ord('a') + i)}" for i in range(len(stacked))]
    rows = {name: accuracy(p, labels) for name, p in zip(names, stacked)}
    rows["naive average"] = ensemble_accuracy(stacked, labels)
    if weights is not None:
        rows["weighted average"] = ensemble_accuracy(stacked, labels, weights)
    return rows
