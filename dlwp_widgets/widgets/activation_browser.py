"""``ActivationBrowser``: pick a layer and a channel, see what the convnet computed.

The image goes through the model once (:class:`~dlwp_widgets.viz.activations.ActivationCache`
keeps every layer's activation), so moving the layer picker or the channel
slider only re-draws a picture.  Works with any Keras image model; the reader
can upload a picture of their own.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.viz import activations as act
from dlwp_widgets.viz import images as img
from dlwp_widgets.widgets.common import ShowsErrors, uploaded_bytes


class ActivationBrowser(ShowsErrors, widgets.VBox):
    """Browse a model's intermediate activations for one picture.

    ``image``: an (H, W, 3) array in 0..255 or image file bytes; it is resized to
    the model's input size and multiplied by ``scale`` (or passed to
    ``preprocess``).  Results for tests: ``last_picture`` (the uint8 array
    shown), ``last_error`` (None when all went well), ``cache.forward_passes``.
    """

    def __init__(self, model, image=None, *, layer_names=None, scale: float = 1.0 / 255, preprocess=None, images_per_row: int = 16):
        self.model = model
        self.scale = scale
        self.preprocess = preprocess
        self.images_per_row = images_per_row
        self._setup_error: str | None = None
        try:
            self.cache: act.ActivationCache | None = act.ActivationCache(model, layer_names)
        except ValueError as error:  # e.g. a model without feature maps: say so in the widget
            self.cache, self._setup_error = None, str(error)
        self.batch: np.ndarray | None = None
        self.last_picture: np.ndarray | None = None

        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Upload image")
        self.layer = widgets.Dropdown(options=self.cache.layer_names if self.cache else [], description="layer")
        self.view = widgets.ToggleButtons(options=[("one channel", "channel"), ("all channels", "grid")], value="channel")
        self.channel = widgets.IntSlider(value=0, min=0, max=0, description="channel")
        self.normalisation = widgets.ToggleButtons(
            options=[("per channel", "channel"), ("per layer", "layer")], value="channel", description="scale"
        )
        self.error = widgets.HTML()
        self.info = widgets.HTML()
        self.picture = widgets.Image(format="png")

        self.upload.observe(self._on_upload, names="value")
        for control in (self.layer, self.view, self.channel, self.normalisation):
            control.observe(self._on_change, names="value")
        super().__init__(
            [
                widgets.HBox([self.upload, self.layer]),
                widgets.HBox([self.view, self.normalisation]),
                self.channel,
                self.error,
                self.info,
                self.picture,
            ]
        )
        if image is not None:
            self.set_image(image)
        else:
            self.refresh()

    def set_image(self, image) -> None:
        """Run the model once on a new picture and show the current view."""
        if self.cache is None:
            self.show_error(self._setup_error)
            return
        try:
            self.batch = img.model_input(image, self.model, scale=self.scale, preprocess=self.preprocess)
            self.cache.activations(self.batch)
        except Exception as error:  # any failure is shown in the widget, which stays usable
            self.batch = self.last_picture = None  # the previous picture's maps are not this file's
            self.info.value = ""
            self.picture.layout.visibility = "hidden"
            self.show_error(str(error))
            return
        self.picture.layout.visibility = None
        self.refresh()

    def _on_upload(self, change) -> None:
        data = uploaded_bytes(change["new"])
        if data is not None:
            self.set_image(data)

    def _on_change(self, change) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Draw the chosen layer/channel from the cached activations (no model call)."""
        if self.cache is None:
            self.show_error(self._setup_error)
            return
        if self.batch is None:
            self.show_error("No image yet: upload one or call set_image(...).")
            return
        try:
            activation = self.cache.activations(self.batch)[self.layer.value]
            channels = activation.shape[-1]
            if self.channel.max != channels - 1:
                self.channel.max = channels - 1  # may clamp value and re-enter refresh()
            if self.view.value == "grid":
                picture = act.layer_grid(activation, self.images_per_row, self.normalisation.value)
            else:
                picture = act.channel_image(activation, self.channel.value, self.normalisation.value)
        except Exception as error:  # any failure is shown in the widget, which stays usable
            self.show_error(str(error))
            return
        self.last_picture = picture
        self.clear_error()
        height, width = activation.shape[:2]
        what = f"all {channels} channels" if self.view.value == "grid" else f"channel {self.channel.value} of {channels}"
        self.info.value = f"{html.escape(self.layer.value)}: {height}x{width}, {what}"
        self.picture.value = img.png_bytes(picture, colormap="viridis")

