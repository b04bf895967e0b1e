"""Batched filter visualisation: one compilation, per-image normalisation, caching."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from dlwp_widgets.viz import filters as flt  # noqa: E402


def conv_model(size=None):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((size, size, 3)),
            layers.Conv2D(4, 3, activation="relu", name="c1"),
            layers.Conv2D(6, 3, activation="relu", name="c2"),
            layers.GlobalAveragePooling2D(name="gap"),
        ]
    )


def test_batched_patterns_match_single_runs_and_compile_once():
    model = conv_model()
    batched = flt.FilterVisualizer(model, "c2", size=16)
    together = batched.patterns(range(6), steps=4, batch_size=4)
    alone = flt.FilterVisualizer(model, "c2", size=16).patterns([4], steps=4)[0]
    np.testing.assert_array_equal(together[4], alone)
    # two batches, six filter indices: one trace on TensorFlow (any batch size), one per batch shape on JAX
    assert batched.traces == (1 if keras.backend.backend() == "tensorflow" else 2)
    assert all(p.shape == (16, 16, 3) and p.dtype == np.uint8 for p in together)


def test_gradient_is_normalised_per_image_not_over_the_batch():
    """Scaling one image's gradient must not change another image's step."""
    model = conv_model()
    visualizer = flt.FilterVisualizer(model, "c1", size=12)
    start = np.stack([flt.start_image(12, seed) for seed in (1, 2)])
    together = visualizer._ascent(start, np.array([0, 1], np.int32), np.int32(1), np.float32(1.0))
    alone = visualizer._ascent(start[1:], np.array([1], np.int32), np.int32(1), np.float32(1.0))
    np.testing.assert_allclose(together[1], alone[0], rtol=1e-4, atol=1e-3)
    step = together[1] - start[1]
    assert np.sqrt(np.mean(step**2)) == pytest.approx(1.0, rel=1e-2)  # 1 up to the epsilon


def test_ascent_increases_the_filter_activation():
    model = conv_model()
    visualizer = flt.FilterVisualizer(model, "c2", size=16)
    extractor = flt.layer_extractor(model, "c2")
    start = flt.start_image(16, 0)[None]
    alive = int(np.argmax(np.mean(extractor(start), axis=(0, 1, 2))))  # a filter that responds at all
    after = visualizer._ascent(start, np.array([alive], np.int32), np.int32(10), np.float32(1.0))
    before_value = float(np.mean(extractor(start)[..., alive]))
    after_value = float(np.mean(extractor(after)[..., alive]))
    assert after_value > before_value


def test_cache_progress_and_regularisation():
    visualizer = flt.FilterVisualizer(conv_model(), "c2", size=16, jitter=1, blur_every=2)
    seen = []
    visualizer.patterns([0, 1, 2], steps=3, batch_size=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 3), (3, 3)]
    seen.clear()
    visualizer.patterns([1, 2], steps=3, progress=lambda done, total: seen.append((done, total)))
    assert seen == []  # everything came from the cache
    assert visualizer.cached(0, steps=3) is not None and visualizer.cached(0, steps=4) is None


def test_fixed_input_size_wins_and_errors_are_clear():
    assert flt.FilterVisualizer(conv_model(size=20), "c1", size=64).size == 20
    model = conv_model()
    with pytest.raises(ValueError, match="No layer named"):
        flt.FilterVisualizer(model, "missing")
    with pytest.raises(ValueError, match="not a feature map"):
        flt.FilterVisualizer(model, "gap")
    with pytest.raises(ValueError, match="out of range: c1 has 4 filters"):
        flt.FilterVisualizer(model, "c1", size=12).patterns([4], steps=1)


def test_book_port_and_helpers():
    pattern = flt.book_filter_pattern(conv_model(), "c1", 1, size=12, steps=2)
    assert pattern.shape == (12, 12, 3) and pattern.dtype == np.uint8
    image = flt.deprocess_image(np.array([[0.0, 1.0], [2.0, 3.0]]))
    assert image.dtype == np.uint8 and abs(float(image.mean()) - 127.5) < 1
    grid = flt.filter_grid([np.full((4, 4, 3), 255, np.uint8)] * 3, columns=2, margin=1)
    assert grid.shape == (9, 9, 3) and grid.dtype == np.uint8 and grid[4, 0, 0] == 0
    with pytest.raises(ValueError, match="No patterns"):
        flt.filter_grid([])
    start = flt.start_image(8, 3, value_range=(0.0, 1.0))
    assert 128 / 255 <= start.min() and start.max() <= 148 / 255 + 1e-6
