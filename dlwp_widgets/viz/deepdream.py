"""DeepDream (listings 8.8-8.13): gradient ascent on a picture, over successive scales.

The book builds a symbolic loss from ``layer.output`` tensors and fetches
``K.gradients`` through ``K.function``; both are gone in TensorFlow 2.  Here a
feature-extractor ``keras.Model`` returns the chosen layers' activations, the
loss is written with ``keras.ops`` (:func:`dream_loss`), and one compiled
function (:class:`DeepDream`, through :func:`dlwp_widgets.gradients.input_gradient`,
on any Keras backend) computes loss and gradient in a single step.  The layer
weights are an argument of that step, so moving a weight slider never
recompiles; on TensorFlow the spatial size is left open, so one trace serves
every octave (JAX compiles once per octave's size).

:func:`book_gradient_ascent` is the book's per-step approach ported faithfully
(an eager gradient, loss and gradients fetched separately, the update in
numpy), kept for the benchmark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from dlwp_widgets.viz.images import ImageError, single_input

# Listing 8.9: the book's layers and how much each contributes to the loss.
BOOK_LAYER_WEIGHTS = {"mixed2": 0.2, "mixed3": 3.0, "mixed4": 2.0, "mixed5": 1.5}
# Listing 8.12: step size, number of scales, ratio between scales, steps per scale, loss cap.
BOOK_STEP = 0.01
BOOK_NUM_OCTAVE = 3
BOOK_OCTAVE_SCALE = 1.4
BOOK_ITERATIONS = 20
BOOK_MAX_LOSS = 10.0

# InceptionV3 cannot take inputs smaller than 75x75 pixels.
INCEPTION_MIN_SIDE = 75
# Pictures from readers are shrunk to this many pixels on their longest side.
MAX_SIDE = 1024  # images.WORKING_SIDE, the upload cap


def check_layer_weights(layer_weights: Mapping[str, float], available=None) -> dict[str, float]:
    """The weights as floats; a clear ``ValueError`` for NaN, unknown layers or all zeros."""
    weights = {}
    for name, value in dict(layer_weights).items():
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"The weight of layer {name!r} is not a number: {value!r}.") from None
        if not math.isfinite(value):
            raise ValueError(f"The weight of layer {name!r} is {value}: give it a finite number (0 switches the layer off).")
        if available is not None and name not in available:
            raise ValueError(f"No layer named {name!r}; layers that can dream: {', '.join(available)}.")
        weights[name] = value
    if not weights or all(value == 0 for value in weights.values()):
        raise ValueError(
            "All layer weights are 0: the dream loss would be constant and the picture would not change. "
            "Give at least one layer a weight above 0."
        )
    return weights


def dream_extractor(model, layer_names):
    """Listing 8.10's ``layer_dict`` as a model: the picture -> {layer name: activation}."""
    import keras

    outputs = {}
    for name in layer_names:
        try:
            layer = model.get_layer(name)
        except ValueError:
            raise ValueError(f"No layer named {name!r} in {model.name}.") from None
        if len(layer.output.shape) != 4:
            raise ValueError(f"Layer {name!r} outputs shape {tuple(layer.output.shape)}, not a feature map.")
        outputs[name] = layer.output
    return keras.Model(inputs=single_input(model), outputs=outputs, name="dream_features")


def dream_loss(features: Mapping, layer_weights: Mapping):
    """Listing 8.10's loss with ``keras.ops``: weighted L2 norms of the activations, borders excluded.

    Each layer adds ``weight * sum(activation[:, 2:-2, 2:-2, :] ** 2) / activation.size``
    (as in the book: the crop avoids border artefacts, the division uses the
    full size).  ``layer_weights`` values may be numbers or scalar tensors.
    """
    from keras import ops

    loss = ops.zeros(())
    for name, weight in layer_weights.items():
        activation = features[name]
        scaling = ops.cast(ops.size(activation), "float32")
        loss = loss + weight * ops.sum(ops.square(activation[:, 2:-2, 2:-2, :])) / scaling
    return loss


def preprocess(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) in 0..255 -> (1, H, W, 3) in InceptionV3's range [-1, 1] (``inception_v3.preprocess_input``)."""
    return (np.asarray(image, np.float32)[None] / 127.5 - 1.0).astype(np.float32)


def deprocess(x) -> np.ndarray:
    """Listing 8.13's ``deprocess_image``: [-1, 1] back to uint8 pixels (rounded, where the book truncates)."""
    x = np.asarray(x, np.float32)
    if x.ndim == 4:
        x = x[0]
    return np.clip(np.round((x + 1.0) * 127.5), 0, 255).astype(np.uint8)


