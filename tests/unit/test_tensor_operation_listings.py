"""The naive tensor operations of notebook 2.3, run from the notebook itself, against NumPy."""

import jupytext
import numpy as np
import pytest

from dlwp_widgets.book.notebooks import cell_listing, chapters_dir

LISTINGS = ("2.25", "2.26", "2.28", "2.31", "2.32", "2.33", "2.34")


@pytest.fixture(scope="module")
def ops():
    source = next(chapters_dir().glob("ch02_*/2.3-*.py"))
    notebook = jupytext.read(source)
    namespace = {"np": np}
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell_listing(cell) in LISTINGS:
            exec(compile(cell.source, f"{source.name}:{cell_listing(cell)}", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("seed", range(5))
def test_naive_operations_match_numpy(ops, seed):
    rng = np.random.default_rng(seed)
    rows, cols, inner = rng.integers(1, 7, size=3)
    x = rng.standard_normal((rows, cols))
    y = rng.standard_normal((rows, cols))
    v = rng.standard_normal(cols)
    m = rng.standard_normal((cols, inner))
    assert np.array_equal(ops["naive_relu"](x), np.maximum(x, 0))
    assert np.allclose(ops["naive_add"](x, y), x + y)
    assert np.allclose(ops["naive_add_matrix_and_vector"](x, v), x + v)
    assert np.isclose(ops["naive_vector_dot"](v, v), v @ v)
    assert np.allclose(ops["naive_matrix_vector_dot"](x, v), x @ v)
    assert np.allclose(ops["naive_matrix_dot"](x, m), x @ m)


def test_naive_operations_leave_their_inputs_untouched(ops):
    x = np.array([[-1.0, 2.0], [3.0, -4.0]])
    before = x.copy()
    ops["naive_relu"](x)
    ops["naive_add"](x, x)
    assert np.array_equal(x, before)


def test_shape_mismatches_are_refused(ops):
    with pytest.raises(AssertionError):
        ops["naive_matrix_dot"](np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(AssertionError):
        ops["naive_add"](np.ones((2, 3)), np.ones((3, 2)))
