"""EmbeddingExplorer and ReviewScorer driven from Python with tiny models and bad inputs."""

import numpy as np
import pytest

from dlwp_widgets.text.embeddings import IndexEncoder, VocabularyEncoder
from dlwp_widgets.widgets.embedding_explorer import EmbeddingExplorer
from dlwp_widgets.widgets.review_scorer import ReviewScorer

VOCABULARY = ["", "[UNK]", "good", "great", "bad", "awful", "movie"]
MATRIX = np.array(
    [[0, 0], [0.1, 0.1], [1, 0.1], [0.9, 0.2], [-1, 0.1], [-0.9, 0.0], [0, 1]], dtype=np.float32
)


@pytest.fixture(scope="module")
def tiny_models():
    """A TextVectorization layer and two tiny Keras classifiers over it (untrained, deterministic)."""
    import keras

    vectorizer = keras.layers.TextVectorization(max_tokens=20, output_sequence_length=5)
    vectorizer.adapt(["good great movie", "bad awful movie"])

    def classifier():
        keras.utils.set_random_seed(0)
        return keras.Sequential([
            keras.Input(shape=(5,)),
            keras.layers.Embedding(20, 4),
            keras.layers.Flatten(),
            keras.layers.Dense(1, activation="sigmoid"),
        ])

    return vectorizer, classifier(), classifier()


def test_explorer_shows_neighbours_and_projection():
    explorer = EmbeddingExplorer(MATRIX, VOCABULARY, word="good", words="good, great, bad, zebra", k=2)
    assert explorer.last_error is None
    assert [word for word, _ in explorer.last_neighbours] == ["great", "movie"]
    assert set(explorer.last_projection) == {"good", "great", "bad"}
    assert explorer.last_skipped == ["zebra"]
    assert "zebra" in explorer.note.value
    assert bytes(explorer.chart.value).startswith(b"\x89PNG")


def test_explorer_unknown_word_is_a_message_and_the_widget_recovers():
    explorer = EmbeddingExplorer(MATRIX, VOCABULARY, word="good")
    explorer.word.value = "zebra"
    assert "'zebra' is not in the vocabulary" in explorer.last_error
    assert explorer.last_neighbours == []
    assert "dlwp-error" in explorer.error.value
    explorer.word.value = "bad"
    assert explorer.last_error is None
    assert explorer.last_neighbours[0][0] == "awful"


def test_explorer_empty_word_and_too_few_words_to_project():
    explorer = EmbeddingExplorer(MATRIX, VOCABULARY, word="", words="good")
    assert "type a word" in explorer.last_error
    assert "at least two words" in explorer.last_error


def test_explorer_on_a_nan_embedding_shows_the_problem():
    broken = MATRIX.copy()
    broken[2, 0] = np.nan
    explorer = EmbeddingExplorer(broken, VOCABULARY)
    assert "NaN" in explorer.last_error
    explorer.word.value = "bad"  # still usable, still says why
    assert "NaN" in explorer.last_error


def test_explorer_reads_a_keras_embedding_layer_and_a_word_index(tiny_models):
    vectorizer, model, _ = tiny_models
    explorer = EmbeddingExplorer(model.layers[0], vectorizer.get_vocabulary(), word="good", words="good bad movie", k=3)
    assert explorer.last_error is None and len(explorer.last_neighbours) == 3
    by_index = EmbeddingExplorer(MATRIX[3:], {"good": 1, "bad": 2}, index_from=-1, word="good", words="good bad")
    assert by_index.last_error is None and by_index.last_neighbours[0][0] == "bad"