def resize(x, shape) -> np.ndarray:
    """Bilinear resize of a (1, H, W, C) batch to ``shape=(height, width)`` (the book's ``scipy.ndimage.zoom``, order 1)."""
    from keras import ops

    return np.asarray(ops.image.resize(np.asarray(x, np.float32), tuple(int(s) for s in shape), interpolation="bilinear"))


def octave_shapes(shape, num_octave: int = BOOK_NUM_OCTAVE, octave_scale: float = BOOK_OCTAVE_SCALE) -> list[tuple[int, int]]:
    """Listing 8.12's ``successive_shapes``: the smallest scale first, the original size last."""
    if num_octave < 1:
        raise ValueError("num_octave must be at least 1.")
    if not octave_scale > 1.0:
        raise ValueError(f"octave_scale must be above 1, got {octave_scale}.")
    height, width = int(shape[0]), int(shape[1])
    shapes = [(int(height / octave_scale**i), int(width / octave_scale**i)) for i in range(num_octave)]
    return shapes[::-1]


def fit_picture(image, *, max_side: int = MAX_SIDE, min_side: int = INCEPTION_MIN_SIDE) -> tuple[np.ndarray, str]:
    """A reader's picture as float32 (H, W, 3) in 0..255, shrunk to ``max_side``; and a note saying what was done."""
    from dlwp_widgets.viz import sample_images

    array, note = sample_images.fit_picture(image, max_side=max_side)
    if min(array.shape[:2]) < min_side:
        raise ImageError(
            f"The picture is {array.shape[0]}x{array.shape[1]} pixels; this network needs at least "
            f"{min_side} pixels on each side."
        )
    return array, note


@dataclass
class DreamResult:
    """What a dream produced: the final picture (uint8) and the loss at every step of every octave."""

    image: np.ndarray
    octave_losses: list[list[float]] = field(default_factory=list)
    shapes: list[tuple[int, int]] = field(default_factory=list)
    stopped: bool = False

    @property
    def first_loss(self) -> float:
        return next(losses[0] for losses in self.octave_losses if losses)

    @property
    def last_loss(self) -> float:
        return [losses for losses in self.octave_losses if losses][-1][-1]


