"""GloVe 6B word vectors, the 100-dimensional file (chapter 6.1).

``load_data(words=...)`` returns ``{word: vector}`` (float32, 100 values) like
the book's ``embeddings_index``, keeping only the words asked for.

Real data: ``glove.6B.zip`` (822 MB) from Stanford's NLP group; it holds the
50-, 100-, 200- and 300-dimensional files of 400,000 words each, and only
``glove.6B.100d.txt`` is read.  The member is streamed line by line straight
from the zip, so neither the archive nor the 100-d file is ever held in
memory, and only the requested words are kept; a line longer than
:data:`LINE_CAP` bytes is refused rather than read whole.

No checksum is published for the archive (and none could be verified), so none
is pinned.  The archive is verified by its whole content instead, before it may
enter the cache: a readable zip holding ``glove.6B.100d.txt`` whose every line
(at most :data:`LINE_CAP` bytes, checked while reading) is a word and 100 finite
numbers, 400,000 lines in all.  A cached archive that fails to read later is
removed from the cache, and the error names it.

Stand-in: 100-d vectors for the stand-in reviews' 12,000-word vocabulary (the
raw and pre-tokenised IMDB stand-ins share it), learned from the stand-in
corpus itself by latent semantic analysis: a word-by-review matrix of
positive pointwise mutual information, reduced by a truncated SVD.  Words that
keep company end up close: the positive words near each other, the negative
words near each other, far from one another; the vectors are scaled to the
norms real GloVe vectors have (about 4 to 7).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from dlwp_widgets.datasets import archives, core

NAME = "glove"
TITLE = "GloVe 6B word vectors (100-d)"
ARCHIVE_NAME = "glove.6B.zip"
ARCHIVE_URL = "https://nlp.stanford.edu/data/glove.6B.zip"
MEMBER = "glove.6B.100d.txt"
DIMENSION = 100
VOCABULARY_SIZE = 400_000
LINE_CAP = 1 << 16  # bytes; a 100-d GloVe line is about 1 KB
STANDIN_VERSION = 2
STANDIN_DESCRIPTION = (
    "100-d vectors for the IMDB stand-in's 12,000-word vocabulary, learned from the stand-in "
    "reviews by latent semantic analysis (PPMI word-by-review matrix + truncated SVD): similar "
    "words are neighbours, but this is not Wikipedia's GloVe."
)


def _lines(raw):
    """The member's lines as text, each at most :data:`LINE_CAP` bytes (a file without newlines is refused)."""
    for number, data in enumerate(iter(lambda: raw.readline(LINE_CAP + 1), b""), start=1):
        if len(data) > LINE_CAP:
            raise ValueError(f"line {number:,} is longer than the cap of {LINE_CAP:,} bytes")
        yield number, data.decode("utf-8")


def _parse_line(line: str, number: int) -> tuple[str, np.ndarray]:
    values = line.rstrip("\n").split(" ")
    if len(values) != DIMENSION + 1:
        raise ValueError(f"line {number:,} has {len(values) - 1} values after the word instead of {DIMENSION}")
    try:
        vector = np.asarray(values[1:], dtype=np.float32)
    except ValueError:
        raise ValueError(f"line {number:,} holds something that is not a number") from None
    if not np.isfinite(vector).all():
        raise ValueError(f"line {number:,} holds a value that is not finite (nan or inf)")
    return values[0], vector


def archive_problem(path: Path) -> str | None:
    """What is wrong with ``path`` as ``glove.6B.zip`` (every line parsed), or None when it is right."""
    count = 0
    try:
        with zipfile.ZipFile(path) as archive:
            if MEMBER not in archive.namelist():
                return f"no {MEMBER} in the archive (members: {', '.join(archive.namelist()[:6])})"
            with archive.open(MEMBER) as raw:
                for count, line in _lines(raw):
                    _parse_line(line, count)
    except zipfile.BadZipFile as error:
        return archives.unreadable_zip(error)
    except (ValueError, UnicodeDecodeError, EOFError, zipfile.error) as error:
        return f"{MEMBER} is not GloVe text: {error}"
    if count != VOCABULARY_SIZE:
        return f"{MEMBER} has {count:,} lines instead of {VOCABULARY_SIZE:,}"
    return None


FILES = (
    core.RemoteFile(
        filename=ARCHIVE_NAME,
        url=ARCHIVE_URL,
        file_hash=None,
        verify=archive_problem,
        verify_description=(
            f"content: a readable zip holding {MEMBER} whose {VOCABULARY_SIZE:,} lines are each a word and "
            f"{DIMENSION} finite numbers"
        ),
        note=(
            "No checksum is published for glove.6B.zip (Stanford gives none; no trustworthy copy found), "
            "so none is pinned: verified by its whole content (the 100-d member's 400,000 lines are "
            "each a word and 100 finite numbers)."
        ),
        max_bytes=1_000_000_000,  # the archive is 862,182,613 bytes
    ),
)


