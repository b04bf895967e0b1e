"""``LatentExplorer``: walk the VAE's 2-D latent plane and watch the decoded digit change.

Two sliders pick a latent point ``(z[0], z[1])``; the decoder turns it into a
digit at once (one small decoder call, a few milliseconds, so the sliders
update while they move).  Beside it: listing 8.30's grid of decoded points
(decoded once, in one batch, with the current point framed) and, when an
encoder and some digits are given, the digits' encodings in the latent plane
coloured by class, with the current point as a cross.  Encoding the digits is
the long part: it runs in the background, in chunks, with a progress bar and a
Stop button (the plane then shows the digits encoded so far); the sliders work
meanwhile.

Everything is computed by :mod:`dlwp_widgets.viz.latent`.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.viz import latent
from dlwp_widgets.widgets.common import RunsInBackground, ShowsErrors

LATENT_DIM = 2


class LatentExplorer(RunsInBackground, ShowsErrors, widgets.VBox):
    """Decode the latent point under two sliders; a grid view and the latent plane beside it.

    ``decoder``: a Keras model from 2-D latent points to images in [0, 1].
    ``encoder`` (optional) with ``images`` and ``labels``: plot those images'
    ``z_mean`` in the plane.  ``extent``: the sliders' range (standard
    deviations of the prior).  ``grid_size``: the grid view's cells per side.
    ``background=False`` encodes in the caller's thread; :meth:`wait` waits for it.
    For tests: ``last_image`` (the decoded digit), ``last_point``,
    ``last_grid``, ``encoded`` (the plane's points), ``last_error``.
    """

    def __init__(self, decoder, *, encoder=None, images=None, labels=None, extent: float = 3.0, grid_size: int = 15,
                 scale: int = 6, background: bool = True):
        self.decoder = decoder
        self.encoder = encoder
        self.images = images
        self.labels = None if labels is None else np.asarray(labels).ravel()
        self.extent = float(extent)
        self.grid_size = int(grid_size)
        self.scale = int(scale)
        self.last_image: np.ndarray | None = None
        self.last_point: tuple[float, float] | None = None
        self.last_grid: np.ndarray | None = None
        self.encoded: np.ndarray | None = None
        self.background = background
        try:
            if self.labels is not None and images is not None and len(self.labels) != len(images):
                raise latent.LatentError(
                    f"{len(self.labels):,} labels for {len(images):,} images: give one label per image (or none)."
                )
            size = latent.latent_size(decoder)
            if size != LATENT_DIM:
                raise latent.LatentError(
                    f"The explorer needs a decoder with a {LATENT_DIM}-D latent space (two sliders); "
                    f"{decoder.name} takes {size}-D points."
                )
            self._setup_error = None
        except Exception as error:
            self._setup_error = str(error)

        slider = dict(min=-self.extent, max=self.extent, step=0.05, readout_format=".2f", continuous_update=True)
        self.z0 = widgets.FloatSlider(value=0.0, description="z[0]", **slider)
        self.z1 = widgets.FloatSlider(value=0.0, description="z[1]", **slider)
        self.view = widgets.ToggleButtons(options=["digit", "grid"], value="digit", description="view")
        self.digit = widgets.Image(format="png")
        self.grid = widgets.Image(format="png")
        self.plane = widgets.Image(format="png")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="encoding")
        self.stop = widgets.Button(description="Stop", icon="stop", tooltip="stop encoding (the plane shows what is done)")
        self.error = widgets.HTML()
        self.status = widgets.HTML()
        for control in (self.z0, self.z1):
            control.observe(self._on_change, names="value")
        self.view.observe(self._on_view, names="value")
        self.stop.on_click(self.request_stop)
        self.grid.layout.display = self.plane.layout.display = "none"
        encoding = [self.progress, self.stop] if encoder is not None and images is not None else []
        super().__init__(
            [
                widgets.HBox([widgets.VBox([self.z0, self.z1]), self.view]),
                self.error,
                widgets.HBox([self.digit, self.grid, self.plane]),
                widgets.HBox([*encoding, self.status]),
            ]
        )
        self.update()
        if encoding and self._setup_error is None:
            self.run_work(self._encode_and_draw)

    # ------------------------------------------------------------------ events

    def _on_change(self, change) -> None:
        self.update()

    def _on_view(self, change) -> None:
        self.update()

    def show_point(self, z0: float, z1: float) -> None:
        """Move the sliders to ``(z0, z1)`` (values outside the range are clamped by the sliders)."""
        with self.hold_trait_notifications():
            self.z0.value, self.z1.value = z0, z1
        self.update()

    # ------------------------------------------------------------------ work

    def _encode_and_draw(self) -> None:
        try:
            self.encode()
        except Exception as error:  # shown in the widget, which stays usable
            self.show_error(f"Encoding the digits failed: {type(error).__name__}: {error}")
            return
        self.update()

    def encode(self) -> np.ndarray | None:
        """Encode the given images (chunks, progress, Stop) for the latent plane."""
        if self.encoder is None or self.images is None:
            return None
        self._stop_requested = False
        self.progress.max = max(1, len(self.images))
        with self.busy(None, self.stop):
            self.encoded = latent.encode_means(
                self.encoder, self.images, progress=self.show_progress, should_stop=self.stop_requested
            )
        done = len(self.encoded)
        self.status.value = f"{done:,} of {len(self.images):,} digits encoded" + (" (stopped)" if done < len(self.images) else "")
        return self.encoded

    def update(self) -> None:
        """Decode the sliders' point and redraw; problems are shown in the widget, never raised."""
        try:
            if self._setup_error:
                raise latent.LatentError(self._setup_error)
            point = (float(self.z0.value), float(self.z1.value))
            if not all(math.isfinite(value) for value in point):
                raise latent.LatentError(f"Latent coordinates must be finite numbers; got z = {point}.")
            image = latent.decode_points(self.decoder, [point])[0]
            if not np.isfinite(image).all():
                raise latent.LatentError(
                    f"The decoder returned values that are not finite (nan or inf) at z = {point}: the model "
                    "diverged or is not trained; there is no picture to show."
                )
            if self.view.value == "grid" and self.last_grid is None:
                grid = latent.decode_grid(self.decoder, self.grid_size, 0.05, 0.95)
                if not np.isfinite(grid).all():
                    raise latent.LatentError("The decoder returned values that are not finite (nan or inf) in the grid.")
                self.last_grid = grid
            encoded = self.encoded
            plane = None
            if encoded is not None:
                labels = None if self.labels is None else self.labels[: len(encoded)]
                plane = latent.latent_plane_png(encoded, labels, marker=point, extent=self.extent)
        except Exception as error:  # shown in the widget, which stays usable
            self.show_error(str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}")
            for picture in (self.digit, self.grid, self.plane):
                picture.layout.visibility = "hidden"  # no stale digit under the message
            return
        self.clear_error()
        self.last_point, self.last_image = point, image
        self.digit.layout.visibility = self.grid.layout.visibility = self.plane.layout.visibility = None
        self.digit.value = latent.image_png(image, self.scale)
        self.grid.layout.display = None if self.view.value == "grid" else "none"
        if self.view.value == "grid":
            self.grid.value = latent.image_png(self._framed_grid(point), 1)
        if plane is not None:
            self.plane.value = plane
            self.plane.layout.display = None

    def _framed_grid(self, point) -> np.ndarray:
        """The grid picture with the cell nearest to ``point`` framed."""
        grid = latent.to_uint8(self.last_grid).copy()
        axis = latent.gaussian_grid(self.grid_size)
        column = int(np.abs(axis - point[0]).argmin())
        row = int(np.abs(axis - point[1]).argmin())
        size = grid.shape[0] // self.grid_size
        top, left = row * size, column * size
        grid[top, left : left + size] = grid[top + size - 1, left : left + size] = 255
        grid[top : top + size, left] = grid[top : top + size, left + size - 1] = 255
        return grid
