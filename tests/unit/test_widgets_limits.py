"""The chapter-9 widgets driven from Python, with bad inputs: errors shown inside, widget still usable."""

import math
import os
import threading
import time

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
keras = pytest.importorskip("keras")

from dlwp_widgets.widgets.adversarial_explorer import AdversarialExplorer  # noqa: E402
from dlwp_widgets.widgets.extrapolation_explorer import ExtrapolationExplorer  # noqa: E402
from dlwp_widgets.widgets.hull_explorer import HullExplorer  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    """A linear softmax model on 6x6 images whose class is the brightest column pair (3 classes)."""
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    images = rng.uniform(0.3, 0.7, (12, 6, 6, 1)).astype("float32")
    labels = np.arange(12) % 3
    for i, label in enumerate(labels):
        images[i, :, 2 * label : 2 * label + 2] += 0.2
    model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(), keras.layers.Dense(3, activation="softmax")])
    kernel = np.zeros((36, 3), dtype="float32")
    columns = np.tile(np.arange(6), 6) // 2
    kernel[np.arange(36), columns] = 4.0
    model.layers[-1].set_weights([kernel, np.zeros(3, dtype="float32")])
    return model, images, labels


def test_adversarial_explorer_flips_and_targets(digits):
    model, images, labels = digits
    widget = AdversarialExplorer(model, images, labels, epsilon=0.0, classes=3, steps=3)
    widget.background = False  # each move attacks in this thread
    assert widget.last_error is None and widget.last_original_prediction[0] == labels[0]
    assert widget.last_prediction[0] == labels[0] and "unchanged" in widget.status.value
    widget.epsilon.value = 0.3
    assert widget.last_prediction[0] != labels[0] and "flipped" in widget.status.value
    assert np.abs(widget.last_adversarial - images[0]).max() <= 0.3 + 1e-6
    assert bytes(widget.picture.value).startswith(b"\x89PNG")
    widget.method.value = "iterative"
    widget.target.value = 2
    assert widget.last_prediction[0] == 2 and "target 2 reached" in widget.status.value
    widget.index.value = 5
    assert widget.last_error is None


def test_adversarial_explorer_bad_epsilon_is_shown_and_recovers(digits):
    model, images, labels = digits
    widget = AdversarialExplorer(model, images, labels, epsilon=0.1, classes=3)
    widget.background = False
    widget.epsilon.value = math.nan
    assert "finite" in widget.last_error and widget.picture.layout.display == "none"
    widget.epsilon.value = -0.2  # the slider clamps to its minimum, 0: no change at all
    assert widget.epsilon.value == 0.0 and widget.last_error is None
    assert np.array_equal(widget.last_adversarial, images[0])
    widget.epsilon.value = 0.1
    assert widget.last_error is None and widget.picture.layout.display is None


def test_adversarial_explorer_bad_images_and_model(digits):
    model, images, labels = digits
    widget = AdversarialExplorer(model, images * 255, labels, classes=3)
    assert "[0, 1]" in widget.last_error and "[0, 1]" in widget.error.value
    empty = AdversarialExplorer(model, images[:0], labels[:0], classes=3)
    assert "no images" in empty.last_error
    broken = keras.models.clone_model(model)
    broken.set_weights([np.full((36, 3), np.nan, "float32"), np.zeros(3, "float32")])
    widget = AdversarialExplorer(broken, images, labels, classes=3, epsilon=0.0)
    assert "NaN" in widget.last_error


def test_extrapolation_explorer_inside_outside_and_bad_inputs():
    widget = ExtrapolationExplorer("x²", training_range=(-1.0, 1.0))
    assert widget.points.max * widget.width.max <= 1000 * 400  # a refit stays fast
    assert widget.last_error is None
    assert widget.last_errors["inside"] < 0.05 < 1.0 < widget.last_errors["outside"]
    assert bytes(widget.chart.value).startswith(b"\x89PNG") and "outside" in widget.status.value
    widget.training_range.value = (-4.0, 4.0)  # the whole plotted range: nothing outside it
    assert math.isnan(widget.last_errors["outside"])
    widget.training_range.value = (1.0, 1.0)
    assert "empty" in widget.last_error and widget.chart.layout.display == "none"
    widget.noise.value = math.nan
    widget.training_range.value = (-2.0, 2.0)
    assert "noise" in widget.last_error
    widget.noise.value = 0.1
    assert widget.last_error is None
    widget.points.value = 2
    widget.function.value = "sin(x)"
    assert widget.last_error is None and widget.last_fit is not None
    good = widget.last_errors
    widget.points.value = 1  # the slider's minimum is 2
    assert widget.points.value == 2 and widget.last_errors == good


