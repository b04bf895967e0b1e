"""Real photographs and textures that ship inside scikit-image, by name.

Chapter 8's DeepDream and style-transfer listings point at pictures the book
does not supply.  These need no download (they are files inside the installed
``skimage`` package), so every notebook runs offline on real pictures; a reader
can always pass a path, an array or an upload of their own instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sample:
    name: str  # the skimage.data function
    kind: str  # "photo" or "texture"
    description: str


SAMPLES = {
    sample.name: sample
    for sample in (
        Sample("astronaut", "photo", "portrait of astronaut Eileen Collins (NASA, public domain), 512x512 colour"),
        Sample("chelsea", "photo", "Chelsea the cat, 300x451 colour"),
        Sample("coffee", "photo", "a cup of coffee on a saucer, 400x600 colour"),
        Sample("rocket", "photo", "a SpaceX Falcon 9 on its launch pad, 427x640 colour"),
        Sample("brick", "texture", "a brick wall, 512x512 grey-level texture"),
        Sample("grass", "texture", "blades of grass, 512x512 grey-level texture"),
        Sample("gravel", "texture", "gravel, 512x512 grey-level texture"),
    )
}


def names(kind: str | None = None) -> list[str]:
    """The sample names, optionally only ``"photo"`` or ``"texture"``."""
    return [name for name, sample in SAMPLES.items() if kind is None or sample.kind == kind]


def describe(name: str) -> str:
    sample = _sample(name)
    return f"{name}: {sample.description} (scikit-image sample {sample.kind})"


def _sample(name: str) -> Sample:
    if name not in SAMPLES:
        raise KeyError(f"Unknown sample picture {name!r}; choose one of {', '.join(SAMPLES)}.")
    return SAMPLES[name]


def load(name: str, *, max_side: int | None = None) -> np.ndarray:
    """``name``'s picture as float32 (H, W, 3) in 0..255 (grey textures repeated over 3 channels).

    ``max_side`` shrinks it (aspect ratio kept) so that its longest side is at
    most that many pixels.
    """
    import skimage.data

    _sample(name)
    image = np.asarray(getattr(skimage.data, name)())
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    image = image[..., :3].astype(np.float32)
    if max_side is not None and max(image.shape[:2]) > max_side:
        image = shrink_to(image, max_side)
    return image


def shrink_to(image: np.ndarray, max_side: int) -> np.ndarray:
    """``image`` (H, W, C) resized (area-averaging, aspect ratio kept) so its longest side is ``max_side``."""
    from PIL import Image

    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    channels = [
        np.asarray(Image.fromarray(np.ascontiguousarray(image[..., c], dtype=np.float32)).resize(size, Image.BOX))
        for c in range(image.shape[-1])
    ]
    return np.stack(channels, axis=-1).astype(np.float32)


def fit_picture(image, *, max_side: int | None = None) -> tuple[np.ndarray, str]:
    """A reader's picture (array or file bytes) as float32 (H, W, 3) in 0..255, and a note on its size.

    Goes through :func:`dlwp_widgets.viz.images.as_rgb_array` (its checks and
    caps), shrinking the picture to ``max_side`` pixels on its longest side
    (default: that module's working size); the note then names the limit.
    """
    from dlwp_widgets.viz import images

    max_side = images.WORKING_SIDE if max_side is None else int(max_side)
    if isinstance(image, (bytes, bytearray, memoryview)):
        max_side = min(max_side, images.WORKING_SIDE)  # files are decoded at most this big
    original = _declared_size(image)
    array = np.clip(images.as_rgb_array(image, max_side=max_side), 0, 255)
    size = f"{array.shape[0]}x{array.shape[1]}"
    if original is not None and max(original) > max_side:
        return array, (
            f"downscaled from {original[0]}x{original[1]} to {size} pixels "
            f"(limit: {max_side} pixels on the longest side)"
        )
    return array, f"{size} pixels"


def _declared_size(image) -> tuple[int, int] | None:
    """(height, width) of an array, or of an image file as its header declares it (None if unknown)."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        import io

        from PIL import Image

        try:
            with Image.open(io.BytesIO(bytes(image))) as picture:
                return picture.size[1], picture.size[0]
        except Exception:  # as_rgb_array reports unreadable files
            return None
    shape = getattr(image, "shape", None)
    if shape is not None and len(shape) >= 2:
        return (int(shape[-3]), int(shape[-2])) if len(shape) >= 3 and shape[-1] in (1, 3) else (int(shape[0]), int(shape[1]))
    return None
