"""Activations and the image helpers: one forward pass, safe normalisation, clear errors."""

import io

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from dlwp_widgets.viz import activations as act  # noqa: E402
from dlwp_widgets.viz import images as img  # noqa: E402


def small_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((20, 20, 3)),
            layers.Conv2D(3, 3, activation="relu", name="c1"),
            layers.MaxPooling2D(2, name="p1"),
            layers.Flatten(name="f"),
            layers.Dense(2, name="d"),
        ]
    )


def test_spatial_layers_and_activation_model():
    model = small_model()
    assert act.spatial_layers(model) == ["c1", "p1"]
    extractor = act.activation_model(model)
    outputs = extractor.predict(np.zeros((1, 20, 20, 3)), verbose=0)
    assert [o.shape for o in outputs] == [(1, 18, 18, 3), (1, 9, 9, 3)]
    with pytest.raises(ValueError, match="No layer named"):
        act.activation_model(model, ["nope"])
    with pytest.raises(ValueError, match="no spatial"):
        act.activation_model(model, ["d"])


def test_cache_runs_one_forward_pass_per_image():
    model = small_model()
    cache = act.ActivationCache(model)
    batch = img.model_input(np.full((40, 30, 3), 200.0), model)
    first = cache.activations(batch)
    again = cache.activations(batch.copy())
    assert first is again and cache.forward_passes == 1
    cache.activations(batch * 0.5)
    assert cache.forward_passes == 2
    expected = keras.ops.convert_to_numpy(model.layers[0](batch))[0]
    np.testing.assert_allclose(first["c1"], expected, rtol=1e-5, atol=1e-6)


def test_dead_channels_become_grey_not_nan():
    activation = np.zeros((4, 4, 2), np.float32)
    activation[..., 1] = np.arange(16).reshape(4, 4)
    tile = act.channel_image(activation, 0)
    assert tile.dtype == np.uint8 and np.all(tile == 128)
    grid = act.layer_grid(activation, images_per_row=2, margin=1)
    assert grid.shape == (4, 9)
    assert np.all(grid[:, :4] == 128) and grid[:, 5:].min() < 100 < grid[:, 5:].max()
    per_layer = act.channel_image(activation, 1, "layer")
    per_channel = act.channel_image(activation, 1, "channel")
    assert not np.array_equal(per_layer, per_channel)


def test_channel_and_normalisation_errors():
    activation = np.ones((3, 3, 2))
    with pytest.raises(ValueError, match="out of range: this layer has 2 channels"):
        act.channel_image(activation, 2)
    with pytest.raises(ValueError, match="normalisation"):
        act.layer_grid(activation, normalisation="global")


def test_model_input_resizes_scales_and_converts_grey():
    model = small_model()
    batch = img.model_input(np.full((50, 60, 3), 255, np.uint8), model)
    assert batch.shape == (1, 20, 20, 3) and np.allclose(batch, 1.0)
    grey_model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(1, 3)])
    assert img.model_input(np.zeros((8, 8, 3)), grey_model).shape == (1, 8, 8, 1)
    assert img.model_input(np.zeros((8, 8)), model).shape == (1, 20, 20, 3)


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((20, 20, 4)), "shape \\(height, width, 3\\)"),
        (np.zeros((4, 4, 3)), "too small"),
        (np.full((20, 20, 3), np.nan), "NaN"),
        (np.array([["a"]]), "numeric"),
        (b"not an image", "Not a readable image"),
    ],
)
def test_bad_images_raise_clear_errors(bad, message):
    with pytest.raises(img.ImageError, match=message):
        img.model_input(bad, small_model())


def test_non_image_models_are_refused():
    dense = keras.Sequential([keras.Input((5,)), layers.Dense(1)])
    with pytest.raises(img.ImageError, match="not images"):
        img.model_input(np.zeros((20, 20, 3)), dense)


def test_png_bytes_through_a_colormap():
    from PIL import Image

    data = img.png_bytes(np.array([[0, 255]], np.uint8), colormap="viridis")
    pixels = np.asarray(Image.open(io.BytesIO(data)))
    assert pixels.shape == (1, 2, 3) and not np.array_equal(pixels[0, 0], pixels[0, 1])
