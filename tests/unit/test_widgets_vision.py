"""The chapter 5 widgets, driven from Python with tiny models, bad inputs included."""

import io

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from dlwp_widgets.widgets.activation_browser import ActivationBrowser  # noqa: E402
from dlwp_widgets.widgets.filter_browser import FilterBrowser  # noqa: E402
from dlwp_widgets.widgets.gradcam_viewer import GradCAMViewer  # noqa: E402


def tiny_convnet(size=24, units=3):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((size, size, 3)),
            layers.Conv2D(4, 3, activation="relu", name="conv_a"),
            layers.MaxPooling2D(2, name="pool_a"),
            layers.Conv2D(5, 3, activation="relu", name="conv_b"),
            layers.Flatten(name="flat"),
            layers.Dense(units, activation="softmax" if units > 1 else "sigmoid", name="out"),
        ],
        name="tiny",
    )


def nested_binary(size=24):
    keras.utils.set_random_seed(1)
    base = keras.Sequential(
        [keras.Input((size, size, 3)), layers.Conv2D(4, 3, activation="relu", name="inner_conv"), layers.MaxPooling2D(2)],
        name="base",
    )
    return keras.Sequential([keras.Input((size, size, 3)), base, layers.Flatten(), layers.Dense(1, activation="sigmoid")])


def picture(height=40, width=30, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3)).astype(np.uint8)


