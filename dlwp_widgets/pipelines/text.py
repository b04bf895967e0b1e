"""Text input pipelines (chapter 6.1): the book's sample split, vectorisation, an embedding matrix.

* :func:`book_split`: listing 6.9's shuffle-then-slice split (200 training samples,
  10,000 validation samples), seeded.
* :func:`adapt_vectorizer` / :func:`vectorize`: Keras 3's ``TextVectorization`` in
  place of the removed ``keras.preprocessing.text.Tokenizer``.
* :func:`embedding_matrix_from`: listing 6.11's matrix from ``{word: vector}`` and a vocabulary.
* :func:`review_dataset`: ``keras.utils.text_dataset_from_directory`` over an
  ``aclImdb`` split folder (``unsup`` and other folders ignored).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def book_split(count: int, training_samples: int = 200, validation_samples: int = 10_000, *, seed: int = 0):
    """Indices of listing 6.9's split: shuffle ``range(count)``, take training then validation samples."""
    if training_samples < 1 or validation_samples < 0 or training_samples + validation_samples > count:
        raise ValueError(
            f"cannot take {training_samples} training and {validation_samples} validation samples from {count}."
        )
    order = np.random.default_rng(seed).permutation(count)
    return order[:training_samples], order[training_samples : training_samples + validation_samples]


def adapt_vectorizer(texts: Sequence[str], max_tokens: int = 10_000, sequence_length: int = 100, *, batch_size: int = 512):
    """A ``TextVectorization`` layer adapted on ``texts`` (default standardisation: lower-case, no punctuation).

    Sequences are cut after ``sequence_length`` words and padded at the end
    (the book's ``pad_sequences`` kept the *last* 100 words and padded in front).
    """
    import keras

    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens, output_mode="int", output_sequence_length=sequence_length
    )
    vectorizer.adapt(list(texts), batch_size=batch_size)
    return vectorizer


def vectorize(vectorizer, texts: Sequence[str], *, batch_size: int = 2048) -> np.ndarray:
    """``texts`` through an adapted ``TextVectorization`` layer, as one int64 array."""
    texts = list(texts)
    if not texts:
        length = vectorizer.get_config().get("output_sequence_length") or 0
        return np.zeros((0, length), dtype=np.int64)
    parts = [np.asarray(vectorizer(texts[start : start + batch_size])) for start in range(0, len(texts), batch_size)]
    return np.concatenate(parts).astype(np.int64)


def embedding_matrix_from(vectors: Mapping[str, np.ndarray], vocabulary: Sequence[str], dimension: int = 100,
                          max_words: int | None = None) -> tuple[np.ndarray, int]:
    """Listing 6.11: row ``i`` holds the vector of ``vocabulary[i]``; zeros where there is none.

    Returns the matrix and how many vocabulary words found a vector.
    """
    rows = len(vocabulary) if max_words is None else max_words
    matrix = np.zeros((rows, dimension), dtype=np.float32)
    found = 0
    for index, word in enumerate(vocabulary[:rows]):
        vector = vectors.get(word) if index > 1 or word not in ("", "[UNK]") else None
        if vector is not None:
            matrix[index] = vector
            found += 1
    return matrix, found


def review_dataset(directory, *, batch_size: int = 32, shuffle: bool = True, seed: int = 0):
    """``keras.utils.text_dataset_from_directory`` over ``aclImdb/train`` or ``aclImdb/test``: (text, 0/1 label)."""
    import keras

    return keras.utils.text_dataset_from_directory(
        directory, class_names=["neg", "pos"], batch_size=batch_size, shuffle=shuffle, seed=seed, verbose=False
    )
