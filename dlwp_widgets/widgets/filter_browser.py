"""``FilterBrowser``: pick a layer and a filter, see the input pattern it responds to most.

Patterns come from :class:`~dlwp_widgets.viz.filters.FilterVisualizer`: a
compiled gradient-ascent loop per layer that computes a whole page of filters
in one batched run and caches them, so stepping through neighbouring filters is
instant after the first one of a page.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.viz import filters as flt
from dlwp_widgets.viz import images as img
from dlwp_widgets.viz.activations import spatial_layers
from dlwp_widgets.widgets.common import ShowsErrors


class FilterBrowser(ShowsErrors, widgets.VBox):
    """Browse filter patterns of a convnet's layers.

    ``value_range`` is the model's input range ((0, 255) for the book's VGG16,
    (0, 1) for models trained on rescaled images).  ``page_size`` filters are
    computed together.  Results for tests: ``last_pattern`` (uint8 image shown),
    ``last_error``, ``visualizers`` (one per layer and regularisation setting).
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
    ):
        self.model = model
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
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="computing")
        self.error = widgets.HTML()
        self.info = widgets.HTML()
        self.picture = widgets.Image(format="png")

        for control in (self.layer, self.filter, self.steps, self.jitter, self.blur):
            control.observe(self._on_change, names="value")
        super().__init__(
            [
                widgets.HBox([self.layer, self.filter]),
                widgets.HBox([self.steps, self.jitter, self.blur]),
                self.progress,
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
        self.refresh()

    def _progress(self, done: int, total: int) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = done

    def refresh(self) -> None:
        """Show the chosen filter, computing its page of filters if not cached."""
        try:
            visualizer = self.visualizer()
            if self.filter.max != visualizer.channels - 1:
                self.filter.max = visualizer.channels - 1  # may clamp value and re-enter refresh()
            index = self.filter.value
            first = index - index % self.page_size
            page = range(first, min(first + self.page_size, visualizer.channels))
            self.progress.value = 0
            patterns = visualizer.patterns(page, steps=self.steps.value, batch_size=self.page_size, progress=self._progress)
            pattern = patterns[index - first]
        except Exception as error:  # any failure is shown in the widget, which stays usable
            self.show_error(str(error))
            return
        self.last_pattern = pattern
        self.clear_error()
        self.info.value = (
            f"{html.escape(self.layer.value)}, filter {index} of {visualizer.channels} "
            f"({self.steps.value} ascent steps, {visualizer.size}x{visualizer.size})"
        )
        self.picture.value = img.png_bytes(np.kron(pattern, np.ones((max(1, 192 // pattern.shape[0]),) * 2 + (1,), np.uint8)))

