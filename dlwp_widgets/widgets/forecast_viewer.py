"""``ForecastViewer``: walk through the Jena validation windows and compare the forecasts.

A slider picks a validation window; the chart shows the temperature of the past
days, the truth 24 hours later, the common-sense baseline (the latest
temperature) and each trained model's forecast.  A table gives each model's
validation MAE in degrees Celsius (over a fixed sample of validation windows),
next to the baseline's.  The numbers come from :mod:`dlwp_widgets.pipelines.timeseries`
(``forecast``, ``model_mae``, ``common_sense_mae``); this class only wires them
to the controls.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.pipelines import timeseries as ts
from dlwp_widgets.plots import agg_png
from dlwp_widgets.widgets.common import ShowsErrors

LABEL_STYLE = {"description_width": "initial"}


COLOURS = ("tab:orange", "tab:blue", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink")


class ForecastChart:
    """The forecast chart on one reused Figure, for a fixed set of model names.

    A new Figure and tight layout per move cost most of a move's time; here the
    artists are made and laid out once (the legend's room measured with the
    widest labels), and :meth:`png` moves the data, renames the legend entries
    and renders with one Agg draw and a fast PNG encoding.
    """

    def __init__(self, names, *, delay_hours: float, dpi: int = 80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure  # no pyplot: leaves the notebook's backend alone

        self.names = tuple(names)
        self.delay_hours = delay_hours
        self.figure = Figure(figsize=(8, 3), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.axes = self.figure.subplots()
        (self.past,) = axes.plot([], [], color="0.3", linewidth=1, label="past temperature")
        axes.axvline(0, color="0.7", linewidth=0.8)
        (self.baseline,) = axes.plot([], [], "--", color="tab:gray")
        (self.truth,) = axes.plot([], [], "o", color="black", markersize=8)
        self.predictions = [
            axes.plot([], [], "D", color=colour, markersize=6)[0] for _, colour in zip(self.names, COLOURS)
        ]
        axes.set_xlabel("hours from now")
        axes.set_ylabel("°C")
        self._label(-88.8, -88.8, [-88.8] * len(self.predictions))  # the widest labels, for the layout
        axes.set_xlim(-240, delay_hours)
        axes.set_ylim(-88.8, 88.8)
        self.figure.tight_layout()  # once: the layout does not depend on the window
        self.figure.set_layout_engine("none")
        axes.set_autoscale_on(True)  # the limits above were for the layout only

    def _label(self, baseline: float, truth: float, values) -> None:
        self.baseline.set_label(f"common-sense baseline {baseline:.1f} °C")
        self.truth.set_label(f"truth {truth:.1f} °C")
        for name, line, value in zip(self.names, self.predictions, values):
            line.set_label(f"{name} {value:.1f} °C")
        self.axes.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)

    def png(self, result: ts.Forecast, *, days_shown: float) -> bytes:
        shown = result.past_hours >= -24 * days_shown
        self.past.set_data(result.past_hours[shown], result.past[shown])
        self.baseline.set_data([0, self.delay_hours], [result.baseline, result.baseline])
        self.truth.set_data([self.delay_hours], [result.truth])
        values = [result.predictions[name] for name in self.names]
        for line, value in zip(self.predictions, values):
            line.set_data([self.delay_hours], [value])
        self._label(result.baseline, result.truth, values)
        self.axes.relim()
        self.axes.autoscale_view()
        return agg_png(self.figure)


def forecast_chart(result: ts.Forecast, *, days_shown: float, delay_hours: float) -> bytes:
    """PNG bytes: the past temperature, the truth ``delay_hours`` later, the baseline and the forecasts.

    A fresh :class:`ForecastChart`; the viewer reuses one.
    """
    return ForecastChart(result.predictions, delay_hours=delay_hours).png(result, days_shown=days_shown)


class ForecastViewer(ShowsErrors, widgets.VBox):
    """Browse validation windows of the (normalised) Jena series and the models' forecasts.

    ``data``: the normalised ``(rows, 14)`` array; ``models``: name -> Keras model
    taking ``(batch, lookback // step, 14)`` windows; ``mean``/``std``: the
    temperature column's normalisation statistics (to convert to °C); ``rows``:
    the window end rows to browse (default: the book's validation split).
    ``mae_windows`` evenly spaced windows among ``rows`` give each MAE.
    Results for tests: ``last_forecast``, ``maes_celsius`` (name -> °C, the
    baseline under ``"common-sense baseline"``), ``last_error``.
    """

    BASELINE = "common-sense baseline"

    def __init__(
        self,
        data,
        models: dict,
        *,
        mean: float,
        std: float,
        lookback: int = 1440,
        step: int = 6,
        delay: int = 144,
        rows=None,
        mae_windows: int = 2048,
        days_shown: float = 3.0,
        index: int = 0,
    ):
        self.data = np.asarray(data)
        self.models = dict(models)
        self.mean, self.std = float(mean), float(std)
        self.lookback, self.step, self.delay = lookback, step, delay
        self.last_forecast: ts.Forecast | None = None
        self._forecast: ts.Forecast | None = None
        self._forecast_key: tuple | None = None  # (window, models) of _forecast
        self._chart: ForecastChart | None = None
        self.maes_celsius: dict[str, float] = {}
        self.error = widgets.HTML()
        self.rows = np.zeros(0, dtype=np.int64)
        try:
            for name, value in (("lookback", lookback), ("step", step), ("delay", delay)):
                if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                    raise ValueError(f"{name} must be a whole number of 10-minute steps, at least 1; got {value!r}.")
            if rows is None:
                rows = ts.window_rows(len(self.data), lookback=lookback, delay=delay,
                                      min_index=ts.VALIDATION.min_index, max_index=ts.VALIDATION.max_index)
            self.rows = np.asarray(rows, dtype=np.int64)
            if self.rows.size == 0:
                raise ValueError("no validation windows to show.")
        except Exception as error:
            self._setup_error = str(error)
        else:
            self._setup_error = None
        self.window = widgets.IntSlider(
            value=0, min=0, max=max(len(self.rows) - 1, 0), step=1, description="validation window",
            continuous_update=False, style=LABEL_STYLE, layout=widgets.Layout(width="60%"),
        )
        total_days = lookback * 10 / 60 / 24  # the whole window (10 days for the book's lookback)
        self.days = widgets.FloatSlider(
            value=min(days_shown, total_days), min=total_days / 20, max=total_days, step=total_days / 20,
            description="days shown",
            continuous_update=False, style=LABEL_STYLE,
        )
        self.when = widgets.HTML()
        self.table = widgets.HTML()
        self.chart = widgets.Image(format="png")
        self._model_problems = {} if self._setup_error else self._check_models()
        self._compute_maes(mae_windows)
        self.window.observe(self._on_change, names="value")
        self.days.observe(self._on_change, names="value")
        super().__init__([widgets.HBox([self.window, self.days]), self.when, self.error, self.chart, self.table])
        self.window.value = int(np.clip(index, 0, self.window.max)) if index else 0
        self.update()

    # ------------------------------------------------------------------ set-up

    def _check_models(self) -> dict[str, str]:
        problems = {}
        for name, model in self.models.items():
            try:
                ts.check_model_input(model, lookback=self.lookback, step=self.step, features=self.data.shape[-1])
            except ValueError as error:
                problems[name] = str(error)
        return problems

    def _compute_maes(self, count: int) -> None:
        if self._setup_error:
            return
        sample = self.rows[np.linspace(0, len(self.rows) - 1, min(count, len(self.rows))).astype(np.int64)]
        try:
            sample = sample[(sample >= self.lookback) & (sample + self.delay < len(self.data))]
            clean = np.all(np.isfinite(self.data[sample + self.delay]), axis=-1) & np.all(
                np.isfinite(ts.windows(self.data, sample, lookback=self.lookback, step=self.step)), axis=(1, 2))
            sample = sample[clean]  # MAEs over the windows a forecast exists for
            if sample.size == 0:
                raise ValueError("no complete validation window (NaN or too close to the series' ends).")
            self.maes_celsius[self.BASELINE] = self.std * ts.common_sense_mae(
                self.data, sample, delay=self.delay, lookback=self.lookback, step=self.step)
            for name, model in self.models.items():
                if name not in self._model_problems:
                    self.maes_celsius[name] = self.std * ts.model_mae(
                        model, self.data, sample, lookback=self.lookback, step=self.step, delay=self.delay)
        except Exception as error:  # NaN in the data, a model that fails: shown, not raised
            self._model_problems["MAE"] = f"{type(error).__name__}: {error}"
        self.mae_windows = len(sample)

    # ------------------------------------------------------------------ updates

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> None:
        """Redraw for the current window; problems go to the error area, the widget stays usable."""
        try:
            if self._setup_error:
                raise ValueError(self._setup_error)
            index = int(self.window.value)
            if not 0 <= index < len(self.rows):
                raise ValueError(f"window {index} is out of range: there are {len(self.rows)} windows (0..{len(self.rows) - 1}).")
            usable = {name: model for name, model in self.models.items() if name not in self._model_problems}
            key = (index, tuple(usable))
            if self._forecast_key != key:  # the days slider only redraws: the forecast does not depend on it
                self._forecast = ts.forecast(self.data, int(self.rows[index]), usable, mean=self.mean, std=self.std,
                                             lookback=self.lookback, step=self.step, delay=self.delay)
                self._forecast_key = key
            result = self._forecast
            if self._chart is None or self._chart.names != tuple(result.predictions):
                self._chart = ForecastChart(result.predictions, delay_hours=self.delay * 10 / 60)
            png = self._chart.png(result, days_shown=self.days.value)
        except Exception as error:
            self.show_error(str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}")
            self.chart.layout.display = "none"  # no stale chart under the message
            self.when.value = ""
            self.last_forecast = None
            self._render_table()
            return
        if self._model_problems:
            self.show_error("; ".join(f"{name}: {problem}" for name, problem in self._model_problems.items()))
        else:
            self.clear_error()
        self.last_forecast = result
        self.chart.layout.display = None
        self.chart.value = png
        self.when.value = f"window ending at row {result.row:,} (forecast for row {result.row + self.delay:,})"
        self._render_table()

    def _render_table(self) -> None:
        if not self.maes_celsius:
            self.table.value = ""
            return
        cells = "".join(
            f"<tr><td>{html.escape(name)}</td><td style='text-align:right'>{mae:.2f} °C</td></tr>"
            for name, mae in self.maes_celsius.items()
        )
        self.table.value = (
            f"<table class='dlwp-forecast-maes'><tr><th>validation MAE</th><th>over {self.mae_windows:,} windows"
            f"</th></tr>{cells}</table>"
        )
