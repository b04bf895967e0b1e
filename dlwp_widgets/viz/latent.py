"""Latent spaces as pictures (chapter 8.4-8.5): decoded grids, the latent plane, GAN sample grids.

Pure functions over a Keras decoder/encoder and numpy arrays; the widgets
:class:`~dlwp_widgets.widgets.latent_explorer.LatentExplorer` and
:class:`~dlwp_widgets.widgets.gan_timeline.GANTimeline` are wired to them.

* :func:`decode_grid` decodes listing 8.30's 15x15 grid in ONE decoder call; the
  book ran ``decoder.predict`` once per cell (225 calls, each on a batch of 16
  copies of the same point): :func:`decode_grid_per_cell` keeps that path for
  the benchmark.
* :func:`decode_points` checks what it is given (finite numbers, the decoder's
  latent size) and raises :class:`LatentError` with a message a reader can act on.

No TensorFlow/Keras import at module level.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

from dlwp_widgets.plots import agg_png


class LatentError(ValueError):
    """The latent points or the model cannot be used; the message says why."""


# --------------------------------------------------------------------------- decoding


def latent_size(model, *, which: str = "input") -> int:
    """The size of a decoder's latent input (``which="input"``) as an int, or LatentError."""
    shape = tuple(model.inputs[0].shape) if which == "input" else None
    if shape is None or len(shape) != 2 or shape[1] is None:
        raise LatentError(f"{model.name} takes inputs of shape {shape}; a decoder takes flat latent vectors (batch, size).")
    return int(shape[1])


def gaussian_grid(n: int = 15, low: float = 0.05, high: float = 0.95) -> np.ndarray:
    """Listing 8.30's axis values: ``n`` evenly spaced quantiles of a standard normal."""
    from scipy.stats import norm

    return norm.ppf(np.linspace(low, high, n))


def grid_points(n: int = 15, low: float = 0.05, high: float = 0.95) -> np.ndarray:
    """The ``n * n`` latent points of listing 8.30 in the book's order: row ``i`` has ``y = grid[i]``,
    column ``j`` has ``x = grid[j]``, each point ``[x, y]``."""
    grid = gaussian_grid(n, low, high)
    xs, ys = np.meshgrid(grid, grid)
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype("float32")


def check_points(points, size: int) -> np.ndarray:
    """``points`` as a float32 (count, size) array of finite numbers, or LatentError."""
    try:
        points = np.asarray(points, dtype="float32")
    except (TypeError, ValueError):
        raise LatentError(f"Latent points must be numbers, got {type(points).__name__}.") from None
    if points.ndim == 1:
        points = points[None]
    if points.ndim != 2 or points.shape[1] != size:
        raise LatentError(f"The decoder takes {size}-dimensional latent points; got shape {points.shape}.")
    if not np.isfinite(points).all():
        raise LatentError("Latent coordinates must be finite numbers (got NaN or infinity).")
    return points


def decode_points(decoder, points) -> np.ndarray:
    """Decode latent ``points`` in one call; images (count, h, w) for one channel, else (count, h, w, c)."""
    from keras import ops

    points = check_points(points, latent_size(decoder))
    images = ops.convert_to_numpy(decoder(points, training=False))
    return images[..., 0] if images.shape[-1] == 1 else images


