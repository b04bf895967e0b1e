"""Chapter 6's pure text functions: neighbours, projection, tokenisation with OOV marks, encoders."""

import numpy as np
import pytest

from dlwp_widgets.text.embeddings import (
    Encoded,
    IndexEncoder,
    Vocabulary,
    VocabularyEncoder,
    as_probability,
    embedding_matrix,
    encode,
    nearest_neighbours,
    parse_words,
    project_2d,
    standardize,
)

VOCABULARY = ["", "[UNK]", "good", "great", "bad", "awful", "movie"]
MATRIX = np.array(
    [[0, 0], [0.1, 0.1], [1, 0.1], [0.9, 0.2], [-1, 0.1], [-0.9, 0.0], [0, 1]], dtype=np.float32
)


def test_neighbours_by_cosine_exclude_the_word_padding_and_unknown():
    neighbours = nearest_neighbours(MATRIX, Vocabulary(VOCABULARY), "good", k=3)
    assert [word for word, _ in neighbours] == ["great", "movie", "bad"]
    assert neighbours[0][1] == pytest.approx((0.9 + 0.02) / (np.hypot(1, 0.1) * np.hypot(0.9, 0.2)), abs=1e-6)
    assert all(word not in ("", "[UNK]", "good") for word, _ in nearest_neighbours(MATRIX, Vocabulary(VOCABULARY), "good", 10))


def test_zero_rows_are_never_neighbours_and_a_zero_word_is_refused():
    matrix = MATRIX.copy()
    matrix[3] = 0  # "great" without a pretrained vector
    words = [w for w, _ in nearest_neighbours(matrix, Vocabulary(VOCABULARY), "good", 10)]
    assert "great" not in words
    with pytest.raises(ValueError, match="all-zero vector"):
        nearest_neighbours(matrix, Vocabulary(VOCABULARY), "great")


@pytest.mark.parametrize("word, message", [("zebra", "not in the vocabulary"), ("  ", "type a word"), ("[UNK]", "not in the vocabulary")])
def test_unknown_or_empty_words_get_a_clear_message(word, message):
    with pytest.raises(ValueError, match=message):
        nearest_neighbours(MATRIX, Vocabulary(VOCABULARY), word)


def test_a_word_index_mapping_with_an_offset():
    vocabulary = Vocabulary({"good": 1, "bad": 2}, index_from=3)
    assert vocabulary.row("Good") == 4 and "bad" in vocabulary and len(vocabulary) == 2


def test_a_word_beyond_the_matrix_is_unknown():
    with pytest.raises(ValueError, match="not in the vocabulary"):
        Vocabulary({"rare": 50}).row("rare", rows=10)


def test_embedding_matrix_checks_nan_and_shape():
    with pytest.raises(ValueError, match="NaN"):
        embedding_matrix(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="matrix"):
        embedding_matrix(np.zeros(5))

    class Unbuilt:
        def get_weights(self):
            return []

    with pytest.raises(ValueError, match="no weights"):
        embedding_matrix(Unbuilt())


def test_projection_keeps_pca_geometry():
    points = np.array([[0, 0, 0], [2, 0, 0], [0, 1, 0], [2, 1, 0]], dtype=float)
    coordinates = project_2d(points)
    assert coordinates.shape == (4, 2)
    distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
    assert np.allclose(np.linalg.norm(coordinates[:, None] - coordinates[None], axis=-1), distances)
    with pytest.raises(ValueError, match="at least two"):
        project_2d(points[:1])
    assert project_2d(np.ones((3, 4))).shape == (3, 2)  # identical vectors: no crash


def test_parse_words():
    assert parse_words("Good, bad  good\nawful") == ["good", "bad", "awful"]
    assert parse_words("  ") == []


def test_standardize_matches_text_vectorization_defaults():
    assert standardize("It's GREAT, isn't it?! <br />Really.") == ["its", "great", "isnt", "it", "br", "really"]
    with pytest.raises(ValueError):
        standardize(None)


def test_vocabulary_encoder_marks_unknown_words_pads_and_cuts():
    encoder = VocabularyEncoder(VOCABULARY, length=3)
    encoded = encoder("Good zebra movie bad")
    assert encoded.tokens == ["good", "zebra", "movie", "bad"]
    assert encoded.known == [True, False, True, True]
    assert encoded.kept == [True, True, True, False]
    assert encoded.ids.tolist() == [[2, 1, 6]]
    assert encoder("").ids.tolist() == [[0, 0, 0]]


def test_vocabulary_encoder_agrees_with_text_vectorization():
    import keras

    layer = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=6)
    layer.adapt(["the cat sat on the mat", "the dog ate my homework"])
    encoder = VocabularyEncoder.from_layer(layer)
    for text in ["The cat ate THE homework!", "zebra, the mat.", "a b c d e f g h"]:
        assert encoder(text).ids.tolist() == np.asarray(layer([text])).tolist()


def test_a_custom_text_vectorization_is_refused_with_the_way_out():
    import keras

    layer = keras.layers.TextVectorization(max_tokens=20, standardize="lower", output_sequence_length=3)
    layer.adapt(["the cat"])
    with pytest.raises(ValueError, match="pass a function returning indices"):
        VocabularyEncoder.from_layer(layer)


def test_index_encoder_follows_keras_imdb_conventions_and_pad_sequences():
    import keras

    word_index = {"the": 1, "movie": 2, "great": 3, "rare": 20}
    encoder = IndexEncoder(word_index, num_words=10, maxlen=4)
    encoded = encoder("The great zebra movie rare")
    assert encoded.known == [True, True, False, True, False]  # "rare" is beyond num_words
    expected = keras.utils.pad_sequences([[1, 4, 6, 2, 5, 2]], maxlen=4)
    assert encoded.ids.tolist() == expected.tolist()
    assert encoded.kept == [False, True, True, True, True]
    assert IndexEncoder(word_index, maxlen=5)("movie").ids.tolist() == [[0, 0, 0, 1, 5]]


def test_encode_accepts_plain_callables():
    result = encode(lambda text: [1, 2, 3], "a b")
    assert isinstance(result, Encoded) and result.ids.shape == (1, 3)


@pytest.mark.parametrize("output, message", [([np.nan], "NaN"), ([1.5], "not a probability"), ([0.2, 0.3], "one score")])
def test_as_probability_refuses_bad_outputs(output, message):
    with pytest.raises(ValueError, match=message):
        as_probability(np.array(output))


def test_as_probability_accepts_a_batch_of_one():
    assert as_probability(np.array([[0.25]])) == 0.25


def test_neighbour_index_matches_a_full_sort_ties_included():
    from dlwp_widgets.text.embeddings import NeighbourIndex

    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((300, 8)).astype(np.float32)
    matrix[10:20] = matrix[5]  # ties: equal similarity, the lower row first
    matrix[50] = 0  # no vector: never a neighbour
    words = ["", "[UNK]"] + [f"w{i}" for i in range(2, 300)]
    vocabulary = Vocabulary(words)
    index = NeighbourIndex(matrix, vocabulary)
    for word in ("w5", "w2", "w299"):
        row = vocabulary.row(word)
        rows = [r for r in range(2, 300) if r != row and np.any(matrix[r])]
        similarity = matrix[rows] @ matrix[row] / (np.linalg.norm(matrix[rows], axis=1) * np.linalg.norm(matrix[row]))
        expected = [words[rows[i]] for i in np.argsort(-similarity, kind="stable")]
        for k in (1, 7, 15, 400):
            assert [w for w, _ in index.query(word, k)] == expected[:k]
    assert nearest_neighbours(matrix, vocabulary, "w5", 3) == index.query("w5", 3)