def read_vectors(archive_path: Path, words: Iterable[str] | None = None, *, expected_lines: int | None = None) -> dict[str, np.ndarray]:
    """Stream ``glove.6B.100d.txt`` out of the zip, keeping ``words`` only (all when None).

    Every line is parsed and counted; a short or malformed file raises
    :class:`~dlwp_widgets.datasets.core.DataUnavailable`.
    """
    expected_lines = VOCABULARY_SIZE if expected_lines is None else expected_lines
    wanted = None if words is None else set(words)
    vectors: dict[str, np.ndarray] = {}
    count = 0
    try:
        with zipfile.ZipFile(archive_path) as archive, archive.open(MEMBER) as raw:
            for count, line in _lines(raw):
                word = line[: line.find(" ")]
                if wanted is not None and word not in wanted:
                    if line.count(" ") != DIMENSION:
                        _parse_line(line, count)  # raises with the line number
                    continue
                word, vector = _parse_line(line, count)
                vectors[word] = vector
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, KeyError, EOFError, zipfile.error) as error:
        raise core.DataUnavailable(
            f"{archive_path}: {MEMBER} cannot be read as GloVe vectors ({error}). {_forget(archive_path)}"
            f"What to do: replace {ARCHIVE_NAME} with a fresh copy of {ARCHIVE_URL}, or run with DATA_SOURCE='standin'."
        ) from None
    if count != expected_lines:
        raise core.DataUnavailable(
            f"{archive_path}: {MEMBER} has {count:,} lines instead of {expected_lines:,}: an incomplete or "
            f"different file. {_forget(archive_path)}What to do: replace {ARCHIVE_NAME} with a fresh copy of {ARCHIVE_URL}."
        )
    print(f"{MEMBER}: {count:,} vectors read, {len(vectors):,} kept.", flush=True)
    return vectors


def _forget(archive_path: Path) -> str:
    """Remove ``archive_path`` if it is the cache's copy (a later run downloads it again); what was done."""
    return "It was removed from the cache. " if core.forget_cached(FILES[0], archive_path) else ""


def fetch() -> Path:
    """Download (or find) the archive and run its content check."""
    return core.fetch(FILES[0])


def load_real(words: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    return read_vectors(fetch(), words)


# --------------------------------------------------------------------------- stand-in


def generate_standin(seed: int = 0, documents: int = 5_000) -> dict:
    """LSA vectors for the stand-in vocabulary: ``{"words": (V,), "vectors": (V, 100)}``."""
    import scipy.sparse
    from sklearn.utils.extmath import randomized_svd

    from dlwp_widgets.datasets import imdb

    vocabulary = imdb.standin_vocabulary()
    raw = imdb.read_standin(seed)
    lengths = raw["train_lengths"][:documents]
    tokens = raw["train_tokens"][: int(lengths.sum())] - 1
    owner = np.repeat(np.arange(len(lengths)), lengths)
    counts = scipy.sparse.csr_matrix(
        (np.ones(len(tokens), dtype=np.float64), (tokens, owner)), shape=(len(vocabulary), len(lengths))
    )
    counts.sum_duplicates()
    total = counts.sum()
    word_totals = np.asarray(counts.sum(axis=1)).ravel()
    doc_totals = np.asarray(counts.sum(axis=0)).ravel()
    coo = counts.tocoo()
    pmi = np.log(coo.data * total / (word_totals[coo.row] * doc_totals[coo.col]))
    ppmi = scipy.sparse.csr_matrix((np.maximum(pmi, 0.0), (coo.row, coo.col)), shape=counts.shape)
    u, s, _ = randomized_svd(ppmi, n_components=DIMENSION, n_iter=3, random_state=seed)
    vectors = u * np.sqrt(s)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    rng = np.random.default_rng([seed, 100])
    target = rng.uniform(4.0, 7.0, size=(len(vectors), 1))
    vectors = vectors / np.where(norms == 0, 1.0, norms) * target
    return {"words": np.array(vocabulary), "vectors": vectors.astype(np.float32)}


def load_standin(words: Iterable[str] | None = None, seed: int = 0) -> dict[str, np.ndarray]:
    arrays = core.cached_standin(f"glove-v{STANDIN_VERSION}-seed{seed}", lambda: generate_standin(seed))
    wanted = None if words is None else set(words)
    return {
        str(word): vector
        for word, vector in zip(arrays["words"], arrays["vectors"])
        if (wanted is None or word in wanted) and vector.any()  # a word no stand-in review uses has no vector
    }


def load_data(source: str = "auto", words: Iterable[str] | None = None) -> dict[str, np.ndarray]:
    """``{word: 100-d vector}`` (the book's ``embeddings_index``), for ``words`` only when given."""
    words = None if words is None else list(words)
    return core.load(
        name=NAME,
        title=TITLE,
        source=source,
        load_real=lambda: load_real(words),
        load_standin=lambda: load_standin(words),
        standin_description=STANDIN_DESCRIPTION,
        verified_by="a check of their whole content (no checksum is published)",
    )
