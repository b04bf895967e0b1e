"""DreamControls and StyleMixer driven from Python with tiny models, bad inputs included."""

import io

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from dlwp_widgets.widgets.dream_controls import DreamControls  # noqa: E402
from dlwp_widgets.widgets.style_mixer import StyleMixer  # noqa: E402

DREAM_WEIGHTS = {"c1": 0.5, "c2": 1.0}
STYLE_LAYERS = dict(content_layer="c2", style_layers=["c1", "c2"])


def tiny_convnet():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((None, None, 3)),
            layers.Conv2D(4, 3, padding="same", activation="relu", name="c1"),
            layers.Conv2D(6, 3, padding="same", activation="relu", name="c2"),
        ],
        name="tiny",
    )


def picture(height=40, width=48, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3)).astype(np.uint8)


def png_file(array):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def upload_value(data: bytes):
    import datetime

    modified = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return ({"name": "mine.png", "type": "image/png", "size": len(data), "content": memoryview(data), "last_modified": modified},)


def dream_controls(**kwargs):
    image = kwargs.pop("image", picture())
    settings = dict(layer_weights=DREAM_WEIGHTS, octaves=2, iterations=2, min_side=8, max_side=64, background=False)
    settings.update(kwargs)
    return DreamControls(tiny_convnet(), image, **settings)


# ----------------------------------------------------------------- DreamControls


def test_dream_controls_dream_and_show_progress():
    controls = dream_controls()
    assert controls.last_error is None and set(controls.weight_sliders) == {"c1", "c2"}
    controls.dream_button.click()
    assert controls.last_error is None
    assert controls.last_image.shape == (40, 48, 3) and controls.last_image.dtype == np.uint8
    assert controls.progress.value == controls.progress.max == 4
    assert "done: 2 octave(s)" in controls.info.value
    result = controls.last_result
    assert result.last_loss > result.octave_losses[-1][0]
    assert bytes(controls.picture.value[:4]) == b"\x89PNG"
    controls.weight_sliders["c1"].value = 3.0
    controls.step.value = 0.02
    controls.dream()
    # new weights and step: no recompilation (TensorFlow: one for every size; JAX: one per octave's size)
    assert controls.dreamer.traces == (1 if keras.backend.backend() == "tensorflow" else 2)
    assert not controls.dream_button.disabled and controls.stop_button.disabled


def test_dream_controls_stop_button_ends_the_dream():
    controls = dream_controls(iterations=10)
    controls._progress_original = controls._progress

    def progress_then_stop(*args):
        controls._progress_original(*args)
        if args[0] == 3:
            controls.stop_button.click()

    controls._progress = progress_then_stop
    controls.dream()
    assert controls.last_result.stopped and "stopped" in controls.info.value
    assert sum(map(len, controls.last_result.octave_losses)) == 3


def test_dream_controls_all_zero_and_nan_weights_have_clear_messages():
    controls = dream_controls()
    controls.weight_sliders["c1"].value = 0.0
    controls.weight_sliders["c2"].value = 0.0
    assert "All layer weights are 0" in controls.last_error and "dlwp-error" in controls.error.value
    controls.dream()
    assert "All layer weights are 0" in controls.last_error and controls.last_image is None
    controls.weight_sliders["c2"].value = float("nan")
    assert "'c2' is nan" in controls.last_error
    controls.dream()
    assert "'c2' is nan" in controls.last_error and controls.last_image is None
    controls.weight_sliders["c2"].value = 1.0
    assert controls.last_error is None
    controls.dream()
    assert controls.last_error is None and controls.last_image is not None


def test_dream_controls_nan_step_and_bad_uploads_stay_usable():
    controls = dream_controls()
    controls.step.value = float("nan")
    controls.dream()
    assert "step size must be a positive number" in controls.last_error
    controls.step.value = 0.01
    controls.upload.value = upload_value(b"%PDF-1.4 not a picture")
    assert "Not a readable image" in controls.last_error
    controls.upload.value = upload_value(png_file(picture(30, 36, seed=4)))
    assert controls.last_error is None and controls.image.shape == (30, 36, 3)
    controls.dream()
    assert controls.last_image.shape == (30, 36, 3)


