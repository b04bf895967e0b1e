"""MNIST: 70,000 handwritten digits, 28x28 grey levels (chapters 2, 5 and 8).

Real data: Keras' ``mnist.npz`` with the sha256 that ``keras.datasets.mnist`` pins.

Stand-in: real handwriting too, from the 1,797 8x8 digits (UCI optical
recognition set) that scikit-learn ships.  Each stand-in image is one of those
digits, upsampled and placed in a 28x28 frame like MNIST's 20x20 box, with a
random rotation, scale, shear, shift, stroke blur and ink level.  The test
images come from source digits never used for training, so the test accuracy
measures generalisation, not memory.  The arrays have MNIST's exact format:
uint8 in [0, 255], (60000, 28, 28) / (10000, 28, 28), labels uint8.
"""

from __future__ import annotations

import numpy as np

from dlwp_widgets.datasets import core

TITLE = "MNIST"
NAME = "mnist"
FILES = (
    core.RemoteFile(
        filename="mnist.npz",
        url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
        size_bytes=11_490_434,
        note="sha256 as pinned by keras.datasets.mnist",
    ),
)
TRAIN_SIZE = 60_000
TEST_SIZE = 10_000
STANDIN_VERSION = 1
STANDIN_DESCRIPTION = (
    "Generated from scikit-learn's 1,797 real 8x8 handwritten digits, upsampled to MNIST's "
    "28x28 uint8 format with random rotation/scale/shear/shift; 60,000 train / 10,000 test, "
    "test digits drawn from writers' samples unseen in training."
)

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def fetch() -> None:
    """Download (or verify) the real files into the cache."""
    for remote in FILES:
        core.fetch(remote)


def load_real() -> Arrays:
    with np.load(core.fetch(FILES[0]), allow_pickle=False) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])


def _warp(bases: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random affine copies of ``bases[which]`` in a 28x28 frame (float, 0..1)."""
    from scipy import ndimage

    count = len(which)
    angle = rng.uniform(-0.26, 0.26, count)  # about +-15 degrees
    scale = rng.uniform(0.85, 1.15, count)
    shear = rng.uniform(-0.25, 0.25, count)
    shift = rng.uniform(-2.0, 2.0, (count, 2))
    # Sampling map: each output pixel (row, col), relative to the frame centre, reads
    # the source pixel given by a rotation + shear matrix divided by the scale.
    grid = np.stack(np.meshgrid(np.arange(28.0), np.arange(28.0), indexing="ij"))  # (2, 28, 28)
    centred = grid[:, None] - 13.5 - shift.T[:, :, None, None]  # (2, N, 28, 28)
    cos, sin = np.cos(angle), np.sin(angle)
    row_from_row, row_from_col = cos / scale, (sin + shear * cos) / scale
    col_from_row, col_from_col = -sin / scale, (cos - shear * sin) / scale
    rows = row_from_row[:, None, None] * centred[0] + row_from_col[:, None, None] * centred[1]
    cols = col_from_row[:, None, None] * centred[0] + col_from_col[:, None, None] * centred[1]
    half = (bases.shape[1] - 1) / 2
    coords = np.stack([np.broadcast_to(which[:, None, None], rows.shape), rows + half, cols + half])
    images = ndimage.map_coordinates(bases, coords, order=1, mode="constant", cval=0.0)
    blur = rng.uniform(0.0, 0.7, count)
    for sigma in np.unique(np.round(blur, 1)):
        chosen = np.round(blur, 1) == sigma
        if sigma > 0:
            images[chosen] = ndimage.gaussian_filter(images[chosen], sigma=(0, sigma, sigma))
    ink = rng.uniform(0.85, 1.25, count)[:, None, None]
    return np.clip(images * ink, 0.0, 1.0)


def generate_standin(seed: int = 0, train_size: int = TRAIN_SIZE, test_size: int = TEST_SIZE) -> Arrays:
    """Deterministic MNIST-format digits (see the module docstring)."""
    from scipy import ndimage
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.default_rng(seed)
    # 8x8 digits with ink 0..16 -> 20x20 boxes with ink 0..1, like MNIST's centred box.
    bases = ndimage.zoom(digits.images / 16.0, (1, 2.5, 2.5), order=1).clip(0.0, 1.0)
    order = rng.permutation(len(bases))
    cut = int(0.8 * len(order))
    parts = []
    for pool, size in ((order[:cut], train_size), (order[cut:], test_size)):
        which = rng.choice(pool, size=size)
        images = np.concatenate(
            [_warp(bases, chunk, rng) for chunk in np.array_split(which, max(1, size // 5000))]
        )
        parts.append(((images * 255).round().astype(np.uint8), digits.target[which].astype(np.uint8)))
    return parts[0], parts[1]


def load_standin(seed: int = 0) -> Arrays:
    arrays = core.cached_standin(
        f"mnist-v{STANDIN_VERSION}-seed{seed}",
        lambda: dict(zip(("x_train", "y_train", "x_test", "y_test"), _flatten(generate_standin(seed)))),
    )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _flatten(arrays: Arrays):
    (x_train, y_train), (x_test, y_test) = arrays
    return x_train, y_train, x_test, y_test


def load_data(source: str = "auto") -> Arrays:
    """``((train_images, train_labels), (test_images, test_labels))`` like ``keras.datasets.mnist``."""
    return core.load(
        name=NAME,
        title=TITLE,
        source=source,
        load_real=load_real,
        load_standin=load_standin,
        standin_description=STANDIN_DESCRIPTION,
    )
