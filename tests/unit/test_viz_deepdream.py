"""DeepDream computation: loss, compiled step, octaves, detail re-injection, bad settings."""

import math

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from dlwp_widgets.viz import deepdream as dd  # noqa: E402
from dlwp_widgets.viz import sample_images  # noqa: E402
from dlwp_widgets.viz.images import ImageError  # noqa: E402


def tiny_convnet():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((None, None, 3)),
            layers.Conv2D(4, 3, activation="relu", name="c1"),
            layers.Conv2D(6, 3, activation="relu", name="c2"),
            layers.MaxPooling2D(2, name="pool"),
            layers.Conv2D(5, 3, activation="relu", name="c3"),
        ],
        name="tiny",
    )


def picture(height=40, width=48, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, (height, width, 3)).astype(np.float32)


def test_dream_loss_matches_the_book_formula():
    rng = np.random.default_rng(0)
    features = {"a": rng.normal(size=(1, 8, 9, 3)).astype(np.float32), "b": rng.normal(size=(1, 6, 6, 2)).astype(np.float32)}
    weights = {"a": 0.5, "b": 2.0}
    expected = sum(
        weights[name] * np.sum(np.square(f[:, 2:-2, 2:-2, :])) / f.size for name, f in features.items()
    )
    assert float(dd.dream_loss(features, weights)) == pytest.approx(expected, rel=1e-5)


def test_compiled_step_equals_the_books_eager_step_and_compiles_once():
    model = tiny_convnet()
    dreamer = dd.DeepDream(model, ["c1", "c2", "c3"])
    weights = {"c1": 0.2, "c2": 3.0, "c3": 1.5}
    x = dd.preprocess(picture())
    ours, losses, stopped = dreamer.gradient_ascent(x, weights, iterations=3, step=0.01, max_loss=None)
    book = dd.book_gradient_ascent(dreamer.extractor, x, weights, iterations=3, step=0.01)
    np.testing.assert_allclose(ours, book, rtol=1e-4, atol=1e-5)
    assert not stopped and len(losses) == 3
    assert losses[-1] > losses[0], "gradient ascent must increase the dream loss"
    dreamer.gradient_ascent(dd.preprocess(picture(30, 20)), {"c1": 1.0}, iterations=2, step=0.02)
    # another size and other weights: the same compiled step on TensorFlow; JAX compiles once per size
    assert dreamer.traces == (1 if keras.backend.backend() == "tensorflow" else 2)


def test_max_loss_stops_the_ascent_before_the_step():
    dreamer = dd.DeepDream(tiny_convnet(), ["c2"])
    x = dd.preprocess(picture())
    _, losses, _ = dreamer.gradient_ascent(x, {"c2": 1.0}, iterations=5, step=0.01, max_loss=None)
    out, capped, _ = dreamer.gradient_ascent(x, {"c2": 1.0}, iterations=5, step=0.01, max_loss=losses[1] * 1.0000001)
    assert len(capped) == 2  # the third loss passed the cap: no third step


def test_octave_shapes_smallest_first():
    assert dd.octave_shapes((400, 600), 3, 1.4) == [(204, 306), (285, 428), (400, 600)]
    assert dd.octave_shapes((100, 80), 1) == [(100, 80)]
    with pytest.raises(ValueError, match="above 1"):
        dd.octave_shapes((100, 100), 2, 1.0)


