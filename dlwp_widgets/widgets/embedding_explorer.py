"""``EmbeddingExplorer``: type a word, see its nearest neighbours and a map of a word set.

Works on any embedding: a Keras ``Embedding`` layer (learned in a notebook, or
loaded with GloVe vectors) or a plain ``(words, dimensions)`` array, together
with its vocabulary (``TextVectorization.get_vocabulary()``'s list, or a
``word_index`` mapping).  The computation lives in
:mod:`dlwp_widgets.text.embeddings`: cosine nearest neighbours and a
principal-component projection; this class only wires controls to it.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.text.embeddings import Vocabulary, embedding_matrix, nearest_neighbours, parse_words, project_2d
from dlwp_widgets.widgets.common import ShowsErrors

LABEL_STYLE = {"description_width": "initial"}


def projection_chart(words: Sequence[str], coordinates: np.ndarray, title: str = "") -> bytes:
    """PNG bytes: the words placed at their 2-D coordinates."""
    from matplotlib.figure import Figure  # no pyplot: leaves the notebook's backend alone

    figure = Figure(figsize=(5.5, 4.2), dpi=80)
    axes = figure.subplots()
    axes.scatter(coordinates[:, 0], coordinates[:, 1], s=12, color="tab:blue")
    for word, (x, y) in zip(words, coordinates):
        axes.annotate(word, (x, y), textcoords="offset points", xytext=(3, 3), fontsize=9)
    axes.set_xlabel("first principal component")
    axes.set_ylabel("second principal component")
    axes.set_title(title, fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


class EmbeddingExplorer(ShowsErrors, widgets.VBox):
    """Nearest neighbours of a typed word, and a 2-D projection of a chosen word set.

    ``embedding``: an ``Embedding`` layer or an array; ``vocabulary``: a list (row
    ``i`` is word ``i``) or a mapping ``word -> row`` (``index_from`` shifts it, e.g.
    3 for ``keras.datasets.imdb``'s word index).  Results for tests:
    ``last_neighbours`` (``[(word, cosine), ...]``), ``last_projection``
    (``{word: (x, y)}``), ``last_skipped`` (words of the set without a vector),
    ``last_error`` (None when all went well).
    """

    def __init__(
        self,
        embedding,
        vocabulary: Sequence[str] | Mapping[str, int],
        *,
        word: str = "good",
        words: Sequence[str] | str = ("good", "great", "excellent", "bad", "awful", "boring", "movie", "film"),
        k: int = 10,
        index_from: int = 0,
        title: str = "",
    ):
        self.last_neighbours: list[tuple[str, float]] = []
        self.last_projection: dict[str, tuple[float, float]] = {}
        self.last_skipped: list[str] = []
        self.title = title
        self.word = widgets.Text(value=word, description="word", continuous_update=False)
        self.k = widgets.BoundedIntText(value=k, min=1, max=100, description="neighbours", style=LABEL_STYLE)
        self.words = widgets.Textarea(
            value=words if isinstance(words, str) else ", ".join(words),
            description="word set", continuous_update=False, layout=widgets.Layout(width="95%", height="3.5em"),
        )
        self.error = widgets.HTML()
        self.neighbours = widgets.HTML()
        self.note = widgets.HTML()
        self.chart = widgets.Image(format="png")
        try:
            self.matrix: np.ndarray | None = embedding_matrix(embedding)
            self.vocabulary = Vocabulary(vocabulary, index_from=index_from)
            self._setup_error = None
        except (ValueError, TypeError) as error:
            self.matrix, self.vocabulary, self._setup_error = None, Vocabulary([]), str(error)
        for control in (self.word, self.k, self.words):
            control.observe(lambda change: self.update(), names="value")
        super().__init__(
            [
                widgets.HBox([self.word, self.k]),
                self.error,
                self.neighbours,
                self.words,
                self.note,
                self.chart,
            ]
        )
        self.update()

    def update(self) -> None:
        """Recompute neighbours and projection; problems of either go to the error area."""
        problems = [problem for problem in (self._neighbours(), self._projection()) if problem]
        if problems:
            self.show_error(" / ".join(dict.fromkeys(problems)))
        else:
            self.clear_error()

    @staticmethod
    def _message(error: Exception) -> str:
        return str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"

    def _check(self) -> np.ndarray:
        if self.matrix is None:
            raise ValueError(f"cannot explore this embedding: {self._setup_error}")
        return self.matrix

    def _neighbours(self) -> str | None:
        """The neighbours of the typed word; an unknown word gets a message, not an exception."""
        try:
            matrix = self._check()
            neighbours = nearest_neighbours(matrix, self.vocabulary, self.word.value, int(self.k.value))
        except Exception as error:  # shown in the widget, which stays usable
            self.neighbours.value = ""
            self.last_neighbours = []
            return self._message(error)
        self.last_neighbours = neighbours
        rows = "".join(
            f"<tr><td>{html.escape(word)}</td><td style='text-align:right'>{similarity:.3f}</td></tr>"
            for word, similarity in neighbours
        )
        self.neighbours.value = (
            f"<b>nearest to {html.escape(self.word.value.strip().lower())}</b> (cosine similarity)"
            f"<table class='dlwp-neighbours'>{rows}</table>"
        )
        return None

    def _projection(self) -> str | None:
        """Project the word set (words without a vector are listed and skipped)."""
        try:
            matrix = self._check()
            chosen = parse_words(self.words.value)
            known, skipped = [], []
            for word in chosen:
                in_range = word in self.vocabulary and self.vocabulary.index[word] < len(matrix)
                if in_range and np.any(matrix[self.vocabulary.index[word]]):
                    known.append(word)
                else:
                    skipped.append(word)
            coordinates = project_2d(matrix[[self.vocabulary.index[word] for word in known]])
        except Exception as error:
            self.chart.layout.display = "none"
            self.last_projection = {}
            return self._message(error)
        self.last_skipped = skipped
        self.last_projection = {word: (float(x), float(y)) for word, (x, y) in zip(known, coordinates)}
        self.note.value = (
            f"not in the vocabulary (or without a vector), skipped: {html.escape(', '.join(skipped))}" if skipped else ""
        )
        self.chart.layout.display = None
        self.chart.value = projection_chart(known, coordinates, self.title)
        return None
