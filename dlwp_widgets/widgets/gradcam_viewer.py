"""``GradCAMViewer``: which part of the picture made the model say "cat"?

Shows the model's top-k predictions, lets the reader pick any class, and blends
that class's Grad-CAM heatmap over the picture with an opacity slider.  The last
convolutional layer is found automatically, also inside a nested conv base
(see :mod:`dlwp_widgets.viz.gradcam`).  Heatmaps are cached per class, so the
opacity slider and switching back to a class never touch the model.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.viz import gradcam as cam
from dlwp_widgets.viz import images as img
from dlwp_widgets.widgets.common import ShowsErrors, uploaded_bytes


class GradCAMViewer(ShowsErrors, widgets.VBox):
    """Grad-CAM heatmaps of any Keras image classifier for any picture.

    ``class_names``: labels for the output units (a binary sigmoid model has two
    classes, 0 and 1).  ``decode``: optional ``predictions -> [(index, name,
    probability)]`` (e.g. ImageNet names) that replaces the plain ranking.
    Results for tests: ``last_predictions``, ``last_heatmap``, ``last_overlay``,
    ``last_error``, ``layer_path``.
    """

    def __init__(
        self,
        model,
        image=None,
        *,
        layer=None,
        class_names=None,
        top_k: int = 5,
        scale: float = 1.0 / 255,
        preprocess=None,
        opacity: float = 0.4,
    ):
        self.model = model
        self.class_names = class_names
        self.top_k = top_k
        self.scale = scale
        self.preprocess = preprocess
        self.picture_array: np.ndarray | None = None
        self.batch: np.ndarray | None = None
        self.last_predictions: list[tuple[int, str, float]] = []
        self.last_heatmap: np.ndarray | None = None
        self.last_overlay: np.ndarray | None = None
        self._heatmaps: dict[int, np.ndarray] = {}
        self._quiet = False

        self.upload = widgets.FileUpload(accept="image/*", multiple=False, description="Upload image")
        self.class_picker = widgets.Dropdown(options=[], description="class")
        self.opacity = widgets.FloatSlider(value=opacity, min=0.0, max=1.0, step=0.05, description="opacity")
        self.error = widgets.HTML()
        self.predictions = widgets.HTML()
        self.picture = widgets.Image(format="png")
        try:
            self.grad_model, self.layer_path = cam.gradcam_model(model, layer)
        except ValueError as error:
            self.grad_model, self.layer_path = None, []
            self.show_error(str(error))

        self.upload.observe(self._on_upload, names="value")
        self.class_picker.observe(self._on_change, names="value")
        self.opacity.observe(self._on_change, names="value")
        super().__init__(
            [
                widgets.HBox([self.upload, self.class_picker]),
                self.opacity,
                self.error,
                self.predictions,
                self.picture,
            ]
        )
        if image is not None:
            self.set_image(image)

    def set_image(self, image) -> None:
        """Predict the new picture, list the top classes, and show the best one's heatmap."""
        if self.grad_model is None:
            return
        try:
            picture = img.as_rgb_array(image)
            batch = img.model_input(picture, self.model, scale=self.scale, preprocess=self.preprocess)
            _, predictions = self.grad_model(batch, training=False)
        except Exception as error:  # any failure is shown in the widget, which stays usable
            self._forget_picture()  # the previous picture and its predictions are not this file's
            self.show_error(str(error))
            return
        self.picture.layout.visibility = None
        self.picture_array, self.batch = picture, batch
        self._heatmaps = {}
        from keras import ops

        self.last_predictions = cam.top_predictions(ops.convert_to_numpy(predictions)[0], self.top_k, self.class_names)
        self.predictions.value = "<br>".join(
            f"{rank}. {html.escape(name)} (class {index}): {prob:.4f}"
            for rank, (index, name, prob) in enumerate(self.last_predictions, start=1)
        )
        options = [(f"{name} ({prob:.3f})", index) for index, name, prob in self.last_predictions]
        self._quiet = True  # one redraw below, not one per control change
        try:
            self.class_picker.options = options
            self.class_picker.value = options[0][1]
        finally:
            self._quiet = False
        self.refresh()

    def _forget_picture(self) -> None:
        self.picture_array = self.batch = self.last_heatmap = self.last_overlay = None
        self.last_predictions, self._heatmaps = [], {}
        self.predictions.value = ""
        self._quiet = True
        try:
            self.class_picker.options = []
        finally:
            self._quiet = False
        self.picture.layout.visibility = "hidden"

    def show_class(self, class_index: int) -> None:
        """Show the heatmap of any class, also one outside the top k."""
        outputs = self.model.output_shape[-1]
        count = 2 if outputs == 1 else outputs  # a sigmoid unit scores two classes
        if not 0 <= class_index < count:
            self.show_error(f"Class {class_index} does not exist: this model scores classes 0 to {count - 1}.")
            return
        options = list(self.class_picker.options)
        if class_index not in [value for _, value in options]:
            names = self.class_names
            name = names[class_index] if names and class_index < len(names) else f"class {class_index}"
            options.append((name, class_index))
            self.class_picker.options = options
        self.class_picker.value = class_index

    def _on_upload(self, change) -> None:
        data = uploaded_bytes(change["new"])
        if data is not None:
            self.set_image(data)

    def _on_change(self, change) -> None:
        if not self._quiet:
            self.refresh()

    def refresh(self) -> None:
        if self.batch is None or self.class_picker.value is None:
            return
        index = self.class_picker.value
        try:
            if index not in self._heatmaps:
                self._heatmaps[index], _ = cam.gradcam_heatmap(self.grad_model, self.batch, index)
            heatmap = self._heatmaps[index]
            overlay = cam.overlay(self.picture_array, heatmap, self.opacity.value)
        except Exception as error:  # any failure is shown in the widget, which stays usable
            self.show_error(str(error))
            return
        self.last_heatmap, self.last_overlay = heatmap, overlay
        self.clear_error()
        self.picture.value = img.png_bytes(overlay)

