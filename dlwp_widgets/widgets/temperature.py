"""``TemperatureSampler``: move the temperature, watch the text and the distribution change.

The widget wires a few ipywidgets controls to :mod:`dlwp_widgets.text`: a
temperature slider, the seed text, the length, a random seed and a
"regenerate" button.  It shows the generated continuation and a bar chart of
the next-character distribution after the seed at the current temperature (the
book's reweighting figure, live), next to the model's own distribution (T = 1).

Generation runs the trained weights in numpy (:class:`~dlwp_widgets.text.generation.CharSampler`),
so a 400-character sample takes tens of milliseconds and needs no retraining.  A
control answers with the chart at once; the text is generated in the background
(:meth:`RunsInBackground.run_latest`), so a long sample never holds the controls
and a newer move stops an older generation.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.plots import agg_png
from dlwp_widgets.text.generation import CharSampler
from dlwp_widgets.text.sampling import reweight
from dlwp_widgets.widgets.common import RunsInBackground, ShowsErrors

SHOWN_SYMBOLS = 20
LABEL_STYLE = {"description_width": "initial"}
_VISIBLE = {" ": "\u2423", "\n": "\u21b5", "\t": "\u21e5"}


def symbol_label(char: str) -> str:
    """A printable label for a character (space, newline and tab made visible)."""
    return _VISIBLE.get(char, char)


class DistributionChart:
    """The next-character bar chart, drawn on one reused Figure.

    Building a Figure, its axes and a tight layout per redraw cost a few hundred
    milliseconds of CPU.  Here they are made once; the parts that never change
    (axes, title, y ticks) are rendered once and kept as a bitmap, and
    :meth:`png` draws only the bars, the character labels and the legend over it
    (blitting), then encodes the PNG quickly: about 10 ms.
    """

    def __init__(self, dpi: int = 72):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure  # no pyplot: leaves the notebook's backend alone
        from matplotlib.transforms import ScaledTranslation

        self.figure = Figure(figsize=(7.5, 2.6), dpi=dpi)
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.axes = self.figure.subplots()
        positions = np.arange(SHOWN_SYMBOLS)
        zeros = np.zeros(SHOWN_SYMBOLS)
        self.original = axes.bar(positions, zeros, width=0.8, color="none", edgecolor="0.55", label="model (T = 1)")
        self.reweighted = axes.bar(positions, zeros, width=0.5, color="tab:orange", label="T = 1")
        axes.set_xticks(positions, ["M"] * SHOWN_SYMBOLS)  # room for the labels in the layout
        axes.set_xlim(-0.6, SHOWN_SYMBOLS - 0.4)
        axes.set_ylim(0, 1)
        axes.set_ylabel("probability")
        axes.set_title("next character after the seed", fontsize=10)
        self.legend = axes.legend(loc="upper right", fontsize=8, frameon=False)
        self.figure.tight_layout()  # once: the layout does not depend on the data
        self.figure.set_layout_engine("none")
        size = axes.xaxis.get_ticklabels()[0].get_fontsize()
        axes.set_xticks(positions, [""] * SHOWN_SYMBOLS)
        # The characters are our own texts where the tick labels were: blitting redraws only them.
        self.labels = [
            axes.text(position, 0, "", transform=axes.get_xaxis_transform(), ha="center", va="top", fontsize=size)
            for position in positions
        ]
        tick = axes.xaxis.majorTicks[0]
        offset = (tick.get_pad() + tick.get_tick_padding()) / 72.0  # points to inches
        shift = ScaledTranslation(0, -offset, self.figure.dpi_scale_trans)
        for label in self.labels:
            label.set_transform(label.get_transform() + shift)
        self.changing = [*self.original.patches, *self.reweighted.patches, *self.labels, self.legend]
        for artist in self.changing:
            artist.set_animated(True)
        self.canvas.draw()  # the still parts (animated artists are skipped)
        self.background = self.canvas.copy_from_bbox(self.figure.bbox)

    def png(self, chars: Sequence[str], original: np.ndarray, reweighted: np.ndarray, temperature: float) -> bytes:
        """PNG bytes: the most likely next characters at ``temperature``, with the model's own (T = 1) bars."""
        top = np.argsort(-reweighted, kind="stable")[:SHOWN_SYMBOLS]
        shown = len(top)
        for bars, values in ((self.original, original), (self.reweighted, reweighted)):
            for position, bar in enumerate(bars.patches):
                bar.set_height(float(values[top[position]]) if position < shown else 0.0)
        for position, label in enumerate(self.labels):
            label.set_text(symbol_label(chars[top[position]]) if position < shown else "")
        self.reweighted.set_label(f"T = {temperature:g}")
        self.legend.get_texts()[1].set_text(f"T = {temperature:g}")
        return self._render()

    def _render(self) -> bytes:
        self.canvas.restore_region(self.background)
        for artist in self.changing:
            self.figure.draw_artist(artist)
        return agg_png(self.figure, draw=False)


def distribution_chart(chars: Sequence[str], original: np.ndarray, reweighted: np.ndarray, temperature: float) -> bytes:
    """PNG bytes of one chart (a fresh :class:`DistributionChart`; the widget reuses one)."""
    return DistributionChart().png(chars, original, reweighted, temperature)


