"""``StyleMixer``: content, style and total-variation weights over your own two pictures.

Run starts listing 8.23's L-BFGS loop (:meth:`StyleTransfer.run
<dlwp_widgets.viz.style_transfer.StyleTransfer.run>`); the generated picture is
redrawn after every iteration with the loss, and Stop ends the run at the next
evaluation, keeping the last picture L-BFGS accepted.  The compiled loss takes
the weights as arguments: changing them reuses the compilation; changing a
picture or the height builds a new one.  In a notebook the work runs in a
background thread so Stop can be clicked; tests pass ``background=False``.
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.viz import images as img
from dlwp_widgets.viz import style_transfer as st
from dlwp_widgets.widgets.common import RunsInBackground, ShowsErrors, uploaded_bytes

LABEL_STYLE = {"description_width": "initial"}


def _log_slider(value: float, low: int, high: int, description: str) -> widgets.FloatLogSlider:
    return widgets.FloatLogSlider(
        value=value, base=10, min=low, max=high, step=0.25, description=description,
        continuous_update=False, readout_format=".2g", style=LABEL_STYLE,
    )


class StyleMixer(RunsInBackground, ShowsErrors, widgets.VBox):
    """Neural style transfer with weight sliders.

    ``model`` is VGG19 (or any convnet with the named layers); ``content`` and
    ``style`` are (H, W, 3) arrays in 0..255 or image-file bytes.  Results for
    tests: ``last_image`` (uint8), ``last_result``
    (:class:`~dlwp_widgets.viz.style_transfer.StyleResult`), ``last_error``,
    ``note``, ``transfers`` (compiled set-ups, keyed by pictures and height).
    """

    def __init__(
        self,
        model,
        content=None,
        style=None,
        *,
        height: int = 128,
        iterations: int = 5,
        evals_per_iteration: int = st.BOOK_EVALS_PER_ITERATION,
        content_weight: float = st.BOOK_CONTENT_WEIGHT,
        style_weight: float = st.BOOK_STYLE_WEIGHT,
        total_variation_weight: float = st.BOOK_TOTAL_VARIATION_WEIGHT,
        content_layer: str = st.BOOK_CONTENT_LAYER,
        style_layers=st.BOOK_STYLE_LAYERS,
        max_height: int = st.MAX_HEIGHT,
        max_side: int = 1024,
        background: bool = True,
    ):
        self.model = model
        self.content_layer = content_layer
        self.style_layers = list(style_layers)
        self.evals_per_iteration = evals_per_iteration
        self.max_height = max_height
        self.max_side = max_side
        self.background = background
        self.pictures = {"content": None, "style": None}
        self.note = ""
        self.transfers: dict[tuple, st.StyleTransfer] = {}
        self.last_image: np.ndarray | None = None
        self.last_result: st.StyleResult | None = None

        self.content_weight = _log_slider(content_weight, -6, 2, "content weight")
        self.style_weight = _log_slider(style_weight, -4, 4, "style weight")
        self.tv_weight = _log_slider(total_variation_weight, -8, 0, "total variation weight")
        self.iterations = widgets.IntSlider(value=iterations, min=1, max=50, description="iterations", continuous_update=False)
        self.height = widgets.IntSlider(
            value=height, min=32, max=max_height, step=16, description="height (px)",
            continuous_update=False, style=LABEL_STYLE,
        )
        self.content_upload = widgets.FileUpload(accept="image/*", multiple=False, description="Content picture")
        self.style_upload = widgets.FileUpload(accept="image/*", multiple=False, description="Style picture")
        self.run_button = widgets.Button(description="Run", button_style="primary")
        self.stop_button = widgets.Button(description="Stop", disabled=True)
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="iterations")
        self.error = widgets.HTML()
        self.info = widgets.HTML()
        self.inputs = widgets.Image(format="png")
        self.picture = widgets.Image(format="png")

        for slider in (self.content_weight, self.style_weight, self.tv_weight):
            slider.observe(self._on_weight, names="value")
        self.content_upload.observe(lambda change: self._on_upload("content", change), names="value")
        self.style_upload.observe(lambda change: self._on_upload("style", change), names="value")
        self.run_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        super().__init__(
            [
                widgets.HBox([self.content_weight, self.style_weight, self.tv_weight]),
                widgets.HBox([self.iterations, self.height]),
                widgets.HBox([self.content_upload, self.style_upload, self.run_button, self.stop_button, self.progress]),
                self.error,
                self.info,
                widgets.HBox([self.inputs, self.picture]),
            ]
        )
        self.set_pictures(content, style)

    # ---------------------------------------------------------------- inputs

    def set_pictures(self, content=None, style=None) -> None:
        """Replace the content and/or style picture (arrays or file bytes); errors shown."""
        proposed = dict(self.pictures)
        if content is not None:
            proposed["content"] = content
        if style is not None:
            proposed["style"] = style
        if proposed["content"] is None or proposed["style"] is None:
            missing = " and ".join(k for k, v in proposed.items() if v is None)
            self.pictures = proposed
            self.info.value = f"Missing: the {missing} picture. Upload it (or pass it), then press Run."
            return
        try:
            content_array, style_array, note = st.fit_pair(proposed["content"], proposed["style"], max_side=self.max_side)
        except Exception as error:
            self.show_error(str(error))
            return
        self.pictures = {"content": content_array, "style": style_array}
        self.note = note
        self.last_image = None
        self.clear_error()
        self.info.value = html.escape(note + ". " if note else "") + "Press Run."
        self.inputs.value = img.png_bytes(_side_by_side(content_array, style_array, 128))

    def _on_upload(self, which: str, change) -> None:
        try:
            data = uploaded_bytes(change["new"])
        except Exception as error:
            self.show_error(f"Could not read the upload: {error}")
            return
        if data is not None:
            self.set_pictures(**{which: data})

    def weights(self) -> tuple[float, float, float]:
        return st.check_loss_weights(self.content_weight.value, self.style_weight.value, self.tv_weight.value)

    def _on_weight(self, change) -> None:
        try:
            self.weights()
        except ValueError as error:
            self.show_error(str(error))
        else:
            if self.last_error and "weight" in self.last_error:
                self.clear_error()

    # ---------------------------------------------------------------- running

    def start(self) -> None:
        """What Run does: transfer in a background thread (or here, with ``background=False``)."""
        if not self.run_work(self.transfer):
            self.show_error("Already running: press Stop first.")

    def stop(self) -> None:
        """What Stop does: end the run at the next loss evaluation."""
        self.request_stop()

    def transfer_for(self, height: int) -> st.StyleTransfer:
        """The compiled set-up for the current pictures at ``height`` (built once, then reused)."""
        key = (id(self.pictures["content"]), id(self.pictures["style"]), int(height))
        if key not in self.transfers:
            self.transfers = {  # keep one: a set-up holds the pictures' features
                key: st.StyleTransfer(
                    self.model, self.pictures["content"], self.pictures["style"], height=int(height),
                    content_layer=self.content_layer, style_layers=self.style_layers, max_height=self.max_height,
                )
            }
        return self.transfers[key]

    def _progress(self, done: int, total: int, loss: float, picture: np.ndarray) -> None:
        self.show_progress(done, total)
        self.info.value = f"iteration {done} of {total}, total loss {loss:.4g}"
        self.picture.value = img.png_bytes(picture)

    def transfer(self) -> st.StyleResult | None:
        """Run the style transfer with the current settings (synchronously); the result is shown and kept."""
        self._stop_requested = False
        try:
            if self.pictures["content"] is None or self.pictures["style"] is None:
                raise ValueError("Both a content and a style picture are needed: upload the missing one.")
            weights = self.weights()
            iterations = self.iterations.value
            if not isinstance(iterations, int) or iterations < 1:
                raise ValueError(f"iterations must be a whole number of at least 1, got {iterations!r}.")
            self.clear_error()
            self.progress.value = 0
            with self.busy(self.run_button, self.stop_button):
                transfer = self.transfer_for(self.height.value)
                result = transfer.run(
                    iterations=iterations, evals_per_iteration=self.evals_per_iteration,
                    content_weight=weights[0], style_weight=weights[1], total_variation_weight=weights[2],
                    should_stop=self.stop_requested, progress=self._progress,
                )
        except Exception as error:  # any failure is shown in the widget, which stays usable
            self.show_error(str(error))
            return None
        self.last_result, self.last_image = result, result.image
        self.picture.value = img.png_bytes(result.image)
        first, last = result.losses[0], result.losses[-1]
        state = "stopped" if result.stopped else "done"
        change = f"{first:.4g} -> {last:.4g}" if math.isfinite(first) else ""
        self.info.value = f"{state}: {len(result.losses) - 1} iteration(s) at {transfer.size[0]}x{transfer.size[1]}, total loss {change}"
        return result


def _side_by_side(left: np.ndarray, right: np.ndarray, height: int) -> np.ndarray:
    """Two pictures as uint8 thumbnails ``height`` pixels high, side by side."""
    from dlwp_widgets.viz.sample_images import shrink_to

    thumbs = []
    for picture in (left, right):
        scale = height / picture.shape[0]
        thumb = shrink_to(picture, max(1, round(max(picture.shape[:2]) * scale)))
        thumbs.append(np.clip(thumb[:height], 0, 255).astype(np.uint8))
    height = min(t.shape[0] for t in thumbs)
    gap = np.full((height, 4, 3), 255, np.uint8)
    return np.concatenate([thumbs[0][:height], gap, thumbs[1][:height]], axis=1)
