"""Word embeddings and tokenisation, in numpy (chapter 6): what the chapter-6 widgets compute.

* :func:`embedding_matrix` reads the weights of any Keras ``Embedding`` layer (or takes an array);
  :class:`Vocabulary` maps words to rows both ways, from a ``TextVectorization``
  vocabulary list or a Keras-style ``word_index``.
* :func:`nearest_neighbours`: the words closest to a word by cosine similarity
  (rows that are all zeros, like GloVe's missing words, are never neighbours).
* :func:`project_2d`: a principal-component projection of a word set to a plane.
* :func:`standardize` and :class:`VocabularyEncoder` / :class:`IndexEncoder`: text ->
  tokens -> indices, the way ``TextVectorization`` (default settings) and the
  pre-tokenised IMDB data (``keras.datasets.imdb``'s conventions) do it, with
  every out-of-vocabulary token marked.

Nothing here imports TensorFlow or Keras.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

# TextVectorization's default standardisation: lower-case, then remove this punctuation.
_STRIP = re.compile(r'[!"#$%&()\*\+,\-\./:;<=>?@\[\\\]^_`{|}~\']')
PADDING, UNKNOWN = "", "[UNK]"


def standardize(text: str) -> list[str]:
    """``TextVectorization``'s default: lower-case, strip punctuation, split on whitespace."""
    if not isinstance(text, str):
        raise ValueError(f"expected text, got {type(text).__name__}.")
    return _STRIP.sub("", text.lower()).split()


def embedding_matrix(embedding) -> np.ndarray:
    """The weight matrix of a Keras ``Embedding`` layer (or an array-like), as float32, checked."""
    if hasattr(embedding, "get_weights"):
        weights = embedding.get_weights()
        if not weights:
            raise ValueError("the Embedding layer has no weights yet: build the model (or call it once) first.")
        embedding = weights[0]
    matrix = np.asarray(embedding, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise ValueError(f"an embedding is a (words, dimensions) matrix; got shape {matrix.shape}.")
    if not np.isfinite(matrix).all():
        bad = int((~np.isfinite(matrix)).any(axis=1).sum())
        raise ValueError(f"the embedding holds NaN or infinite values in {bad} rows: did training diverge?")
    return matrix


class Vocabulary:
    """Words <-> embedding rows.

    ``words`` is either a sequence (row ``i`` is ``words[i]``, as
    ``TextVectorization.get_vocabulary()`` returns, with ``""`` and ``"[UNK]"``
    first) or a mapping ``word -> row`` (as a tokenizer's ``word_index``;
    ``index_from`` shifts it like ``keras.datasets.imdb``'s indices).
    Padding and unknown-word rows are not words: they are never shown as neighbours.
    """

    def __init__(self, words: Sequence[str] | Mapping[str, int], *, index_from: int = 0):
        if isinstance(words, Mapping):
            self.index = {str(word): int(row) + index_from for word, row in words.items()}
        else:
            self.index = {}
            for row, word in enumerate(words):
                self.index.setdefault(str(word), row)
        self.index.pop(PADDING, None)
        self.index.pop(UNKNOWN, None)
        self.words = {row: word for word, row in self.index.items()}

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, word) -> bool:
        return word in self.index

    def row(self, word: str, rows: int | None = None) -> int:
        """The embedding row of ``word``; a ValueError that says so when it is unknown."""
        word = word.strip().lower()
        if not word:
            raise ValueError("type a word.")
        if word not in self.index or (rows is not None and self.index[word] >= rows):
            raise ValueError(f"{word!r} is not in the vocabulary ({len(self):,} words).")
        return self.index[word]


