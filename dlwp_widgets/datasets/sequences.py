"""What the pre-tokenised text datasets (IMDB, Reuters) share.

Keras' index conventions (start marker, ``index_from`` shift, vocabulary cut),
ragged sequences stored flat, safe reading of their npz files, word indices,
and the pieces the stand-ins are generated from.
"""

from __future__ import annotations

import itertools
import json

import numpy as np

from dlwp_widgets.datasets import core


def flatten_sequences(sequences) -> tuple[np.ndarray, np.ndarray]:
    """Ragged sequences -> (all tokens in one int64 array, per-sequence lengths)."""
    lengths = np.fromiter((len(seq) for seq in sequences), dtype=np.int64, count=len(sequences))
    flat = np.fromiter(itertools.chain.from_iterable(sequences), dtype=np.int64, count=int(lengths.sum()))
    return flat, lengths


def to_object_array(flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """(tokens, lengths) -> a 1-D object array of Python int lists, as Keras returns."""
    result = np.empty(len(lengths), dtype=object)
    result[:] = [part.tolist() for part in np.split(flat, np.cumsum(lengths)[:-1])]
    return result


def apply_index_convention(
    flat: np.ndarray,
    lengths: np.ndarray,
    *,
    num_words: int | None,
    skip_top: int = 0,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Keras' index shift, start marker and vocabulary cut, vectorised.

    Same result as ``keras.datasets.imdb.load_data``'s list comprehensions,
    including its quirk that ``num_words=None`` means "below the largest index".
    """
    flat = flat + index_from
    if start_char is not None:
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        flat = np.insert(flat, starts, start_char)
        lengths = lengths + 1
    if not num_words:
        num_words = int(flat.max())
    keep = (flat >= skip_top) & (flat < num_words)
    if oov_char is not None:
        return np.where(keep, flat, oov_char), lengths
    owner = np.repeat(np.arange(len(lengths)), lengths)
    return flat[keep], np.bincount(owner[keep], minlength=len(lengths))


def decode_sequence(sequence, word_index: dict[str, int], *, index_from: int = 3, unknown: str = "?") -> str:
    """Words of an encoded sequence; indices below ``index_from`` (padding, start, OOV) show as ``unknown``."""
    reverse = {index: word for word, index in word_index.items()}
    return " ".join(reverse.get(int(i) - index_from, unknown) for i in sequence)


def load_npz_safely(path) -> dict[str, np.ndarray]:
    """Read an npz with ragged object arrays without allowing arbitrary unpickling."""
    from keras.src.datasets import npz_utils

    return npz_utils.load_npz(path)


def synthetic_vocabulary(leading_words: list[str], size: int, seed: int) -> list[str]:
    """``leading_words`` followed by distinct pronounceable made-up words, ``size`` in all."""
    rng = np.random.default_rng(seed)
    onsets = "b c d f g h j k l m n p r s t v w z br cr dr fl gr pl pr st tr".split()
    vowels = "a e i o u ai ea ou".split()
    codas = ["", "", "", "n", "r", "s", "t", "l", "m", "nd", "st"]
    words = list(dict.fromkeys(leading_words))  # drop repeats, keep order
    seen = set(words)
    while len(words) < size:
        syllables = rng.choice([1, 2, 2, 3], p=[0.3, 0.3, 0.3, 0.1])
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(syllables)
        )
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def zipf_weights(count: int, exponent: float = 1.0, offset: float = 2.7) -> np.ndarray:
    weights = 1.0 / (np.arange(1, count + 1) + offset) ** exponent
    return weights / weights.sum()


def read_word_index(remote: core.RemoteFile) -> dict[str, int]:
    """A verified word-index JSON file (downloaded if needed)."""
    with open(core.fetch(remote), encoding="utf-8") as handle:
        return json.load(handle)


def load_word_index(*, name: str, title: str, remote: core.RemoteFile, source: str, standin, kind: str) -> dict[str, int]:
    """Word -> rank (1 = most frequent), real or the stand-in's, like ``keras.datasets.*.get_word_index``."""
    return core.load(
        name=name + "_word_index",
        title=title + " word index",
        source=source,
        load_real=lambda: read_word_index(remote),
        load_standin=standin,
        standin_description=f"Word index of the stand-in's synthetic vocabulary (matches the stand-in {kind}).",
    )
