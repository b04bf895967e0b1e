"""``GANTimeline``: scrub through a GAN's training and see its samples and losses at each point.

A slider walks over the sample grids saved during training (the same latent
points every time, so each grid shows how the *same* frogs took shape); below,
the discriminator's and the generator's losses are plotted up to that step.
With the model and a source of real batches it can also train on: *Train more*
runs more steps (in the background, with a progress bar; *Stop* ends the run
after the current step) and the new snapshots join the timeline.

``timeline`` is a :class:`~dlwp_widgets.models.generative.Timeline` (as kept by
the :class:`~dlwp_widgets.models.generative.GANSnapshots` callback) or anything
with its ``steps``, ``samples``, ``d_losses`` and ``g_losses`` lists.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.viz import latent
from dlwp_widgets.widgets.common import RunsInBackground, ShowsErrors


class GANTimeline(RunsInBackground, ShowsErrors, widgets.VBox):
    """A slider over saved GAN sample grids, with the two losses up to the chosen step.

    Optional ``gan`` (a :class:`~dlwp_widgets.models.generative.GAN`),
    ``next_batch`` (a function returning a batch of real images in [-1, 1]) and
    ``latent_points`` (the fixed points sampled at each snapshot) enable *Train
    more*: ``steps_per_run`` steps, a snapshot every ``every`` steps.
    ``background=False`` trains in the caller's thread (tests).
    For tests: ``last_step``, ``last_grid`` (the picture shown), ``last_error``.
    """

    def __init__(self, timeline, *, gan=None, next_batch=None, latent_points=None, steps_per_run: int = 100,
                 every: int = 20, background: bool = True, scale: int = 3):
        self.timeline = timeline
        self.gan, self.next_batch, self.latent_points = gan, next_batch, latent_points
        self.steps_per_run, self.every, self.background, self.scale = int(steps_per_run), int(every), background, int(scale)
        self.last_step: int | None = None
        self.last_grid: np.ndarray | None = None
        self.last_run_steps = 0

        self.snapshot = widgets.IntSlider(value=0, min=0, max=0, description="snapshot", continuous_update=True)
        self.step_label = widgets.HTML()
        self.samples = widgets.Image(format="png")
        self.losses = widgets.Image(format="png")
        self.error = widgets.HTML()
        self.train = widgets.Button(description="Train more", icon="play", tooltip=f"train {self.steps_per_run} more steps")
        self.stop = widgets.Button(description="Stop", icon="stop", disabled=True)
        self.progress = widgets.IntProgress(value=0, min=0, max=max(1, self.steps_per_run), description="training")
        self.snapshot.observe(self._on_change, names="value")
        self.train.on_click(self._on_train)
        self.stop.on_click(self.request_stop)
        trainable = gan is not None and next_batch is not None and latent_points is not None
        controls = [self.train, self.stop, self.progress] if trainable else []
        super().__init__(
            [widgets.HBox([self.snapshot, self.step_label]), self.error, widgets.HBox([self.samples, self.losses]), widgets.HBox(controls)]
        )
        self._refresh_slider(to_last=True)
        self.update()

    # ------------------------------------------------------------------ navigation

    def _count(self) -> int:
        return len(getattr(self.timeline, "steps", None) or [])

    def _refresh_slider(self, to_last: bool = False) -> None:
        count = self._count()
        with self.snapshot.hold_trait_notifications():
            self.snapshot.max = max(0, count - 1)
            if to_last:
                self.snapshot.value = self.snapshot.max

    def _on_change(self, change) -> None:
        self.update()

    def show_step(self, step: int) -> None:
        """Show the snapshot taken at training step ``step`` (an error if none was saved there)."""
        try:
            steps = list(self.timeline.steps)
            if not steps:
                raise ValueError("The timeline is empty: no sample grid was saved (train first).")
            if step not in steps:
                raise ValueError(
                    f"No snapshot at step {step}: snapshots were saved at steps {steps[0]} to {steps[-1]} "
                    f"({', '.join(map(str, steps[:8]))}{', ...' if len(steps) > 8 else ''})."
                )
        except Exception as error:
            self.show_error(str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}")
            return
        index = steps.index(step)
        if self.snapshot.value == index:
            self.update()
        else:
            self.snapshot.value = index

    def update(self) -> None:
        """Draw the chosen snapshot; problems are shown in the widget, never raised."""
        try:
            count = self._count()
            if count == 0:
                raise ValueError("The timeline is empty: no sample grid was saved (train first).")
            index = self.snapshot.value
            if not 0 <= index < count:
                raise ValueError(f"Snapshot {index} does not exist: there are {count} (0 to {count - 1}).")
            step = int(self.timeline.steps[index])
            grid = latent.sample_grid(self.timeline.samples[index])
            recorded = min(len(self.timeline.d_losses), len(self.timeline.g_losses))
            upto = min(step, recorded)
            total = max(int(self.timeline.steps[-1]), recorded)
        except Exception as error:  # shown in the widget, which stays usable
            self.show_error(str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}")
            self.samples.layout.visibility = self.losses.layout.visibility = "hidden"
            self.step_label.value = ""
            return
        self.clear_error()
        self.samples.layout.visibility = self.losses.layout.visibility = None
        self.last_step, self.last_grid = step, grid
        d_now = self.timeline.d_losses[upto - 1] if upto else float("nan")
        g_now = self.timeline.g_losses[upto - 1] if upto else float("nan")
        self.step_label.value = f"step {step:,} &nbsp; discriminator loss {d_now:.3f} &nbsp; generator loss {g_now:.3f}"
        self.samples.value = latent.image_png(grid, self.scale)
        self.losses.value = latent.loss_curves_png(self.timeline.d_losses, self.timeline.g_losses, upto, total)

    # ------------------------------------------------------------------ training

    def _on_train(self, button) -> None:
        self.train_more()

    def train_more(self, steps: int | None = None) -> None:
        """Train ``steps`` more (default ``steps_per_run``); in a background thread unless ``background=False``."""
        if self.running:
            self.show_error("Training is already running: press Stop first.")
            return
        if self.gan is None or self.next_batch is None or self.latent_points is None:
            self.show_error("This timeline has no model to train (pass gan=, next_batch= and latent_points=).")
            return
        steps = self.steps_per_run if steps is None else steps
        if not isinstance(steps, (int, np.integer)) or steps < 1:
            self.show_error(f"The number of steps must be a whole number of at least 1; got {steps!r}.")
            return
        self.progress.max, self.progress.value = steps, 0
        self.train.disabled, self.stop.disabled = True, False  # at once, not when the thread starts
        self.run_work(self._run, steps)

    def _run(self, steps: int) -> None:
        from dlwp_widgets.models.generative import train_steps

        try:
            with self.busy(self.train, self.stop):
                self.last_run_steps = train_steps(
                    self.gan, self.next_batch, steps, self.timeline, self.latent_points, every=self.every,
                    should_stop=self.stop_requested, progress=self.show_progress,
                )
        except Exception as error:  # shown in the widget, which stays usable
            self.show_error(f"Training stopped: {type(error).__name__}: {error}")
        else:
            self.clear_error()
            self._refresh_slider(to_last=True)
            self.update()