class NeighbourIndex:
    """Cosine nearest neighbours with everything that does not depend on the query computed once.

    The norms, the rows that can be neighbours (in the vocabulary, non-zero) and
    those rows' vectors are kept, so a query is one matrix-vector product and a
    partial sort: a few milliseconds for the book's 10,000 x 100 embedding.
    """

    def __init__(self, matrix: np.ndarray, vocabulary: Vocabulary):
        self.matrix = np.asarray(matrix, dtype=np.float32)
        self.vocabulary = vocabulary
        self.norms = np.linalg.norm(self.matrix, axis=1)
        known = np.fromiter((r for r in vocabulary.words if r < len(self.matrix)), dtype=np.int64)
        self.rows = np.sort(known[self.norms[known] > 0]) if len(known) else known
        self.vectors = self.matrix[self.rows]
        self.row_norms = self.norms[self.rows]

    def query(self, word: str, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` words most similar to ``word`` by cosine similarity, best first."""
        row = self.vocabulary.row(word, len(self.matrix))
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}.")
        if self.norms[row] == 0:
            raise ValueError(f"{word!r} has an all-zero vector (no pretrained vector for it): it has no direction.")
        similarity = self.vectors @ self.matrix[row] / (self.row_norms * self.norms[row])
        others = self.rows != row
        rows, similarity = self.rows[others], similarity[others]
        if len(rows) == 0:
            return []
        if k < len(similarity) and np.isfinite(similarity).all():  # only the best k need sorting (ties: lower row first)
            best = np.argpartition(-similarity, k - 1)[:k]
            threshold = similarity[best].min()
            best = np.flatnonzero(similarity >= threshold)
            order = best[np.argsort(-similarity[best], kind="stable")][:k]
        else:
            order = np.argsort(-similarity, kind="stable")
        return [(self.vocabulary.words[int(rows[i])], float(similarity[i])) for i in order]


def nearest_neighbours(matrix: np.ndarray, vocabulary: Vocabulary, word: str, k: int = 10) -> list[tuple[str, float]]:
    """The ``k`` words most similar to ``word`` by cosine similarity, best first.

    One query; build a :class:`NeighbourIndex` once for many.
    """
    return NeighbourIndex(matrix, vocabulary).query(word, k)


def project_2d(vectors: np.ndarray) -> np.ndarray:
    """Coordinates of each vector on the first two principal components, shape ``(n, 2)``."""
    vectors = np.asarray(vectors, dtype=np.float64)
    if vectors.ndim != 2 or len(vectors) < 2:
        raise ValueError("a projection needs at least two words with vectors.")
    centred = vectors - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    coordinates = centred @ components[:2].T
    if coordinates.shape[1] < 2:
        coordinates = np.pad(coordinates, ((0, 0), (0, 2 - coordinates.shape[1])))
    return coordinates


def parse_words(text: str) -> list[str]:
    """Words from a comma- or space-separated list, lower-cased, in order, without repeats."""
    return list(dict.fromkeys(word for word in re.split(r"[,\s]+", text.lower()) if word))


# --------------------------------------------------------------------------- encoders


@dataclass(frozen=True)
class Encoded:
    """One text as a model sees it: ``tokens`` (standardised words), ``ids`` (the model input,
    padded/truncated to its length) and, per token, whether it is in the vocabulary and kept."""

    tokens: list[str]
    known: list[bool]
    kept: list[bool]
    ids: np.ndarray


class VocabularyEncoder:
    """Text -> indices as an adapted ``TextVectorization(output_mode="int")`` does it.

    ``vocabulary``: ``get_vocabulary()``'s list (``""`` at 0, ``"[UNK]"`` at 1);
    ``length``: ``output_sequence_length`` (sequences are cut at the end and padded
    after the text), or None for no padding.
    """

    def __init__(self, vocabulary: Sequence[str], length: int | None = None, *, name: str = "TextVectorization"):
        self.vocabulary = list(vocabulary)
        self.lookup = {word: row for row, word in enumerate(self.vocabulary) if row > 1}
        self.length = length
        self.name = name

    @classmethod
    def from_layer(cls, layer) -> "VocabularyEncoder":
        """From an adapted Keras ``TextVectorization`` layer (default standardisation and split)."""
        config = layer.get_config()
        settings = (config.get("standardize"), config.get("split"), config.get("output_mode"), config.get("ngrams"))
        if settings != ("lower_and_strip_punctuation", "whitespace", "int", None):
            raise ValueError(
                f"{layer.name}: only TextVectorization's default standardisation and split with integer output "
                f"can be shown token by token (this one has {settings}); pass a function returning indices instead."
            )
        return cls(layer.get_vocabulary(), config.get("output_sequence_length"), name=layer.name)

    def __call__(self, text: str) -> Encoded:
        tokens = standardize(text)
        ids = [self.lookup.get(token, 1) for token in tokens]
        known = [i != 1 for i in ids]
        kept = [True] * len(tokens)
        if self.length is not None:
            kept = [position < self.length for position in range(len(tokens))]
            ids = (ids + [0] * self.length)[: self.length]
        return Encoded(tokens, known, kept, np.asarray([ids], dtype=np.int64))


class IndexEncoder:
    """Text -> indices with ``keras.datasets.imdb``'s conventions, then ``pad_sequences``.

    ``word_index`` ranks words from 1 (most frequent); an index is ``rank + index_from``;
    1 marks the start, 2 a word outside the ``num_words`` most frequent (or unknown).
    Sequences are padded and cut at the front, as ``keras.utils.pad_sequences`` does by default.
    """

    def __init__(self, word_index: Mapping[str, int], num_words: int = 10_000, maxlen: int | None = None,
                 *, index_from: int = 3, name: str = "imdb word index"):
        self.word_index = dict(word_index)
        self.num_words, self.maxlen, self.index_from, self.name = num_words, maxlen, index_from, name

    def __call__(self, text: str) -> Encoded:
        tokens = standardize(text)
        ids = [1]
        for token in tokens:
            index = self.word_index.get(token)
            index = None if index is None else index + self.index_from
            ids.append(index if index is not None and index < self.num_words else 2)
        known = [i != 2 for i in ids[1:]]
        kept = [True] * len(tokens)
        if self.maxlen is not None:
            if len(ids) > self.maxlen:
                dropped = len(ids) - self.maxlen  # the start marker goes first, then the first words
                kept = [position + 1 >= dropped for position in range(len(tokens))]
                ids = ids[-self.maxlen:]
            else:
                ids = [0] * (self.maxlen - len(ids)) + ids
        return Encoded(tokens, known, kept, np.asarray([ids], dtype=np.int64))


def encode(encoder, text: str) -> Encoded:
    """Run ``encoder`` (an encoder above, or any callable returning :class:`Encoded` or indices)."""
    result = encoder(text)
    if isinstance(result, Encoded):
        return result
    ids = np.asarray(result)
    if ids.ndim == 1:
        ids = ids[None, :]
    tokens = standardize(text)
    return Encoded(tokens, [True] * len(tokens), [True] * len(tokens), ids)


def as_probability(output) -> float:
    """A binary classifier's output for one text, as a checked probability."""
    value = np.asarray(output, dtype=np.float64).reshape(-1)
    if value.size != 1:
        raise ValueError(f"expected one score per text, got {value.size} values.")
    score = float(value[0])
    if not np.isfinite(score):
        raise ValueError("the model's output is not a number (NaN): its weights may have diverged.")
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"the model's output {score:.3g} is not a probability: does it end with a sigmoid?")
    return score
