"""``AdversarialExplorer``: move ε, pick an attack and a target, watch a digit's prediction flip.

Wires an ε slider, an attack picker (FGSM / iterative BIM / PGD), a target picker
(untargeted or a class) and an image picker to :mod:`dlwp_widgets.limits.adversarial`,
and shows the original, the perturbation (amplified) and the adversarial image with the
model's prediction and confidence for each.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.limits import adversarial
from dlwp_widgets.widgets.common import ShowsErrors

LABEL_STYLE = {"description_width": "initial"}


def triptych(original, adversarial_image, before: tuple[int, float], after: tuple[int, float], epsilon: float) -> bytes:
    """PNG bytes: original | perturbation | adversarial image, with predictions in the titles."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, 2.8), dpi=80)
    axes = figure.subplots(1, 3)
    perturbation = adversarial_image - original
    limit = max(epsilon, 1e-6)
    axes[0].imshow(original.squeeze(), cmap="gray", vmin=0, vmax=1)
    axes[0].set_title(f"original: {before[0]} ({before[1]:.0%})", fontsize=10)
    axes[1].imshow(perturbation.squeeze(), cmap="seismic", vmin=-limit, vmax=limit)
    axes[1].set_title(f"perturbation (±{epsilon:g})", fontsize=10)
    axes[2].imshow(adversarial_image.squeeze(), cmap="gray", vmin=0, vmax=1)
    axes[2].set_title(f"adversarial: {after[0]} ({after[1]:.0%})", fontsize=10)
    for ax in axes:
        ax.set_axis_off()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


class AdversarialExplorer(ShowsErrors, widgets.VBox):
    """Attack one image of ``images`` (floats in [0, 1], labels ``labels``) of a trained classifier.

    Results for tests: ``last_adversarial`` (the attacked image), ``last_prediction``
    (class, confidence after the attack), ``last_original_prediction``, ``last_error``.
    """

    def __init__(self, model, images, labels, *, epsilon: float = 0.1, method: str = "fgsm", steps: int = 10,
                 classes: int = 10):
        self.model = model
        self.images = np.asarray(images, dtype=np.float32)
        self.labels = np.asarray(labels).astype(np.int64).ravel()
        self.classes = classes
        self.last_adversarial: np.ndarray | None = None
        self.last_prediction: tuple[int, float] | None = None
        self.last_original_prediction: tuple[int, float] | None = None

        self.epsilon = widgets.FloatSlider(value=epsilon, min=0.0, max=0.5, step=0.01, description="ε",
                                           continuous_update=False, readout_format=".2f")
        self.method = widgets.Dropdown(options=[("FGSM (one step)", "fgsm"), ("iterative (BIM)", "iterative"),
                                                ("PGD (random start)", "pgd")], value=method, description="attack")
        self.target = widgets.Dropdown(options=[("none (any wrong class)", None)] + [(str(c), c) for c in range(classes)],
                                       value=None, description="target", style=LABEL_STYLE)
        self.steps = widgets.IntSlider(value=steps, min=1, max=50, description="steps", continuous_update=False)
        self.index = widgets.IntSlider(value=0, min=0, max=max(len(self.images) - 1, 0), description="image",
                                       continuous_update=False)
        self.error = widgets.HTML()
        self.status = widgets.HTML()
        self.picture = widgets.Image(format="png")
        for control in (self.epsilon, self.method, self.target, self.steps, self.index):
            control.observe(self._on_change, names="value")
        super().__init__([
            widgets.HBox([self.epsilon, self.method]),
            widgets.HBox([self.target, self.steps, self.index]),
            self.error, self.status, self.picture,
        ])
        self.update()

    def _on_change(self, change) -> None:
        self.update()

    def update(self) -> None:
        try:
            if len(self.images) == 0:
                raise ValueError("no images to attack.")
            epsilon = adversarial.check_epsilon(self.epsilon.value)
            index = self.index.value
            image, label = self.images[index : index + 1], self.labels[index : index + 1]
            attacked = adversarial.attack(self.model, image, label, epsilon, method=self.method.value,
                                          target=self.target.value, steps=self.steps.value, classes=self.classes)
            both = adversarial.predict(self.model, np.concatenate([image, attacked]))
            if not np.isfinite(both).all():
                raise ValueError("the model returned NaN: is it trained?")
        except Exception as error:  # shown in the widget, which stays usable
            self.show_error(str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}")
            self.status.value = ""
            self.picture.layout.display = "none"
            return
        self.clear_error()
        self.picture.layout.display = None
        before = (int(both[0].argmax()), float(both[0].max()))
        after = (int(both[1].argmax()), float(both[1].max()))
        self.last_adversarial = attacked[0]
        self.last_original_prediction, self.last_prediction = before, after
        change = float(np.abs(attacked[0] - image[0]).max())
        verdict = "flipped" if after[0] != before[0] else "unchanged"
        if self.target.value is not None:
            verdict += f"; target {self.target.value} {'reached' if after[0] == self.target.value else 'not reached'}"
        self.status.value = f"true class {label[0]} · prediction {before[0]} → {after[0]} ({verdict}) · largest pixel change {change:.3f}"
        self.picture.value = triptych(image[0], attacked[0], before, after, epsilon)