class DeepDream:
    """The compiled gradient-ascent step for ``layer_names`` of ``model``.

    ``step(x, layer_weights, step_size)`` returns ``(loss, new_x)`` where ``x``
    is a (1, H, W, 3) preprocessed batch of any size.  ``traces`` counts
    compilations (one for all sizes and weights).
    """

    def __init__(self, model, layer_names=None):
        from dlwp_widgets.gradients import input_gradient

        names = list(layer_names) if layer_names is not None else [n for n in BOOK_LAYER_WEIGHTS]
        if not names:
            raise ValueError("Name at least one layer to dream with.")
        self.layer_names = names
        self.extractor = dream_extractor(model, names)
        self.traces = 0
        signature = [([1, None, None, 3], "float32"), ([len(names)], "float32")]
        self._gradient = input_gradient(self._loss, signature)

    def _loss(self, x, weights):
        self.traces += 1  # Python side effect: counts compilations only
        features = self.extractor(x, training=False)
        return dream_loss(features, {name: weights[i] for i, name in enumerate(self.layer_names)}), ()

    def _step(self, x, weights, step_size):
        import keras

        loss, _, grads = self._gradient(x, weights)
        grads = keras.ops.convert_to_numpy(grads)
        grads /= max(float(np.mean(np.abs(grads))), 1e-7)  # the book's normalisation
        return float(loss), x + step_size * grads

    def weight_vector(self, layer_weights: Mapping[str, float]) -> np.ndarray:
        weights = check_layer_weights(layer_weights, available=self.layer_names)
        return np.array([weights.get(name, 0.0) for name in self.layer_names], np.float32)

    def step(self, x, layer_weights: Mapping[str, float], step_size: float):
        return self._step(np.asarray(x, np.float32), self.weight_vector(layer_weights), np.float32(step_size))

    def gradient_ascent(
        self,
        x,
        layer_weights: Mapping[str, float],
        *,
        iterations: int = BOOK_ITERATIONS,
        step: float = BOOK_STEP,
        max_loss: float | None = BOOK_MAX_LOSS,
        should_stop: Callable[[], bool] | None = None,
        on_step: Callable[[int, float, np.ndarray], None] | None = None,
    ) -> tuple[np.ndarray, list[float], bool]:
        """Listing 8.11's loop: up to ``iterations`` steps, stopping once the loss passes ``max_loss``.

        Returns the new batch, the loss before each step taken, and whether
        ``should_stop`` ended it early.
        """
        _check_positive(step=step, iterations=iterations)
        weights = self.weight_vector(layer_weights)
        x = np.asarray(x, np.float32)
        losses: list[float] = []
        for i in range(int(iterations)):
            if should_stop is not None and should_stop():
                return x, losses, True
            loss, new_x = self._step(x, weights, np.float32(step))
            loss = float(loss)
            if not math.isfinite(loss):
                raise FloatingPointError(f"The dream loss became {loss} at step {i}; try a smaller step size.")
            if max_loss is not None and loss > max_loss:
                break
            losses.append(loss)
            x = new_x
            if on_step is not None:
                on_step(i, loss, x)
        return x, losses, False

    def dream(
        self,
        image,
        layer_weights: Mapping[str, float] = BOOK_LAYER_WEIGHTS,
        *,
        num_octave: int = BOOK_NUM_OCTAVE,
        octave_scale: float = BOOK_OCTAVE_SCALE,
        iterations: int = BOOK_ITERATIONS,
        step: float = BOOK_STEP,
        max_loss: float | None = BOOK_MAX_LOSS,
        min_side: int = INCEPTION_MIN_SIDE,
        should_stop: Callable[[], bool] | None = None,
        progress: Callable[[int, int, float, np.ndarray], None] | None = None,
    ) -> DreamResult:
        """Listing 8.12 for a (H, W, 3) picture in 0..255: every octave, with lost detail re-injected.

        ``progress(done, total, loss, picture_uint8)`` is called after every step.
        """
        self.weight_vector(layer_weights)  # refuse bad weights before any work
        _check_positive(step=step, iterations=iterations)
        image = np.asarray(image, np.float32)
        shapes = octave_shapes(image.shape[:2], num_octave, octave_scale)
        if min(shapes[0]) < min_side:
            raise ImageError(
                f"The smallest octave would be {shapes[0][0]}x{shapes[0][1]} pixels; this network needs at least "
                f"{min_side}. Use fewer octaves, a smaller octave scale or a bigger picture."
            )
        total = len(shapes) * int(iterations)
        original = preprocess(image)
        shrunk_original = resize(original, shapes[0])
        x = original
        result = DreamResult(image=deprocess(original), shapes=shapes)
        for octave, shape in enumerate(shapes):
            x = resize(x, shape)

            def on_step(i, loss, current, octave=octave):
                if progress is not None:
                    progress(octave * int(iterations) + i + 1, total, loss, deprocess(current))

            x, losses, stopped = self.gradient_ascent(
                x, layer_weights, iterations=iterations, step=step, max_loss=max_loss,
                should_stop=should_stop, on_step=on_step,
            )
            result.octave_losses.append(losses)
            # Re-inject the detail lost by shrinking: the original at this size minus its blurred upscaled copy.
            upscaled_shrunk = resize(shrunk_original, shape)
            same_size_original = resize(original, shape)
            x = x + (same_size_original - upscaled_shrunk)
            shrunk_original = resize(original, shape)
            if stopped:
                result.stopped = True
                break
        result.image = deprocess(x)
        return result


def _check_positive(**values) -> None:
    for name, value in values.items():
        try:
            ok = math.isfinite(float(value)) and float(value) > 0
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(f"{name.replace('_', ' ')} must be a positive number, got {value!r}.")


def book_gradient_ascent(extractor, x, layer_weights, *, iterations: int, step: float, max_loss: float | None = None):
    """Listings 8.10-8.11 as the book runs them, ported faithfully: eager, one fetch per step.

    ``fetch_loss_and_grads`` becomes an eager gradient function
    (:func:`dlwp_widgets.gradients.input_gradient`, not compiled), the gradient goes back to
    numpy and the update is done there, as ``x += step * grad_values`` was.
    """
    import keras

    from dlwp_widgets.gradients import input_gradient

    fetch_loss_and_grads = input_gradient(lambda tensor: (dream_loss(extractor(tensor), layer_weights), ()), compile=False)
    x = np.asarray(x, np.float32)
    for _ in range(iterations):
        loss, _, grads = fetch_loss_and_grads(x)
        grads = keras.ops.convert_to_numpy(grads)
        grads /= max(float(np.mean(np.abs(grads))), 1e-7)
        loss_value, grad_values = float(loss), grads
        if max_loss is not None and loss_value > max_loss:
            break
        x = x + step * grad_values
    return x
