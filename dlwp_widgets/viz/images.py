"""Reading, checking and converting the pictures the reader gives a visualisation.

Every viewer accepts a numpy array (H, W, 3) or the bytes of an uploaded file and
turns it into a model input; what cannot be used raises :class:`ImageError` with
a message a reader can act on.

Limits (a small upload must not take the kernel down):

* ``MAX_UPLOAD_BYTES`` (50 MB): larger files are refused before reading them;
* ``MAX_IMAGE_PIXELS`` (40 megapixels): checked from the file's header, before
  anything is decoded (a 140 KB PNG can declare 12000x12000 pixels);
* ``WORKING_SIDE`` (1024 pixels): anything larger is scaled down by PIL while
  decoding (JPEG draft mode) or right after, and big arrays likewise, before any
  float copy is made.  Models take at most a few hundred pixels a side.

16-bit pictures (PNG ``I;16``, 32-bit ``I``, float ``F``) are rescaled to 0..255
instead of saturated; transparent pixels are composited over white.
"""

from __future__ import annotations

import io
import warnings

import numpy as np

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
WORKING_SIDE = 1024


class ImageError(ValueError):
    """The picture cannot be used with this model; the message says why."""


def single_input(model):
    """The model's one input tensor (a bare tensor, not a list: Keras warns about the mismatch)."""
    inputs = model.inputs
    if len(inputs) != 1:
        raise ImageError(f"{model.name} has {len(inputs)} inputs; image visualisations need a single image input.")
    return inputs[0]


def _to_rgb(image) -> np.ndarray:
    """A decoded PIL image of any mode -> uint8 RGB, high-bit-depth modes rescaled, alpha over white."""
    from PIL import Image

    mode = image.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        values = np.asarray(image, dtype=np.float32)
        if mode == "F":
            top = 1.0 if values.size and float(np.nanmax(values)) <= 1.0 else 255.0
        else:  # 16-bit samples (I;16), or 32-bit integers that usually hold 16-bit data
            top = 65535.0 if mode.startswith("I;16") or (values.size and values.max() > 255) else 255.0
        grey = np.clip(np.nan_to_num(values) * (255.0 / top), 0, 255).round().astype(np.uint8)
        return np.repeat(grey[..., None], 3, axis=-1)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
    return np.asarray(image.convert("RGB"))


