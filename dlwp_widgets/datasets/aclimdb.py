"""Raw IMDB (``aclImdb``): 50,000 movie reviews as text files (chapter 6.1).

``load_data()`` returns the ``aclImdb`` folder of the original archive::

    aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt

12,500 reviews per split and class.  Only those text files are extracted: the
archive's ``train/unsup`` folder (50,000 unlabelled reviews, which the book
ignores), its bag-of-words ``.feat`` files and URL lists are skipped.  The
layout works with the book's own file walk (:func:`read_split`) and with
``keras.utils.text_dataset_from_directory(..., class_names=["neg", "pos"])``.

Real data: ``aclImdb_v1.tar.gz`` from Stanford, verified by its MD5
``7c2ac02c03563afcf9b574c7e56c153a`` (published in PaddlePaddle's IMDB dataset
module; an independent second project pins the same value).  Extraction is safe
and atomic: the archive is refused as a whole if any member has an absolute
path, a ``..`` component, or is a link or a device; an extracted member above
:data:`MEMBER_CAP` bytes is refused (the cap is named in the error); files are
written into a staging folder that is renamed into the cache only once the
four folders hold 12,500 reviews each.

Stand-in: the same reviews as the pre-tokenised IMDB stand-in
(:mod:`dlwp_widgets.datasets.imdb`, same seed, same vocabulary), written out
as text: sentences with capitals and full stops, the ``br`` tokens as the
``<br /><br />`` line breaks of real IMDB reviews.  English function words,
sentiment words ("great", "awful", ...) and made-up tail words; a review's
share of sentiment words of its own polarity carries the label.  Files are
named ``<id>_<rating>.txt`` with ratings 7-10 (pos) and 1-4 (neg), like the
originals.
"""

from __future__ import annotations

import os
import re
import tarfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np

from dlwp_widgets.datasets import archives, core
from dlwp_widgets.datasets.archives import UnsafeArchive

NAME = "aclimdb"
TITLE = "IMDB raw reviews (aclImdb)"
ARCHIVE_NAME = "aclImdb_v1.tar.gz"
ARCHIVE_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
BASE_DIR = "aclImdb"
SPLITS = ("train", "test")
CLASSES = ("neg", "pos")  # label 0, label 1 (the book's order)
PER_FOLDER = 12_500
MEMBER_CAP = 1 << 20  # bytes; the longest real review is about 14 KB
COMPLETE_MARKER = archives.COMPLETE_MARKER
STANDIN_VERSION = 1

FILES = (
    core.RemoteFile(
        filename=ARCHIVE_NAME,
        url=ARCHIVE_URL,
        file_hash="7c2ac02c03563afcf9b574c7e56c153a",
        hash_algorithm="md5",
        note=(
            "md5 as published in PaddlePaddle's IMDB dataset module (paddle.dataset.imdb); a second, "
            "independent project pins the same value. Stanford itself publishes no checksum."
        ),
        max_bytes=100_000_000,  # the archive is 84,125,825 bytes
    ),
)

STANDIN_DESCRIPTION = (
    "25,000 train / 25,000 test generated reviews as text files in the aclImdb layout "
    "(train|test/pos|neg/<id>_<rating>.txt): the pre-tokenised IMDB stand-in's reviews written out "
    "as sentences; sentiment carried by a review-specific share of positive/negative words."
)

_MEMBER = re.compile(r"^aclImdb/(train|test)/(pos|neg)/[^/]+\.txt$")


# --------------------------------------------------------------------------- layout


def count_reviews(base_dir: Path) -> dict[str, dict[str, int]]:
    """``{"train": {"neg": 12500, "pos": 12500}, "test": {...}}``."""
    base_dir = Path(base_dir)
    return {split: {cls: len(list((base_dir / split / cls).glob("*.txt"))) for cls in CLASSES} for split in SPLITS}


def _layout_is_complete(base_dir: Path, per_folder: int | None = None) -> bool:
    per_folder = PER_FOLDER if per_folder is None else per_folder
    expected = {split: {cls: per_folder for cls in CLASSES} for split in SPLITS}
    return base_dir.is_dir() and count_reviews(base_dir) == expected


