"""``ReviewScorer``: type a review, see how each model tokenises it and what it scores.

Takes the chapter's IMDB models side by side as ``{name: (model, encoder)}``:
the encoder turns text into the model's input and says which words it knows.
It can be an adapted Keras ``TextVectorization`` layer (raw-text models of
6.1), an :class:`~dlwp_widgets.text.embeddings.IndexEncoder` over
``imdb.get_word_index()`` (the pre-tokenised models of 6.1 and 6.2), or any
callable returning indices.  Tokenisation and checks live in
:mod:`dlwp_widgets.text.embeddings`; a model that fails shows its error in its
own row and in the error area, while the other models still score.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.text.embeddings import Encoded, VocabularyEncoder, as_probability, encode
from dlwp_widgets.widgets.common import ShowsErrors

EXAMPLE_REVIEW = "A wonderful film: the acting is great and the story is moving. I loved it."
MAX_REVIEW_CHARACTERS = 20_000  # the longest IMDB review is about 13,700 characters


def _as_encoder(encoder):
    """A TextVectorization layer becomes a :class:`VocabularyEncoder`; encoders and callables stay."""
    if hasattr(encoder, "get_vocabulary") and hasattr(encoder, "get_config"):
        return VocabularyEncoder.from_layer(encoder)
    if not callable(encoder):
        raise TypeError(f"an encoder must turn text into indices; got {type(encoder).__name__}.")
    return encoder


def tokens_html(encoded: Encoded) -> str:
    """The standardised tokens: unknown words struck through in red, words cut off greyed."""
    spans = []
    for token, known, kept in zip(encoded.tokens, encoded.known, encoded.kept):
        style = "" if known else "color:#b00020;text-decoration:line-through"
        if not kept:
            style += ";opacity:0.35"
        title = ("" if known else "out of vocabulary") + ("" if kept else " (cut off: beyond the model's length)")
        spans.append(f'<span style="{style}" title="{title.strip()}">{html.escape(token)}</span>')
    return " ".join(spans)


class ReviewScorer(ShowsErrors, widgets.VBox):
    """Score a typed review with several binary sentiment models at once.

    ``models``: ``{name: (model, encoder)}``; the model maps the encoder's
    ``(1, length)`` indices to one probability (positive review).  Results for
    tests: ``last_scores`` (``{name: probability or None}``), ``last_encoded``
    (``{name: Encoded}``), ``last_error`` (None when all went well).
    """

    def __init__(self, models: Mapping[str, tuple], text: str = EXAMPLE_REVIEW):
        self.models = {}
        self.last_scores: dict[str, float | None] = {}
        self.last_encoded: dict[str, Encoded] = {}
        self._setup_errors = []
        for name, pair in dict(models).items():
            try:
                model, encoder = pair
                self.models[name] = (model, _as_encoder(encoder))
            except (TypeError, ValueError) as error:
                self._setup_errors.append(f"{name}: {error}")
        self.text = widgets.Textarea(
            value=text, description="review", continuous_update=False,
            layout=widgets.Layout(width="95%", height="6em"),
        )
        self.score = widgets.Button(description="Score", tooltip="score the review with every model")
        self.error = widgets.HTML()
        self.tokens = widgets.HTML()
        self.table = widgets.HTML()
        self.text.observe(lambda change: self.update(), names="value")
        self.score.on_click(lambda button: self.update())
        super().__init__([self.text, self.score, self.error, self.table, self.tokens])
        self.update()

    def update(self) -> None:
        """Tokenise and score the current text with every model."""
        problems = list(self._setup_errors)
        scores: dict[str, float | None] = {}
        encoded: dict[str, Encoded] = {}
        text = self.text.value
        if len(text) > MAX_REVIEW_CHARACTERS:
            self.show_error(
                f"the review is {len(text):,} characters long, over the cap of {MAX_REVIEW_CHARACTERS:,} "
                "(MAX_REVIEW_CHARACTERS; the longest IMDB review has about 13,700): shorten it. "
                "The scores shown are still the last review's."
            )
            return
        if not text.strip():
            self.last_scores, self.last_encoded = {}, {}
            self.table.value = self.tokens.value = ""
            self.show_error("the review is empty: type a few words.")
            return
        if not self.models:
            problems.append("no model to score with.")
        for name, (model, encoder) in self.models.items():
            try:
                encoded[name] = encode(encoder, text)
                if not any(encoded[name].known):
                    raise ValueError("none of the words is in this model's vocabulary: the score would mean nothing.")
                ids = np.asarray(encoded[name].ids)
                scores[name] = as_probability(model.predict_on_batch(ids) if hasattr(model, "predict_on_batch") else model(ids))
            except Exception as error:  # one model's failure must not hide the others
                scores[name] = None
                message = str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}"
                problems.append(f"{name}: {message}")
        self.last_scores, self.last_encoded = scores, encoded
        self.table.value = self._table(scores, problems)
        self.tokens.value = self._tokens(encoded)
        if problems:
            self.show_error(" | ".join(problems))
        else:
            self.clear_error()

    @staticmethod
    def _table(scores: dict[str, float | None], problems: list[str]) -> str:
        rows = []
        for name, score in scores.items():
            if score is None:
                cell = "<i>no score (see the error)</i>"
            else:
                verdict = "positive" if score >= 0.5 else "negative"
                bar = f'<span style="display:inline-block;width:{score * 120:.0f}px;height:0.8em;background:#4c72b0"></span>'
                cell = f"{score:.3f} {bar} {verdict}"
            rows.append(f"<tr><td>{html.escape(name)}</td><td>{cell}</td></tr>")
        return "<table class='dlwp-scores'><tr><th>model</th><th>P(positive)</th></tr>" + "".join(rows) + "</table>"

    @staticmethod
    def _tokens(encoded: dict[str, Encoded]) -> str:
        shown: dict[tuple, list[str]] = {}
        for name, item in encoded.items():
            key = (tuple(item.tokens), tuple(item.known), tuple(item.kept))
            shown.setdefault(key, []).append(name)
        parts = []
        for names in shown.values():
            item = encoded[names[0]]
            unknown = sum(not known for known in item.known)
            parts.append(
                f"<div><b>{html.escape(', '.join(names))}</b>: {len(item.tokens)} tokens, {unknown} out of vocabulary"
                f"<br>{tokens_html(item)}</div>"
            )
        return "".join(parts)
