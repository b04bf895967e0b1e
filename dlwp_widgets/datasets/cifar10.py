"""CIFAR-10: 60,000 32x32 colour images in 10 classes (chapter 8.5 uses class 6, frogs).

Real data: Keras' ``cifar-10-python.tar.gz`` with the sha256 that
``keras.datasets.cifar10`` pins.  The archive is checked before anything is
extracted: every member must be a plain file or folder under a relative path
(no absolute path, no ``..``, no link, no device) and no larger than
:data:`MEMBER_SIZE_CAP`; the batches are written into a staging folder that is
moved into the cache only when complete.  The batches are Python pickles, so
they are read only after the archive's checksum matched, and through
:class:`BatchUnpickler`, which admits nothing but the NumPy array
reconstruction a CIFAR batch needs: a pickle that asks for any other global
(``os.system``, ``builtins.eval``, ...) is refused, and so is every array or
dtype that could make it allocate without bound: object and structured dtypes,
an array of more than :data:`MAX_ARRAY_ELEMENTS` elements, more than
:data:`MAX_FILE_ELEMENTS` in one file, array data whose length is not the
shape's (all checked before NumPy allocates anything).  A batch that fails is
named, and the extracted folder is removed so that the next run extracts it
again from the verified archive.

Stand-in: one "species" of frog on varied backgrounds, in ``keras.datasets.cifar10``'s
exact format (uint8 ``(N, 32, 32, 3)``, labels uint8 ``(N, 1)``): 5,000 training
frogs (class 6, as many as the real set has) and 1,000 test frogs, each a green
body of varied shape, shade and pose with two bulging eyes, a pale belly and
legs, lit from above, on a smooth background of random colours; the other nine
classes hold 500 / 100 images each of plain coloured shapes, so that filtering
by label matters.  A GAN can learn the shared structure (body, eyes, colours).
"""

from __future__ import annotations

import math
import pickle
import shutil
import tarfile
from pathlib import Path, PurePosixPath

import numpy as np

from dlwp_widgets.datasets import archives, core
from dlwp_widgets.datasets.archives import UnsafeArchive

NAME = "cifar10"
TITLE = "CIFAR-10"
ARCHIVE_NAME = "cifar-10-python.tar.gz"
FILES = (
    core.RemoteFile(
        filename=ARCHIVE_NAME,
        url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        file_hash="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
        note="sha256 as pinned by keras.datasets.cifar10",
        max_bytes=200_000_000,  # the archive is 170,498,071 bytes
    ),
)
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
FROG = 6
BATCH_FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
EXTRACTED_DIR = "dlwp-cifar-10-batches-py"
COMPLETE_MARKER = archives.COMPLETE_MARKER
MEMBER_SIZE_CAP = 64 * 1024 * 1024  # a real batch is about 31 MB
MAX_ARRAY_ELEMENTS = 10_000 * 3072  # one batch's images, the largest array a batch holds
MAX_FILE_ELEMENTS = 2 * MAX_ARRAY_ELEMENTS  # every array of one batch file together
STANDIN_VERSION = 1
STANDIN_FROGS = (5000, 1000)  # train, test: the real set's count per class
STANDIN_OTHERS = (500, 100)  # per other class
STANDIN_DESCRIPTION = (
    "Generated frogs (class 6: 5,000 train / 1,000 test): green bodies with two eyes, a pale belly and legs, "
    "varied in shape, shade and pose, on smooth random backgrounds; 500 / 100 plain coloured shapes for each "
    "other class. keras.datasets.cifar10's format: uint8 (N, 32, 32, 3), labels (N, 1)."
)

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class UnsafePickle(core.DataUnavailable):
    """A batch file asked the unpickler for something other than NumPy arrays."""


# --------------------------------------------------------------------------- safe reading

_ALLOWED_GLOBALS = frozenset(
    {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }
)


