"""Fits inside vs outside a range, binary identity data, sorting data."""

import math

import numpy as np
import pytest

from dlwp_widgets.limits import extrapolation as ex


def test_feature_fit_is_good_inside_and_bad_outside():
    square = ex.target_function("x²")
    x, y = ex.training_points(square, -1, 1, 200)
    fit = ex.fit_features(x, y, seed=0)
    errors = ex.range_errors(fit.predict, square, -1, 1, -3, 3)
    assert errors["inside"] < 0.01 and errors["outside"] > 1.0
    again = ex.fit_features(x, y, seed=0)
    assert np.allclose(fit.predict([0.3, 2.0]), again.predict([0.3, 2.0]))


@pytest.mark.parametrize("low, high", [(1, 1), (2, 1), (math.nan, 1), (0, math.inf), ("a", 1)])
def test_empty_or_bad_ranges_are_refused(low, high):
    with pytest.raises(ex.RangeError):
        ex.check_range(low, high)


def test_bad_fit_inputs():
    with pytest.raises(ex.RangeError, match="unknown function"):
        ex.target_function("tan")
    with pytest.raises(ex.RangeError, match="at least 2"):
        ex.fit_features([1.0], [1.0])
    with pytest.raises(ex.RangeError, match="NaN"):
        ex.fit_features([0.0, math.nan], [0.0, 1.0])
    with pytest.raises(ex.RangeError, match="empty"):
        ex.fit_features([1.0, 1.0], [0.0, 1.0])
    with pytest.raises(ex.RangeError, match="at least 2"):
        ex.training_points(np.sin, 0, 1, 1)


def test_binary_numbers_and_bit_accuracy():
    bits = ex.binary_numbers([0, 1, 6, 255], 8)
    assert bits[2].tolist() == [0, 0, 0, 0, 0, 1, 1, 0] and bits[3].sum() == 8
    assert set(ex.binary_numbers(np.arange(0, 256, 2), 8)[:, -1]) == {0.0}
    with pytest.raises(ex.RangeError):
        ex.binary_numbers([256], 8)
    accuracy = ex.bit_accuracy([[0.9, 0.1], [0.2, 0.1]], [[1, 1], [0, 0]])
    assert accuracy.tolist() == [1.0, 0.5]


def test_sorting_data():
    x, y = ex.sorting_data(5, 7, symbols=4, seed=1)
    assert x.shape == y.shape == (5, 7) and (np.sort(x, axis=1) == y).all() and x.max() < 4
    with pytest.raises(ex.RangeError):
        ex.sorting_data(0, 5)