def test_dream_runs_every_octave_and_reinjects_detail():
    dreamer = dd.DeepDream(tiny_convnet(), ["c1", "c2"])
    seen = []
    result = dreamer.dream(
        picture(48, 64), {"c1": 1.0, "c2": 1.0}, num_octave=2, iterations=3, step=0.01, max_loss=None,
        min_side=8, progress=lambda done, total, loss, pic: seen.append((done, total, pic.shape)),
    )
    assert result.image.shape == (48, 64, 3) and result.image.dtype == np.uint8
    assert result.shapes == [(34, 45), (48, 64)]
    assert [len(losses) for losses in result.octave_losses] == [3, 3]
    assert [done for done, _, _ in seen] == [1, 2, 3, 4, 5, 6] and seen[0][1] == 6
    assert seen[0][2] == (34, 45, 3) and seen[-1][2] == (48, 64, 3)
    assert all(losses[-1] > losses[0] for losses in result.octave_losses)
    # With a zero step the picture comes back (up to interpolation and rounding): the re-injected
    # detail restores what shrinking lost.
    still = dreamer.dream(picture(48, 64), {"c1": 1.0}, num_octave=2, iterations=1, step=1e-12, min_side=8)
    assert np.abs(still.image.astype(int) - np.clip(picture(48, 64), 0, 255).astype(np.uint8)).mean() < 2.0


def test_stop_ends_the_dream_after_the_current_step():
    dreamer = dd.DeepDream(tiny_convnet(), ["c2"])
    calls = []
    result = dreamer.dream(
        picture(), {"c2": 1.0}, num_octave=2, iterations=5, min_side=8,
        should_stop=lambda: len(calls) >= 2, progress=lambda *args: calls.append(args),
    )
    assert result.stopped and len(calls) == 2 and sum(map(len, result.octave_losses)) == 2


@pytest.mark.parametrize(
    "weights, message",
    [
        ({"c1": 0.0, "c2": 0.0}, "All layer weights are 0"),
        ({"c1": float("nan"), "c2": 1.0}, "finite number"),
        ({"c1": "lots"}, "not a number"),
        ({"nope": 1.0}, "No layer named 'nope'"),
    ],
)
def test_bad_layer_weights_are_refused_clearly(weights, message):
    dreamer = dd.DeepDream(tiny_convnet(), ["c1", "c2"])
    with pytest.raises(ValueError, match=message):
        dreamer.dream(picture(), weights, min_side=8)


def test_bad_step_and_too_small_pictures_are_refused():
    dreamer = dd.DeepDream(tiny_convnet(), ["c1"])
    with pytest.raises(ValueError, match="step must be a positive"):
        dreamer.dream(picture(), {"c1": 1.0}, step=float("nan"), min_side=8)
    with pytest.raises(ImageError, match="at least 75"):
        dreamer.dream(picture(120, 120), {"c1": 1.0}, num_octave=3)  # smallest octave 61 px < InceptionV3's 75
    with pytest.raises(ValueError, match="No layer named"):
        dd.DeepDream(tiny_convnet(), ["missing"])


def test_fit_picture_downscales_huge_pictures_and_names_the_limit():
    huge = np.zeros((3000, 2000, 3), np.uint8)
    fitted, note = dd.fit_picture(huge, max_side=256)
    assert fitted.shape == (256, 171, 3)
    assert "limit: 256 pixels" in note and "3000x2000" in note
    with pytest.raises(ImageError, match="at least 75"):
        dd.fit_picture(np.zeros((60, 200, 3)))
    with pytest.raises(ImageError, match="Not a readable image"):
        dd.fit_picture(b"not a picture")


def test_sample_pictures_ship_with_scikit_image():
    assert set(sample_images.names("texture")) == {"brick", "grass", "gravel"}
    brick = sample_images.load("brick", max_side=64)
    assert brick.shape == (64, 64, 3) and brick.dtype == np.float32 and 0 <= brick.min() and brick.max() <= 255
    assert sample_images.load("coffee", max_side=120).shape == (80, 120, 3)
    assert "cat" in sample_images.describe("chelsea")
    with pytest.raises(KeyError, match="choose one of"):
        sample_images.load("mona_lisa")


def test_deprocess_inverts_preprocess():
    pic = np.round(picture())
    assert math.isclose(float(dd.preprocess(pic).min()), pic.min() / 127.5 - 1, rel_tol=1e-5)
    np.testing.assert_array_equal(dd.deprocess(dd.preprocess(pic)), pic.astype(np.uint8))
