"""Dogs vs. cats, the book's small subset (chapters 5.2-5.4): a folder of JPEGs.

``load_data()`` returns the base directory of the book's layout::

    cats_and_dogs_small/{train,validation,test}/{cats,dogs}/cat.N.jpg | dog.N.jpg

with images 0-999 for training, 1000-1499 for validation and 1500-1999 for test,
per class (2,000 / 1,000 / 1,000 images).

Real data, first match wins:

1. ``$DLWP_DATA_DIR/cats_and_dogs_small/`` already laid out (verified by counting);
2. the subset built earlier in the cache;
3. a source the reader has in ``$DLWP_DATA_DIR``: Kaggle's ``train.zip`` (files
   ``train/cat.N.jpg``), Microsoft's ``kagglecatsanddogs_5340.zip`` (files
   ``PetImages/Cat/N.jpg``), or either one unpacked (``train/`` or ``PetImages/``);
4. Microsoft's public mirror of the Kaggle images (the archive keras.io uses),
   downloaded into the cache.

Nobody publishes a checksum or exact size for that archive, so none is pinned: the
download is verified by format instead (a readable zip holding at least 2,000
decodable JPEGs per class).  Extraction is safe: an archive with an absolute path,
a ``..`` component or a symbolic link is rejected as a whole, and so is one with a
member larger than ``MAX_MEMBER_BYTES`` (20 MB, declared or actually read: the
photos are well under 1 MB) or one whose images would extract to more than
``MAX_EXTRACTED_BYTES`` (1 GB) in all, so a zip bomb cannot exhaust memory or
disk.  A downloaded archive that passes the format check but cannot be built into
the subset (undecodable images) is removed from the cache, and the error names
it, so the next run downloads it again instead of failing the same way forever.  The Microsoft
archive holds some broken files; those are skipped, and the images are renamed
``cat.N.jpg`` in order so the layout is the book's.

Stand-in: 4,000 generated JPEGs in the same layout and naming, sizes varied like
the photos (150-400 pixels a side).  Every image shows one to three animal
shaped patches on a smooth background; a "cat" patch is filled with stripes, a
"dog" patch with spots, in colours drawn from one shared distribution.  The class
therefore lives in local texture at a random position and phase: a small convnet
learns it, a linear model on pixels or on mean colour cannot.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import numpy as np

from dlwp_widgets.datasets import archives, core
from dlwp_widgets.datasets.archives import UnsafeArchive

NAME = "cats_vs_dogs"
TITLE = "Dogs vs. Cats (small subset)"
ARCHIVE_URL = (
    "https://download.microsoft.com/download/3/E/1/3E1C3F21-ECDB-4869-8368-6DEBA77B919F/"
    "kagglecatsanddogs_5340.zip"
)
ARCHIVE_NAME = "kagglecatsanddogs_5340.zip"
KAGGLE_ARCHIVE_NAME = "train.zip"
SUBSET_DIR = "cats_and_dogs_small"
SPLITS = {"train": range(0, 1000), "validation": range(1000, 1500), "test": range(1500, 2000)}
CLASSES = {"cats": "cat", "dogs": "dog"}
PER_CLASS = 2000
MAX_MEMBER_BYTES = 20 * 2**20  # largest archive member accepted (declared and read)
MAX_EXTRACTED_BYTES = 2**30  # most bytes read from a source to build the subset
COMPLETE_MARKER = archives.COMPLETE_MARKER
STANDIN_VERSION = 2
STANDIN_DESCRIPTION = (
    "4,000 generated JPEGs in the book's cats_and_dogs_small layout (cat.N.jpg ...): animal-shaped "
    "patches filled with stripes ('cats') or spots ('dogs') at random places, sizes and colours; "
    "learnable from local texture by a convnet, not from mean colour."
)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


# --------------------------------------------------------------------------- layout


def count_images(base_dir: Path) -> dict[str, dict[str, int]]:
    """Listing 5.10's counts: ``{"train": {"cats": 1000, "dogs": 1000}, ...}``."""
    base_dir = Path(base_dir)
    return {
        split: {cls: len(list((base_dir / split / cls).glob("*.jpg"))) for cls in CLASSES}
        for split in SPLITS
    }


def _layout_is_complete(base_dir: Path) -> bool:
    expected = {split: {cls: len(indices) for cls in CLASSES} for split, indices in SPLITS.items()}
    return base_dir.is_dir() and count_images(base_dir) == expected


