"""Reuters newswires: 11,228 short news stories as word-index sequences, 46 topics.

Chapter 3.5 uses ``load_data(num_words=10000)``: 8,982 training and 2,246 test
newswires.

Real data: Keras' ``reuters.npz`` (sha256 pinned by ``keras.datasets.reuters``)
and ``reuters_word_index.json`` (md5 pinned there too), read without unpickling
anything but numpy arrays, shuffled with Keras' seed 113 and split 80/20, with
the same index conventions as IMDB (start 1, out-of-vocabulary 2, words shifted
by 3).

Stand-in: 11,228 generated newswires over a 12,000-word vocabulary with a
matching word index.  Topics have the real set's strong imbalance (earnings and
acquisitions dominate).  Each topic owns a set of keywords (its name among them)
shared in part with related topics; a story mixes common words with keywords
of its topic, so topics are learnable but related ones get confused.
"""

from __future__ import annotations


import numpy as np

from dlwp_widgets.datasets import core
from dlwp_widgets.datasets.sequences import (
    apply_index_convention,
    decode_sequence,
    flatten_sequences,
    load_npz_safely,
    load_word_index,
    synthetic_vocabulary,
    to_object_array,
    zipf_weights,
)

NAME = "reuters"
TITLE = "Reuters newswires"
_BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = (
    core.RemoteFile(
        filename="reuters.npz",
        url=_BASE_URL + "reuters.npz",
        file_hash="d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
        note="sha256 as pinned by keras.datasets.reuters",
        max_bytes=3_000_000,  # the file is 2,110,848 bytes
    ),
    core.RemoteFile(
        filename="reuters_word_index.json",
        url=_BASE_URL + "reuters_word_index.json",
        file_hash="4d44cc38712099c9e383dc6e5f11a921",
        hash_algorithm="md5",
        note="md5 as pinned by keras.datasets.reuters.get_word_index",
        max_bytes=1_000_000,  # the file is 550,378 bytes
    ),
)
KERAS_SHUFFLE_SEED = 113
TEST_SPLIT = 0.2
TOTAL_SIZE = 11_228
NUM_TOPICS = 46
STANDIN_VOCABULARY = 12_000
STANDIN_VERSION = 1
STANDIN_DESCRIPTION = (
    "11,228 generated newswires (8,982 train / 2,246 test) over a 12,000-word synthetic vocabulary "
    "with a matching word index; 46 imbalanced topics, each with its own keywords partly shared "
    "with related topics. Same format as keras.datasets.reuters."
)