def png_file(array):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def upload_value(data: bytes):
    import datetime

    entry = {"name": "mine.png", "type": "image/png", "size": len(data), "content": memoryview(data)}
    return ({**entry, "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)},)


# ----------------------------------------------------------------- ActivationBrowser


def test_activation_browser_one_forward_pass_for_all_views():
    browser = ActivationBrowser(tiny_convnet(), picture())
    assert browser.last_error is None
    assert list(browser.layer.options) == ["conv_a", "pool_a", "conv_b"]
    assert browser.last_picture.shape == (22, 22)
    assert browser.channel.max == 3
    browser.channel.value = 2
    browser.layer.value = "conv_b"
    assert browser.channel.max == 4 and browser.last_picture.shape == (9, 9)
    browser.view.value = "grid"
    assert browser.last_picture.shape == (9, 5 * 9 + 4)  # five tiles with 1-pixel margins
    browser.normalisation.value = "layer"
    assert "all 5 channels" in browser.info.value
    assert browser.cache.forward_passes == 1
    assert bytes(browser.picture.value[:4]) == b"\x89PNG"


def test_activation_browser_upload_and_bad_inputs_stay_usable():
    browser = ActivationBrowser(tiny_convnet(), picture())
    browser.set_image(np.zeros((5, 5)))
    assert "too small" in browser.last_error and "dlwp-error" in browser.error.value
    browser.set_image("not an image")
    assert "numeric" in browser.last_error
    browser.upload.value = upload_value(b"definitely not a png")
    assert "Not a readable image" in browser.last_error
    browser.upload.value = upload_value(png_file(picture(50, 60, seed=3)))
    assert browser.last_error is None and browser.error.value == ""
    assert browser.cache.forward_passes == 2


def test_activation_browser_explains_models_without_feature_maps():
    dense = keras.Sequential([keras.Input((8,)), layers.Dense(2)])
    browser = ActivationBrowser(dense, np.zeros((8, 8, 3)))
    assert "no layer with a" in browser.last_error and "no layer with a" in browser.error.value
    assert browser.layer.options == ()


def test_activation_browser_without_an_image_says_what_to_do():
    browser = ActivationBrowser(tiny_convnet())
    assert "No image yet" in browser.last_error


# ----------------------------------------------------------------- FilterBrowser


def test_filter_browser_computes_a_page_once_and_reuses_it():
    browser = FilterBrowser(
        tiny_convnet(), layer_names=["conv_a", "conv_b"], steps=3, page_size=4, value_range=(0, 1), background=False
    )
    assert browser.last_error is None
    assert browser.last_pattern.shape == (24, 24, 3) and browser.last_pattern.dtype == np.uint8
    visualizer = browser.visualizer()
    assert len(visualizer._cache) == 4 and browser.progress.value == 4
    browser.filter.value = 3
    assert len(visualizer._cache) == 4  # same page: served from the cache
    assert visualizer.traces == 1
    browser.layer.value = "conv_b"
    assert browser.filter.max == 4
    browser.jitter.value = True
    assert browser.last_error is None and len(browser.visualizers) == 3


def test_filter_browser_shows_errors_for_layers_without_feature_maps():
    browser = FilterBrowser(tiny_convnet(), layer_names=["conv_a", "out"], steps=2, background=False)
    browser.layer.value = "out"
    assert "not a feature map" in browser.last_error
    browser.layer.value = "conv_a"
    assert browser.last_error is None


def test_filter_browser_computes_in_the_background_and_keeps_the_newest_choice():
    browser = FilterBrowser(tiny_convnet(), layer_names=["conv_a", "conv_b"], steps=2, page_size=4, value_range=(0, 1))
    assert browser.last_key == ("conv_a", False, False, 0, 2)  # construction computed in the caller's thread
    first = browser.last_pattern
    browser.steps.value = 30  # not cached: the handler only starts the work
    assert browser.info.value.startswith("computing")
    browser.steps.value = 5  # during a run: that run stops, the newest choice follows
    browser.wait(60)
    assert not browser.running and browser.last_error is None
    assert browser.last_key == ("conv_a", False, False, 0, 5) and browser.last_pattern is not first
    assert browser.stop_button.disabled and "5 ascent steps" in browser.info.value
    browser.steps.value = 2  # cached: shown at once, no thread
    assert browser.last_pattern is first and not browser.running
    browser.layer.value = "conv_b"
    browser.wait(60)
    assert browser.last_key[0] == "conv_b" and browser.filter.max == 4
    before = browser.last_key
    browser.steps.value = 200
    browser.steps.value = 190  # waiting behind the first run...
    browser.stop_button.click()  # ...Stop ends the run (unless it just finished) and drops the waiting choice
    browser.wait(60)
    assert browser.last_key in (before, before[:4] + (200,)) and not browser.running


def test_filter_browser_stop_keeps_the_last_pattern_and_caches_nothing_unfinished():
    browser = FilterBrowser(
        tiny_convnet(), layer_names=["conv_a"], steps=2, page_size=4, value_range=(0, 1), chunk_steps=1, background=False
    )
    shown, key = browser.last_pattern, browser.last_key
    seen = []

    def press_stop_during_the_run(done, total):
        seen.append(done)
        assert not browser.stop_button.disabled  # Stop is clickable during a run
        browser.stop_button.click()

    browser.show_progress = press_stop_during_the_run
    browser.steps.value = 50
    assert browser.stopped and len(seen) == 1 and 0 < seen[0] < 1
    assert browser.last_pattern is shown and browser.last_key == key
    assert "stopped" in browser.info.value and browser.stop_button.disabled
    assert browser.visualizer().cached(0, steps=50) is None
    del browser.show_progress  # the widget stays usable
    browser.steps.value = 3
    assert not browser.stopped and browser.last_key == ("conv_a", False, False, 0, 3)


def test_filter_browser_shows_errors_raised_in_the_background():
    browser = FilterBrowser(tiny_convnet(), layer_names=["conv_a", "out"], steps=2)
    browser.layer.value = "out"
    browser.wait(60)
    assert "not a feature map" in browser.last_error and "not a feature map" in browser.error.value
    assert browser.stop_button.disabled and not browser.running
    browser.layer.value = "conv_a"  # cached again: no thread needed
    assert browser.last_error is None


def test_filter_visualizer_in_chunks_matches_one_call_and_stops_between_chunks():
    from dlwp_widgets.viz import filters as flt

    model = tiny_convnet()
    whole = flt.FilterVisualizer(model, "conv_a", size=24, blur_every=4, value_range=(0, 1)).patterns([0, 1], steps=9)
    chunked = flt.FilterVisualizer(model, "conv_a", size=24, blur_every=4, value_range=(0, 1))
    seen = []
    parts = chunked.patterns([0, 1], steps=9, chunk_steps=3, progress=lambda done, total: seen.append(done))
    assert all(np.array_equal(a, b) for a, b in zip(whole, parts))
    assert seen[-1] == 2 and len(seen) == 3  # blur every 4 steps: 3-step chunks become 4, 4, 1
    calls = []
    assert chunked.patterns([2], steps=9, chunk_steps=2, should_stop=lambda: calls.append(1) or len(calls) > 2) is None
    assert chunked.cached(2, steps=9) is None


# ----------------------------------------------------------------- GradCAMViewer


def test_gradcam_viewer_top_k_class_picker_and_opacity():
    viewer = GradCAMViewer(tiny_convnet(), picture(), class_names=["cat", "dog", "fox"], top_k=2)
    assert viewer.last_error is None
    assert viewer.layer_path == ["conv_b"]
    assert len(viewer.last_predictions) == 2
    best = viewer.last_predictions[0][0]
    assert viewer.class_picker.value == best
    assert viewer.last_overlay.shape == (40, 30, 3) and viewer.last_overlay.dtype == np.uint8
    heatmap = viewer.last_heatmap
    assert heatmap.shape == (9, 9) and 0.0 <= heatmap.min() and heatmap.max() <= 1.0
    viewer.opacity.value = 0.0
    np.testing.assert_array_equal(viewer.last_overlay, picture())
    viewer.opacity.value = 1.0
    assert not np.array_equal(viewer.last_overlay, picture())
    other = ({0, 1, 2} - {index for index, _, _ in viewer.last_predictions}).pop()
    viewer.show_class(other)
    assert viewer.class_picker.value == other and viewer.last_error is None
    options = viewer.class_picker.options
    viewer.show_class(99)
    assert "Class 99 does not exist" in viewer.last_error
    assert viewer.class_picker.options == options and viewer.class_picker.value == other
    viewer.opacity.value = 0.5
    assert viewer.last_error is None, "a rejected class must not stick"


def test_gradcam_viewer_nested_binary_model_and_bad_image():
    viewer = GradCAMViewer(nested_binary(), picture(), class_names=["cat", "dog"])
    assert viewer.layer_path == ["base", "inner_conv"]
    assert {index for index, _, _ in viewer.last_predictions} == {0, 1}
    assert abs(sum(prob for _, _, prob in viewer.last_predictions) - 1.0) < 1e-6
    viewer.set_image(np.zeros((20, 20, 4)))
    assert "(height, width, 3)" in viewer.last_error
    viewer.upload.value = upload_value(png_file(picture(seed=5)))
    assert viewer.last_error is None


def test_gradcam_viewer_reports_a_model_without_conv_layers():
    dense = keras.Sequential([keras.Input((4, 4, 3)), layers.Flatten(), layers.Dense(2, activation="softmax")])
    viewer = GradCAMViewer(dense, picture())
    assert "no convolutional layer" in viewer.last_error


def test_a_rejected_upload_leaves_no_stale_picture_or_predictions():
    """Issue 23, item 10: under "Not a readable image file" neither widget shows the previous picture."""
    viewer = GradCAMViewer(tiny_convnet(), picture(), class_names=["cat", "dog", "fox"], top_k=2)
    browser = ActivationBrowser(tiny_convnet(), picture())
    assert viewer.last_predictions and viewer.predictions.value and browser.last_picture is not None
    for widget in (viewer, browser):
        widget.upload.value = upload_value(b"definitely not a png")
        assert "Not a readable image" in widget.last_error
        assert widget.picture.layout.visibility == "hidden"
    assert viewer.last_predictions == [] and viewer.predictions.value == "" and viewer.class_picker.options == ()
    assert viewer.last_overlay is None and browser.last_picture is None and browser.info.value == ""
    viewer.upload.value = upload_value(png_file(picture(seed=5)))
    browser.upload.value = upload_value(png_file(picture(seed=5)))
    for widget in (viewer, browser):
        assert widget.last_error is None and widget.picture.layout.visibility is None
    assert viewer.last_predictions and browser.last_picture is not None
