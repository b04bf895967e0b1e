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
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.plots import agg_png
from dlwp_widgets.text.embeddings import NeighbourIndex, Vocabulary, embedding_matrix, parse_words, project_2d
from dlwp_widgets.widgets.common import ShowsErrors

LABEL_STYLE = {"description_width": "initial"}
MAX_WORD_SET = 200  # words on one projection chart (past that the labels cover one another)
MAX_WORD_SET_CHARACTERS = 10_000


class ProjectionChart:
    """The word map, drawn on one reused Figure (a new Figure and tight layout per move cost ~100 ms).

    The axes are laid out once; :meth:`png` moves the points, replaces the
    labels, sets the limits and renders with one Agg draw and a fast PNG
    encoding.
    """

    def __init__(self, title: str = "", dpi: int = 72):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure  # no pyplot: leaves the notebook's backend alone

        self.figure = Figure(figsize=(5.5, 4.2), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.axes = self.figure.subplots()
        self.points = axes.scatter(np.zeros(2), np.zeros(2), s=12, color="tab:blue")
        self.labels = []
        axes.set_xlabel("first principal component")
        axes.set_ylabel("second principal component")
        axes.set_title(title, fontsize=10)
        axes.set_xlim(-10.0, 10.0)  # wide tick labels for the layout
        axes.set_ylim(-10.0, 10.0)
        self.figure.tight_layout()  # once: the layout does not depend on the words
        self.figure.set_layout_engine("none")

    def png(self, words: Sequence[str], coordinates: np.ndarray) -> bytes:
        coordinates = np.asarray(coordinates, dtype=np.float64).reshape(-1, 2)
        self.points.set_offsets(coordinates)
        for label in self.labels:
            label.remove()
        self.labels = [
            self.axes.annotate(word, (x, y), textcoords="offset points", xytext=(3, 3), fontsize=9)
            for word, (x, y) in zip(words, coordinates)
        ]
        # Limits by hand (autoscaling ignores texts): room on the right and top for the labels.
        for axis, values, room in ((self.axes.set_xlim, coordinates[:, 0], 0.15), (self.axes.set_ylim, coordinates[:, 1], 0.1)):
            low, high = (float(values.min()), float(values.max())) if len(values) else (-1.0, 1.0)
            span = (high - low) or 1.0
            axis(low - 0.05 * span, high + room * span)
        return agg_png(self.figure)


def projection_chart(words: Sequence[str], coordinates: np.ndarray, title: str = "") -> bytes:
    """PNG bytes: the words placed at their 2-D coordinates (a fresh chart; the explorer reuses one)."""
    return ProjectionChart(title).png(words, coordinates)


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
        self._index: NeighbourIndex | None = None
        self._chart: ProjectionChart | None = None
        self._problems: dict[str, str | None] = {"neighbours": None, "projection": None}
        # Each control redoes only its own part: the word map does not depend on the word, and so on.
        self.word.observe(lambda change: self.update(projection=False), names="value")
        self.k.observe(lambda change: self.update(projection=False), names="value")
        self.words.observe(lambda change: self.update(neighbours=False), names="value")
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

    def update(self, neighbours: bool = True, projection: bool = True) -> None:
        """Recompute neighbours and/or projection; problems of either go to the error area."""
        if neighbours:
            self._problems["neighbours"] = self._neighbours()
        if projection:
            self._problems["projection"] = self._projection()
        problems = [problem for problem in self._problems.values() if problem]
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
            if self._index is None:
                self._index = NeighbourIndex(matrix, self.vocabulary)
            neighbours = self._index.query(self.word.value, int(self.k.value))
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
        """Project the word set (words without a vector are listed and skipped).

        A set over :data:`MAX_WORD_SET` words (or a text over :data:`MAX_WORD_SET_CHARACTERS`) is refused
        and the last chart stays: a chart of thousands of labels is unreadable and slow to draw.
        """
        text = self.words.value
        if len(text) > MAX_WORD_SET_CHARACTERS:
            return (f"the word set is {len(text):,} characters long, over the cap of {MAX_WORD_SET_CHARACTERS:,} "
                    "(MAX_WORD_SET_CHARACTERS); the chart shows the last set.")
        chosen = parse_words(text)
        if len(chosen) > MAX_WORD_SET:
            return (f"the word set has {len(chosen):,} words, over the cap of {MAX_WORD_SET:,} (MAX_WORD_SET); "
                    "the chart shows the last set.")
        try:
            matrix = self._check()
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
        if self._chart is None:
            self._chart = ProjectionChart(self.title)
        self.chart.value = self._chart.png(known, coordinates)
        return None
