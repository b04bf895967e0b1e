"""Grad-CAM: automatic layer choice, nested and reloaded models, safe normalisation."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from keras import layers  # noqa: E402

from dlwp_widgets.viz import gradcam as cam  # noqa: E402

SIZE = 20


def flat_model(units=3):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((SIZE, SIZE, 3)),
            layers.Conv2D(4, 3, activation="relu", name="c1"),
            layers.Conv2D(5, 3, activation="relu", name="c2"),
            layers.MaxPooling2D(2, name="pool"),
            layers.Flatten(name="flatten"),
            layers.Dense(units, activation="softmax" if units > 1 else "sigmoid", name="dense"),
        ],
        name="flat",
    )


def functional_base():
    inputs = keras.Input((SIZE, SIZE, 3))
    x = layers.Conv2D(4, 3, activation="relu", name="base_conv1")(inputs)
    x = layers.Conv2D(6, 3, activation="relu", name="base_conv2")(x)
    x = layers.MaxPooling2D(2, name="base_pool")(x)
    return keras.Model(inputs, x, name="base")


def nested_model():
    keras.utils.set_random_seed(0)
    base = functional_base()
    return keras.Sequential(
        [keras.Input((SIZE, SIZE, 3)), base, layers.Flatten(), layers.Dense(1, activation="sigmoid")], name="outer"
    )


def test_last_conv_layer_skips_pooling_and_descends_into_nested_models():
    assert cam.find_last_conv_layer(flat_model()) == ["c2"]
    assert cam.find_last_conv_layer(nested_model()) == ["base", "base_conv2"]
    assert cam.resolve_layer_path(nested_model(), "base_conv1") == ["base", "base_conv1"]
    assert cam.resolve_layer_path(nested_model(), "base/base_conv1") == ["base", "base_conv1"]


def test_naive_gradient_model_on_a_nested_layer_fails_but_ours_works():
    model = nested_model()
    inner = model.get_layer("base").get_layer("base_conv2")
    with pytest.raises(ValueError):
        keras.Model(model.inputs[0], [inner.output, model.outputs[0]])
    grad_model, path = cam.gradcam_model(model)
    x = np.random.default_rng(0).random((1, SIZE, SIZE, 3)).astype("float32")
    feature_map, predictions = grad_model(x)
    assert tuple(feature_map.shape) == (1, 16, 16, 6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(predictions), keras.ops.convert_to_numpy(model(x)), rtol=1e-5)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="the hand computation uses TensorFlow's GradientTape")
def test_heatmap_matches_a_hand_computation():
    model = flat_model()
    x = np.random.default_rng(1).random((1, SIZE, SIZE, 3)).astype("float32")
    grad_model, _ = cam.gradcam_model(model, "c2")
    heatmap, predictions = cam.gradcam_heatmap(grad_model, x, 2)
    import tensorflow as tf

    split = keras.Model(model.inputs[0], [model.get_layer("c2").output, model.outputs[0]])
    with tf.GradientTape() as tape:
        features, preds = split(x)
        score = preds[:, 2]
    weights = tf.reduce_mean(tape.gradient(score, features), axis=(0, 1, 2))
    expected = np.maximum(np.sum(features.numpy()[0] * weights.numpy(), axis=-1), 0)
    if expected.max() > 0:
        expected = expected / expected.max()
    np.testing.assert_allclose(heatmap, expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(predictions, preds.numpy()[0], rtol=1e-5)


def test_all_zero_gradients_give_a_zero_heatmap_not_nan():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((SIZE, SIZE, 3)),
            layers.Conv2D(2, 3, activation="relu", kernel_initializer="zeros", name="dead"),
            layers.Flatten(),
            layers.Dense(2, activation="softmax"),
        ]
    )
    grad_model, _ = cam.gradcam_model(model)
    heatmap, _ = cam.gradcam_heatmap(grad_model, np.ones((1, SIZE, SIZE, 3)), 1)
    assert np.all(heatmap == 0) and not np.any(np.isnan(heatmap))


def test_binary_models_have_two_classes_with_opposite_evidence():
    model = nested_model()
    grad_model, _ = cam.gradcam_model(model)
    x = np.random.default_rng(2).random((1, SIZE, SIZE, 3)).astype("float32")
    dog, _ = cam.gradcam_heatmap(grad_model, x, 1)
    cat, _ = cam.gradcam_heatmap(grad_model, x, 0)
    assert not np.array_equal(dog, cat)
    with pytest.raises(ValueError, match="classes 0 and 1"):
        cam.gradcam_heatmap(grad_model, x, 2)


def test_reloaded_sequential_model(tmp_path):
    path = tmp_path / "model.keras"
    flat_model().save(path)
    model = keras.models.load_model(path)
    grad_model, layer_path = cam.gradcam_model(model)
    heatmap, _ = cam.gradcam_heatmap(grad_model, np.random.default_rng(3).random((1, SIZE, SIZE, 3)), 0)
    assert layer_path == ["c2"] and heatmap.shape == (16, 16)


def test_layer_errors_are_clear():
    model = flat_model()
    with pytest.raises(ValueError, match="not a \\(height, width, channels\\) feature map"):
        cam.gradcam_model(model, "dense")
    with pytest.raises(ValueError, match="No layer named 'nope'"):
        cam.gradcam_model(model, "nope")
    with pytest.raises(ValueError, match="out of range"):
        cam.gradcam_heatmap(cam.gradcam_model(model)[0], np.zeros((1, SIZE, SIZE, 3)), 3)


def test_top_predictions_and_overlay():
    ranked = cam.top_predictions(np.array([0.1, 0.6, 0.3]), 2, ["a", "b", "c"])
    assert ranked == [(1, "b", 0.6), (2, "c", 0.3)]
    assert cam.top_predictions(np.array([0.8]), 5, ["cat", "dog"])[0][:2] == (1, "dog")
    image = np.full((10, 12, 3), 100, np.uint8)
    assert np.array_equal(cam.overlay(image, np.ones((2, 2)), 0.0), image)
    blended = cam.overlay(image, np.ones((2, 2)), 1.0)
    assert blended.shape == (10, 12, 3) and blended.dtype == np.uint8 and not np.array_equal(blended, image)
    with pytest.raises(ValueError, match="opacity"):
        cam.overlay(image, np.ones((2, 2)), 1.5)
