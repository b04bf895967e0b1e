"""Reading, checking and converting the pictures the reader gives a visualisation.

Every viewer accepts a numpy array (H, W, 3) or the bytes of an uploaded file and
turns it into a model input; what cannot be used raises :class:`ImageError` with
a message a reader can act on.
"""

from __future__ import annotations

import io

import numpy as np


class ImageError(ValueError):
    """The picture cannot be used with this model; the message says why."""


def single_input(model):
    """The model's one input tensor (a bare tensor, not a list: Keras warns about the mismatch)."""
    inputs = model.inputs
    if len(inputs) != 1:
        raise ImageError(f"{model.name} has {len(inputs)} inputs; image visualisations need a single image input.")
    return inputs[0]


def decode_image(data: bytes) -> np.ndarray:
    """Uploaded file bytes -> uint8 RGB array (any format PIL reads)."""
    from PIL import Image, UnidentifiedImageError

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageError(f"Expected the bytes of an image file, got {type(data).__name__}.")
    try:
        with Image.open(io.BytesIO(bytes(data))) as image:
            return np.asarray(image.convert("RGB"))
    except (UnidentifiedImageError, OSError):
        raise ImageError("Not a readable image file: upload a JPEG or PNG.") from None


def as_rgb_array(image) -> np.ndarray:
    """Accept bytes or an (H, W, 3) / (1, H, W, 3) / (H, W) array; return (H, W, 3) float32."""
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
    import tensorflow as tf

    return tf.image.resize(image, tuple(int(v) for v in size)).numpy()


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