def subset(base_dir: Path, per_class: int | None, *, seed: int = 0) -> Path:
    """A smaller copy of the layout with ``per_class`` images per class and split.

    Smoke runs use it to train on a few dozen images; ``None`` returns ``base_dir``.
    The choice is deterministic, so every run sees the same files.
    """
    base_dir = Path(base_dir)
    if per_class is None:
        return base_dir
    if per_class < 1:
        raise ValueError(f"per_class must be at least 1, got {per_class}.")
    target = core.work_dir() / "dlwp-subsets" / f"{base_dir.name}-{per_class}-seed{seed}"
    if (target / COMPLETE_MARKER).exists():
        return target
    rng = np.random.default_rng(seed)
    with archives.staging_folder(target) as staging:
        for split in SPLITS:
            for cls in CLASSES:
                files = sorted((base_dir / split / cls).glob("*.jpg"), key=_image_number)
                chosen = sorted(rng.choice(len(files), size=min(per_class, len(files)), replace=False))
                _ensure(staging / split / cls)
                for index in chosen:
                    shutil.copyfile(files[index], staging / split / cls / files[index].name)
        return archives.publish(staging, target)


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _image_number(path) -> int:
    found = re.search(r"(\d+)\.jpe?g$", str(path), re.IGNORECASE)
    return int(found.group(1)) if found else -1


# --------------------------------------------------------------------------- archives


def check_archive_members(archive: zipfile.ZipFile) -> None:
    """Reject the archive if any member is absolute, climbs with ``..``, is a link or device, or is too large."""
    for info in archive.infolist():
        problem = archives.zip_member_problem(info)
        if problem:
            raise UnsafeArchive(f"Refusing the archive: {problem}.")
        if info.file_size > MAX_MEMBER_BYTES:
            raise UnsafeArchive(
                f"Refusing the archive: member {info.filename!r} declares {_mb(info.file_size)}; the largest member "
                f"accepted is {_mb(MAX_MEMBER_BYTES)} (the dogs-vs-cats photos are under 1 MB)."
            )


class _ReadBudget:
    """Reads members in blocks, refusing one over ``MAX_MEMBER_BYTES`` or a total over ``MAX_EXTRACTED_BYTES``."""

    def __init__(self, source: Path):
        self.source = source
        self.total = 0

    def _refuse(self, name: str, size: int) -> UnsafeArchive:
        if size > MAX_MEMBER_BYTES:
            return UnsafeArchive(
                f"Refusing {self.source}: {name!r} holds more than {_mb(MAX_MEMBER_BYTES)}, the largest "
                "image accepted (the dogs-vs-cats photos are under 1 MB)."
            )
        return UnsafeArchive(
            f"Refusing {self.source}: its images would extract to more than {_mb(MAX_EXTRACTED_BYTES)}, "
            "the most accepted for the book's 4,000-image subset."
        )

    def read_stream(self, name: str, stream) -> bytes:
        cap = min(MAX_MEMBER_BYTES, MAX_EXTRACTED_BYTES - self.total)
        data = archives.read_capped(stream, cap, lambda size: self._refuse(name, size))
        self.total += len(data)
        return data

    def zip_reader(self, archive: zipfile.ZipFile):
        def read(name: str) -> bytes:
            with archive.open(name) as stream:
                return self.read_stream(name, stream)

        return read

    def folder_reader(self, root: Path):
        def read(name: str) -> bytes:
            with open(root / name, "rb") as stream:
                return self.read_stream(name, stream)

        return read


def _is_decodable_jpeg(data: bytes) -> bool:
    """True for a JPEG that PIL can fully decode (the Microsoft archive has broken ones)."""
    from PIL import Image

    if not data.startswith(b"\xff\xd8"):
        return False
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            return image.format == "JPEG"
    except Exception:  # PIL raises many types for corrupt files
        return False


def _source_members(names: list[str]) -> dict[str, list[tuple[int, str]]]:
    """Per class, ``(number, member name)`` of the source images, sorted by number."""
    patterns = {
        "cats": [re.compile(r"(?:^|/)train/cat\.(\d+)\.jpg$"), re.compile(r"(?:^|/)PetImages/Cat/(\d+)\.jpg$")],
        "dogs": [re.compile(r"(?:^|/)train/dog\.(\d+)\.jpg$"), re.compile(r"(?:^|/)PetImages/Dog/(\d+)\.jpg$")],
    }
    found: dict[str, list[tuple[int, str]]] = {cls: [] for cls in CLASSES}
    for name in names:
        for cls, regexes in patterns.items():
            for regex in regexes:
                match = regex.search(name)
                if match:
                    found[cls].append((int(match.group(1)), name))
    return {cls: sorted(items) for cls, items in found.items()}