def test_scorer_scores_every_model_and_marks_unknown_words(tiny_models):
    vectorizer, first, second = tiny_models
    scorer = ReviewScorer({"first": (first, vectorizer), "second": (second, VocabularyEncoder.from_layer(vectorizer))},
                          text="A good movie, zebra!")
    assert scorer.last_error is None
    assert set(scorer.last_scores) == {"first", "second"}
    assert all(0 <= score <= 1 for score in scorer.last_scores.values())
    assert scorer.last_scores["first"] == pytest.approx(float(first.predict_on_batch(vectorizer(["A good movie, zebra!"]))[0, 0]), abs=1e-6)
    encoded = scorer.last_encoded["first"]
    assert encoded.tokens == ["a", "good", "movie", "zebra"]
    assert encoded.known == [False, True, True, False]
    assert "line-through" in scorer.tokens.value and "first, second" in scorer.tokens.value


def test_scorer_empty_text_then_recovers(tiny_models):
    vectorizer, first, _ = tiny_models
    scorer = ReviewScorer({"first": (first, vectorizer)}, text="   ")
    assert "empty" in scorer.last_error and scorer.last_scores == {}
    scorer.text.value = "great movie"
    assert scorer.last_error is None and scorer.last_scores["first"] is not None


def test_scorer_text_with_only_unknown_words(tiny_models):
    vectorizer, first, _ = tiny_models
    scorer = ReviewScorer({"first": (first, vectorizer)}, text="zebra quokka")
    assert "none of the words" in scorer.last_error
    assert scorer.last_scores == {"first": None}


class Raising:
    def predict_on_batch(self, ids):
        raise RuntimeError("weights file missing")


class NaNModel:
    def __call__(self, ids):
        return np.array([[np.nan]])


def test_a_failing_model_does_not_hide_the_others(tiny_models):
    vectorizer, first, _ = tiny_models
    scorer = ReviewScorer({"broken": (Raising(), vectorizer), "nan": (NaNModel(), vectorizer), "first": (first, vectorizer)},
                          text="good movie")
    assert scorer.last_scores["broken"] is None and scorer.last_scores["nan"] is None
    assert scorer.last_scores["first"] is not None
    assert "broken: RuntimeError: weights file missing" in scorer.last_error
    assert "nan: the model's output is not a number" in scorer.last_error
    assert "no score" in scorer.table.value


def test_scorer_with_the_imdb_index_encoder_and_a_bad_encoder():
    word_index = {"good": 1, "movie": 2}
    model = lambda ids: np.array([[0.75]])  # noqa: E731 (a stand-in model)
    scorer = ReviewScorer({"imdb": (model, IndexEncoder(word_index, maxlen=6)), "bad": (model, 42)}, text="Good movie")
    assert scorer.last_scores == {"imdb": 0.75}
    assert scorer.last_encoded["imdb"].ids.tolist() == [[0, 0, 0, 1, 4, 5]]
    assert "bad: an encoder must turn text into indices" in scorer.last_error


def test_scorer_without_models():
    scorer = ReviewScorer({}, text="good")
    assert "no model" in scorer.last_error


def test_explorer_recomputes_only_the_part_a_control_changes(monkeypatch):
    import dlwp_widgets.widgets.embedding_explorer as module

    explorer = EmbeddingExplorer(MATRIX, VOCABULARY, word="good", words="good, great, bad, movie", k=2)
    chart, figure = explorer.chart.value, explorer._chart.figure
    projections = []
    monkeypatch.setattr(module, "project_2d", lambda vectors: projections.append(1) or np.zeros((len(vectors), 2)))
    explorer.word.value = "bad"
    explorer.k.value = 3
    assert projections == [] and explorer.chart.value is chart  # the word map does not depend on the word
    assert explorer.last_neighbours[0][0] == "awful" and len(explorer.last_neighbours) == 3
    queries = []
    monkeypatch.setattr(explorer._index, "query", lambda *args: queries.append(args) or [])
    explorer.words.value = "good, bad"
    assert projections == [1] and queries == [] and explorer._chart.figure is figure
    monkeypatch.undo()
    explorer.word.value = "nothing-here"  # an error in one part is kept while the other part changes
    explorer.words.value = "good, great"
    assert "nothing-here" in explorer.last_error and explorer.last_projection.keys() == {"good", "great"}
    explorer.word.value = "good"
    assert explorer.last_error is None
