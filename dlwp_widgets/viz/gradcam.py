"""Grad-CAM class-activation heatmaps (listings 5.58-5.60), for plain and nested models.

The book slices ``model.output[:, 386]`` and calls ``K.gradients``; today a
"gradient model" returns (feature map, predictions), and the class score's
gradient with respect to the feature map is taken through the model's upper part
(feature map -> predictions) by :func:`dlwp_widgets.gradients.input_gradient`, on
any Keras backend.  Building that model naively from a layer inside a
nested conv base (``Sequential([vgg16_base, Flatten(), Dense...])``) fails with
"Graph disconnected": the inner layer's output belongs to the inner graph.
:func:`gradcam_model` handles it by splitting the nested model at the target
layer and replaying the outer layers on top, all in one flat graph (so that the
upper part is a model of its own).
"""

from __future__ import annotations

import numpy as np

from dlwp_widgets.viz.images import single_input

_SKIPPED_TYPES = ("Pooling", "Dropout", "Flatten", "Reshape", "InputLayer", "Rescaling", "Random")


def _has_feature_map(layer) -> bool:
    try:
        return len(layer.output.shape) == 4
    except (AttributeError, ValueError):
        return False


def _is_model(layer) -> bool:
    return hasattr(layer, "layers") and hasattr(layer, "inputs")


def find_last_conv_layer(model) -> list[str]:
    """The path (outer to inner names) of the last feature-map layer, searching nested models.

    Pooling, dropout, reshaping and preprocessing layers are skipped: Grad-CAM
    wants the last convolution's (or its activation's) output, as the book's
    ``block5_conv3``.
    """
    for layer in reversed(model.layers):
        if _is_model(layer):
            try:
                return [layer.name] + find_last_conv_layer(layer)
            except ValueError:
                continue
        if _has_feature_map(layer) and not any(kind in type(layer).__name__ for kind in _SKIPPED_TYPES):
            return [layer.name]
    raise ValueError(f"{model.name} has no convolutional layer with a (height, width, channels) output.")


def resolve_layer_path(model, layer) -> list[str]:
    """Turn ``None`` (automatic), ``"name"`` or ``"outer/inner"`` into a checked path."""
    if layer is None:
        return find_last_conv_layer(model)
    path = layer.split("/") if isinstance(layer, str) else list(layer)
    if len(path) == 1:  # a bare name may live in a nested model
        found = _search(model, path[0])
        if found is None:
            raise ValueError(f"No layer named {path[0]!r} in {model.name} or its nested models.")
        path = found
    current = model
    for depth, name in enumerate(path):
        try:
            current = current.get_layer(name)
        except ValueError:
            raise ValueError(f"No layer named {name!r} in {current.name}.") from None
        if depth < len(path) - 1 and not _is_model(current):
            raise ValueError(f"{name!r} is not a nested model, so {path[depth + 1]!r} cannot be inside it.")
    if not _has_feature_map(current):
        raise ValueError(
            f"Layer {'/'.join(path)!r} outputs {tuple(current.output.shape)}, not a (height, width, channels) "
            "feature map: Grad-CAM needs a convolutional layer."
        )
    return path


def _search(model, name: str) -> list[str] | None:
    for layer in model.layers:
        if layer.name == name:
            return [name]
        if _is_model(layer):
            inner = _search(layer, name)
            if inner is not None:
                return [layer.name] + inner
    return None


def _split_model(model, path: list[str]):
    """A model ``x -> (feature map at path, model output)``, one flat graph.

    Functional models are cut inside their own graph.  A ``Sequential`` model, and
    any model whose target sits in a nested model, is replayed layer by layer on
    a fresh input: a layer's ``output`` in a reloaded or nested ``Sequential`` can
    belong to another call than ``model.outputs`` (gradients would be None, or
    Keras reports a disconnected graph).  A nested model is applied as its two
    halves, so the output depends on the feature map within the outer graph.
    """
    import keras

    inputs = keras.Input(shape=model.input_shape[1:])
    feature_map, output = _apply_split(model, path, inputs)
    return keras.Model(inputs, [feature_map, output])


def _apply_split(model, path: list[str], x):
    import keras

    head, rest = path[0], path[1:]
    target = model.get_layer(head)
    if not rest and not isinstance(model, keras.Sequential):
        feature_map = keras.Model(single_input(model), target.output)(x)
        return feature_map, keras.Model(target.output, model.outputs[0])(feature_map)
    feature_map = None
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        if layer is not target:
            x = layer(x)
        elif not rest:
            x = feature_map = layer(x)
        else:
            feature_map, x = _apply_split(target, rest, x)
    if feature_map is None:
        raise ValueError(f"{head!r} is not on the path from {model.name}'s input to its output.")
    return feature_map, x


