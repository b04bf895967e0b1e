"""Convex-hull membership by linear program: exact cases, rates, bad settings."""

import math

import numpy as np
import pytest

from dlwp_widgets.limits import hull

SQUARE = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])


def test_points_of_a_square():
    assert hull.in_hull(SQUARE, [0.5, 0.5]) and hull.in_hull(SQUARE, [1.0, 1.0])
    assert not hull.in_hull(SQUARE, [1.5, 0.5])  # outside the bounding box
    triangle = SQUARE[:3]
    assert not hull.in_hull(triangle, [0.8, 0.8])  # inside the box, outside the triangle: the LP decides
    assert hull.in_hull(triangle, [0.3, 0.3])


def test_membership_and_rates():
    inside = hull.membership(SQUARE, [[0.5, 0.5], [2.0, 2.0], [0.1, 0.9]])
    assert inside.tolist() == [True, False, True]
    assert hull.membership_rate(SQUARE, [[0.5, 0.5], [2.0, 2.0]]) == 0.5
    assert hull.gaussian_membership_rate(1, 200, test_count=20) >= 0.9
    low = hull.gaussian_membership_rate(6, 20, test_count=20)
    assert low < hull.gaussian_membership_rate(2, 20, test_count=20)


def test_grid_and_samples_needed():
    grid = hull.gaussian_grid([1, 3], [3, 30], test_count=10)
    assert math.isnan(grid[1, 0]) and 0 <= grid[0, 1] <= 1
    assert hull.samples_needed([10, 100], [0.2, 0.8]) == pytest.approx(math.sqrt(1000))
    assert hull.samples_needed([10, 100], [0.6, 0.9]) == 10
    assert hull.samples_needed([10, 100], [0.1, 0.2]) is None


def test_pca_projection_keeps_the_main_direction():
    rng = np.random.default_rng(0)
    data = np.outer(rng.standard_normal(50), [3.0, 4.0]) + 0.01 * rng.standard_normal((50, 2))
    mean, directions = hull.pca_fit(data, 1)
    assert abs(abs(directions[0] @ np.array([0.6, 0.8])) - 1) < 1e-3
    assert hull.pca_project(data, mean, directions).shape == (50, 1)


@pytest.mark.parametrize("dimension", [0, -1, 2.5, math.nan, "3", True, 10**6])
def test_bad_dimensions(dimension):
    with pytest.raises(hull.HullError, match="dimension"):
        hull.check_dimension(dimension)


def test_too_few_samples_and_bad_data():
    with pytest.raises(hull.HullError, match="too few"):
        hull.gaussian_membership_rate(5, 5)
    with pytest.raises(hull.HullError, match="test sample"):
        hull.gaussian_membership_rate(2, 10, test_count=0)
    with pytest.raises(hull.HullError, match="NaN"):
        hull.in_hull(SQUARE, [math.nan, 0.5])
    with pytest.raises(hull.HullError, match="NaN"):
        hull.in_hull(np.array([[0.0, math.nan], [1.0, 1.0]]), [0.5, 0.5])
    with pytest.raises(hull.HullError, match="features"):
        hull.in_hull(SQUARE, [0.5, 0.5, 0.5])
    with pytest.raises(hull.HullError, match="non-empty"):
        hull.in_hull(np.zeros((0, 2)), [0.5, 0.5])
    with pytest.raises(InterruptedError):
        hull.membership(SQUARE, [[0.5, 0.5]], should_stop=lambda: True)


def test_rates_over_training_draws_match_the_exact_one_dimensional_rate():
    from dlwp_widgets.limits.hull import exact_rate_1d, gaussian_grid_over_draws

    assert exact_rate_1d(10) == pytest.approx(9 / 11) and exact_rate_1d(2) == pytest.approx(1 / 3)
    mean, spread = gaussian_grid_over_draws([1], [10, 100], draws=8, test_count=100, seed=0)
    # 800 test points per cell: the mean is within a few points of (N - 1)/(N + 1)
    assert abs(mean[0, 0] - exact_rate_1d(10)) < 0.05 and abs(mean[0, 1] - exact_rate_1d(100)) < 0.02
    assert (spread > 0).all()  # independent draws differ
    with pytest.raises(hull.HullError, match="at least 2 training draws"):
        gaussian_grid_over_draws([1], [10], draws=1)


def test_a_point_the_simplex_cannot_decide_is_settled_by_the_interior_point_method():
    """Seed 1 of 9.2's real-data record died here: HiGHS' simplex answered "model_status is Unknown"."""
    rng = np.random.default_rng([1004, 10, 3000])  # gaussian_membership_rate(10, 3000, test_count=100, seed=1004)
    train = rng.standard_normal((3000, 10))
    outside = rng.standard_normal((100, 10))[33]
    assert hull.in_hull(train, outside) is False
    assert hull.in_hull(train, train[:20].mean(axis=0)) is True


def test_a_linear_program_no_method_can_decide_raises_a_clear_error(monkeypatch):
    import scipy.optimize

    class Undecided:
        status, message = 4, "numerical difficulties"

    monkeypatch.setattr(scipy.optimize, "linprog", lambda *args, **kwargs: Undecided())
    with pytest.raises(hull.HullError, match="no linear-program method could decide.*highs-ipm: numerical difficulties"):
        hull.in_hull(SQUARE, [0.5, 0.5])