class TemperatureSampler(RunsInBackground, ShowsErrors, widgets.VBox):
    """Sample text from a trained char-LSTM at an adjustable temperature.

    ``model`` is the book's ``LSTM -> Dense(softmax)`` model and ``chars`` the
    vocabulary it was trained with.  ``context`` picks the sampler's memory
    (see :class:`~dlwp_widgets.text.generation.CharSampler`): ``"stateful"``
    (default) is the fast path; ``"window"`` is the book's exact 60-character
    window at a few times the cost.  Results for tests: ``last_text`` (the
    continuation), ``last_distribution`` (next-character probabilities at the
    current temperature), ``last_error`` (None when all went well); ``wait()``
    waits for the text (``background=False`` generates in the caller's thread).
    """

    def __init__(
        self,
        model,
        chars: Sequence[str],
        seed_text: str = "",
        *,
        length: int = 400,
        temperature: float = 0.5,
        random_seed: int = 0,
        context: str = "stateful",
        background: bool = True,
    ):
        self.chars = list(chars)
        self._choice = 0  # counts the controls' changes: a generation for an older choice shows nothing
        self.last_text = ""
        self.last_distribution: np.ndarray | None = None
        self.last_seconds: float | None = None
        self._base_distributions: dict[str, np.ndarray] = {}
        self._chart: DistributionChart | None = None
        self._chart_key: tuple | None = None  # (seed text, temperature) of the chart on show
        try:
            self.sampler: CharSampler | None = CharSampler(model, self.chars, context=context)
            self._setup_error = None
        except ValueError as error:
            self.sampler = None
            self._setup_error = str(error)

        self.temperature = widgets.FloatSlider(
            value=temperature, min=0.0, max=2.0, step=0.05, description="temperature",
            continuous_update=False, readout_format=".2f", style=LABEL_STYLE,
        )
        self.length = widgets.IntSlider(
            value=length, min=1, max=2000, step=1, description="length", continuous_update=False
        )
        self.seed_text = widgets.Textarea(
            value=seed_text, description="seed", continuous_update=False,
            layout=widgets.Layout(width="95%", height="4em"),
        )
        self.random_seed = widgets.BoundedIntText(
            value=random_seed, min=0, max=2**31 - 1, description="random seed", style=LABEL_STYLE
        )
        self.regenerate = widgets.Button(description="Regenerate", tooltip="draw a new sample (next random seed)")
        self.error = widgets.HTML()
        self.status = widgets.HTML()
        self.text = widgets.HTML()
        self.chart = widgets.Image(format="png")

        for control in (self.temperature, self.length, self.seed_text, self.random_seed):
            control.observe(self._on_change, names="value")
        self.regenerate.on_click(self._on_regenerate)
        self.background = False  # the first sample is ready when the widget is
        super().__init__(
            [
                widgets.HBox([self.temperature, self.length]),
                self.seed_text,
                widgets.HBox([self.random_seed, self.regenerate, self.status]),
                self.error,
                self.text,
                self.chart,
            ]
        )
        self.update()
        self.background = background

    def _on_change(self, change) -> None:
        self.update()

    def _on_regenerate(self, button) -> None:
        self.random_seed.value += 1  # observed: triggers update()

    def _base_distribution(self, seed: str) -> np.ndarray:
        if seed not in self._base_distributions:
            self._base_distributions = {seed: self.sampler.distribution(seed)}
        return self._base_distributions[seed]

    def _show_problem(self, error: Exception) -> None:
        self.show_error(str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}")
        # No stale sample under the message: it would belong to other settings.
        self.text.value = ""
        self.status.value = ""
        self.chart.layout.display = "none"

    def update(self) -> None:
        """Show the chart for the controls' current values now, and generate the text (in the background)."""
        self._choice += 1
        try:
            if self.sampler is None:
                raise ValueError(self._setup_error)
            seed = self.seed_text.value
            if not seed:
                raise ValueError("the seed text is empty: type at least one character to start from.")
            temperature = self.temperature.value
            original = self._base_distribution(seed)
            reweighted = reweight(original, temperature)
        except Exception as error:  # shown in the widget, which stays usable
            self.request_stop()  # a generation for older values must not cover the message
            self._show_problem(error)
            return
        self.clear_error()
        self.last_distribution = reweighted
        self.chart.layout.display = None
        if self._chart is None:
            self._chart = DistributionChart()
        if self._chart_key != (seed, temperature):  # the length and the random seed do not change the chart
            self.chart.value = self._chart.png(self.chars, original, reweighted, temperature)
            self._chart_key = (seed, temperature)
        self.status.value = "generating..."
        self.run_latest(self._generate)

    def _generate(self) -> None:
        """Generate the text for the controls' current values (in this thread) and show it."""
        choice = self._choice
        seed, temperature = self.seed_text.value, self.temperature.value
        try:
            started = time.perf_counter()
            text = self.sampler.generate(seed, self.length.value, temperature, self.random_seed.value,
                                         should_stop=self.stop_requested)[0]
            seconds = time.perf_counter() - started
        except InterruptedError:
            return  # a newer choice follows (or showed its problem)
        except Exception as error:
            if choice == self._choice:
                self._show_problem(error)
            return
        if choice != self._choice:
            return
        self.clear_error()
        self.last_text = text
        self.last_seconds = seconds
        self.status.value = f"{len(text)} characters in {seconds * 1000:.0f} ms"
        self.text.value = (
            '<pre class="dlwp-generated" style="white-space:pre-wrap">'
            f'<span style="color:#888">{html.escape(seed)}</span>{html.escape(text)}</pre>'
        )
