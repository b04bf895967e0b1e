"""Interpolation or extrapolation? Convex-hull membership of new samples, one linear program each.

A point ``x`` lies inside the convex hull of the rows of ``points`` exactly when some
weights ``λ ≥ 0`` with ``Σλ = 1`` give ``pointsᵀ λ = x``: a feasibility linear program,
solved here with HiGHS (``scipy.optimize.linprog(method="highs")``). Balestriero, Pesenti
& LeCun (2021) measure how often a *new* sample is inside the hull of the training set:
the probability falls towards zero as the intrinsic dimension grows unless the training
set grows exponentially with it.
"""

from __future__ import annotations

import math

import numpy as np

MAX_DIMENSION = 4096


class HullError(ValueError):
    """Settings a hull experiment cannot run with."""


def check_dimension(dimension) -> int:
    if isinstance(dimension, bool) or not isinstance(dimension, (int, np.integer, float)):
        raise HullError(f"the dimension must be a whole number, got {dimension!r}.")
    if isinstance(dimension, float) and (not math.isfinite(dimension) or dimension != int(dimension)):
        raise HullError(f"the dimension must be a whole number, got {dimension!r}.")
    dimension = int(dimension)
    if not 1 <= dimension <= MAX_DIMENSION:
        raise HullError(f"the dimension must be between 1 and {MAX_DIMENSION}, got {dimension}.")
    return dimension


def check_count(count, dimension: int, *, what: str = "training samples") -> int:
    """At least ``dimension + 1`` training samples: fewer span no volume (every new sample is outside)."""
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
        raise HullError(f"the number of {what} must be a whole number, got {count!r}.")
    count = int(count)
    if count < dimension + 1:
        raise HullError(
            f"{count} {what} are too few in {dimension} dimensions: a hull needs at least "
            f"{dimension + 1} points (dimension + 1) to have any volume."
        )
    return count


def _as_matrix(points, name: str) -> np.ndarray:
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise HullError(f"{name} must be a non-empty 2-D array (samples, features), got shape {array.shape}.")
    if not np.isfinite(array).all():
        raise HullError(f"{name} holds NaN or infinite values.")
    return array


# HiGHS' dual simplex first (fast); its interior-point method where the simplex gives up
# (seen on real runs: "HiGHS Status 15: model_status is Unknown" for a point plainly outside
# the hull of 3,000 Gaussian points in 10 dimensions, which the interior-point method settles).
LP_METHODS = ("highs", "highs-ipm")


def in_hull(points, x) -> bool:
    """Whether ``x`` is a convex combination of the rows of ``points`` (one HiGHS LP)."""
    from scipy.optimize import linprog

    points = _as_matrix(points, "points")
    x = np.asarray(x, dtype=np.float64).ravel()
    if x.shape[0] != points.shape[1]:
        raise HullError(f"the sample has {x.shape[0]} features, the points {points.shape[1]}.")
    if not np.isfinite(x).all():
        raise HullError("the sample holds NaN or infinite values.")
    # Cheap exact pre-check: outside the bounding box means outside the hull.
    if (x < points.min(axis=0)).any() or (x > points.max(axis=0)).any():
        return False
    count = points.shape[0]
    a_eq = np.vstack([points.T, np.ones((1, count))])
    b_eq = np.append(x, 1.0)
    messages = []
    for method in LP_METHODS:
        result = linprog(np.zeros(count), A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method=method)
        if result.status == 0:
            return True
        if result.status == 2:  # infeasible: no convex combination
            return False
        messages.append(f"{method}: {result.message}")
    raise HullError(
        f"no linear-program method could decide whether the sample is inside the hull of {count} points "
        f"({'; '.join(messages)}). The points may be nearly degenerate: try other points or fewer dimensions."
    )


def membership(points, samples, *, should_stop=None, progress=None) -> np.ndarray:
    """A boolean per row of ``samples``: inside the hull of ``points``?

    One linear program per sample: ``should_stop()`` is asked before each (True raises
    ``InterruptedError``), ``progress(done, total)`` told after each.
    """
    points = _as_matrix(points, "points")
    samples = _as_matrix(samples, "samples")
    inside = np.zeros(len(samples), dtype=bool)
    for index, x in enumerate(samples):
        if should_stop is not None and should_stop():
            raise InterruptedError("stopped")
        inside[index] = in_hull(points, x)
        if progress is not None:
            progress(index + 1, len(samples))
    return inside


