"""A board of training curves: overlay runs, toggle each, pick the metric, smooth.

Used by the chapter 3 and 4 notebooks to compare models, and by the
overfitting explorer, which adds curves as the reader retrains variants.
"""

from __future__ import annotations


import ipywidgets as widgets

from dlwp_widgets.plots import agg_png, history_dict, plot_curves
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
        self._figure = None
        self._margins: dict[str, dict[str, float]] = {}  # per metric: its y labels decide the margins
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
        """Plot the visible runs on the board's one Figure.

        The Figure and its axes are reused and the margins computed once per
        metric (its y label and tick labels decide them); a toggle or the
        smoothing slider only replaces the lines and renders once.
        """
        metric = self.metric.value
        curves = {name: self.runs[name][metric] for name in self.visible() if metric in self.runs[name]}
        self.last_plotted = list(curves)
        if not curves:
            self.last_figure = None
            self.image.value = b""
            return
        if self._figure is None:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure

            self._figure = Figure(figsize=(7, 4), dpi=80)
            FigureCanvasAgg(self._figure)
        try:
            axes = self._figure.axes[0] if self._figure.axes else None
            figure = plot_curves(curves, ylabel=metric.replace("_", " "), smoothing=self.smoothing.value or None,
                                 figure=self._figure, axes=axes, tight_layout=False)
            if metric not in self._margins:
                figure.tight_layout()
                figure.set_layout_engine("none")
                self._margins[metric] = {key: getattr(figure.subplotpars, key) for key in ("left", "right", "bottom", "top")}
            else:
                figure.subplots_adjust(**self._margins[metric])
        except ValueError as error:
            self.show_error(str(error))
            return
        self.last_figure = figure
        self.image.value = agg_png(figure)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