def read_split(base_dir, split: str = "train") -> tuple[list[str], list[int]]:
    """The book's file walk (listings 6.8 and 6.17): texts and 0/1 labels, ``neg`` first.

    Files are read as UTF-8 (the book's ``open(...)`` used the machine's locale
    encoding) and in sorted order (``os.listdir`` order differs between machines).
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}.")
    texts, labels = [], []
    for label, cls in enumerate(CLASSES):
        folder = Path(base_dir) / split / cls
        for name in sorted(os.listdir(folder)):
            if name.endswith(".txt"):
                texts.append((folder / name).read_text(encoding="utf-8"))
                labels.append(label)
    return texts, labels


# --------------------------------------------------------------------------- archive


def member_problem(member: tarfile.TarInfo, cap: int | None = None) -> str | None:
    """Why ``member`` must not be extracted (None when it is safe)."""
    cap = MEMBER_CAP if cap is None else cap
    problem = archives.tar_member_problem(member)
    if problem is None and member.isfile() and _MEMBER.match(member.name) and member.size > cap:
        return f"member {member.name!r} is {member.size:,} bytes, above the cap of {cap:,} bytes per review file"
    return problem


def extract_reviews(archive_path: Path, destination: Path, *, per_folder: int | None = None, cap: int | None = None) -> Path:
    """Extract the labelled review files of ``archive_path`` into ``destination`` (atomically).

    One streaming pass over the gzip: every member is checked (see
    :func:`member_problem`); any unsafe member refuses the whole archive and
    nothing is published.
    """
    per_folder = PER_FOLDER if per_folder is None else per_folder
    cap = MEMBER_CAP if cap is None else cap
    name = Path(archive_path).name
    with archives.staging_folder(destination) as staging:
        for split in SPLITS:
            for cls in CLASSES:
                (staging / split / cls).mkdir(parents=True)
        try:
            with tarfile.open(archive_path, mode="r|gz") as archive:
                for member in archive:
                    problem = member_problem(member, cap)
                    if problem:
                        raise UnsafeArchive(f"Refusing {name}: {problem}. Nothing was extracted.")
                    if not (member.isfile() and _MEMBER.match(member.name)):
                        continue  # train/unsup, .feat files, URL lists, README
                    relative = PurePosixPath(member.name).relative_to(BASE_DIR)
                    archives.copy_capped(
                        archive.extractfile(member),
                        staging / relative,
                        cap,
                        lambda size, member=member: UnsafeArchive(
                            f"Refusing {name}: member {member.name!r} holds more than the cap "
                            f"of {cap:,} bytes per review file. Nothing was extracted."
                        ),
                    )
        except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
            raise core.DataUnavailable(
                f"{archive_path} is not a readable .tar.gz archive ({error}): it is damaged or not "
                f"{ARCHIVE_NAME}. What to do: replace it with a fresh copy of {ARCHIVE_URL}, or run with "
                "DATA_SOURCE='standin'."
            ) from None
        if not _layout_is_complete(staging, per_folder):
            raise core.DataUnavailable(
                f"{Path(archive_path).name} does not hold {per_folder:,} reviews per split and class: "
                f"{count_reviews(staging)}. Is it the complete {ARCHIVE_NAME}?"
            )
        return archives.publish(staging, destination)


def fetch() -> Path:
    """The real ``aclImdb`` folder, extracted (and downloaded) if needed."""
    data_dir = core.data_dir()
    if data_dir is not None:
        provided = data_dir / BASE_DIR
        if provided.exists():
            if not _layout_is_complete(provided):
                raise core.DataUnavailable(
                    f"{provided} (from {core.ENV_DATA_DIR}) does not hold {PER_FOLDER:,} reviews per split and "
                    f"class: {count_reviews(provided)}."
                )
            return provided
    destination = core.cache_dir() / BASE_DIR
    if (destination / COMPLETE_MARKER).exists():
        return destination
    return extract_reviews(core.fetch(FILES[0]), destination)


def load_real() -> Path:
    return fetch()


# --------------------------------------------------------------------------- stand-in


def _render_reviews(raw: dict, prefix: str, vocabulary: list[str], rng: np.random.Generator) -> list[str]:
    """Token ranks -> review texts: sentences with full stops, ``br`` as ``<br /><br />``."""
    tokens, lengths = raw[f"{prefix}_tokens"] - 1, raw[f"{prefix}_lengths"]
    words = np.array(vocabulary, dtype=object)
    variants = np.concatenate([words, words + ".", words + ","])
    variants[vocabulary.index("br")] = "<br /><br />"
    variants[len(words) + vocabulary.index("br")] = "<br /><br />"
    variants[2 * len(words) + vocabulary.index("br")] = "<br /><br />"
    choice = rng.choice(3, size=len(tokens), p=[0.86, 0.09, 0.05])
    ends = np.cumsum(lengths) - 1
    choice[ends] = 1  # every review ends with a full stop
    pieces = variants[tokens + choice * len(words)]
    texts = []
    for part in np.split(pieces, ends[:-1] + 1):
        text = " ".join(part)
        text = re.sub(r"([.] |<br /><br /> )([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
        texts.append(text[:1].upper() + text[1:])
    return texts


def generate_standin(destination: Path, seed: int = 0, train_size: int | None = None, test_size: int | None = None) -> Path:
    """Write the stand-in review folder (deterministic for a seed) and return it.

    ``train_size``/``test_size`` (default 25,000 each) make small copies for
    tests; labels are drawn at random, so a folder holds about half of a split.
    """
    from dlwp_widgets.datasets import imdb

    train_size = imdb.TRAIN_SIZE if train_size is None else train_size
    test_size = imdb.TEST_SIZE if test_size is None else test_size
    if (train_size, test_size) == (imdb.TRAIN_SIZE, imdb.TEST_SIZE):
        raw = imdb.read_standin(seed)  # the same reviews as the pre-tokenised stand-in (cached)
    else:
        raw = imdb.generate_standin(seed, train_size, test_size)
    vocabulary = imdb.standin_vocabulary()
    rng = np.random.default_rng([seed, 6])
    with archives.staging_folder(destination) as staging:
        for split in SPLITS:
            labels = raw[f"y_{split}"]
            texts = _render_reviews(raw, split, vocabulary, rng)
            ratings = np.where(labels == 1, rng.integers(7, 11, len(labels)), rng.integers(1, 5, len(labels)))
            for cls in CLASSES:
                (staging / split / cls).mkdir(parents=True)
            for number, (text, label, rating) in enumerate(zip(texts, labels, ratings)):
                path = staging / split / CLASSES[label] / f"{number}_{rating}.txt"
                path.write_text(text, encoding="utf-8")
        return archives.publish(staging, destination)


def load_standin(seed: int = 0) -> Path:
    destination = core.standin_cache_path(f"aclImdb-v{STANDIN_VERSION}-seed{seed}") / BASE_DIR
    if (destination / COMPLETE_MARKER).exists():
        return destination
    return generate_standin(destination, seed)


def load_data(source: str = "auto") -> Path:
    """The ``aclImdb`` folder (the book's ``imdb_dir``), real or stand-in."""
    return core.load(
        name=NAME,
        title=TITLE,
        source=source,
        load_real=load_real,
        load_standin=load_standin,
        standin_description=STANDIN_DESCRIPTION,
    )