# Topic names in label order, as keras.datasets.reuters.get_label_names() gives them.
TOPICS = (
    "cocoa grain veg-oil earn acq wheat copper housing money-supply coffee sugar trade reserves "
    "ship cotton carcass crude nat-gas cpi money-fx interest gnp meal-feed alum oilseed gold tin "
    "strategic-metal livestock retail ipi iron-steel rubber heat jobs lei bop zinc orange "
    "pet-chem dlr gas silver wpi hog lead"
).split()
# Relative topic frequencies for the stand-in, modelled on the real training set's imbalance.
_TOPIC_WEIGHTS = np.array(
    [55, 432, 74, 3159, 1949, 17, 48, 16, 139, 101, 124, 390, 49, 172, 26, 20, 444, 39, 66, 549,
     269, 100, 15, 41, 62, 92, 24, 15, 48, 19, 45, 39, 32, 11, 50, 10, 49, 19, 19, 24, 36, 30,
     13, 21, 12, 18],
    dtype=float,
)
# Related topics share keywords (so the model confuses them as it does on the real data).
_TOPIC_FAMILIES = (
    ("grain", "wheat", "oilseed", "veg-oil", "meal-feed", "cocoa", "coffee", "sugar", "cotton", "rubber", "orange"),
    ("money-supply", "money-fx", "interest", "reserves", "dlr", "bop"),
    ("cpi", "gnp", "ipi", "jobs", "lei", "wpi", "retail", "trade", "housing"),
    ("crude", "nat-gas", "gas", "heat", "pet-chem"),
    ("copper", "alum", "gold", "tin", "strategic-metal", "iron-steel", "zinc", "silver", "lead"),
    ("livestock", "carcass", "hog"),
    ("earn", "acq"),
)
_COMMON_WORDS = (
    "the of to in said and a mln 3 for vs dlrs it reuter pct on from is that its cts by at year "
    "be with will was net u s has loss 1 would as 2 billion company an not which but are inc "
    "shares this last 5 4 lt 1986 other share were or corp 1987 may also about up new had "
    "stock market profit one dlr two they tonnes per march quarter prices sales three first "
    "than more price government no he been oil bank after rate week any group rose april "
    "january february official told exchange"
).split()

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names, in label order."""
    return tuple(TOPICS)


def _standin_vocabulary() -> list[str]:
    leading = list(_COMMON_WORDS) + [topic for topic in TOPICS if topic not in _COMMON_WORDS]
    return synthetic_vocabulary(leading, STANDIN_VOCABULARY, seed=2718)


def _standin_word_index() -> dict[str, int]:
    return {word: rank for rank, word in enumerate(_standin_vocabulary(), start=1)}


def _topic_keywords(rng: np.random.Generator, rank: dict[str, int]) -> list[np.ndarray]:
    """Keyword ranks per topic: its name, 30 own words and 30 words of its family."""
    family_words = {family: rng.choice(np.arange(300, 8000), 40, replace=False) for family in _TOPIC_FAMILIES}
    keywords = []
    for topic in TOPICS:
        own = rng.choice(np.arange(200, 10_000), 30, replace=False)
        shared = [rng.choice(words, 30, replace=False) for family, words in family_words.items() if topic in family]
        keywords.append(np.concatenate([[rank[topic]], own, *shared]).astype(np.int64))
    return keywords


def generate_standin(seed: int = 0, size: int = TOTAL_SIZE) -> dict:
    """Raw newswires (word ranks, 1-based like the real file) as flat tokens + lengths, and topics."""
    rng = np.random.default_rng(seed)
    vocabulary = _standin_vocabulary()
    rank = {word: i for i, word in enumerate(vocabulary)}
    keywords = _topic_keywords(rng, rank)
    topics = rng.choice(NUM_TOPICS, size=size, p=_TOPIC_WEIGHTS / _TOPIC_WEIGHTS.sum())
    lengths = np.clip(rng.lognormal(np.log(95), 0.8, size), 8, 2376).astype(np.int64)
    focus = rng.beta(2.0, 6.0, size) * 0.5
    total = int(lengths.sum())
    owner = np.repeat(np.arange(size), lengths)
    tokens = rng.choice(len(vocabulary), size=total, p=zipf_weights(len(vocabulary)))
    topical = rng.random(total) < focus[owner]
    # A topical word sometimes comes from another topic (a story touching two subjects).
    word_topic = np.where(rng.random(total) < 0.9, topics[owner], rng.choice(NUM_TOPICS, size=total))
    for topic in range(NUM_TOPICS):
        chosen = topical & (word_topic == topic)
        pool = keywords[topic]
        tokens[chosen] = pool[rng.choice(len(pool), size=int(chosen.sum()), p=zipf_weights(len(pool), 0.8))]
    noisy = rng.random(size) < 0.04
    topics = np.where(noisy, rng.choice(NUM_TOPICS, size=size, p=_TOPIC_WEIGHTS / _TOPIC_WEIGHTS.sum()), topics)
    return {"tokens": tokens + 1, "lengths": lengths, "labels": topics.astype(np.int64)}


def _finish(raw: dict, *, test_split: float = TEST_SPLIT, **convention) -> Arrays:
    flat, lengths = apply_index_convention(raw["tokens"], raw["lengths"], **convention)
    sequences = to_object_array(flat, lengths)
    labels = np.asarray(raw["labels"])
    split = int(len(sequences) * (1 - test_split))
    return (sequences[:split], labels[:split]), (sequences[split:], labels[split:])


def fetch() -> None:
    """Download (or verify) the real files into the cache."""
    for remote in FILES:
        core.fetch(remote)


def _read_real() -> dict:
    arrays = load_npz_safely(core.fetch(FILES[0]))
    order = np.arange(len(arrays["x"]))
    np.random.RandomState(KERAS_SHUFFLE_SEED).shuffle(order)
    tokens, lengths = flatten_sequences(arrays["x"][order])
    return {"tokens": tokens, "lengths": lengths, "labels": np.asarray(arrays["y"])[order]}


def _read_standin(seed: int = 0) -> dict:
    return core.cached_standin(f"reuters-v{STANDIN_VERSION}-seed{seed}", lambda: generate_standin(seed))


def load_data(
    num_words: int | None = None,
    *,
    skip_top: int = 0,
    test_split: float = TEST_SPLIT,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    source: str = "auto",
) -> Arrays:
    """``((train_data, train_labels), (test_data, test_labels))`` like ``keras.datasets.reuters.load_data``."""
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be in [0, 1), got {test_split}.")
    convention = dict(
        num_words=num_words,
        skip_top=skip_top,
        test_split=test_split,
        start_char=start_char,
        oov_char=oov_char,
        index_from=index_from,
    )
    return core.load(
        name=NAME,
        title=TITLE,
        source=source,
        load_real=lambda: _finish(_read_real(), **convention),
        load_standin=lambda: _finish(_read_standin(), **convention),
        standin_description=STANDIN_DESCRIPTION,
    )


def load_real() -> Arrays:
    """The real newswires with the book's ``num_words=10000``."""
    return _finish(_read_real(), num_words=10_000)


def load_standin() -> Arrays:
    return _finish(_read_standin(), num_words=10_000)


def get_word_index(source: str = "auto") -> dict[str, int]:
    """Word -> rank (1 = most frequent), like ``keras.datasets.reuters.get_word_index``."""
    return load_word_index(
        name=NAME, title=TITLE, remote=FILES[1], source=source, standin=_standin_word_index, kind="newswires"
    )


def decode_newswire(sequence, word_index: dict[str, int], *, index_from: int = 3) -> str:
    """A newswire's words; padding, start and out-of-vocabulary markers show as ``?``."""
    return decode_sequence(sequence, word_index, index_from=index_from)
