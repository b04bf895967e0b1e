"""``ExtrapolationExplorer``: pick a function and a training range, see the fit hold inside and fail outside.

Each change refits a fixed random ReLU basis by least squares
(:func:`dlwp_widgets.limits.extrapolation.fit_features`, milliseconds): the same
function family as a one-hidden-layer ReLU network, so outside the training range it
continues in straight lines, whatever the truth does.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.limits import extrapolation
from dlwp_widgets.plots import agg_png
from dlwp_widgets.widgets.common import ShowsErrors

LABEL_STYLE = {"description_width": "initial"}
MAX_POINTS = 1000  # with MAX_FEATURES, keeps a refit (points x features², float64) within a few tens of ms
MAX_FEATURES = 400


class FitChart:
    """Truth, fit, training points and the shaded training range on one reused Figure, laid out once.

    The axes, ticks and legend depend on the function only (the y-limits follow the
    truth), so they are drawn once per function and kept as a bitmap; a move then
    blits the shaded range, the truth, the fit and the points over it and encodes
    the PNG fast.  The legend sits above the axes, where no line can cross it.
    """

    def __init__(self, plot_range, *, dpi: int = 80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure  # no pyplot: leaves the notebook's backend alone

        self.figure = Figure(figsize=(7, 3.2), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.axes = self.figure.subplots()
        self.span = axes.axvspan(*plot_range, color="0.92", label="training range", animated=True)
        (self.truth,) = axes.plot([], [], color="0.3", animated=True)
        (self.fit,) = axes.plot([], [], color="tab:orange", label="fit", animated=True)
        (self.points,) = axes.plot([], [], ".", color="tab:blue", markersize=3, label="training points", animated=True)
        axes.set_xlim(*plot_range)
        axes.set_ylim(-88.8, 88.8)  # wide tick labels, for the layout
        self._legend(max(extrapolation.FUNCTIONS, key=len))
        self.figure.tight_layout()  # once: the layout does not depend on the fit
        self.figure.set_layout_engine("none")
        self._drawn_for: tuple | None = None  # (function name, y-limits) of the background bitmap
        self.background = None

    def _legend(self, name: str) -> None:
        self.truth.set_label(f"truth: {name}")
        self.axes.legend(handles=[self.span, self.truth, self.fit, self.points], loc="lower center",
                         bbox_to_anchor=(0.5, 1.0), fontsize=8, ncol=4, frameon=False)

    def png(self, grid, truth, fitted, low, high, x, y, name: str) -> bytes:
        span = truth.max() - truth.min()
        limits = (truth.min() - 0.3 * span - 0.1, truth.max() + 0.3 * span + 0.1)
        if self._drawn_for != (name, limits):
            self.axes.set_ylim(*limits)
            self._legend(name)
            self.canvas.draw()  # the still parts (animated artists are skipped)
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._drawn_for = (name, limits)
        self.span.remove()
        self.span = self.axes.axvspan(low, high, color="0.92", animated=True)
        self.truth.set_data(grid, truth)
        self.fit.set_data(grid, fitted)
        self.points.set_data(x, y)
        self.canvas.restore_region(self.background)
        for artist in (self.span, self.truth, self.fit, self.points):
            self.figure.draw_artist(artist)
        return agg_png(self.figure, draw=False)


class ExtrapolationExplorer(ShowsErrors, widgets.VBox):
    """Fit ``function`` on a training range and compare with the truth on ``plot_range``.

    Results for tests: ``last_errors`` (RMSE ``inside`` and ``outside`` the range),
    ``last_fit`` (the :class:`~dlwp_widgets.limits.extrapolation.FeatureFit`), ``last_error``.
    """

    def __init__(self, function: str = "x²", training_range=(-1.0, 1.0), plot_range=(-4.0, 4.0), *,
                 points: int = 200, width: int = 200, seed: int = 0):
        self.plot_range = plot_range
        self.last_errors: dict[str, float] | None = None
        self.last_fit = None
        self._chart: FitChart | None = None
        self.function = widgets.Dropdown(options=list(extrapolation.FUNCTIONS), value=function, description="function")
        self.training_range = widgets.FloatRangeSlider(value=list(training_range), min=plot_range[0], max=plot_range[1],
                                                       step=0.1, description="training range", continuous_update=False,
                                                       style=LABEL_STYLE)
        self.points = widgets.IntSlider(value=points, min=2, max=MAX_POINTS, description="points", continuous_update=False)
        self.width = widgets.IntSlider(value=width, min=2, max=MAX_FEATURES, description="features",
                                       continuous_update=False)
        self.noise = widgets.FloatSlider(value=0.0, min=0.0, max=0.5, step=0.01, description="noise", continuous_update=False)
        self.seed = seed
        self.error = widgets.HTML()
        self.status = widgets.HTML()
        self.chart = widgets.Image(format="png")
        for control in (self.function, self.training_range, self.points, self.width, self.noise):
            control.observe(self._on_change, names="value")
        super().__init__([
            widgets.HBox([self.function, self.training_range]),
            widgets.HBox([self.points, self.width, self.noise]),
            self.error, self.status, self.chart,
        ])
        self.update()

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> None:
        try:
            function = extrapolation.target_function(self.function.value)
            low, high = extrapolation.check_range(*self.training_range.value)
            noise = float(self.noise.value)
            if not np.isfinite(noise) or noise < 0:
                raise ValueError(f"the noise level must be a non-negative number, got {noise}.")
            x, y = extrapolation.training_points(function, low, high, self.points.value, noise=noise, seed=self.seed)
            fit = extrapolation.fit_features(x, y, width=self.width.value, seed=self.seed)
            errors = extrapolation.range_errors(fit.predict, function, low, high, *self.plot_range)
        except Exception as error:  # shown in the widget, which stays usable
            self.show_error(str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}")
            self.status.value = ""
            self.chart.layout.display = "none"
            return
        self.clear_error()
        self.chart.layout.display = None
        self.last_fit, self.last_errors = fit, errors
        self.status.value = (f"root-mean-square error inside the training range: {errors['inside']:.3g} · "
                             f"outside: {errors['outside']:.3g}")
        grid = np.linspace(*self.plot_range, 400)
        if self._chart is None:
            self._chart = FitChart(self.plot_range)
        self.chart.value = self._chart.png(grid, function(grid), fit.predict(grid), low, high, x, y,
                                           self.function.value)