class IncompleteSource(core.DataUnavailable):
    """A source (archive or folder) that lacks enough decodable images for the subset."""


def build_layout(read_member, names: list[str], destination: Path) -> Path:
    """Write the book's subset from source images (``read_member(name) -> bytes``)."""
    members = _source_members(names)
    with archives.staging_folder(destination) as staging:
        for cls, prefix in CLASSES.items():
            written = 0
            for _, name in members[cls]:
                if written == PER_CLASS:
                    break
                data = read_member(name)
                if not _is_decodable_jpeg(data):
                    continue
                split = next(s for s, indices in SPLITS.items() if written in indices)
                (_ensure(staging / split / cls) / f"{prefix}.{written}.jpg").write_bytes(data)
                written += 1
            if written < PER_CLASS:
                raise IncompleteSource(
                    f"The source holds only {written} usable {cls} images; the book's subset needs "
                    f"{PER_CLASS}. Is it the complete dogs-vs-cats training set?"
                )
        return archives.publish(staging, destination)


def build_from_zip(archive_path: Path, destination: Path) -> Path:
    """Check an archive's member names, then write the subset from it."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            check_archive_members(archive)
            return build_layout(_ReadBudget(archive_path).zip_reader(archive), archive.namelist(), destination)
    except IncompleteSource as error:
        raise IncompleteSource(f"{archive_path}: {error}") from None
    except zipfile.BadZipFile as error:
        raise core.DataUnavailable(
            f"{archive_path} is not a readable zip archive ({error}): it is damaged or not the dogs-vs-cats "
            f"archive. What to do: replace it with a fresh copy of {ARCHIVE_URL} (or Kaggle's dogs-vs-cats "
            f"train.zip), or remove it from {core.ENV_DATA_DIR}, or run with DATA_SOURCE='standin'."
        ) from None


def build_from_folder(folder: Path, destination: Path) -> Path:
    """Write the subset from an unpacked ``train/`` or ``PetImages/`` folder."""
    root = folder.parent
    names = [path.relative_to(root).as_posix() for path in folder.rglob("*.jpg")]
    try:
        return build_layout(_ReadBudget(folder).folder_reader(root), names, destination)
    except IncompleteSource as error:
        raise IncompleteSource(f"{folder}: {error}") from None


def archive_problem(path: Path) -> str | None:
    """What is wrong with a downloaded or provided archive, or None when it is usable."""
    try:
        with zipfile.ZipFile(path) as archive:
            check_archive_members(archive)
            counts = {cls: len(items) for cls, items in _source_members(archive.namelist()).items()}
            broken = archive.testzip()
    except zipfile.BadZipFile as error:
        return archives.unreadable_zip(error)
    except UnsafeArchive as error:
        return str(error)
    if broken is not None or min(counts.values(), default=0) < PER_CLASS:
        return f"damaged or incomplete (bad member: {broken}, images per class: {counts})"
    return None


FILES = (
    core.RemoteFile(
        filename=ARCHIVE_NAME,
        url=ARCHIVE_URL,
        file_hash=None,
        verify=archive_problem,
        verify_description=f"a readable, safe zip with at least {PER_CLASS:,} images per class",
        note="No trustworthy checksum or size is published for this archive: verified by format.",
        max_bytes=1_000_000_000,  # the archive is about 787 MiB
    ),
)


def _reader_source() -> Path | None:
    root = core.data_dir()
    if root is None:
        return None
    for candidate in (KAGGLE_ARCHIVE_NAME, ARCHIVE_NAME, "train", "PetImages"):
        if (root / candidate).exists():
            return root / candidate
    return None


def fetch() -> Path:
    """The real subset's base directory, built (and downloaded) if needed."""
    data_dir = core.data_dir()
    if data_dir is not None:
        provided = data_dir / SUBSET_DIR
        if provided.exists():
            if not _layout_is_complete(provided):
                raise core.DataUnavailable(
                    f"{provided} (from {core.ENV_DATA_DIR}) does not hold the book's 1000/500/500 "
                    f"images per class: {count_images(provided)}."
                )
            return provided
    destination = core.cache_dir() / SUBSET_DIR
    if (destination / COMPLETE_MARKER).exists():
        return destination
    source = _reader_source()
    if source is not None:
        if source.is_dir():
            return build_from_folder(source, destination)
        return build_from_zip(source, destination)
    archive = core.fetch(FILES[0])
    try:
        return build_from_zip(archive, destination)
    except core.DataUnavailable as error:
        if archive.parent.resolve() != core.cache_dir().resolve():
            raise  # the reader's own file: named in the error, never deleted
        # Never keep a cached archive we cannot use: every later run would fail the same way.
        archive.unlink(missing_ok=True)
        raise core.DataUnavailable(
            f"The downloaded archive {archive} passed the format check but the subset could not be built "
            f"from it: {error} The archive was removed from the cache; the next run downloads it again."
        ) from None


