"""``AdversarialExplorer``: move ε, pick an attack and a target, watch a digit's prediction flip.

Wires an ε slider, an attack picker (FGSM / iterative BIM / PGD), a target picker
(untargeted or a class) and an image picker to :mod:`dlwp_widgets.limits.adversarial`,
and shows the original, the perturbation (amplified) and the adversarial image with the
model's prediction and confidence for each.  The attack runs in the background
(:meth:`RunsInBackground.run_latest`): a control answers at once, an iterative attack
shows its steps and can be stopped, and a move during an attack restarts it with the
newest values.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.limits import adversarial
from dlwp_widgets.plots import agg_png
from dlwp_widgets.widgets.common import RunsInBackground, ShowsErrors

LABEL_STYLE = {"description_width": "initial"}


class AttackChart:
    """Original | perturbation | adversarial image on one reused Figure, laid out once for ``shape``.

    A new Figure and tight layout per move cost most of a move; here :meth:`png`
    swaps the pixels, the perturbation's colour limits and the titles, then renders
    with one Agg draw and a fast PNG encoding.
    """

    def __init__(self, shape, *, dpi: int = 80):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure  # no pyplot: leaves the notebook's backend alone

        self.figure = Figure(figsize=(7.5, 2.8), dpi=dpi)
        FigureCanvasAgg(self.figure)
        axes = self.figure.subplots(1, 3)
        blank = np.zeros(shape, dtype=np.float32)
        self.original = axes[0].imshow(blank, cmap="gray", vmin=0, vmax=1)
        self.perturbation = axes[1].imshow(blank, cmap="seismic", vmin=-1, vmax=1)
        self.adversarial = axes[2].imshow(blank, cmap="gray", vmin=0, vmax=1)
        self.titles = [ax.set_title("adversarial: 8 (100%)", fontsize=10) for ax in axes]  # the widest, for the layout
        for ax in axes:
            ax.set_axis_off()
        self.figure.tight_layout()  # once: the layout does not depend on the image
        self.figure.set_layout_engine("none")

    def png(self, original, adversarial_image, before: tuple[int, float], after: tuple[int, float],
            epsilon: float) -> bytes:
        original, adversarial_image = np.squeeze(original), np.squeeze(adversarial_image)
        limit = max(epsilon, 1e-6)
        self.original.set_data(original)
        self.perturbation.set_data(adversarial_image - original)
        self.perturbation.set_clim(-limit, limit)
        self.adversarial.set_data(adversarial_image)
        self.titles[0].set_text(f"original: {before[0]} ({before[1]:.0%})")
        self.titles[1].set_text(f"perturbation (±{epsilon:g})")
        self.titles[2].set_text(f"adversarial: {after[0]} ({after[1]:.0%})")
        return agg_png(self.figure)


class AdversarialExplorer(RunsInBackground, ShowsErrors, widgets.VBox):
    """Attack one image of ``images`` (floats in [0, 1], labels ``labels``) of a trained classifier.

    Results for tests: ``last_adversarial`` (the attacked image), ``last_prediction``
    (class, confidence after the attack), ``last_original_prediction``, ``last_error``;
    ``wait()`` waits for a background attack (set ``background = False`` to attack in
    the caller's thread).
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
        self._chart: AttackChart | None = None

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
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="steps done", style=LABEL_STYLE)
        self.stop_button = widgets.Button(description="Stop", disabled=True, tooltip="stop the attack")
        self.stop_button.on_click(self.request_stop)
        self.picture = widgets.Image(format="png")
        for control in (self.epsilon, self.method, self.target, self.steps, self.index):
            control.observe(self._on_change, names="value")
        super().__init__([
            widgets.HBox([self.epsilon, self.method]),
            widgets.HBox([self.target, self.steps, self.index]),
            widgets.HBox([self.progress, self.stop_button]),
            self.error, self.status, self.picture,
        ])
        self.update()  # the first picture before the widget is shown

    def _on_change(self, change) -> None:
        self.run_latest(self.update)

    def update(self) -> None:
        """Attack the chosen image with the controls' values and show the result (in this thread)."""
        self.progress.value = 0
        try:
            with self.busy(None, self.stop_button):
                if len(self.images) == 0:
                    raise ValueError("no images to attack.")
                epsilon = adversarial.check_epsilon(self.epsilon.value)
                index = self.index.value
                image, label = self.images[index : index + 1], self.labels[index : index + 1]
                attacked = adversarial.attack(self.model, image, label, epsilon, method=self.method.value,
                                              target=self.target.value, steps=self.steps.value, classes=self.classes,
                                              should_stop=self.stop_requested, progress=self.show_progress)
                both = adversarial.predict(self.model, np.concatenate([image, attacked]))
                if not np.isfinite(both).all():
                    raise ValueError("the model returned NaN: is it trained?")
        except InterruptedError:
            if not self.rerun_waiting:
                self.status.value = "stopped: the last attack stays on show; move a control to attack again."
            return
        except Exception as error:  # shown in the widget, which stays usable
            self.show_error(str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}")
            self.status.value = ""
            self.picture.layout.display = "none"
            return
        self.clear_error()
        self.progress.value = self.progress.max
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
        if self._chart is None:
            self._chart = AttackChart(np.squeeze(image[0]).shape)
        self.picture.value = self._chart.png(image[0], attacked[0], before, after, epsilon)
