"""A board of training curves: overlay runs, toggle each, pick the metric, smooth.

Used by the chapter 3 and 4 notebooks to compare models, and by the
overfitting explorer, which adds curves as the reader retrains variants.
"""

from __future__ import annotations


import ipywidgets as widgets

from dlwp_widgets.plots import figure_png, history_dict, plot_curves
from dlwp_widgets.widgets.common import ShowsErrors


class CurveBoard(ShowsErrors):
    """Curves of several training runs on one plot; a checkbox per run.

    ``add(name, history)`` adds a run; state for tests: ``last_figure``,
    ``last_plotted`` (names drawn), ``last_error``.
    """

    def __init__(self, histories=None, *, metric: str = "val_loss", smoothing: float = 0.0):
        self.runs: dict[str, dict[str, list[float]]] = {}
        self.checkboxes: dict[str, widgets.Checkbox] = {}
        self.metric = widgets.Dropdown(options=[metric], value=metric, description="Metric")
        self.smoothing = widgets.FloatSlider(
            value=smoothing, min=0.0, max=0.95, step=0.05, description="Smoothing", continuous_update=False
        )
        self.toggles = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.image = widgets.Image(format="png")
        self.error = widgets.HTML()
        self.last_figure = None
        self.last_plotted: list[str] = []
        self.metric.observe(self._on_change, names="value")
        self.smoothing.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.metric, self.smoothing]), self.toggles, self.error, self.image])
        for name, history in (histories or {}).items():
            self.add(name, history, redraw=False)
        self.redraw()

    def add(self, name: str, history, *, visible: bool = True, redraw: bool = True) -> None:
        """Add (or replace) the run ``name``; ``history`` is a Keras History or a dict of lists."""
        self.runs[name] = history_dict(history)
        if name not in self.checkboxes:
            box = widgets.Checkbox(value=visible, description=name, indent=False,
                                   layout=widgets.Layout(width="auto"))
            box.observe(self._on_change, names="value")
            self.checkboxes[name] = box
            self.toggles.children = tuple(self.checkboxes.values())
        keys = sorted({key for run in self.runs.values() for key in run})
        current = self.metric.value
        self.metric.options = keys if current in keys else [current, *keys]
        self.metric.value = current
        if redraw:
            self.redraw()

    def visible(self) -> list[str]:
        return [name for name, box in self.checkboxes.items() if box.value]

    def _on_change(self, change) -> None:
        self.redraw()

    def redraw(self) -> None:
        from matplotlib.figure import Figure

        metric = self.metric.value
        curves = {name: self.runs[name][metric] for name in self.visible() if metric in self.runs[name]}
        self.last_plotted = list(curves)
        if not curves:
            self.last_figure = None
            self.image.value = b""
            return
        try:
            figure = plot_curves(curves, ylabel=metric.replace("_", " "), smoothing=self.smoothing.value or None,
                                 figure=Figure(figsize=(7, 4)))
        except ValueError as error:
            self.show_error(str(error))
            return
        self.last_figure = figure
        self.image.value = figure_png(figure)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