def load_real() -> Path:
    return fetch()


# --------------------------------------------------------------------------- stand-in


def _smooth_background(height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    cols = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :, None]
    corners = rng.uniform(0.15, 0.85, (4, 3)).astype(np.float32)
    top = corners[0] * (1 - cols) + corners[1] * cols
    bottom = corners[2] * (1 - cols) + corners[3] * cols
    return top * (1 - rows) + bottom * rows


def standin_image(label: int, rng: np.random.Generator) -> np.ndarray:
    """One stand-in picture (uint8 RGB): stripes for a cat (0), spots for a dog (1)."""
    height, width = (int(v) for v in rng.integers(150, 400, size=2))
    image = _smooth_background(height, width, rng)
    short = min(height, width)
    for _ in range(int(rng.integers(1, 4))):
        centre = rng.uniform(0.25, 0.75, 2) * (height, width)
        radii = rng.uniform(0.22, 0.38, 2) * short
        angle = rng.uniform(0, np.pi)
        period = short / rng.uniform(8, 12)
        phase = rng.uniform(0, 2 * np.pi, 2)
        fur = rng.uniform(0.25, 0.75, 3).astype(np.float32)
        ink = np.clip(fur + rng.choice([-1.0, 1.0]) * rng.uniform(0.3, 0.45), 0.0, 1.0).astype(np.float32)
        # Work inside the patch's bounding box only.
        reach = radii.max()
        top, left = max(0, int(centre[0] - reach)), max(0, int(centre[1] - reach))
        bottom, right = min(height, int(centre[0] + reach) + 1), min(width, int(centre[1] + reach) + 1)
        dr = np.arange(top, bottom, dtype=np.float32)[:, None] - np.float32(centre[0])
        dc = np.arange(left, right, dtype=np.float32)[None, :] - np.float32(centre[1])
        along = dr * np.float32(np.cos(angle)) + dc * np.float32(np.sin(angle))
        across = dc * np.float32(np.cos(angle)) - dr * np.float32(np.sin(angle))
        inside = (along / radii[0]) ** 2 + (across / radii[1]) ** 2 <= 1.0
        stripes = np.sin(along * np.float32(2 * np.pi / period) + np.float32(phase[0]))
        if label == 0:  # stripes across the body
            pattern = stripes > 0
        else:  # spots: a grid of round blobs
            pattern = stripes * np.sin(across * np.float32(2 * np.pi / period) + np.float32(phase[1])) > 0.35
        window = image[top:bottom, left:right]
        window[inside & pattern] = ink
        window[inside & ~pattern] = fur
    return (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)


def generate_standin(destination: Path, seed: int = 0, per_class: int = PER_CLASS) -> Path:
    """Write the stand-in JPEG folder (deterministic for a seed) and return it."""
    from PIL import Image

    with archives.staging_folder(destination) as staging:
        for label, (cls, prefix) in enumerate(CLASSES.items()):
            rng = np.random.default_rng([seed, label])
            for number in range(per_class):
                split = next(s for s, indices in SPLITS.items() if number in indices)
                path = _ensure(staging / split / cls) / f"{prefix}.{number}.jpg"
                Image.fromarray(standin_image(label, rng)).save(path, quality=85)
        return archives.publish(staging, destination)


def load_standin(seed: int = 0) -> Path:
    destination = core.standin_cache_path(f"{SUBSET_DIR}-v{STANDIN_VERSION}-seed{seed}")
    if (destination / COMPLETE_MARKER).exists():
        return destination
    return generate_standin(destination, seed)


def load_data(source: str = "auto") -> Path:
    """The base directory of the book's subset (like the book's ``base_dir``)."""
    return core.load(
        name=NAME,
        title=TITLE,
        source=source,
        load_real=load_real,
        load_standin=load_standin,
        standin_description=STANDIN_DESCRIPTION,
    )
