"""``ExtrapolationExplorer``: pick a function and a training range, see the fit hold inside and fail outside.

Each change refits a fixed random ReLU basis by least squares
(:func:`dlwp_widgets.limits.extrapolation.fit_features`, milliseconds): the same
function family as a one-hidden-layer ReLU network, so outside the training range it
continues in straight lines, whatever the truth does.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.limits import extrapolation
from dlwp_widgets.widgets.common import ShowsErrors

LABEL_STYLE = {"description_width": "initial"}


def fit_chart(grid, truth, fitted, low, high, x, y, name: str) -> bytes:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.2), dpi=80)
    axes = figure.subplots()
    axes.axvspan(low, high, color="0.92", label="training range")
    axes.plot(grid, truth, color="0.3", label=f"truth: {name}")
    axes.plot(grid, fitted, color="tab:orange", label="fit")
    axes.plot(x, y, ".", color="tab:blue", markersize=3, label="training points")
    span = truth.max() - truth.min()
    axes.set_ylim(truth.min() - 0.3 * span - 0.1, truth.max() + 0.3 * span + 0.1)
    axes.legend(loc="upper center", fontsize=8, ncol=4, frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


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
        self.function = widgets.Dropdown(options=list(extrapolation.FUNCTIONS), value=function, description="function")
        self.training_range = widgets.FloatRangeSlider(value=list(training_range), min=plot_range[0], max=plot_range[1],
                                                       step=0.1, description="training range", continuous_update=False,
                                                       style=LABEL_STYLE)
        self.points = widgets.IntSlider(value=points, min=2, max=2000, description="points", continuous_update=False)
        self.width = widgets.IntSlider(value=width, min=2, max=1000, description="features", continuous_update=False)
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
        self.chart.value = fit_chart(grid, function(grid), fit.predict(grid), low, high, x, y, self.function.value)
