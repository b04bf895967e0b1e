"""``TunerBoard``: KerasTuner trials as a sortable table and the score against each hyperparameter.

Built from a finished tuner (``TunerBoard.from_tuner(tuner)``) or from a list of
trial dicts (see :mod:`dlwp_widgets.tuning`).  Pick the column to sort by in a
dropdown and the direction with a toggle; the plot shows every scored trial.
Errors (no trials, a trial without a score) are shown inside the widget.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence

import ipywidgets as widgets

from dlwp_widgets import tuning
from dlwp_widgets.widgets.common import ShowsErrors

LABEL_STYLE = {"description_width": "initial"}


class TunerBoard(ShowsErrors, widgets.VBox):
    """Sortable trial table + score plot.  Results for tests: ``last_rows`` (the sorted trials), ``last_error``."""

    def __init__(self, trials: Sequence[dict], *, objective: str = "score", sort_by: str = "score", descending: bool = True):
        self.objective = objective
        self.last_rows: list[dict] = []
        self.error = widgets.HTML()
        self.table = widgets.HTML()
        self.plot = widgets.Image(format="png")
        try:
            self.trials = tuning.check_trials(trials)
            options = tuning.columns(self.trials)
        except ValueError as error:
            self.trials, options = [], ["score"]
            setup_error = str(error)
        else:
            setup_error = None
        self.sort_by = widgets.Dropdown(
            options=options, value=sort_by if sort_by in options else options[1 if len(options) > 1 else 0],
            description="sort by", style=LABEL_STYLE,
        )
        self.descending = widgets.ToggleButton(value=descending, description="descending", icon="sort-amount-desc")
        self.sort_by.observe(self._on_change, names="value")
        self.descending.observe(self._on_change, names="value")
        super().__init__([widgets.HBox([self.sort_by, self.descending]), self.error, self.table, self.plot])
        if setup_error:
            self.show_error(setup_error)
            self.sort_by.disabled = self.descending.disabled = True
            return
        self._draw_plot()
        self.update()

    @classmethod
    def from_tuner(cls, tuner, **kwargs):
        objective = getattr(getattr(tuner.oracle, "objective", None), "name", "score")
        return cls(tuning.trials_from_tuner(tuner), objective=objective, **kwargs)

    def update(self) -> list[dict]:
        try:
            rows = tuning.sort_trials(self.trials, self.sort_by.value, descending=self.descending.value)
        except ValueError as error:
            self.show_error(str(error))
            return self.last_rows
        self.clear_error()
        self.last_rows = rows
        self.table.value = self._table_html(rows)
        return rows

    def _on_change(self, _change) -> None:
        self.update()

    def _table_html(self, rows: list[dict]) -> str:
        head = tuning.columns(rows)
        best = tuning.best_trial(rows) if any(not tuning.is_missing(r["score"]) for r in rows) else None
        name = {"score": html.escape(self.objective)}
        header = "".join(f"<th style='padding:0 8px'>{name.get(c, html.escape(c))}</th>" for c in head)
        body = ""
        for row in rows:
            style = " style='font-weight:bold'" if best is not None and row is not None and row.get("trial") == best.get("trial") else ""
            cells = "".join(f"<td style='padding:0 8px'>{html.escape(tuning.cell_text(row.get(c)))}</td>" for c in head)
            body += f"<tr{style}>{cells}</tr>"
        return f"<table><tr>{header}</tr>{body}</table>"

    def _draw_plot(self) -> None:
        try:
            figure = tuning.score_figure(self.trials, objective=self.objective)
        except ValueError as error:
            self.show_error(str(error))
            return
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        self.plot.value = buffer.getvalue()