def test_hull_explorer_rates_table_and_bad_inputs():
    widget = HullExplorer(dimension=1, count=50, test_count=10)
    widget.background = False
    assert widget.last_error is None and widget.last_rate >= 0.8
    widget.dimension.value = 6
    widget.count.value = 20
    assert widget.results[(6, 20)] < widget.results[(1, 50)]
    assert "<table" in widget.table.value and "%" in widget.status.value
    widget.dimension.value = 0
    assert "dimension" in widget.last_error
    widget.dimension.value = 8
    widget.count.value = 5
    assert "too few" in widget.last_error and widget.status.value == ""
    widget.count.value = 40
    assert widget.last_error is None and (8, 40) in widget.results


def test_hull_explorer_stop_button(monkeypatch):
    from dlwp_widgets.limits import hull

    widget = HullExplorer(dimension=2, count=30, test_count=5)
    widget.background = False
    real, calls = hull.in_hull, []

    def click_stop_during_the_work(points, x):
        calls.append(x)
        widget.stop.click()
        return real(points, x)

    monkeypatch.setattr(hull, "in_hull", click_stop_during_the_work)
    widget.test_count.value = 20
    assert "stopped" in widget.last_error and len(calls) == 1
    monkeypatch.setattr(hull, "in_hull", real)
    widget.test_count.value = 10  # usable again
    assert widget.last_error is None and (2, 30) in widget.results


def test_adversarial_explorer_attacks_in_the_background_and_follows_the_newest_move(digits, monkeypatch):
    from dlwp_widgets.limits import adversarial

    model, images, labels = digits
    widget = AdversarialExplorer(model, images, labels, epsilon=0.0, classes=3, steps=4)
    real, release, calls = adversarial.input_gradients, threading.Event(), []

    def held_gradients(model, x, classes):
        calls.append(len(calls))
        release.wait(10)
        return real(model, x, classes)

    monkeypatch.setattr(adversarial, "input_gradients", held_gradients)
    started = time.perf_counter()
    widget.method.value = "iterative"  # starts a 4-step attack, held at its first gradient
    assert time.perf_counter() - started < 1.0 and widget.running and not widget.stop_button.disabled
    widget.epsilon.value = 0.1
    widget.epsilon.value = 0.3  # two moves during the run: one rerun, with the newest ε
    release.set()
    widget.wait(30)
    assert not widget.running and widget.last_error is None
    assert len(calls) <= 4 + 1  # the first run stopped after its step; the rerun took 4
    assert np.abs(widget.last_adversarial - images[0]).max() == pytest.approx(0.3, abs=1e-6)
    assert widget.stop_button.disabled and widget.progress.value == widget.progress.max


def test_adversarial_explorer_stop_keeps_the_last_attack(digits, monkeypatch):
    from dlwp_widgets.limits import adversarial

    model, images, labels = digits
    widget = AdversarialExplorer(model, images, labels, epsilon=0.2, classes=3, steps=5)
    widget.background = False
    shown = widget.last_adversarial
    real, calls = adversarial.input_gradients, []

    def click_stop(model, x, classes):
        calls.append(1)
        widget.stop_button.click()
        return real(model, x, classes)

    monkeypatch.setattr(adversarial, "input_gradients", click_stop)
    widget.method.value = "pgd"
    assert len(calls) == 1 and "stopped" in widget.status.value
    assert widget.last_adversarial is shown and widget.last_error is None
    monkeypatch.setattr(adversarial, "input_gradients", real)
    widget.steps.value = 2  # usable again
    assert "prediction" in widget.status.value and widget.last_adversarial is not shown


def test_hull_explorer_computes_in_the_background_with_progress():
    widget = HullExplorer(dimension=2, count=30, test_count=5)
    started = time.perf_counter()
    widget.test_count.value = 40
    widget.count.value = 60  # during the run: it restarts with the newest values
    assert time.perf_counter() - started < 0.5
    widget.wait(60)
    assert not widget.running and widget.last_error is None
    assert (2, 60) in widget.results and widget.progress.value == widget.progress.max == 40
    assert widget.stop.disabled and "40 new samples" in widget.status.value
