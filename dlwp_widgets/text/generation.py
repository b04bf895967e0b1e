"""One-hot vectorisation (listing 8.3) and fast generation from a trained char-LSTM.

The book generates each character with ``model.predict`` on the last 60
characters: about 20 characters per second in Keras 3 on a CPU, because every
call pays Keras' per-call overhead and recomputes 60 LSTM steps.

:class:`CharSampler` copies the trained weights of the book's model
(``LSTM -> Dense(softmax)``) into numpy and reproduces the model's *exact*
sliding-window semantics without recomputing windows.  The input is one-hot, so
the input projection is a row lookup; and the prediction after position ``n``
only needs an LSTM run that started at ``n - 59`` from a zero state.  It keeps
``maxlen`` such runs in flight, staggered by one character: every new
character advances all of them with one batched matrix product, the run that
has just read its 60th character gives the next distribution and restarts from
zero.  The distributions equal ``model.predict(window)`` to float32 rounding.

``context="stateful"`` is the plain stateful alternative: one LSTM step per
character on a state that never forgets, several times faster (the widget's
choice, well over 10,000 characters per second on a CPU), with the same first
distribution after the seed but later ones that also remember text older than
the window, which the model never saw in training.

Several temperatures run as one batch: each is a separate stream of text with
its own set of runs, advanced together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from dlwp_widgets.text.sampling import RandomLike, as_generator, check_temperatures, draw, softmax_at


class UnknownCharacters(ValueError):
    """The text holds characters the model's vocabulary does not know."""


def char_index(chars: Sequence[str]) -> dict[str, int]:
    """Character -> one-hot position; ``chars`` must be distinct single characters."""
    if len(chars) == 0:
        raise ValueError("the vocabulary is empty.")
    if any(not isinstance(char, str) or len(char) != 1 for char in chars):
        raise ValueError("the vocabulary must be a sequence of single characters.")
    if len(set(chars)) != len(chars):
        raise ValueError("the vocabulary lists a character twice.")
    return {char: index for index, char in enumerate(chars)}


