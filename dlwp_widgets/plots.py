"""Training-history plots and curve smoothing (pure matplotlib, no Keras).

``plot_history`` draws what the book's figures show (training values as dots,
validation values as a line, one panel per metric); ``plot_curves`` overlays
several runs; ``smooth_curve`` is the exponential moving average the book uses
to read noisy validation curves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def history_dict(history) -> dict[str, list[float]]:
    """The per-epoch logs of a Keras ``History`` (or an equivalent dict), as lists."""
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(f"expected a Keras History or a dict of per-epoch lists, got {type(history).__name__}")
    return {key: [float(v) for v in values] for key, values in logs.items()}


def smooth_curve(points: Sequence[float], factor: float = 0.8) -> list[float]:
    """Exponential moving average: each point becomes ``previous * factor + point * (1 - factor)``."""
    if not 0 <= factor < 1:
        raise ValueError(f"the smoothing factor must be in [0, 1), got {factor}.")
    smoothed: list[float] = []
    for point in points:
        smoothed.append(float(point) if not smoothed else smoothed[-1] * factor + float(point) * (1 - factor))
    return smoothed


def _label(metric: str) -> str:
    return metric.replace("_", " ").capitalize()


def _new_figure(panels: int, figure=None):
    if figure is None:
        import matplotlib.pyplot as plt

        figure = plt.figure(figsize=(5.5 * panels, 3.8))
    figure.clear()
    return figure, figure.subplots(1, panels, squeeze=False)[0]


def plot_history(history, metrics: Sequence[str] | None = None, *, smoothing: float | None = None,
                 skip: int = 0, title: str | None = None, figure=None):
    """One panel per metric: training as dots, validation (``val_<metric>``) as a line.

    ``metrics`` defaults to every training metric in the history; ``skip`` drops
    the first epochs (their large values squash the rest); ``smoothing`` applies
    :func:`smooth_curve`.  Returns the matplotlib figure (a new pyplot figure
    unless ``figure`` is given).
    """
    logs = history_dict(history)
    metrics = list(metrics) if metrics else [key for key in logs if not key.startswith("val_")]
    missing = [m for m in metrics if m not in logs and f"val_{m}" not in logs]
    if missing:
        raise KeyError(f"no {', '.join(missing)} in the history; it has {', '.join(logs)}.")
    figure, axes = _new_figure(len(metrics), figure)
    for ax, metric in zip(axes, metrics):
        for key, style, name in ((metric, "bo", "Training"), (f"val_{metric}", "b-", "Validation")):
            if key not in logs:
                continue
            values = logs[key]
            if smoothing:
                values = smooth_curve(values, smoothing)
            epochs = np.arange(1, len(values) + 1)[skip:]
            ax.plot(epochs, values[skip:], style, markersize=4, label=f"{name} {_label(metric).lower()}")
        ax.set_xlabel("Epochs")
        ax.set_ylabel(_label(metric))
        ax.set_title(f"Training and validation {_label(metric).lower()}")
        ax.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_curves(curves: Mapping[str, Sequence[float]], *, ylabel: str = "Validation loss",
                smoothing: float | None = None, skip: int = 0, title: str | None = None, figure=None,
                tight_layout: bool = True, axes=None):
    """Overlay per-epoch curves of several runs (e.g. the validation loss of model variants).

    A widget that redraws often passes ``axes`` (the plot from a previous call:
    its lines are replaced, the axes and their ticks kept) and
    ``tight_layout=False`` (it lays out once: the layout costs more than the plot).
    """
    if not curves:
        raise ValueError("no curves to plot.")
    if axes is not None:
        ax, figure = axes, axes.figure
        for line in list(ax.lines):
            line.remove()
        ax.set_prop_cycle(None)  # the same colours as on a new plot
    else:
        figure, (ax,) = _new_figure(1, figure)
    markers = "o+x^sdv*"
    for index, (name, values) in enumerate(curves.items()):
        values = smooth_curve(values, smoothing) if smoothing else [float(v) for v in values]
        epochs = np.arange(1, len(values) + 1)[skip:]
        ax.plot(epochs, values[skip:], marker=markers[index % len(markers)], markersize=4, label=name)
    ax.set_xlabel("Epochs")
    ax.set_ylabel(ylabel)
    if title or axes is not None:
        ax.set_title(title or "")
    if axes is not None:
        ax.relim()
        ax.autoscale_view()
    ax.legend()
    if tight_layout:
        figure.tight_layout()
    return figure


def figure_png(figure) -> bytes:
    """The figure rendered as PNG bytes (for ``IPython.display.Image`` and widgets)."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def agg_png(figure, *, draw: bool = True) -> bytes:
    """The figure as PNG bytes from one Agg draw and a fast PNG encoding, for widgets redrawing on every move.

    ``savefig`` draws twice when a layout engine is set and compresses at zlib's
    default level; a reused figure laid out once needs neither.  ``draw=False``
    encodes the canvas as it is (after blitting).
    """
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    if draw:
        canvas.draw()
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()
