"""Live training curves: a Keras callback instead of thousands of log lines.

In JupyterLab, :class:`LiveCurves` redraws the loss/metric curves after every
epoch and keeps one progress line up to date.  Where nobody watches (papermill,
nbval, a terminal, or ``DLWP_STATIC_PLOTS=1``) it prints a single summary line
and shows one static figure at the end, so executed notebooks stay short.

This module imports Keras: import it only where training happens.
"""

from __future__ import annotations

import time

import keras

from dlwp_widgets.config import env_flag
from dlwp_widgets.plots import figure_png, plot_history

ENV_STATIC_PLOTS = "DLWP_STATIC_PLOTS"


def interactive_frontend() -> bool:
    """True inside a live Jupyter kernel, unless ``DLWP_STATIC_PLOTS`` asks for static output."""
    if env_flag(ENV_STATIC_PLOTS):
        return False
    return in_kernel()


def in_kernel() -> bool:
    """True when running inside a Jupyter kernel (JupyterLab, papermill, nbval)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def _display(obj, handle=None):
    """Show ``obj`` (or replace what ``handle`` shows); returns the display handle."""
    from IPython.display import display

    if handle is None:
        return display(obj, display_id=True)
    handle.update(obj)
    return handle


def format_logs(logs: dict) -> str:
    return " - ".join(f"{key} {value:.4f}" for key, value in logs.items())


class LiveCurves(keras.callbacks.Callback):
    """``model.fit(..., verbose=0, callbacks=[LiveCurves()])``: curves and one progress line.

    ``metrics`` are the training metrics to plot (default: all of them; the
    ``val_`` twin is drawn alongside).  After training, ``.history`` holds the
    per-epoch logs and ``.figure`` the last figure drawn.
    """

    def __init__(self, metrics=None, *, title=None, interactive=None):
        super().__init__()
        self.metrics = list(metrics) if metrics else None
        self.title = title
        self.interactive = interactive_frontend() if interactive is None else interactive
        self.history: dict[str, list[float]] = {}
        self.figure = None
        self._plot_handle = None
        self._text_handle = None

    def on_train_begin(self, logs=None):
        self.history = {}
        self._started = time.perf_counter()
        self._plot_handle = self._text_handle = None

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if not self.interactive:
            return
        total = self.params.get("epochs", "?")
        elapsed = time.perf_counter() - self._started
        line = f"epoch {epoch + 1}/{total} ({elapsed:.0f} s): {format_logs(logs or {})}"
        from IPython.display import Image, Pretty

        self._text_handle = _display(Pretty(line), self._text_handle)
        self._plot_handle = _display(Image(figure_png(self._draw())), self._plot_handle)

    def on_train_end(self, logs=None):
        if not self.history:
            return
        epochs = len(next(iter(self.history.values())))
        elapsed = time.perf_counter() - self._started
        last = {key: values[-1] for key, values in self.history.items()}
        summary = f"{epochs} epochs in {elapsed:.1f} s; last epoch: {format_logs(last)}"
        if "val_loss" in self.history:
            best = min(range(epochs), key=self.history["val_loss"].__getitem__)
            summary += f"; lowest val_loss at epoch {best + 1}"
        print(summary)
        if not self.interactive and in_kernel():
            from IPython.display import Image, display

            display(Image(figure_png(self._draw())))

    def _draw(self):
        from matplotlib.figure import Figure

        metrics = self.metrics or [key for key in self.history if not key.startswith("val_")]
        if self.figure is None:
            self.figure = Figure(figsize=(5.0 * len(metrics), 3.4))
        return plot_history(self.history, metrics, title=self.title, figure=self.figure)
