"""``DreamControls``: per-layer weights, octaves and step size for DeepDream on your own picture.

The controls only configure; the Dream button runs :meth:`DeepDream.dream
<dlwp_widgets.viz.deepdream.DeepDream.dream>` (one compiled step for every
size and every weight setting, so moving sliders never recompiles).  The
picture is redrawn as the dream progresses, and the Stop button ends it after
the current step.  In a notebook the work runs in a background thread so the
Stop button can be clicked; tests pass ``background=False``.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.viz import deepdream as dd
from dlwp_widgets.viz import images as img
from dlwp_widgets.widgets.common import RunsInBackground, ShowsErrors, uploaded_bytes

LABEL_STYLE = {"description_width": "initial"}


class DreamControls(RunsInBackground, ShowsErrors, widgets.VBox):
    """DeepDream with a slider per layer weight.

    ``model`` is InceptionV3 (or any convnet with the named layers); ``image``
    an (H, W, 3) array in 0..255 or image-file bytes (the reader can upload one
    later).  Results for tests: ``last_image`` (uint8 dream), ``last_result``
    (:class:`~dlwp_widgets.viz.deepdream.DreamResult`), ``last_error``,
    ``note`` (what was done to the picture, e.g. downscaling).
    """

    def __init__(
        self,
        model,
        image=None,
        *,
        layer_weights=None,
        octaves: int = dd.BOOK_NUM_OCTAVE,
        octave_scale: float = dd.BOOK_OCTAVE_SCALE,
        step: float = dd.BOOK_STEP,
        iterations: int = dd.BOOK_ITERATIONS,
        max_loss: float | None = dd.BOOK_MAX_LOSS,
        max_side: int = dd.MAX_SIDE,
        min_side: int = dd.INCEPTION_MIN_SIDE,
        background: bool = True,
    ):
        weights = dict(layer_weights if layer_weights is not None else dd.BOOK_LAYER_WEIGHTS)
        self.octave_scale = octave_scale
        self.max_loss = max_loss
        self.max_side = max_side
        self.min_side = min_side
        self.background = background
        self.image: np.ndarray | None = None
        self.note = ""
        self.last_image: np.ndarray | None = None
        self.last_result: dd.DreamResult | None = None
        self.dreamer: dd.DeepDream | None = None
        self._setup_error = None
        try:
            self.dreamer = dd.DeepDream(model, list(weights))
        except Exception as error:  # shown once the widget exists
            self._setup_error = str(error)

        self.weight_sliders = {
            name: widgets.FloatSlider(
                value=value, min=0.0, max=5.0, step=0.1, description=name,
                continuous_update=False, readout_format=".1f", style=LABEL_STYLE,
            )
            for name, value in weights.items()
        }
        self.octaves = widgets.IntSlider(value=octaves, min=1, max=6, description="octaves", continuous_update=False)
        self.step = widgets.FloatSlider(
            value=step, min=0.001, max=0.1, step=0.001, description="step size",
            continuous_update=False, readout_format=".3f", style=LABEL_STYLE,
        )
        self.iterations = widgets.IntSlider(
            value=iterations, min=1, max=100, description="steps per octave",
            continuous_update=False, style=LABEL_STYLE,
        )
        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Your picture")
        self.dream_button = widgets.Button(description="Dream", button_style="primary")
        self.stop_button = widgets.Button(description="Stop", disabled=True)
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="dreaming")
        self.error = widgets.HTML()
        self.info = widgets.HTML()
        self.picture = widgets.Image(format="png")

        for slider in self.weight_sliders.values():
            slider.observe(self._on_weight, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.dream_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        super().__init__(
            [
                widgets.HBox(list(self.weight_sliders.values()), layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox([self.octaves, self.step, self.iterations]),
                widgets.HBox([self.upload, self.dream_button, self.stop_button, self.progress]),
                self.error,
                self.info,
                self.picture,
            ]
        )
        if self._setup_error:
            self.show_error(self._setup_error)
        elif image is not None:
            self.set_image(image)
        else:
            self.info.value = "Upload a picture (or pass one), then press Dream."

    # ---------------------------------------------------------------- inputs

    @property
    def layer_weights(self) -> dict[str, float]:
        return {name: slider.value for name, slider in self.weight_sliders.items()}

    def set_image(self, image) -> None:
        """Use ``image`` (array or file bytes); shrunk to ``max_side`` with a note; errors shown."""
        try:
            picture, note = dd.fit_picture(image, max_side=self.max_side, min_side=self.min_side)
        except Exception as error:
            self.show_error(str(error))
            return
        self.image, self.note = picture, note
        self.last_image = None
        self.clear_error()
        self.info.value = f"Picture: {html.escape(note)}. Press Dream."
        self.picture.value = img.png_bytes(picture.astype(np.uint8))

    def _on_upload(self, change) -> None:
        try:
            data = uploaded_bytes(change["new"])
        except Exception as error:
            self.show_error(f"Could not read the upload: {error}")
            return
        if data is not None:
            self.set_image(data)

    def _on_weight(self, change) -> None:
        try:
            dd.check_layer_weights(self.layer_weights)
        except ValueError as error:
            self.show_error(str(error))
        else:
            if self.last_error and "weight" in self.last_error:
                self.clear_error()

    # ---------------------------------------------------------------- running

    def start(self) -> None:
        """What the Dream button does: dream in a background thread (or here, with ``background=False``)."""
        if not self.run_work(self.dream):
            self.show_error("Already dreaming: press Stop first.")

    def stop(self) -> None:
        """What the Stop button does: end the dream after the current step."""
        self.request_stop()

    def _progress(self, done: int, total: int, loss: float, picture: np.ndarray) -> None:
        self.show_progress(done, total)
        self.info.value = f"step {done} of {total}, dream loss {loss:.4g}"
        self.picture.value = img.png_bytes(picture)

    def dream(self) -> dd.DreamResult | None:
        """Dream with the current settings (synchronously); the result is shown and kept."""
        self._stop_requested = False
        try:
            if self.dreamer is None:
                raise ValueError(self._setup_error)
            if self.image is None:
                raise ValueError("No picture yet: upload one first.")
            weights = dd.check_layer_weights(self.layer_weights)
            step = float(self.step.value)
            if not np.isfinite(step) or step <= 0:
                raise ValueError(f"The step size must be a positive number, got {self.step.value}.")
            self.clear_error()
            self.progress.value = 0
            with self.busy(self.dream_button, self.stop_button):
                result = self.dreamer.dream(
                    self.image, weights, num_octave=int(self.octaves.value), octave_scale=self.octave_scale,
                    iterations=int(self.iterations.value), step=step, max_loss=self.max_loss,
                    min_side=self.min_side, should_stop=self.stop_requested, progress=self._progress,
                )
        except Exception as error:  # any failure is shown in the widget, which stays usable
            self.show_error(str(error))
            return None
        self.last_result, self.last_image = result, result.image
        self.picture.value = img.png_bytes(result.image)
        losses = [losses for losses in result.octave_losses if losses]
        summary = (
            f"dream loss {result.first_loss:.4g} (first step) -> {result.last_loss:.4g} (last step)"
            if losses else "no step taken (the loss started above the cap)"
        )
        state = "stopped" if result.stopped else "done"
        self.info.value = f"{state}: {len(result.octave_losses)} octave(s), {html.escape(summary)}"
        return result