def test_dream_controls_downscales_a_huge_picture_and_names_the_limit():
    controls = dream_controls(image=np.zeros((3000, 2400, 3), np.uint8))
    assert controls.image.shape == (64, 51, 3)
    assert "limit: 64 pixels" in controls.note and "3000x2400" in controls.info.value
    too_small = dream_controls(min_side=75, image=picture(40, 48))
    assert "at least 75 pixels" in too_small.last_error


def test_dream_controls_without_picture_or_with_missing_layers():
    controls = DreamControls(tiny_convnet(), layer_weights=DREAM_WEIGHTS, min_side=8, background=False)
    controls.dream()
    assert "No picture yet" in controls.last_error
    broken = DreamControls(tiny_convnet(), picture(), layer_weights={"mixed3": 1.0}, background=False)
    assert "No layer named 'mixed3'" in broken.last_error


def test_dream_controls_background_thread_finishes():
    controls = dream_controls(background=True)
    controls.start()
    controls._thread.join(timeout=60)
    assert not controls.running and controls.last_image is not None and controls.last_error is None


# ----------------------------------------------------------------- StyleMixer


def style_mixer(**kwargs):
    content, style = kwargs.pop("content", picture()), kwargs.pop("style", picture(seed=1))
    settings = dict(height=32, iterations=2, evals_per_iteration=4, background=False, **STYLE_LAYERS)
    settings.update(kwargs)
    return StyleMixer(tiny_convnet(), content, style, **settings)


def test_style_mixer_runs_and_the_loss_decreases():
    mixer = style_mixer()
    assert mixer.last_error is None and bytes(mixer.inputs.value[:4]) == b"\x89PNG"
    mixer.run_button.click()
    assert mixer.last_error is None
    result = mixer.last_result
    assert len(result.losses) == 3 and result.losses[-1] < result.losses[0]
    assert mixer.last_image.shape == (32, 38, 3) and mixer.progress.value == 2
    assert "done: 2 iteration(s) at 32x38" in mixer.info.value
    mixer.style_weight.value = 10.0
    mixer.transfer()
    (transfer,) = mixer.transfers.values()
    assert transfer.traces == 1  # new weights: same compilation
    mixer.height.value = 48
    mixer.transfer()
    assert mixer.last_image.shape == (48, 57, 3) and len(mixer.transfers) == 1


def test_style_mixer_stop_keeps_the_last_picture():
    mixer = style_mixer(iterations=6)
    original = mixer._progress

    def progress_then_stop(done, *rest):
        original(done, *rest)
        if done == 1:
            mixer.stop_button.click()

    mixer._progress = progress_then_stop
    mixer.transfer()
    assert mixer.last_result.stopped and len(mixer.last_result.losses) == 2
    assert "stopped" in mixer.info.value and mixer.last_image is not None


def test_style_mixer_nan_and_zero_weights_are_refused():
    mixer = style_mixer()
    mixer.content_weight.value = float("nan")
    assert "content weight is nan" in mixer.last_error
    mixer.transfer()
    assert "content weight is nan" in mixer.last_error and mixer.last_image is None
    mixer.content_weight.value = 0.025
    assert mixer.last_error is None


def test_style_mixer_bad_uploads_and_huge_pictures():
    mixer = style_mixer(max_side=200)
    mixer.style_upload.value = upload_value(b"plain text, not a picture")
    assert "The style picture: Not a readable image" in mixer.last_error
    mixer.transfer()
    assert mixer.last_error is None and mixer.last_image is not None  # the old pair is still there
    mixer.content_upload.value = upload_value(png_file(np.zeros((1200, 900, 3), np.uint8)))
    assert mixer.last_error is None
    assert mixer.pictures["content"].shape == (200, 150, 3)
    assert "limit: 200 pixels" in mixer.note and "limit: 200 pixels" in mixer.info.value


def test_style_mixer_waits_for_both_pictures():
    mixer = StyleMixer(tiny_convnet(), picture(), height=32, background=False, **STYLE_LAYERS)
    assert "Missing: the style picture" in mixer.info.value
    mixer.transfer()
    assert "Both a content and a style picture" in mixer.last_error
    mixer.style_upload.value = upload_value(png_file(picture(seed=2)))
    assert mixer.last_error is None
    mixer.transfer()
    assert mixer.last_image is not None
