"""``EnsembleMixer``: one weight slider per member model; the ensemble's validation accuracy follows instantly.

The members' validation predictions are computed once (by the caller, or from
``models`` here); moving a slider only re-averages arrays with
:mod:`dlwp_widgets.ensembling`.  *Optimise* sets the sliders to the weights that
minimise the validation cross-entropy (listing 7.34's "weights found on the
validation data").  Errors (all-zero weights, NaN, mismatched predictions) are
shown inside the widget, never raised.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from dlwp_widgets import ensembling
from dlwp_widgets.widgets.common import ShowsErrors

LABEL_STYLE = {"description_width": "initial"}


class EnsembleMixer(ShowsErrors, widgets.VBox):
    """Mix member predictions with sliders.

    ``predictions``: one array per member (same shape), validation ``labels``
    (0/1 or class indices), optional ``names``.  Or ``EnsembleMixer.from_models(models,
    x_val, labels)``.  Results for tests: ``last_accuracy`` (the weighted
    ensemble's accuracy, None after an error), ``last_weights`` (normalised),
    ``member_accuracies``, ``last_error``.
    """

    _quiet = False  # True while set_weights moves several sliders

    def __init__(self, predictions: Sequence, labels, names: Sequence[str] | None = None, *, weights=None):
        self.last_accuracy: float | None = None
        self.last_weights: np.ndarray | None = None
        self.member_accuracies: list[float] = []
        self.error = widgets.HTML()
        self.result = widgets.HTML()
        self.table = widgets.HTML()
        self.optimise = widgets.Button(description="Optimise weights", tooltip="minimise the validation cross-entropy")
        self.equal = widgets.Button(description="Equal weights")
        self.sliders: list[widgets.FloatSlider] = []
        try:
            self.predictions = ensembling.stack_predictions(predictions)
            self.labels = np.asarray(labels).ravel()
            self.member_accuracies = ensembling.member_accuracies(self.predictions, self.labels)
        except ValueError as error:
            self.predictions, self.labels = None, None
            self._setup_error = str(error)
        else:
            self._setup_error = None
        count = 0 if self.predictions is None else len(self.predictions)
        self.names = list(names) if names is not None else [f"model_{chr(ord('a') + i)}" for i in range(count)]
        if len(self.names) != count and self._setup_error is None:
            self._setup_error = f"{len(self.names)} names for {count} member models."
        start = list(weights) if weights is not None else [1.0] * count
        for name, value in zip(self.names, start):
            slider = widgets.FloatSlider(
                value=float(value) if _finite(value) else 0.0, min=0.0, max=1.0, step=0.01,
                description=name, readout_format=".2f", style=LABEL_STYLE,
            )
            slider.observe(self._on_change, names="value")
            self.sliders.append(slider)
        self.optimise.on_click(self._on_optimise)
        self.equal.on_click(self._on_equal)
        super().__init__(
            [*self.sliders, widgets.HBox([self.optimise, self.equal]), self.error, self.result, self.table]
        )
        if self._setup_error:
            self.show_error(self._setup_error)
            self.optimise.disabled = self.equal.disabled = True
        else:
            self.table.value = self._members_html()
            self.update()

    @classmethod
    def from_models(cls, models: Sequence, x_val, labels, names: Sequence[str] | None = None, **kwargs):
        """Predict once with each model on ``x_val``, then mix."""
        predictions = [model.predict(x_val, verbose=0) for model in models]
        return cls(predictions, labels, names, **kwargs)

    @property
    def weights(self) -> list[float]:
        return [slider.value for slider in self.sliders]

    def update(self) -> float | None:
        """Recompute the weighted ensemble's accuracy from the sliders; returns it (None after an error)."""
        if self._setup_error:
            return None
        try:
            weights = ensembling.normalise_weights(self.weights, len(self.predictions))
            accuracy = ensembling.ensemble_accuracy(self.predictions, self.labels, weights)
            loss = ensembling.log_loss(ensembling.weighted_average(self.predictions, weights), self.labels)
        except ValueError as error:
            self.last_accuracy = None
            self.last_weights = None
            self.result.value = ""
            self.show_error(str(error))
            return None
        self.clear_error()
        self.last_weights, self.last_accuracy = weights, accuracy
        shares = ", ".join(f"{html.escape(n)} {w:.2f}" for n, w in zip(self.names, weights))
        self.result.value = (
            f"<b>weighted ensemble: validation accuracy {accuracy:.4f}</b>, cross-entropy {loss:.4f}"
            f"<br><small>normalised weights: {shares}</small>"
        )
        return accuracy

    def set_weights(self, weights) -> None:
        """Move every slider without recomputing in between, then recompute once."""
        self._quiet = True
        try:
            for slider, value in zip(self.sliders, weights):
                slider.value = float(value)
        finally:
            self._quiet = False
        self.update()

    def _on_change(self, change) -> None:
        if not self._quiet:
            self.update()

    def _on_optimise(self, _button=None) -> None:
        try:
            weights = ensembling.optimise_weights(self.predictions, self.labels)
        except ValueError as error:
            self.show_error(str(error))
            return
        self.set_weights(weights)

    def _on_equal(self, _button=None) -> None:
        self.set_weights([1.0] * len(self.sliders))

    def _members_html(self) -> str:
        naive = ensembling.ensemble_accuracy(self.predictions, self.labels)
        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td>{acc:.4f}</td></tr>"
            for name, acc in zip(self.names, self.member_accuracies)
        )
        return (
            "<table><tr><th>model</th><th>validation accuracy</th></tr>"
            f"{rows}<tr><td><i>equal weights</i></td><td>{naive:.4f}</td></tr></table>"
        )


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
