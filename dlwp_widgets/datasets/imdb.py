"""IMDB: 50,000 movie reviews as word-index sequences, labelled negative (0) / positive (1).

Chapters 3, 4, 6 and 7 use it through ``load_data(num_words=10000)``.

Real data: Keras' ``imdb.npz`` (sha256 pinned by ``keras.datasets.imdb``) and
``imdb_word_index.json`` (md5 pinned there too).  The npz holds ragged
``dtype=object`` arrays, i.e. pickle streams; they are read with Keras'
restricted unpickler, which rebuilds numpy arrays and refuses every other
object, instead of ``np.load(allow_pickle=True)``.

The sequences follow Keras' conventions exactly: every review starts with 1,
word indices are shifted by ``index_from=3`` (0 padding, 1 start, 2
out-of-vocabulary), words outside the ``num_words`` most frequent become 2, and
the real files are shuffled with Keras' seed 113 so that ``train_data[0]`` is the
review the book prints.

Stand-in: 25,000 + 25,000 generated reviews over a 12,000-word vocabulary with
a matching word index.  Most words follow a Zipf law and carry no sentiment; a
review-specific fraction are drawn from positive or negative words (mostly of
the review's own polarity, some of the other), and 4% of labels are flipped.  A
bag-of-words model can therefore learn the task well but not perfectly.
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

NAME = "imdb"
TITLE = "IMDB movie reviews"
_BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILES = (
    core.RemoteFile(
        filename="imdb.npz",
        url=_BASE_URL + "imdb.npz",
        file_hash="69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
        note="sha256 as pinned by keras.datasets.imdb",
        max_bytes=20_000_000,  # the file is 17,464,789 bytes
    ),
    core.RemoteFile(
        filename="imdb_word_index.json",
        url=_BASE_URL + "imdb_word_index.json",
        file_hash="bfafd718b763782e994055a2d397834f",
        hash_algorithm="md5",
        note="md5 as pinned by keras.datasets.imdb.get_word_index",
        max_bytes=2_000_000,  # the file is 1,641,221 bytes
    ),
)
KERAS_SHUFFLE_SEED = 113
TRAIN_SIZE = 25_000
TEST_SIZE = 25_000
STANDIN_VOCABULARY = 12_000
STANDIN_VERSION = 1
STANDIN_DESCRIPTION = (
    "25,000 train / 25,000 test generated reviews (word-index sequences, 12,000-word synthetic "
    "vocabulary with a matching word index); sentiment carried by a review-specific share of "
    "positive/negative words, 4% flipped labels. Same format as keras.datasets.imdb."
)

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

# --- IMDB ---

_NEUTRAL_WORDS = (
    "the and a of to is br in it i this that was as for with movie but film on not you are his "
    "have he be one all at by an they who so from like her just about out if has what some "
    "there can more when very up no time even my would which only story really see their had "
    "we me been much other will do also were into first because how people him made get then "
    "make could way them too any after movies characters character watch two think plot acting "
    "seen many being life never where over little well show know off ever does scene man here "
    "scenes end through something why still years say while should actors go back real those "
    "director these doesn't thing though now old another actually nothing before new find work "
    "same few part lot going cast years look want again things young both between down music "
    "series role around world big take fact may every long quite enough without own"
).split()
_POSITIVE_WORDS = (
    "great good best love excellent wonderful beautiful amazing perfect brilliant favorite "
    "loved enjoyed fun superb fantastic touching highly today beautifully masterpiece "
    "outstanding powerful moving charming delightful gem recommended terrific refreshing "
    "memorable heartwarming stunning subtle hilarious wonderfully tender classic finest "
    "captivating"
).split()
_NEGATIVE_WORDS = (
    "bad worst waste awful boring terrible stupid poor horrible crap worse dull lame poorly "
    "ridiculous mess pointless annoying badly unfortunately disappointing garbage pathetic "
    "avoid laughable wasted forgettable redeeming unwatchable dreadful bland tedious "
    "clumsy cheap insult painful sloppy lousy"
).split()


def standin_vocabulary() -> list[str]:
    """The stand-in reviews' vocabulary, most frequent word first (shared by aclImdb and GloVe stand-ins)."""
    # Sentiment words sit among the frequent words, as "great" and "bad" do in the real index.
    leading = list(_NEUTRAL_WORDS[:60])
    for position, word in enumerate(_POSITIVE_WORDS + _NEGATIVE_WORDS):
        leading.insert(60 + 3 * position, word)
    leading += [w for w in _NEUTRAL_WORDS[60:] if w not in leading]
    return synthetic_vocabulary(leading, STANDIN_VOCABULARY, seed=1729)


def _standin_word_index() -> dict[str, int]:
    return {word: rank for rank, word in enumerate(standin_vocabulary(), start=1)}


