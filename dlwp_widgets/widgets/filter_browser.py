"""``FilterBrowser``: pick a layer and a filter, see the input pattern it responds to most.

Patterns come from :class:`~dlwp_widgets.viz.filters.FilterVisualizer`: a
compiled gradient-ascent loop per layer that computes a whole page of filters
in one batched run and caches them, so stepping through neighbouring filters is
instant after the first one of a page.  A page not yet computed is computed in
a background thread (the first one, at construction, in the caller's thread so
that ``last_pattern`` is ready): the control answers at once, the progress bar
moves every few ascent steps, the Stop button ends the run between steps, and
the last pattern stays on show.  Moving a control during a run stops that run
and computes the newest choice instead (:meth:`RunsInBackground.run_latest`).
Tests pass ``background=False``.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.viz import filters as flt
from dlwp_widgets.viz import images as img
from dlwp_widgets.viz.activations import spatial_layers
from dlwp_widgets.widgets.common import RunsInBackground, ShowsErrors


class FilterBrowser(RunsInBackground, ShowsErrors, widgets.VBox):
    """Browse filter patterns of a convnet's layers.

    ``value_range`` is the model's input range ((0, 255) for the book's VGG16,
    (0, 1) for models trained on rescaled images).  ``page_size`` filters are
    computed together, ``chunk_steps`` ascent steps per call between progress
    updates and Stop checks.  Results for tests: ``last_pattern`` (uint8 image
    shown), ``last_key`` (layer, jitter, blur, filter, steps of that pattern),
    ``last_error``, ``visualizers`` (one per layer and regularisation setting),
    ``stopped`` (the last run was stopped before it finished).
    """

    def __init__(
        self,
        model,
        *,
        layer_names=None,
        size: int = 64,
        steps: int = 40,
        page_size: int = 8,
        value_range=(0.0, 255.0),
        chunk_steps: int = 2,
        background: bool = True,
    ):
        self.model = model
        self.chunk_steps = chunk_steps
        self.background = background
        self.stopped = False
        self.last_key: tuple | None = None
        self._adjusting = False
        self.size = size
        self.page_size = page_size
        self.value_range = value_range
        self.visualizers: dict[tuple, flt.FilterVisualizer] = {}
        self.last_pattern: np.ndarray | None = None

        names = list(layer_names) if layer_names is not None else spatial_layers(model)
        self.layer = widgets.Dropdown(options=names, description="layer")
        self.filter = widgets.IntSlider(value=0, min=0, max=0, description="filter", continuous_update=False)
        self.steps = widgets.IntSlider(value=steps, min=1, max=200, description="steps", continuous_update=False)
        self.jitter = widgets.Checkbox(value=False, description="jitter (regularise)")
        self.blur = widgets.Checkbox(value=False, description="blur every 4 steps")
        self.progress = widgets.FloatProgress(value=0, min=0, max=1, description="computing")
        self.stop_button = widgets.Button(description="Stop", disabled=True, tooltip="stop the gradient ascent")
        self.stop_button.on_click(self.request_stop)
        self.error = widgets.HTML()
        self.info = widgets.HTML()
        self.picture = widgets.Image(format="png")

        for control in (self.layer, self.filter, self.steps, self.jitter, self.blur):
            control.observe(self._on_change, names="value")
        super().__init__(
            [
                widgets.HBox([self.layer, self.filter]),
                widgets.HBox([self.steps, self.jitter, self.blur]),
                widgets.HBox([self.progress, self.stop_button]),
                self.error,
                self.info,
                self.picture,
            ]
        )
        if names:
            self.refresh()
        else:
            self.show_error(f"{model.name} has no layer with a (height, width, channels) output.")

    def visualizer(self) -> flt.FilterVisualizer:
        """The (cached) visualizer of the chosen layer and regularisation."""
        key = (self.layer.value, self.jitter.value, self.blur.value)
        if key not in self.visualizers:
            self.visualizers[key] = flt.FilterVisualizer(
                self.model,
                self.layer.value,
                size=self.size,
                value_range=self.value_range,
                jitter=2 if self.jitter.value else 0,
                blur_every=4 if self.blur.value else 0,
            )
        return self.visualizers[key]

    def _on_change(self, change) -> None:
        if not self._adjusting:
            self.start()

    def _progress(self, done: float, total: int) -> None:
        self.show_progress(done, total)

    def _page(self, visualizer) -> tuple[int, range]:
        index = self.filter.value
        first = index - index % self.page_size
        return index, range(first, min(first + self.page_size, visualizer.channels))

    def start(self) -> None:
        """What a control change does: show a cached pattern at once, else compute it in the background.

        During a run the run is stopped and the newest choice computed after it.
        """
        if self._latest_active:
            self.info.value = "computing the new choice..."
            self.run_latest(self.refresh)
            return
        key = (self.layer.value, self.jitter.value, self.blur.value)
        visualizer = self.visualizers.get(key)
        if visualizer is not None:  # a known layer: a cached pattern is shown without a thread
            self._adjusting = True  # filter.max may clamp filter.value: one refresh, not two
            try:
                if self.filter.max != visualizer.channels - 1:
                    self.filter.max = visualizer.channels - 1
            finally:
                self._adjusting = False
            index, page = self._page(visualizer)
            pattern = visualizer.cached(index, steps=self.steps.value)
            if pattern is not None:
                self._show(visualizer, key + (index, self.steps.value), pattern)
                return
        self.progress.value = 0
        self.stop_button.disabled = False
        self.info.value = f"computing {html.escape(self.layer.value)}, filter {self.filter.value}..."
        self.run_latest(self.refresh)

    def refresh(self) -> None:
        """Show the chosen filter, computing its page of filters if not cached (in this thread)."""
        self.stopped = False
        try:
            with self.busy(None, self.stop_button):
                visualizer = self.visualizer()
                if self.filter.max != visualizer.channels - 1:
                    self._adjusting = True
                    try:
                        self.filter.max = visualizer.channels - 1  # may clamp filter.value
                    finally:
                        self._adjusting = False
                index, page = self._page(visualizer)
                key = (self.layer.value, self.jitter.value, self.blur.value, index, self.steps.value)
                self.progress.value = 0
                patterns = visualizer.patterns(
                    page, steps=key[-1], batch_size=self.page_size, progress=self._progress,
                    should_stop=self.stop_requested, chunk_steps=self.chunk_steps,
                )
        except Exception as error:  # any failure is shown in the widget, which stays usable
            self.show_error(str(error))
            return
        if patterns is None:
            self.stopped = True
            if not self.rerun_waiting:
                self.info.value = "stopped: the last pattern stays on show; move a control to compute again."
            return
        self._show(visualizer, key, patterns[index - page.start])

    def _show(self, visualizer, key: tuple, pattern: np.ndarray) -> None:
        layer, _, _, index, steps = key
        self.last_pattern = pattern
        self.last_key = key
        self.clear_error()
        self.info.value = (
            f"{html.escape(layer)}, filter {index} of {visualizer.channels} "
            f"({steps} ascent steps, {visualizer.size}x{visualizer.size})"
        )
        self.picture.value = img.png_bytes(np.kron(pattern, np.ones((max(1, 192 // pattern.shape[0]),) * 2 + (1,), np.uint8)))
