"""Overfitting explorer (chapter 4.4): compare validation curves, retrain a variant, see it join.

The notebook passes the histories it trained (reference, smaller, bigger, L2,
dropout) and a training function; the reader picks a network size, a dropout
rate, an L2 factor and a number of epochs, clicks *Retrain*, and the new
validation curve is drawn with the others.  Training goes through the injected
function, so tests can use tiny data.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable

import ipywidgets as widgets

from dlwp_widgets.widgets.training_curves import CurveBoard

SIZES = {"reference 16-16": (16, 16), "smaller 4-4": (4, 4), "bigger 512-512": (512, 512)}


def check_settings(dropout: float, l2: float, epochs: int) -> str | None:
    """The reason the settings cannot be trained, or None when they can."""
    if not all(math.isfinite(value) for value in (dropout, l2, epochs)):
        return f"Settings must be numbers; got dropout {dropout}, L2 {l2}, epochs {epochs}."
    if not 0 <= dropout < 1:
        return f"Dropout rate must be at least 0 and below 1 (it is the share of units dropped); got {dropout}."
    if l2 < 0:
        return f"The L2 factor must be 0 (no penalty) or positive; got {l2}."
    if int(epochs) != epochs or epochs < 1:
        return f"Epochs must be a whole number of at least 1; got {epochs}."
    return None


def describe(size: str, dropout: float, l2: float, epochs: int) -> str:
    parts = [size.split()[-1]]
    if dropout:
        parts.append(f"dropout {dropout:g}")
    if l2:
        parts.append(f"L2 {l2:g}")
    parts.append(f"{epochs} epochs")
    return ", ".join(parts)


def imdb_trainer(x_train, y_train, x_val, y_val, *, batch_size: int = 512) -> Callable:
    """A training function for the explorer: builds the IMDB variant and fits it on the given split."""

    def train(hidden_units, *, dropout: float, l2: float, epochs: int):
        from dlwp_widgets.models.dense import imdb_classifier

        model = imdb_classifier(hidden_units, dropout=dropout or None, l2=l2 or None,
                                input_dim=x_train.shape[1], name="imdb_variant")
        return model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                         validation_data=(x_val, y_val), verbose=0)

    return train


class OverfittingExplorer:
    """Validation-loss curves of the chapter 4 variants plus any the reader retrains.

    ``train(hidden_units, dropout=, l2=, epochs=)`` must return a Keras History
    (or a dict of per-epoch lists) with ``val_loss``.  For tests: ``board`` (the
    :class:`CurveBoard`), ``last_label``, ``last_error``.
    """

    def __init__(self, histories, train: Callable, *, epochs: int = 20):
        self.train = train
        self.board = CurveBoard(histories, metric="val_loss")
        self.size = widgets.Dropdown(options=list(SIZES), value="reference 16-16", description="Network")
        self.dropout = widgets.FloatText(value=0.5, description="Dropout", step=0.1)
        self.l2 = widgets.FloatText(value=0.0, description="L2 factor", step=0.001)
        self.epochs = widgets.IntText(value=epochs, description="Epochs")
        self.button = widgets.Button(description="Retrain", button_style="primary", icon="play")
        self.status = widgets.HTML()
        self.last_label: str | None = None
        self.button.on_click(self._on_click)
        controls = widgets.HBox([self.size, self.dropout, self.l2, self.epochs, self.button])
        self.widget = widgets.VBox([self.board.widget, controls, self.status])

    @property
    def last_error(self) -> str | None:
        return self.board.last_error

    def _on_click(self, button) -> None:
        self.retrain()

    def retrain(self) -> None:
        """Train the chosen variant and add its curves; problems are shown, never raised."""
        dropout, l2, epochs = self.dropout.value, self.l2.value, self.epochs.value
        problem = check_settings(dropout, l2, epochs)
        if problem:
            self.board.show_error(problem)
            return
        self.board.clear_error()
        label = describe(self.size.value, dropout, l2, epochs)
        self.status.value = f"training {html.escape(label)}..."
        self.button.disabled = True
        try:
            history = self.train(SIZES[self.size.value], dropout=dropout, l2=l2, epochs=epochs)
            self.board.add(label, history)
        except Exception as error:  # shown in the widget, which stays usable
            self.board.show_error(f"Training {label} failed: {type(error).__name__}: {error}")
            self.status.value = ""
            return
        finally:
            self.button.disabled = False
        self.last_label = label
        self.status.value = f"added {html.escape(label)}"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