def _plain_dtype(value, *args) -> np.dtype:
    """``numpy.dtype`` as the unpickler offers it: numbers and bytes only (an object dtype could allocate anything)."""
    dtype = np.dtype(value)
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise UnsafePickle(f"Refusing the NumPy dtype {dtype!r}: a CIFAR-10 batch holds plain numbers only.")
    return dtype


class BatchUnpickler(pickle._Unpickler):
    """Unpickles a CIFAR batch: dicts, lists, bytes, numbers and NumPy arrays of plain numbers, nothing else.

    Python's own (pure-Python) unpickler, so that every array's state is checked before NumPy sees it:
    ``_reconstruct`` may only make an empty array, and the array's shape, dtype and data must agree and stay
    within :data:`MAX_ARRAY_ELEMENTS` (and all arrays within :data:`MAX_FILE_ELEMENTS`).
    """

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.elements = 0

    def find_class(self, module, name):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise UnsafePickle(
                f"Refusing to unpickle {module}.{name}: a CIFAR-10 batch holds only NumPy arrays, so this file "
                "is corrupt or malicious."
            )
        if name == "dtype":
            return _plain_dtype
        if name == "_reconstruct":
            return _empty_array
        return super().find_class(module, name)

    def load_build(self):
        state, target = self.stack[-1], self.stack[-2]
        if isinstance(target, np.ndarray):
            self.elements += _check_array_state(state)
            if self.elements > MAX_FILE_ELEMENTS:
                raise UnsafePickle(f"Refusing the batch: its arrays hold more than {MAX_FILE_ELEMENTS:,} elements "
                                   "(MAX_FILE_ELEMENTS).")
        elif isinstance(target, np.dtype):
            _check_dtype_state(state)
        else:
            raise UnsafePickle(f"Refusing to set the state of a {type(target).__name__}: a CIFAR-10 batch never does.")
        super().load_build()

    dispatch[pickle.BUILD[0]] = load_build


def _empty_array(subtype, shape, dtype):
    """``numpy.core.multiarray._reconstruct`` as NumPy's own pickles call it: an empty array, filled by its state."""
    if subtype is not np.ndarray or tuple(shape) != (0,):
        raise UnsafePickle(f"Refusing to reconstruct a {getattr(subtype, '__name__', subtype)} of shape {shape!r}: "
                           "NumPy's pickles start from an empty ndarray.")
    return np.ndarray((0,), _plain_dtype(dtype))


def _check_array_state(state) -> int:
    """The element count of a pickled array's state, after checking it describes plain data of that size."""
    if not (isinstance(state, tuple) and len(state) == 5):
        raise UnsafePickle("Refusing an array state that is not NumPy's (version, shape, dtype, fortran, data).")
    _, shape, dtype, _, data = state
    if not (isinstance(shape, tuple) and all(isinstance(n, int) and n >= 0 for n in shape)):
        raise UnsafePickle(f"Refusing an array of shape {shape!r}.")
    elements = math.prod(shape)
    if elements > MAX_ARRAY_ELEMENTS:
        raise UnsafePickle(f"Refusing an array of {elements:,} elements, over the cap of {MAX_ARRAY_ELEMENTS:,} "
                           "(MAX_ARRAY_ELEMENTS).")
    dtype = _plain_dtype(dtype)
    if not isinstance(data, (bytes, bytearray)) or len(data) != elements * dtype.itemsize:
        raise UnsafePickle(f"Refusing an array whose data is not {elements * dtype.itemsize:,} bytes of {dtype}.")
    return elements


def _check_dtype_state(state) -> None:
    """A pickled dtype's state may set its byte order, nothing that adds fields, sub-arrays or objects."""
    if not (isinstance(state, tuple) and len(state) == 8 and state[2] is None and state[3] is None
            and state[4] is None):
        raise UnsafePickle(f"Refusing a dtype state {str(state)[:120]}: a CIFAR-10 batch holds plain numbers only.")


