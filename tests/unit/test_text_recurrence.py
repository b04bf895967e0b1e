"""The vanishing-gradient figures of section 6.2 compute true derivatives."""

import numpy as np
import pytest

from dlwp_widgets.text.recurrence import carry_gradients, simple_rnn_input_gradients


def last_state(inputs, W, U, b):
    state = np.zeros(U.shape[0])
    for input_t in inputs:
        state = np.tanh(W @ input_t + U @ state + b)
    return state


def test_input_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    inputs, W, U, b = rng.normal(size=(6, 3)), rng.normal(size=(4, 3)), 0.5 * rng.normal(size=(4, 4)), rng.normal(size=4)
    norms = simple_rnn_input_gradients(inputs, W, U, b)
    for t in range(len(inputs)):
        jacobian = np.empty((4, 3))
        for j in range(3):
            step = np.zeros_like(inputs)
            step[t, j] = 1e-6
            jacobian[:, j] = (last_state(inputs + step, W, U, b) - last_state(inputs - step, W, U, b)) / 2e-6
        assert norms[t] == pytest.approx(np.linalg.norm(jacobian), rel=1e-5)


def test_gradients_vanish_with_distance_for_a_contracting_recurrence():
    rng = np.random.default_rng(1)
    norms = simple_rnn_input_gradients(rng.normal(size=(50, 3)), rng.normal(size=(8, 3)), 0.3 * np.eye(8), np.zeros(8))
    assert norms[0] < 1e-10 * norms[-1]


def test_carry_gradient_is_the_forget_gate_to_the_distance():
    assert carry_gradients(0.5, 4).tolist() == [0.125, 0.25, 0.5, 1.0]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        carry_gradients(1.5, 3)


def test_shapes_that_do_not_chain_are_refused():
    with pytest.raises(ValueError, match="shapes do not chain"):
        simple_rnn_input_gradients(np.zeros((5, 2)), np.zeros((4, 3)), np.zeros((4, 4)), np.zeros(4))