def decode_image(data: bytes, *, max_side: int = WORKING_SIDE) -> np.ndarray:
    """Uploaded file bytes -> uint8 RGB array (any format PIL reads), at most ``max_side`` a side.

    The pixel count is checked from the header before decoding; JPEGs are
    decoded at a reduced scale when they are large (draft mode), other formats
    are scaled down right after decoding, before any float copy.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError(f"Expected the bytes of an image file, got {type(data).__name__}.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(
            f"The file is {len(data) / 2**20:.0f} MB; the largest accepted is {MAX_UPLOAD_BYTES // 2**20} MB."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own, lower cap applies
            with Image.open(io.BytesIO(bytes(data))) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ImageError(_too_many_pixels(width, height))
                if max(width, height) > max_side:
                    image.draft("RGB", (max_side, max_side))  # JPEG: decode at 1/2, 1/4 or 1/8 scale
                image.load()
                image = ImageOps.exif_transpose(image) or image
                if max(image.size) > max_side:
                    image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
                return _to_rgb(image)
    except Image.DecompressionBombError:
        raise ImageError(_too_many_pixels(None, None)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, ImageError):
            raise
        raise ImageError("Not a readable image file: upload a JPEG or PNG.") from None


def _too_many_pixels(width, height) -> str:
    size = f" is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels)" if width else " is too large"
    return (
        f"The image{size}; the largest accepted is {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels. "
        "Scale it down (the models look at a few hundred pixels a side) and upload it again."
    )


def _shrink_array(image: np.ndarray, max_side: int) -> np.ndarray:
    """Scale an (H, W[, C]) array down to at most ``max_side`` a side, before any float copy."""
    height, width = image.shape[:2]
    if max(height, width) <= max_side:
        return image
    if image.dtype == np.uint8 and (image.ndim == 2 or image.shape[-1] in (1, 3)):
        from PIL import Image

        picture = Image.fromarray(image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image)
        picture.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
        shrunk = np.asarray(picture)
        return shrunk[..., None] if image.ndim == 3 and image.shape[-1] == 1 else shrunk
    step = -(-max(height, width) // max_side)  # other dtypes: plain subsampling (a view, no copy)
    return image[::step, ::step]


def as_rgb_array(image, *, max_side: int = WORKING_SIDE) -> np.ndarray:
    """Accept bytes or an (H, W, 3) / (1, H, W, 3) / (H, W) array; return (H, W, 3) float32.

    Pictures larger than ``max_side`` a side are scaled down first (see the module's limits).
    """
    if isinstance(image, (bytes, bytearray, memoryview)):
        image = decode_image(image)
    if not isinstance(image, np.ndarray):
        try:
            image = np.asarray(image)
        except Exception:  # arbitrary objects
            raise ImageError(f"Expected an image array or file bytes, got {type(image).__name__}.") from None
    if image.dtype == object or not np.issubdtype(image.dtype, np.number):
        raise ImageError(f"Expected a numeric image array, got dtype {image.dtype}.")
    if image.ndim == 4 and image.shape[0] == 1:
        image = image[0]
    if image.ndim in (2, 3):
        image = _shrink_array(image, max_side)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    if image.ndim != 3 or image.shape[-1] not in (1, 3):
        raise ImageError(
            f"Expected an image of shape (height, width, 3), got {image.shape}."
        )
    if image.shape[-1] == 1:
        image = np.repeat(image, 3, axis=-1)
    if min(image.shape[:2]) < 8:
        raise ImageError(f"The image is too small ({image.shape[0]}x{image.shape[1]} pixels).")
    if not np.all(np.isfinite(image)):
        raise ImageError("The image contains NaN or infinite values.")
    return image.astype(np.float32)


def resize(image: np.ndarray, size) -> np.ndarray:
    """Bilinear resize of an (H, W, C) float array to ``size=(height, width)``."""
    from keras import ops

    resized = ops.image.resize(np.asarray(image, np.float32), tuple(int(v) for v in size), interpolation="bilinear")
    return ops.convert_to_numpy(resized)


def model_input(image, model, *, scale: float = 1.0 / 255, preprocess=None) -> np.ndarray:
    """A (1, H, W, C) batch for ``model``: resized to its input size (grey if C is 1), then scaled.

    ``image`` is in 0..255 (uploads, ``keras.utils.load_img``).  ``preprocess``
    (e.g. ``keras.applications.vgg16.preprocess_input``) replaces the plain
    ``scale`` multiplication when given.
    """
    array = as_rgb_array(image)
    shape = model.input_shape
    if isinstance(shape, list):
        raise ImageError(f"{model.name} has several inputs; an image viewer needs a single image input.")
    if len(shape) != 4:
        raise ImageError(f"{model.name} takes inputs of shape {shape}, not images (batch, height, width, channels).")
    height, width, channels = shape[1:]
    if channels not in (None, 1, 3):
        raise ImageError(f"{model.name} expects {channels}-channel images; viewers feed RGB or grey pictures.")
    if height is not None and width is not None and array.shape[:2] != (height, width):
        array = resize(array, (height, width))
    if channels == 1:  # grey-level models (MNIST): average the colour channels
        array = array.mean(axis=-1, keepdims=True)
    batch = array[None]
    return preprocess(batch.copy()) if preprocess is not None else batch * np.float32(scale)


def png_bytes(image: np.ndarray, *, colormap: str | None = None) -> bytes:
    """Encode a uint8 (H, W) or (H, W, 3) array as PNG (2-D arrays through ``colormap``)."""
    from PIL import Image

    image = np.asarray(image)
    if image.ndim == 2 and colormap:
        from matplotlib import colormaps

        image = (colormaps[colormap](image.astype(np.float32) / 255.0)[..., :3] * 255).round().astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(image.astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()