def load_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One batch file -> (uint8 (N, 32, 32, 3) images, uint8 (N,) labels)."""
    problem = core.not_a_regular_file(path)
    if problem:
        raise core.DataUnavailable(f"{problem}: not a CIFAR-10 batch.")
    with open(path, "rb") as handle:
        try:
            batch = BatchUnpickler(handle, encoding="bytes").load()
        except UnsafePickle as error:
            raise UnsafePickle(f"{path}: {error}") from None
        except Exception as error:  # truncated or garbled pickles raise many types
            raise core.DataUnavailable(f"{path} is not a readable CIFAR-10 batch ({type(error).__name__}: {error}).") from None
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        raise core.DataUnavailable(f"{path} is not a CIFAR-10 batch (no data/labels entries).")
    data, labels = batch[b"data"], np.asarray(batch[b"labels"])
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        raise core.DataUnavailable(f"{path}: expected uint8 data of shape (N, 3072).")
    if labels.shape != (len(data),):
        raise core.DataUnavailable(f"{path}: {len(labels)} labels for {len(data)} images.")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.uint8)


def check_member(member: tarfile.TarInfo, size_cap: int = MEMBER_SIZE_CAP) -> None:
    """Refuse a member that is not a plain file or folder under a relative path, or is too large."""
    problem = archives.tar_member_problem(member)
    if problem:
        raise UnsafeArchive(f"Refusing the archive: {problem}.")
    if member.size > size_cap:
        raise _too_large(member.name, size_cap, f"is {member.size:,} bytes, over")


def _too_large(name: str, size_cap: int, amount: str = "holds more than") -> UnsafeArchive:
    return UnsafeArchive(
        f"Refusing the archive: member {name!r} {amount} the per-member cap of {size_cap:,} bytes (MEMBER_SIZE_CAP)."
    )


def extract(archive_path: Path, destination: Path, size_cap: int = MEMBER_SIZE_CAP) -> Path:
    """Safely extract the archive's batches into ``destination`` (staging folder, then a rename).

    Every member is checked before anything is written, so an unsafe archive
    leaves nothing behind.
    """
    with archives.staging_folder(destination) as staging:
        try:
            with tarfile.open(archive_path, "r:gz") as archive:
                members = archive.getmembers()
                for member in members:
                    check_member(member, size_cap)
                for member in members:
                    if not member.isfile():
                        continue
                    target = staging.joinpath(*PurePosixPath(member.name).parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.extractfile(member) as source:
                        archives.copy_capped(source, target, size_cap, lambda _, name=member.name: _too_large(name, size_cap))
        except (tarfile.TarError, EOFError, OSError) as error:
            raise core.DataUnavailable(
                f"{archive_path} is not a readable tar.gz archive ({error}). Delete it and download "
                f"{FILES[0].url} again, or run with DATA_SOURCE='standin'."
            ) from None
        missing = [name for name in (*TRAIN_BATCHES, TEST_BATCH) if not (staging / BATCH_FOLDER / name).is_file()]
        if missing:
            raise core.DataUnavailable(f"{archive_path} lacks {BATCH_FOLDER}/{', '.join(missing)}.")
        return archives.publish(staging, destination, marker=FILES[0].file_hash + "\n")


def fetch() -> Path:
    """The folder of extracted batches, downloading and extracting the archive if needed."""
    destination = core.cache_dir() / EXTRACTED_DIR
    marker = destination / COMPLETE_MARKER
    if marker.exists() and marker.read_text().strip() == FILES[0].file_hash:
        return destination
    archive = core.fetch(FILES[0])  # raises unless the checksum matched
    return extract(archive, destination)


def load_real() -> Arrays:
    extracted = fetch()
    folder = extracted / BATCH_FOLDER
    try:
        train = [load_batch(folder / name) for name in TRAIN_BATCHES]
        x_test, y_test = load_batch(folder / TEST_BATCH)
    except core.DataUnavailable as error:
        shutil.rmtree(extracted, ignore_errors=True)
        raise type(error)(
            f"{error} The extracted batches ({extracted}) were removed from the cache; the next run extracts "
            "them again from the verified archive."
        ) from None
    x_train = np.concatenate([images for images, _ in train])
    y_train = np.concatenate([labels for _, labels in train])
    return (x_train, y_train.reshape(-1, 1)), (x_test, y_test.reshape(-1, 1))


# --------------------------------------------------------------------------- stand-in

_ROWS, _COLS = np.meshgrid(np.arange(32, dtype=np.float32), np.arange(32, dtype=np.float32), indexing="ij")


def _u(rng, low, high, count, *shape):
    return rng.uniform(low, high, (count, *shape)).astype(np.float32)


def _backgrounds(rng: np.random.Generator, count: int) -> np.ndarray:
    """Smooth gradients between four random corner colours, plus a little texture."""
    corners = _u(rng, 0.1, 0.9, count, 4, 3)
    r = (_ROWS / 31)[None, :, :, None]
    c = (_COLS / 31)[None, :, :, None]
    top = corners[:, None, None, 0] * (1 - c) + corners[:, None, None, 1] * c
    bottom = corners[:, None, None, 2] * (1 - c) + corners[:, None, None, 3] * c
    image = top * (1 - r) + bottom * r
    image += 0.03 * rng.standard_normal(image.shape, dtype=np.float32)
    return image


def _ellipse(cy, cx, ry, rx, angle=None):
    """(count, 32, 32) normalised squared distance from each ellipse centre (<= 1 inside)."""
    dy = _ROWS[None] - cy[:, None, None]
    dx = _COLS[None] - cx[:, None, None]
    if angle is not None:
        cos, sin = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
        dy, dx = dy * cos - dx * sin, dy * sin + dx * cos
    return (dy / ry[:, None, None]) ** 2 + (dx / rx[:, None, None]) ** 2


def _paint(image, mask, colour):
    """Blend ``colour`` (count, 3) into ``image`` where ``mask`` (count, 32, 32) in [0, 1]."""
    image += mask[..., None] * (colour[:, None, None, :] - image)
    return image


def _soft(distance, edge=0.25):
    """A soft inside-mask from a normalised squared distance (1 inside, 0 outside)."""
    return np.clip((1 + edge - distance) / (2 * edge), 0.0, 1.0)


def standin_frogs(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` frogs, uint8 (count, 32, 32, 3)."""
    image = _backgrounds(rng, count)
    cy, cx = 17 + _u(rng, -2.5, 2.5, count), 16 + _u(rng, -3, 3, count)
    ry, rx = _u(rng, 6.5, 9.0, count), _u(rng, 9.0, 12.5, count)
    tilt = _u(rng, -0.3, 0.3, count)
    hue = np.stack([_u(rng, 0.15, 0.45, count), _u(rng, 0.45, 0.75, count), _u(rng, 0.05, 0.25, count)], axis=-1)
    dark = hue * 0.55
    # Legs: two flattened ellipses at the lower sides, drawn under the body.
    for side in (-1.0, 1.0):
        legs = _soft(_ellipse(cy + ry * 0.7, cx + side * rx * 0.75, ry * 0.35, rx * 0.45, tilt))
        image = _paint(image, legs, dark)
    body = _ellipse(cy, cx, ry, rx, tilt)
    image = _paint(image, _soft(body), hue)
    # Lit from above: darker towards the bottom of the body, with a few darker spots.
    shade = np.clip((_ROWS[None] - cy[:, None, None]) / ry[:, None, None], 0, 1) * (body <= 1)
    image *= (1 - 0.35 * shade)[..., None]
    for _ in range(3):
        spot_y, spot_x = cy + _u(rng, -0.5, 0.3, count) * ry, cx + _u(rng, -0.6, 0.6, count) * rx
        size = _u(rng, 1.0, 2.0, count)
        image = _paint(image, _soft(_ellipse(spot_y, spot_x, size, size)) * (body <= 0.8) * 0.8, dark)
    belly = _soft(_ellipse(cy + ry * 0.45, cx, ry * 0.35, rx * 0.55)) * (body <= 1)
    image = _paint(image, belly, np.clip(hue + 0.35, 0, 1))
    # Two bulging eyes on top of the head: a green lid, a pale eyeball, a dark pupil.
    for side in (-1.0, 1.0):
        ey, ex = cy - ry * 0.75, cx + side * rx * 0.42
        radius = _u(rng, 2.2, 3.0, count)
        image = _paint(image, _soft(_ellipse(ey, ex, radius, radius)), hue)
        image = _paint(image, _soft(_ellipse(ey, ex, radius * 0.7, radius * 0.7)), np.stack([_u(rng, 0.85, 1, count)] * 2 + [_u(rng, 0.5, 0.8, count)], -1))
        pupil = radius * 0.38
        image = _paint(image, _soft(_ellipse(ey + 0.3, ex, pupil, pupil)), np.zeros((count, 3), np.float32) + 0.05)
    return (np.clip(image, 0, 1) * 255).round().astype(np.uint8)