def generate_standin(seed: int = 0, train_size: int = TRAIN_SIZE, test_size: int = TEST_SIZE) -> dict:
    """Raw reviews (word ranks, 1-based like the real file) as flat tokens + lengths."""
    rng = np.random.default_rng(seed)
    vocabulary = standin_vocabulary()
    rank = {word: i for i, word in enumerate(vocabulary)}
    size = train_size + test_size
    # Many weak cues as well as the obvious words: 300 mid-frequency words lean each way.
    leaning = rng.choice(np.arange(300, 6000), size=600, replace=False)
    pools = {
        1: np.concatenate([[rank[w] for w in _POSITIVE_WORDS], leaning[:300]]),
        0: np.concatenate([[rank[w] for w in _NEGATIVE_WORDS], leaning[300:]]),
    }
    base = zipf_weights(len(vocabulary))
    lengths = np.clip(rng.lognormal(np.log(178), 0.75, size), 10, 2494).astype(np.int64)
    labels = rng.integers(0, 2, size)
    clarity = rng.beta(2.0, 5.0, size) * 0.45
    total = int(lengths.sum())
    owner = np.repeat(np.arange(size), lengths)
    tokens = rng.choice(len(vocabulary), size=total, p=base)
    sentiment = rng.random(total) < clarity[owner]
    polarity = np.where(rng.random(total) < 0.8, labels[owner], 1 - labels[owner])
    for value, pool in pools.items():
        chosen = sentiment & (polarity == value)
        weights = zipf_weights(len(pool), exponent=0.7)
        tokens[chosen] = pool[rng.choice(len(pool), size=int(chosen.sum()), p=weights)]
    flipped = rng.random(size) < 0.04
    labels = np.where(flipped, 1 - labels, labels)
    cut = int(lengths[:train_size].sum())
    return {
        "train_tokens": tokens[:cut] + 1,
        "train_lengths": lengths[:train_size],
        "y_train": labels[:train_size].astype(np.int64),
        "test_tokens": tokens[cut:] + 1,
        "test_lengths": lengths[train_size:],
        "y_test": labels[train_size:].astype(np.int64),
    }


def _finish(raw: dict, **convention) -> Arrays:
    """Raw flat splits -> Keras-format splits (index convention over both, like Keras)."""
    flat = np.concatenate([raw["train_tokens"], raw["test_tokens"]])
    lengths = np.concatenate([raw["train_lengths"], raw["test_lengths"]])
    flat, lengths = apply_index_convention(flat, lengths, **convention)
    sequences = to_object_array(flat, lengths)
    split = len(raw["train_lengths"])
    return (sequences[:split], raw["y_train"]), (sequences[split:], raw["y_test"])


def fetch() -> None:
    """Download (or verify) the real files into the cache."""
    for remote in FILES:
        core.fetch(remote)


def _read_real() -> dict:
    arrays = load_npz_safely(core.fetch(FILES[0]))
    rng = np.random.RandomState(KERAS_SHUFFLE_SEED)
    raw = {}
    for split in ("train", "test"):
        order = np.arange(len(arrays[f"x_{split}"]))
        rng.shuffle(order)
        raw[f"{split}_tokens"], raw[f"{split}_lengths"] = flatten_sequences(arrays[f"x_{split}"][order])
        raw[f"y_{split}"] = np.asarray(arrays[f"y_{split}"])[order]
    return raw


def read_standin(seed: int = 0) -> dict:
    """The stand-in's raw reviews (flat tokens + lengths, see :func:`generate_standin`), cached."""
    return core.cached_standin(f"imdb-v{STANDIN_VERSION}-seed{seed}", lambda: generate_standin(seed))


def load_data(
    num_words: int | None = None,
    *,
    skip_top: int = 0,
    start_char: int | None = 1,
    oov_char: int | None = 2,
    index_from: int = 3,
    source: str = "auto",
) -> Arrays:
    """``((train_data, train_labels), (test_data, test_labels))`` like ``keras.datasets.imdb.load_data``."""
    convention = dict(
        num_words=num_words, skip_top=skip_top, start_char=start_char, oov_char=oov_char, index_from=index_from
    )
    return core.load(
        name=NAME,
        title=TITLE,
        source=source,
        load_real=lambda: _finish(_read_real(), **convention),
        load_standin=lambda: _finish(read_standin(), **convention),
        standin_description=STANDIN_DESCRIPTION,
    )


def load_real() -> Arrays:
    """The real reviews with the book's ``num_words=10000``."""
    return _finish(_read_real(), num_words=10_000)


def load_standin() -> Arrays:
    return _finish(read_standin(), num_words=10_000)


def get_word_index(source: str = "auto") -> dict[str, int]:
    """Word -> rank (1 = most frequent), like ``keras.datasets.imdb.get_word_index``."""
    return load_word_index(
        name=NAME, title=TITLE, remote=FILES[1], source=source, standin=_standin_word_index, kind="reviews"
    )


def decode_review(sequence, word_index: dict[str, int], *, index_from: int = 3) -> str:
    """A review's words; padding, start and out-of-vocabulary markers show as ``?``."""
    return decode_sequence(sequence, word_index, index_from=index_from)
