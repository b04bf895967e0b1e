"""How far back a recurrent layer's gradient reaches: the vanishing gradient of section 6.2.

Pure NumPy, for the figures that show why a ``SimpleRNN`` forgets and what the
LSTM's carry changes.
"""

from __future__ import annotations

import numpy as np


def simple_rnn_input_gradients(inputs: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``‖∂h_T/∂x_t‖`` for every timestep ``t`` of one sequence, ``h_t = tanh(W x_t + U h_{t-1} + b)``.

    The last state's sensitivity to each input, by the chain rule through the
    unrolled loop: every step back multiplies by ``diag(1 - h²) U``, which is
    why the values shrink (or blow up) geometrically with the distance.
    """
    inputs = np.asarray(inputs, dtype=float)
    if inputs.ndim != 2 or inputs.shape[1] != W.shape[1] or U.shape != (W.shape[0], W.shape[0]):
        raise ValueError(f"shapes do not chain: inputs {inputs.shape}, W {W.shape}, U {U.shape} "
                         "(inputs: (timesteps, input_features), W: (units, input_features), U: (units, units)).")
    states, state = [], np.zeros(U.shape[0])
    for input_t in inputs:
        state = np.tanh(W @ input_t + U @ state + b)
        states.append(state)
    norms = np.empty(len(inputs))
    back = np.eye(U.shape[0])  # ∂h_T/∂h_t, from t = T backwards
    for t in range(len(inputs) - 1, -1, -1):
        local = (1.0 - states[t] ** 2)[:, None]  # diag(1 - h_t²) as a column, to scale rows
        norms[t] = np.linalg.norm(back @ (local * W))
        back = back @ (local * U)
    return norms


def carry_gradients(forget_gate: float, timesteps: int) -> np.ndarray:
    """``∂c_T/∂c_t`` along the LSTM's carry alone (``c_t = f·c_{t-1} + i·k``): ``f`` to the distance.

    With a forget gate the network can learn to hold near 1, the carry keeps a
    gradient over hundreds of steps; no product of ``tanh`` Jacobians can.
    """
    if not 0.0 <= forget_gate <= 1.0:
        raise ValueError(f"a forget gate is a sigmoid output in [0, 1], got {forget_gate}.")
    return float(forget_gate) ** np.arange(timesteps)[::-1].astype(float)