def standin_others(rng: np.random.Generator, labels: np.ndarray) -> np.ndarray:
    """Plain shapes for the non-frog classes: an ellipse whose colour and elongation follow the class."""
    count = len(labels)
    image = _backgrounds(rng, count)
    hue_angle = labels.astype(np.float32) / 10 * 2 * np.pi
    colour = 0.5 + 0.4 * np.stack([np.cos(hue_angle), np.cos(hue_angle - 2.1), np.cos(hue_angle + 2.1)], -1)
    colour = np.clip(colour + _u(rng, -0.1, 0.1, count, 3), 0, 1)
    elongation = 0.5 + labels.astype(np.float32) / 9
    ry = _u(rng, 5, 9, count)
    mask = _soft(_ellipse(16 + _u(rng, -5, 5, count), 16 + _u(rng, -5, 5, count), ry, ry * elongation * 1.3, _u(rng, -0.5, 0.5, count)))
    return (np.clip(_paint(image, mask, colour), 0, 1) * 255).round().astype(np.uint8)


def _split(rng: np.random.Generator, frogs: int, others: int) -> tuple[np.ndarray, np.ndarray]:
    labels = np.concatenate([np.full(frogs, FROG)] + [np.full(others, k) for k in range(10) if k != FROG])
    labels = rng.permutation(labels).astype(np.uint8)
    images = np.empty((len(labels), 32, 32, 3), np.uint8)
    is_frog = labels == FROG
    chunks = np.array_split(np.flatnonzero(is_frog), max(1, frogs // 1000))
    for chunk in chunks:
        images[chunk] = standin_frogs(rng, len(chunk))
    images[~is_frog] = standin_others(rng, labels[~is_frog])
    return images, labels.reshape(-1, 1)


def generate_standin(seed: int = 0, frogs=STANDIN_FROGS, others=STANDIN_OTHERS) -> Arrays:
    """Deterministic CIFAR-10-format images (see the module docstring)."""
    rng = np.random.default_rng([seed, 10])
    train = _split(rng, frogs[0], others[0])
    test = _split(rng, frogs[1], others[1])
    return train, test


def load_standin(seed: int = 0) -> Arrays:
    def generate():
        (x_train, y_train), (x_test, y_test) = generate_standin(seed)
        return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}

    arrays = core.cached_standin(f"cifar10-v{STANDIN_VERSION}-seed{seed}", generate)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_data(source: str = "auto") -> Arrays:
    """``((x_train, y_train), (x_test, y_test))`` like ``keras.datasets.cifar10.load_data()``."""
    return core.load(
        name=NAME,
        title=TITLE,
        source=source,
        load_real=load_real,
        load_standin=load_standin,
        standin_description=STANDIN_DESCRIPTION,
    )
