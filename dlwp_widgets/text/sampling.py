"""Temperature reweighting and sampling of next-character distributions.

The book's version takes ``log(p) / T``, exponentiates and renormalises, then
draws with ``np.random.multinomial``.  That divides by zero at ``T = 0``, warns
on ``log(0)``, and can raise when float rounding makes the probabilities sum
to a hair above 1.  Here: ``T = 0`` is greedy (argmax), zero probabilities stay
exactly zero without warnings, the arithmetic is float64 with the maximum
subtracted before ``exp``, and draws use an explicit ``numpy`` Generator so a
seed reproduces them.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

RandomLike = np.random.Generator | int | None


def check_temperature(temperature) -> float:
    """A temperature as a float, or a ValueError that says what is allowed."""
    if isinstance(temperature, bool) or not isinstance(temperature, (Real, np.floating, np.integer)):
        raise ValueError(f"temperature must be a number >= 0, got {temperature!r}.")
    value = float(temperature)
    if not math.isfinite(value) or value < 0:
        raise ValueError(
            f"temperature must be a finite number >= 0 (0 means always the most likely "
            f"character), got {value}."
        )
    return value


def check_distribution(distribution) -> np.ndarray:
    """Probabilities (last axis) as float64; rejects negative, non-finite or all-zero rows."""
    probabilities = np.asarray(distribution, dtype=np.float64)
    if probabilities.ndim not in (1, 2) or probabilities.shape[-1] == 0:
        raise ValueError(
            f"expected a probability vector or a batch of them, got shape {probabilities.shape}."
        )
    if not np.all(np.isfinite(probabilities)):
        raise ValueError("the distribution contains NaN or infinite values.")
    if np.any(probabilities < 0):
        raise ValueError("the distribution contains negative probabilities.")
    if np.any(probabilities.sum(axis=-1) <= 0):
        raise ValueError("the distribution is all zeros: nothing can be sampled from it.")
    return probabilities


def check_temperatures(temperatures, rows: int) -> np.ndarray:
    """One temperature per row (a scalar is shared), each checked like :func:`check_temperature`."""
    values = np.asarray(temperatures, dtype=object).reshape(-1)
    checked = np.array([check_temperature(value) for value in values], dtype=np.float64)
    if checked.size == 1:
        return np.full(rows, checked[0])
    if checked.size != rows:
        raise ValueError(f"got {checked.size} temperatures for {rows} distributions.")
    return checked


def reweight(distribution, temperature=0.5) -> np.ndarray:
    """The distribution at ``temperature``: proportional to ``p ** (1 / T)``.

    Works on one vector or on a batch (rows), with one temperature or one per
    row.  ``T = 1`` returns the input renormalised, ``T -> 0`` concentrates on
    the most likely entry (``T = 0`` is exactly the argmax, ties to the first),
    large ``T`` flattens towards uniform over the entries that had non-zero
    probability.
    """
    probabilities = check_distribution(distribution)
    batch = np.atleast_2d(probabilities)
    temperatures = check_temperatures(temperature, len(batch))[:, None]
    positive = batch > 0
    logits = np.full_like(batch, -np.inf)
    np.log(batch, out=logits, where=positive)
    logits -= logits.max(axis=-1, keepdims=True)  # before dividing: the top entry stays 0, never NaN
    greedy = temperatures[:, 0] == 0
    with np.errstate(over="ignore"):  # a tiny T sends unlikely entries to -inf: weight 0, as it should
        logits = np.divide(logits, temperatures, out=np.zeros_like(logits), where=~greedy[:, None])
    logits[~positive] = -np.inf
    weights = np.zeros_like(batch)
    np.exp(logits, out=weights, where=positive)
    weights[greedy] = 0.0
    weights[greedy, batch[greedy].argmax(axis=-1)] = 1.0
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights.reshape(probabilities.shape)


def softmax_at(logits: np.ndarray, temperatures: np.ndarray) -> np.ndarray:
    """``softmax(logits / T)`` per row in float64 (checked temperatures; ``T = 0`` gives the argmax).

    The same distribution as ``reweight(softmax(logits), T)``, without the
    ``log`` of probabilities that float32 may have rounded to zero.
    """
    scaled = np.array(logits, dtype=np.float64)
    scaled -= scaled.max(axis=-1, keepdims=True)
    greedy = temperatures == 0
    with np.errstate(over="ignore"):
        np.divide(scaled, temperatures[:, None], out=scaled, where=~greedy[:, None])
    weights = np.exp(scaled)
    if greedy.any():
        weights[greedy] = 0.0
        weights[greedy, np.argmax(logits[greedy], axis=-1)] = 1.0
    return weights / weights.sum(axis=-1, keepdims=True)


def as_generator(random: RandomLike = None) -> np.random.Generator:
    """A numpy Generator from a seed, an existing Generator (shared), or fresh entropy."""
    if isinstance(random, np.random.Generator):
        return random
    return np.random.default_rng(random)


def draw(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One index per row of a (batch, symbols) array of valid distributions.

    Inverse-CDF sampling: a uniform draw in (0, 1] scaled by each row's total,
    then the first index whose cumulative sum reaches it.  Zero-probability
    entries are never chosen and rounding cannot push the total past 1.
    """
    cumulative = np.cumsum(probabilities, axis=-1)
    targets = (1.0 - rng.random(len(probabilities))) * cumulative[:, -1]
    return (cumulative < targets[:, None]).sum(axis=-1)


def sample(distribution, temperature: float = 0.5, random: RandomLike = None) -> int:
    """Draw one index from ``distribution`` reweighted to ``temperature`` (listing 8.6, made safe)."""
    probabilities = reweight(distribution, temperature)
    if probabilities.ndim != 1:
        raise ValueError("sample() takes one distribution; use draw(reweight(batch, T), rng) for a batch.")
    return int(draw(probabilities[None], as_generator(random))[0])