def encode(text: str, chars: Sequence[str]) -> np.ndarray:
    """Indices of ``text``'s characters in ``chars``; unknown characters are named in the error."""
    lookup = char_index(chars)
    unknown = sorted(set(text) - lookup.keys())
    if unknown:
        shown = ", ".join(repr(char) for char in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        raise UnknownCharacters(
            f"the text contains {len(unknown)} character(s) the model does not know: {shown}{more}."
        )
    return np.fromiter((lookup[char] for char in text), dtype=np.int64, count=len(text))


def vectorize(text: str, maxlen: int = 60, step: int = 3, chars: Sequence[str] | None = None):
    """Windows of ``maxlen`` characters every ``step``, one-hot, and the character after each.

    Returns ``(x, y, chars)``: ``x`` is bool ``(windows, maxlen, len(chars))``, ``y``
    bool ``(windows, len(chars))``; ``chars`` defaults to the sorted characters of
    ``text`` (pass the full corpus' vocabulary when vectorising a slice of it).
    """
    if maxlen < 1 or step < 1:
        raise ValueError(f"maxlen and step must be positive, got maxlen={maxlen}, step={step}.")
    chars = sorted(set(text)) if chars is None else list(chars)
    codes = encode(text, chars)
    starts = np.arange(0, len(text) - maxlen, step)
    if len(starts) == 0:
        raise ValueError(f"the text has {len(text)} characters: too short for {maxlen}-character windows.")
    window_codes = codes[starts[:, None] + np.arange(maxlen)]
    x = np.zeros((len(starts), maxlen, len(chars)), dtype=bool)
    np.put_along_axis(x, window_codes[..., None], True, axis=-1)
    y = np.zeros((len(starts), len(chars)), dtype=bool)
    y[np.arange(len(starts)), codes[starts + maxlen]] = True
    return x, y, chars


def one_hot(text: str, chars: Sequence[str]) -> np.ndarray:
    """``text`` as a float32 batch of one ``(1, len(text), len(chars))`` one-hot sequence."""
    codes = encode(text, chars)
    batch = np.zeros((1, len(codes), len(chars)), dtype=np.float32)
    batch[0, np.arange(len(codes)), codes] = 1.0
    return batch


CONTEXTS = ("window", "stateful")


STOP_CHECK = 50  # characters between two should_stop() checks: a few milliseconds


class CharSampler:
    """Generate text from a trained ``LSTM -> Dense(softmax)`` model, in numpy.

    ``context="window"`` (default) is exact: every distribution is the model's
    on the last ``maxlen`` characters, as in the book's loop.
    ``context="stateful"`` is about ``maxlen`` times less work: one LSTM step
    per character on a single state that never forgets.  Its first
    distribution after the seed is the same; later ones condition on all the
    text so far (the model applied to the growing text), which the model never
    saw in training, so they drift slightly from the book's.

    The weights are copied when the sampler is built: after more training,
    build a new one (it takes milliseconds).
    """

    def __init__(self, model, chars: Sequence[str], maxlen: int | None = None, context: str = "window"):
        if context not in CONTEXTS:
            raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, got {context!r}.")
        self.context = context
        self.chars = list(chars)
        char_index(self.chars)
        lstm, dense = _lstm_and_dense(model)
        kernel, recurrent, bias = (np.asarray(w, dtype=np.float32) for w in lstm.get_weights())
        dense_kernel, dense_bias = (np.asarray(w, dtype=np.float32) for w in dense.get_weights())
        symbols = len(self.chars)
        if kernel.shape[0] != symbols or dense_kernel.shape[1] != symbols:
            raise ValueError(
                f"model/vocabulary mismatch: the model reads {kernel.shape[0]} and predicts "
                f"{dense_kernel.shape[1]} symbols, but the vocabulary has {symbols} characters. "
                "Pass the `chars` the model was trained with."
            )
        self.units = units = recurrent.shape[0]
        self.maxlen = maxlen or model.input_shape[1]
        if not self.maxlen:
            raise ValueError("the model accepts any length: pass maxlen (the training window).")
        # Keras orders the gates (input, forget, candidate, output); reorder to
        # (input, forget, output, candidate) so that one tanh covers all four:
        # sigmoid(z) = 0.5 * tanh(z / 2) + 0.5, with the 1/2 folded into the weights.
        order = np.r_[0 : 2 * units, 3 * units : 4 * units, 2 * units : 3 * units]
        scale = np.r_[np.full(3 * units, 0.5, np.float32), np.ones(units, np.float32)]
        self._input_rows = (kernel + bias)[:, order] * scale  # one-hot input: a row lookup
        self._recurrent = np.ascontiguousarray(recurrent[:, order] * scale)
        self._dense_kernel = dense_kernel.astype(np.float64)
        self._dense_bias = dense_bias.astype(np.float64)

    def _start(self, streams: int):
        runs = self.maxlen if self.context == "window" else 1
        shape = (streams, runs, self.units)
        gates = np.empty((streams * runs, 4 * self.units), np.float32)
        return np.zeros(shape, np.float32), np.zeros(shape, np.float32), gates

    def _advance(self, state, codes: np.ndarray, position: int) -> None:
        """Feed character ``position`` (one per stream) to every run of that stream (in place)."""
        hidden, cell, gates = state
        streams, runs, units = hidden.shape
        np.matmul(hidden.reshape(-1, units), self._recurrent, out=gates)
        stacked = gates.reshape(streams, runs, 4 * units)
        stacked += self._input_rows[codes][:, None, :]
        np.tanh(stacked, out=stacked)
        sigmoids = stacked[..., : 3 * units]
        sigmoids *= 0.5
        sigmoids += 0.5
        candidate = stacked[..., 3 * units :]
        candidate *= stacked[..., :units]  # input gate
        cell *= stacked[..., units : 2 * units]  # forget gate
        cell += candidate
        np.tanh(cell, out=hidden)
        hidden *= stacked[..., 2 * units : 3 * units]  # output gate
        if self.context == "window" and position + 1 < self.maxlen:  # later runs have not begun
            hidden[:, position + 1 :] = 0.0
            cell[:, position + 1 :] = 0.0

    def _logits(self, state, position: int) -> np.ndarray:
        """Next-character logits (float64) after ``position + 1`` characters; restarts the finished run."""
        hidden, cell, _ = state
        if self.context == "stateful":
            return hidden[:, 0] @ self._dense_kernel + self._dense_bias
        run = 0 if position + 1 <= self.maxlen else (position + 1) % self.maxlen
        logits = hidden[:, run] @ self._dense_kernel + self._dense_bias
        if position + 1 >= self.maxlen:
            hidden[:, run] = 0.0
            cell[:, run] = 0.0
        return logits

    def _consume(self, seed: str, streams: int):
        """State after reading the seed's last ``maxlen`` characters, and the next logits."""
        if not seed:
            raise ValueError("the seed text is empty: type at least one character.")
        codes = encode(seed[-self.maxlen :], self.chars)
        state = self._start(streams)
        for position, code in enumerate(codes):
            self._advance(state, np.full(streams, code), position)
        return state, self._logits(state, len(codes) - 1), len(codes) - 1

    def distribution(self, seed: str) -> np.ndarray:
        """The model's next-character probabilities after ``seed`` (its last ``maxlen`` characters)."""
        with threadpool_limits(1):
            logits = self._consume(seed, 1)[1][0]
        return softmax_at(logits[None], np.ones(1))[0]

    def generate(
        self,
        seed: str,
        length: int = 400,
        temperatures: float | Sequence[float] = 0.5,
        random: RandomLike = None,
        should_stop=None,
    ) -> list[str]:
        """``length`` new characters after ``seed``, one text per temperature (same seed, one batch).

        ``random`` is a seed or a numpy Generator; the same seed gives the same texts.
        ``should_stop()`` is asked every ``STOP_CHECK`` characters (True raises ``InterruptedError``).
        """
        if np.ndim(temperatures) == 0:
            temperatures = [temperatures]
        temperatures = check_temperatures(list(temperatures), len(temperatures))
        if len(temperatures) == 0:
            raise ValueError("give at least one temperature.")
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
            raise ValueError(f"length must be a whole number >= 0, got {length!r}.")
        rng = as_generator(random)
        generated = np.empty((len(temperatures), length), dtype=np.int64)
        # Small matrices: extra BLAS threads only add contention.
        with threadpool_limits(1):
            state, logits, position = self._consume(seed, len(temperatures))
            for step in range(length):
                if should_stop is not None and step % STOP_CHECK == 0 and should_stop():
                    raise InterruptedError("stopped")
                codes = draw(softmax_at(logits, temperatures), rng)
                generated[:, step] = codes
                if step < length - 1:
                    position += 1
                    self._advance(state, codes, position)
                    logits = self._logits(state, position)
        symbols = np.array(self.chars)
        return ["".join(symbols[row]) for row in generated]


def _lstm_and_dense(model):
    """The book's two layers, or a clear error for any other architecture."""
    import keras

    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if (
        len(layers) != 2
        or not isinstance(layers[0], keras.layers.LSTM)
        or not isinstance(layers[1], keras.layers.Dense)
    ):
        names = ", ".join(type(layer).__name__ for layer in layers)
        raise ValueError(f"expected the book's model, LSTM -> Dense(softmax); got: {names}.")
    lstm, dense = layers
    activation = keras.activations.serialize(lstm.activation)
    recurrent_activation = keras.activations.serialize(lstm.recurrent_activation)
    if (
        activation != "tanh"
        or recurrent_activation != "sigmoid"
        or lstm.return_sequences
        or lstm.go_backwards
        or not lstm.use_bias
    ):
        raise ValueError(
            "the fast sampler supports the standard LSTM (tanh/sigmoid, with bias, last output only)."
        )
    if keras.activations.serialize(dense.activation) != "softmax" or not dense.use_bias:
        raise ValueError("the last layer must be Dense(..., activation='softmax') with a bias.")
    return lstm, dense
