"""Vectorisation (listing 8.3) and the fast sampler, checked against the Keras model itself."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
keras = pytest.importorskip("keras")

from dlwp_widgets.text.generation import CharSampler, UnknownCharacters, encode, one_hot, vectorize  # noqa: E402
from dlwp_widgets.text.sampling import draw, softmax_at  # noqa: E402

CHARS = list("abcdefgh .\n")
MAXLEN = 12


def book_vectorize(text, maxlen, step, chars):
    index = {char: i for i, char in enumerate(chars)}
    starts = range(0, len(text) - maxlen, step)
    x = np.zeros((len(starts), maxlen, len(chars)), dtype=bool)
    y = np.zeros((len(starts), len(chars)), dtype=bool)
    for row, start in enumerate(starts):
        for t, char in enumerate(text[start : start + maxlen]):
            x[row, t, index[char]] = True
        y[row, index[text[start + maxlen]]] = True
    return x, y


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(3)
    built = keras.Sequential(
        [keras.Input((MAXLEN, len(CHARS))), keras.layers.LSTM(16), keras.layers.Dense(len(CHARS), activation="softmax")]
    )
    # Random weights of a realistic size: gates far from the linear range.
    built.set_weights([w * 3 for w in built.get_weights()])
    return built


@pytest.fixture(scope="module")
def any_length(model):
    """The same layers on windows of any length (the model on a short seed)."""
    return keras.Sequential([keras.Input((None, len(CHARS))), *model.layers])


def test_vectorize_matches_the_books_loop():
    text = "a bad cafe. a fed cab.\nhead bead face." * 3
    x, y, chars = vectorize(text, maxlen=MAXLEN, step=3)
    expected_x, expected_y = book_vectorize(text, MAXLEN, 3, chars)
    assert x.dtype == bool and y.dtype == bool
    assert np.array_equal(x, expected_x) and np.array_equal(y, expected_y)
    assert chars == sorted(set(text))


def test_vectorize_refuses_short_text_and_unknown_characters():
    with pytest.raises(ValueError, match="too short"):
        vectorize("abc", maxlen=5)
    with pytest.raises(UnknownCharacters, match="'z'"):
        vectorize("abcz" * 10, maxlen=5, chars=list("abc"))


def test_encode_names_unknown_characters_and_vocabulary_problems():
    assert encode("bad", CHARS).tolist() == [1, 0, 3]
    with pytest.raises(UnknownCharacters, match="2 character.*'X', 'Y'"):
        encode("aXY", CHARS)
    with pytest.raises(ValueError, match="twice"):
        encode("a", ["a", "a"])


def run_reference(sampler, reference, seed, steps, window):
    """Feed the sampler's own draws back; compare each distribution with the Keras model."""
    text = seed
    state, logits, position = sampler._consume(seed, 1)
    rng = np.random.default_rng(0)
    worst = 0.0
    for _ in range(steps):
        context = text[-window:] if window else text
        expected = reference.predict_on_batch(one_hot(context, CHARS))[0]
        distribution = softmax_at(logits, np.ones(1))
        worst = max(worst, float(np.abs(distribution[0] - expected).max()))
        code = draw(distribution, rng)
        text += CHARS[code[0]]
        position += 1
        sampler._advance(state, code, position)
        logits = sampler._logits(state, position)
    return worst


@pytest.mark.parametrize("seed", ["a bad cafe. a fed", "ab"])
def test_window_sampler_equals_the_full_window_model_at_every_step(model, any_length, seed):
    # 30 steps: past the point where the first windows have slid out entirely.
    worst = run_reference(CharSampler(model, CHARS), any_length, seed, steps=30, window=MAXLEN)
    assert worst < 1e-5


def test_stateful_sampler_equals_the_model_on_the_growing_text(model, any_length):
    sampler = CharSampler(model, CHARS, context="stateful")
    seed = "a bad cafe. "
    assert np.abs(sampler.distribution(seed) - model.predict_on_batch(one_hot(seed, CHARS))[0]).max() < 1e-5
    assert run_reference(sampler, any_length, seed, steps=15, window=None) < 1e-5
    # ...which is not the book's sliding window once text has slid out of it.
    assert run_reference(sampler, any_length, seed, steps=20, window=MAXLEN) > 1e-4


def test_generate_is_reproducible_and_batches_temperatures(model):
    sampler = CharSampler(model, CHARS)
    texts = sampler.generate("a bad cafe", 40, [0.0, 0.5, 1.0], random=5)
    assert len(texts) == 3 and all(len(text) == 40 for text in texts)
    assert set("".join(texts)) <= set(CHARS)
    assert texts == sampler.generate("a bad cafe", 40, [0.0, 0.5, 1.0], random=5)
    # A batch of temperatures gives each its own sample; T=0 does not depend on the random seed.
    alone = sampler.generate("a bad cafe", 40, 0.0, random=99)[0]
    assert alone == texts[0]
    greedy = CHARS[int(np.argmax(sampler.distribution("a bad cafe")))]
    assert texts[0][0] == greedy


def test_generate_refuses_bad_input(model):
    sampler = CharSampler(model, CHARS)
    with pytest.raises(ValueError, match="empty"):
        sampler.generate("", 10)
    with pytest.raises(UnknownCharacters, match="'Z'"):
        sampler.generate("aZ", 10)
    with pytest.raises(ValueError, match="temperature must be"):
        sampler.generate("ab", 10, [0.5, -1])
    with pytest.raises(ValueError, match="length must be"):
        sampler.generate("ab", -1)


def test_mismatched_vocabulary_or_architecture_is_refused(model):
    with pytest.raises(ValueError, match="model/vocabulary mismatch.*11.*10 characters"):
        CharSampler(model, CHARS[:-1])
    other = keras.Sequential([keras.Input((MAXLEN, len(CHARS))), keras.layers.GRU(4), keras.layers.Dense(len(CHARS))])
    with pytest.raises(ValueError, match="LSTM -> Dense"):
        CharSampler(other, CHARS)
    with pytest.raises(ValueError, match="context must be"):
        CharSampler(model, CHARS, context="forever")