def gradcam_model(model, layer=None):
    """``(grad_model, path)``: grad_model maps an image batch to (feature map, predictions).

    Works when the layer is nested (``"vgg16/block5_conv3"`` or found
    automatically).  Nested models are replayed in order, which covers
    ``Sequential`` models and single-chain functional ones.
    """
    path = resolve_layer_path(model, layer)
    try:
        return _split_model(model, path), path
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"Could not build a Grad-CAM model for {'/'.join(path)} in {model.name}: {error}. "
            "Models whose nested part has several inputs or branches need the gradient model built by hand."
        ) from None


def class_score(predictions, class_index: int):
    """The score whose gradient Grad-CAM follows.

    Softmax outputs: the class's probability.  A single sigmoid unit: class 1 is
    the unit's output, class 0 its complement (``1 - p``), so both classes of a
    binary model have heatmaps.
    """
    import keras

    units = predictions.shape[-1]
    if units == 1:
        if class_index not in (0, 1):
            raise ValueError(f"A single-output (binary) model has classes 0 and 1, not {class_index}.")
        return predictions[:, 0] if class_index == 1 else 1.0 - predictions[:, 0]
    if not 0 <= class_index < units:
        raise ValueError(f"Class {class_index} is out of range: the model has {units} outputs (0-{units - 1}).")
    return keras.ops.take(predictions, class_index, axis=-1)


def gradcam_heatmap(grad_model, batch: np.ndarray, class_index: int) -> tuple[np.ndarray, np.ndarray]:
    """Listings 5.58-5.59: ``(heatmap in [0, 1] of the feature map's size, predictions)``.

    The channel weights are the spatial means of the class score's gradient; the
    weighted channel sum goes through a ReLU and is divided by its maximum, except
    when that maximum is 0 (no positive evidence): then the heatmap is all zeros.
    """
    import keras

    from dlwp_widgets.gradients import input_gradient

    features = keras.Model(grad_model.inputs[0], grad_model.outputs[0])
    upper = keras.Model(grad_model.outputs[0], grad_model.outputs[1])
    feature_map = features(np.asarray(batch, dtype=np.float32), training=False)

    def score(feature_map):
        predictions = upper(feature_map, training=False)
        return keras.ops.sum(class_score(predictions, class_index)), predictions

    _, predictions, grads = input_gradient(score)(feature_map)
    if grads is None:
        raise ValueError("The prediction does not depend on the chosen layer's output: pick another layer.")
    weights = keras.ops.mean(grads, axis=(0, 1, 2))  # one weight per channel
    heatmap = keras.ops.convert_to_numpy(keras.ops.relu(keras.ops.sum(feature_map[0] * weights, axis=-1)))
    peak = float(heatmap.max())
    heatmap = heatmap / peak if peak > 0 and np.isfinite(peak) else np.zeros_like(heatmap)
    return heatmap.astype(np.float32), keras.ops.convert_to_numpy(predictions)[0]


def top_predictions(predictions: np.ndarray, k: int = 5, class_names=None) -> list[tuple[int, str, float]]:
    """``[(class index, name, probability), ...]`` best first; binary models list both classes."""
    predictions = np.asarray(predictions, dtype=np.float64).ravel()
    if predictions.size == 1:
        scores = np.array([1.0 - predictions[0], predictions[0]])
    else:
        scores = predictions
    order = np.argsort(-scores, kind="stable")[:k]
    names = list(class_names) if class_names is not None else None
    return [(int(i), names[i] if names and i < len(names) else f"class {int(i)}", float(scores[i])) for i in order]


def overlay(image: np.ndarray, heatmap: np.ndarray, opacity: float = 0.4, colormap: str = "jet") -> np.ndarray:
    """Listing 5.60 without OpenCV: colour the heatmap, resize it, blend, clip to uint8."""
    from matplotlib import colormaps
    from PIL import Image

    if not 0.0 <= opacity <= 1.0:
        raise ValueError(f"opacity must be between 0 and 1, got {opacity}.")
    image = np.asarray(image, dtype=np.float32)
    if image.max() <= 1.0:
        image = image * 255.0
    coloured = (colormaps[colormap](np.clip(heatmap, 0.0, 1.0))[..., :3] * 255).astype(np.uint8)
    resized = np.asarray(
        Image.fromarray(coloured).resize((image.shape[1], image.shape[0]), Image.BILINEAR), dtype=np.float32
    )
    blended = image * (1.0 - opacity) + resized * opacity
    return np.clip(blended, 0, 255).round().astype(np.uint8)
