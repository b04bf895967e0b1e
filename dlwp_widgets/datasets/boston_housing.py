"""Boston housing: 506 Boston suburbs in the mid-1970s, 13 features, median home value (k$).

Chapter 3.6 predicts the price from the features: 404 training / 102 test
samples.  One of the 13 columns (``B``) is derived from the share of Black
residents; it is kept because the book's shapes and results depend on it, and
the dataset is a historical teaching example, not a model to deploy.

Real data: Keras' ``boston_housing.npz`` (sha256 pinned by
``keras.datasets.boston_housing``), shuffled with Keras' seed 113 and split 80/20.

Stand-in: 506 generated suburbs whose 13 features follow the real columns'
ranges and correlations (built from two hidden factors: how urban and how well
off a suburb is); the price depends non-linearly on rooms, lower-status share,
crime, distance and pupil-teacher ratio plus noise, capped at 50 as in the real
data.  Predicting the mean price misses by about 7 k$; a small network does far
better.
"""

from __future__ import annotations

import numpy as np

from dlwp_widgets.datasets import core

NAME = "boston_housing"
TITLE = "Boston housing prices"
FILES = (
    core.RemoteFile(
        filename="boston_housing.npz",
        url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/boston_housing.npz",
        file_hash="f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
        note="sha256 as pinned by keras.datasets.boston_housing",
        max_bytes=100_000,  # the file is 57,026 bytes
    ),
)
FEATURES = (
    "CRIM ZN INDUS CHAS NOX RM AGE DIS RAD TAX PTRATIO B LSTAT"
).split()
KERAS_SHUFFLE_SEED = 113
TEST_SPLIT = 0.2
TOTAL_SIZE = 506
STANDIN_VERSION = 1
STANDIN_DESCRIPTION = (
    "506 generated suburbs (404 train / 102 test), 13 float features with the real columns' ranges "
    "and correlations, prices in k$ from a non-linear function of rooms, status, crime, distance "
    "and schooling plus noise, capped at 50. Same format as keras.datasets.boston_housing."
)

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def generate_standin(seed: int = 0, size: int = TOTAL_SIZE) -> dict:
    """Features ``x`` (size, 13) float64 and prices ``y`` (size,) float64, in the real file's layout."""
    rng = np.random.default_rng(seed)
    urban = rng.normal(size=size)  # city centre (high) vs outer suburb (low)
    wealth = rng.normal(size=size) - 0.4 * urban

    def noise(scale=1.0):
        return rng.normal(scale=scale, size=size)

    crim = np.exp(0.3 + 1.6 * urban - 0.5 * wealth + noise(0.8)).clip(0.006, 89.0)
    zn = np.where(urban + noise(0.5) < -0.5, rng.choice([12.5, 20, 25, 40, 80], size), 0.0)
    indus = (11 + 5.5 * urban - 1.5 * wealth + noise(3)).clip(0.46, 27.7)
    chas = (rng.random(size) < 0.07).astype(float)
    nox = (0.55 + 0.09 * urban + noise(0.04)).clip(0.385, 0.871)
    rm = (6.28 + 0.55 * wealth + noise(0.35)).clip(3.56, 8.78)
    age = (68 + 22 * urban - 6 * wealth + noise(12)).clip(2.9, 100.0)
    dis = np.exp(1.2 - 0.45 * urban + noise(0.2)).clip(1.13, 12.1)
    inner = urban + noise(0.4) > 1.0
    rad = np.where(inner, 24.0, rng.choice([1, 2, 3, 4, 5, 6, 7, 8], size).astype(float))
    tax = np.where(inner, 666.0, (330 + 60 * urban + noise(50)).clip(187, 711))
    ptratio = (18.5 + 1.3 * urban - 0.8 * wealth + noise(1.2)).clip(12.6, 22.0)
    b = np.where(rng.random(size) < 0.85, 396.9 - np.abs(noise(8)), rng.uniform(0.32, 380, size))
    lstat = np.exp(2.4 + 0.25 * urban - 0.45 * wealth + noise(0.2)).clip(1.73, 37.97)

    price = (
        22.5
        + 5.5 * (rm - 6.28)
        + 2.2 * np.maximum(rm - 7.0, 0) ** 2
        - 6.5 * np.log(lstat / 11.0)
        - 1.2 * np.log1p(crim)
        - 0.9 * (dis - 3.8)
        - 0.7 * (ptratio - 18.5)
        + 2.5 * chas
        + noise(3.0)
    )
    x = np.column_stack([crim, zn, indus, chas, nox, rm, age, dis, rad, tax, ptratio, b, lstat])
    return {"x": x.round(4), "y": price.clip(5.0, 50.0).round(1)}


def _split(raw: dict, test_split: float = TEST_SPLIT, shuffle_seed: int | None = None) -> Arrays:
    x, y = np.asarray(raw["x"]), np.asarray(raw["y"])
    if shuffle_seed is not None:
        order = np.arange(len(x))
        np.random.RandomState(shuffle_seed).shuffle(order)
        x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def fetch() -> None:
    """Download (or verify) the real file into the cache."""
    for remote in FILES:
        core.fetch(remote)


def load_real() -> Arrays:
    with np.load(core.fetch(FILES[0]), allow_pickle=False) as data:
        raw = {"x": data["x"], "y": data["y"]}
    return _split(raw, shuffle_seed=KERAS_SHUFFLE_SEED)


def load_standin(seed: int = 0) -> Arrays:
    raw = core.cached_standin(f"boston_housing-v{STANDIN_VERSION}-seed{seed}", lambda: generate_standin(seed))
    return _split(raw)


def load_data(source: str = "auto") -> Arrays:
    """``((train_data, train_targets), (test_data, test_targets))`` like ``keras.datasets.boston_housing``."""
    return core.load(
        name=NAME,
        title=TITLE,
        source=source,
        load_real=load_real,
        load_standin=load_standin,
        standin_description=STANDIN_DESCRIPTION,
    )