def mosaic(images: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """(rows * columns, h, w[, c]) images -> one (rows * h, columns * w[, c]) picture, row by row."""
    images = np.asarray(images)
    if len(images) != rows * columns:
        raise LatentError(f"{len(images)} images do not fill a {rows}x{columns} grid.")
    height, width = images.shape[1:3]
    tiles = images.reshape(rows, columns, height, width, *images.shape[3:])
    return np.swapaxes(tiles, 1, 2).reshape(rows * height, columns * width, *images.shape[3:])


def decode_grid(decoder, n: int = 15, low: float = 0.05, high: float = 0.95) -> np.ndarray:
    """Listing 8.30's figure, all ``n * n`` points decoded in one batch."""
    return mosaic(decode_points(decoder, grid_points(n, low, high)), n, n)


def decode_grid_per_cell(decoder, n: int = 15, batch_size: int = 16, low: float = 0.05, high: float = 0.95) -> np.ndarray:
    """The book's way: one ``decoder.predict`` per cell on ``batch_size`` copies of the point."""
    grid = gaussian_grid(n, low, high)
    digits = []
    for yi in grid:
        for xi in grid:
            z_sample = np.tile(np.array([[xi, yi]], dtype="float32"), (batch_size, 1))
            digits.append(decoder.predict(z_sample, batch_size=batch_size, verbose=0)[0])
    images = np.stack(digits)
    return mosaic(images[..., 0] if images.shape[-1] == 1 else images, n, n)


def encode_means(encoder, images, batch_size: int = 500, progress=None, should_stop=None) -> np.ndarray:
    """``z_mean`` of each image, in chunks; ``progress(done, total)`` after each, ``should_stop()`` before each."""
    from keras import ops

    images = np.asarray(images, dtype="float32")
    if images.ndim == 3:
        images = images[..., None]
    means = []
    for start in range(0, len(images), batch_size):
        if should_stop is not None and should_stop():
            break
        z_mean = encoder(images[start : start + batch_size], training=False)
        z_mean = z_mean[0] if isinstance(z_mean, (list, tuple)) else z_mean
        means.append(ops.convert_to_numpy(z_mean))
        if progress is not None:
            progress(min(start + batch_size, len(images)), len(images))
    return np.concatenate(means) if means else np.zeros((0, 2), "float32")


# --------------------------------------------------------------------------- pictures


def to_uint8(image: np.ndarray) -> np.ndarray:
    """A float image in [0, 1] (or uint8) -> uint8."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    return (np.clip(np.nan_to_num(image), 0.0, 1.0) * 255).round().astype(np.uint8)


def image_png(image: np.ndarray, scale: int = 4) -> bytes:
    """PNG bytes of a grey (h, w) or colour (h, w, 3) image, enlarged ``scale`` times without blurring."""
    from PIL import Image

    picture = Image.fromarray(to_uint8(image))
    if scale != 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def latent_plane_png(points: np.ndarray, labels: np.ndarray | None = None, marker: Sequence[float] | None = None, extent: float = 3.0) -> bytes:
    """The encoded digits in the 2-D latent plane, coloured by class, with the explorer's point as a cross."""
    from matplotlib.figure import Figure  # no pyplot: leaves the notebook's backend alone

    figure = Figure(figsize=(4.2, 3.8), dpi=80)
    axes = figure.subplots()
    if len(points):
        if labels is None:
            axes.scatter(points[:, 0], points[:, 1], s=4, alpha=0.6, color="tab:blue")
        else:
            colours = np.asarray(labels).ravel()
            scatter = axes.scatter(points[:, 0], points[:, 1], c=colours, cmap="tab10", s=4, alpha=0.6, vmin=-0.5, vmax=9.5)
            figure.colorbar(scatter, ax=axes, ticks=range(10), label="digit")
    if marker is not None:
        axes.plot([marker[0]], [marker[1]], marker="x", color="black", markersize=12, markeredgewidth=3)
    axes.set_xlim(-extent, extent)
    axes.set_ylim(-extent, extent)
    axes.set_xlabel("z[0]")
    axes.set_ylabel("z[1]")
    axes.set_title("latent plane (z_mean of the digits)", fontsize=9)
    figure.tight_layout()
    return agg_png(figure)


def loss_curves_png(d_losses: Sequence[float], g_losses: Sequence[float], upto: int, total: int | None = None) -> bytes:
    """The GAN's two losses for steps 1..``upto`` (x axis fixed to ``total`` steps so it does not jump)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.2, 2.6), dpi=80)
    axes = figure.subplots()
    steps = np.arange(1, upto + 1)
    axes.plot(steps, np.asarray(d_losses[:upto], dtype=float), label="discriminator", color="tab:blue", lw=1)
    axes.plot(steps, np.asarray(g_losses[:upto], dtype=float), label="generator (adversarial)", color="tab:orange", lw=1)
    axes.set_xlim(0, max(total or upto, 1))
    axes.set_xlabel("training step")
    axes.set_ylabel("loss")
    axes.legend(loc="upper right", fontsize=8, frameon=False)
    figure.tight_layout()
    return agg_png(figure)


def sample_grid(images: np.ndarray, columns: int | None = None) -> np.ndarray:
    """A batch of uint8 samples (count, h, w, c) as one picture, ``columns`` wide (square by default)."""
    images = np.asarray(images)
    count = len(images)
    if count == 0:
        raise LatentError("No samples to show.")
    columns = columns or int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    padded = np.zeros((rows * columns, *images.shape[1:]), dtype=images.dtype)
    padded[:count] = images
    return mosaic(padded, rows, columns)
