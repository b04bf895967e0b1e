"""FGSM and iterative attacks on a tiny softmax classifier: bounds, direction, bad settings."""

import math
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
keras = pytest.importorskip("keras")

from dlwp_widgets.limits import adversarial  # noqa: E402


@pytest.fixture(scope="module")
def tiny():
    """A linear softmax classifier on 4x4 images: class = which half of the image is brighter."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    images = rng.uniform(0.2, 0.8, (64, 4, 4, 1)).astype("float32")
    labels = (images[:, :, 2:].mean(axis=(1, 2, 3)) > images[:, :, :2].mean(axis=(1, 2, 3))).astype(int)
    model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
    kernel = np.zeros((16, 2), dtype="float32")
    right = np.tile([0, 0, 1, 1], 4).astype(bool)
    kernel[right, 1], kernel[~right, 0] = 5.0, 5.0
    model.layers[-1].set_weights([kernel, np.zeros(2, dtype="float32")])
    return model, images, labels


def test_epsilon_checks():
    assert adversarial.check_epsilon(0.1) == 0.1
    for bad, words in ((math.nan, "finite"), (-0.1, "negative"), (1.5, "exceeds"), ("x", "number"), (True, "number")):
        with pytest.raises(adversarial.AttackError, match=words):
            adversarial.check_epsilon(bad)


def test_fgsm_stays_in_the_box_and_flips_predictions(tiny):
    model, images, labels = tiny
    clean = adversarial.predict(model, images)
    assert (clean.argmax(-1) == labels).mean() == 1.0
    x = adversarial.fgsm(model, images, labels, 0.3)
    assert np.abs(x - images).max() <= 0.3 + 1e-6 and x.min() >= 0 and x.max() <= 1
    assert adversarial.flip_rate(clean, adversarial.predict(model, x), labels) > 0.9
    assert np.array_equal(adversarial.fgsm(model, images, labels, 0.0), images)


def test_iterative_and_targeted(tiny):
    model, images, labels = tiny
    for method in ("iterative", "pgd"):
        x = adversarial.attack(model, images, labels, 0.2, method=method, steps=5, classes=2)
        assert np.abs(x - images).max() <= 0.2 + 1e-6
    x = adversarial.attack(model, images, labels, 0.3, method="iterative", steps=5, target=1, classes=2)
    assert adversarial.target_rate(adversarial.predict(model, x), labels, 1) > 0.9


def test_sweep_and_smallest_epsilon(tiny):
    model, images, labels = tiny
    result = adversarial.sweep(model, images, labels, [0.0, 0.05, 0.3])
    assert result["accuracy"][0] == 1.0 and result["flip_rate"][0] == 0.0
    assert result["accuracy"][-1] < 0.1
    assert adversarial.smallest_epsilon(result["epsilon"], result["flip_rate"], 0.5) in (0.05, 0.3)
    assert adversarial.smallest_epsilon([0.1], [0.2], 0.5) is None


def test_bad_inputs_are_refused(tiny):
    model, images, labels = tiny
    with pytest.raises(adversarial.AttackError, match="unknown attack"):
        adversarial.attack(model, images, labels, 0.1, method="magic")
    with pytest.raises(adversarial.AttackError, match="target class"):
        adversarial.attack(model, images, labels, 0.1, target=7, classes=2)
    with pytest.raises(adversarial.AttackError, match="steps"):
        adversarial.iterative(model, images, labels, 0.1, steps=0)
    with pytest.raises(adversarial.AttackError, match="NaN"):
        adversarial.fgsm(model, np.full((1, 4, 4, 1), np.nan), [0], 0.1)
    with pytest.raises(adversarial.AttackError, match=r"\[0, 1\]"):
        adversarial.fgsm(model, images * 255, labels, 0.1)
    with pytest.raises(adversarial.AttackError, match="non-empty"):
        adversarial.fgsm(model, np.zeros((0, 4, 4, 1)), [], 0.1)