def membership_rate(points, samples, **kwargs) -> float:
    """The fraction of ``samples`` inside the hull of ``points``."""
    return float(membership(points, samples, **kwargs).mean())


def gaussian_membership_rate(dimension, count, *, test_count: int = 50, seed: int = 0, should_stop=None,
                             progress=None) -> float:
    """Train and test samples from the same standard Gaussian in ``dimension`` dimensions."""
    dimension = check_dimension(dimension)
    count = check_count(count, dimension)
    if isinstance(test_count, bool) or not isinstance(test_count, (int, np.integer)) or test_count < 1:
        raise HullError(f"at least one test sample is needed, got {test_count!r}.")
    rng = np.random.default_rng([seed, dimension, count])
    train = rng.standard_normal((count, dimension))
    test = rng.standard_normal((int(test_count), dimension))
    return membership_rate(train, test, should_stop=should_stop, progress=progress)


def gaussian_grid(dimensions, counts, *, test_count: int = 50, seed: int = 0) -> np.ndarray:
    """Membership rates, one row per dimension, one column per training-set size (NaN: too few samples)."""
    grid = np.full((len(dimensions), len(counts)), np.nan)
    for row, dimension in enumerate(dimensions):
        for column, count in enumerate(counts):
            if count >= dimension + 1:
                grid[row, column] = gaussian_membership_rate(dimension, count, test_count=test_count, seed=seed)
    return grid


def samples_needed(counts, rates, level: float = 0.5) -> float | None:
    """The training-set size where the membership rate first reaches ``level``.

    Interpolated on a log scale between the two sizes that bracket it; None when the
    largest size tried stays below ``level``.
    """
    counts = np.asarray(counts, dtype=np.float64)
    rates = np.nan_to_num(np.asarray(rates, dtype=np.float64), nan=0.0)
    above = np.flatnonzero(rates >= level)
    if above.size == 0:
        return None
    first = above[0]
    if first == 0:
        return float(counts[0])
    low, high = rates[first - 1], rates[first]
    fraction = (level - low) / (high - low)
    return float(np.exp(np.log(counts[first - 1]) + fraction * (np.log(counts[first]) - np.log(counts[first - 1]))))


def pca_fit(train, components: int):
    """Centre and the top principal directions of ``train`` (numpy SVD): ``(mean, directions)``."""
    train = _as_matrix(train, "train")
    components = check_dimension(components)
    if components > min(train.shape):
        raise HullError(f"{components} components asked from data of shape {train.shape}.")
    mean = train.mean(axis=0)
    _, _, vt = np.linalg.svd(train - mean, full_matrices=False)
    return mean, vt[:components]


def pca_project(data, mean, directions) -> np.ndarray:
    return (np.asarray(data, dtype=np.float64) - mean) @ directions.T


def gaussian_grid_over_draws(dimensions, counts, *, draws: int, test_count: int = 50, seed: int = 0):
    """:func:`gaussian_grid` repeated over ``draws`` independent training sets: ``(mean, sd)`` grids.

    One draw of the training set with a few dozen test points is a noisy estimate
    (at d = 1, N = 10 it can read 99% where the exact rate is 82%); the spread over
    draws says how far a single cell can be trusted.
    """
    if int(draws) < 2:
        raise HullError(f"at least 2 training draws are needed for a spread, got {draws}.")
    grids = np.stack([gaussian_grid(dimensions, counts, test_count=test_count, seed=seed * 1000 + draw)
                      for draw in range(int(draws))])
    return grids.mean(axis=0), grids.std(axis=0, ddof=1)


def exact_rate_1d(count: int) -> float:
    """Probability that a new sample of a continuous 1-D distribution lies inside the range of ``count`` samples.

    The new point is inside unless it is the smallest or largest of the ``count + 1``
    exchangeable points: ``(count - 1) / (count + 1)``, whatever the distribution.
    """
    return (count - 1) / (count + 1)
