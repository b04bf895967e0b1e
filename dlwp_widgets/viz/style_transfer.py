"""Neural style transfer (listings 8.14-8.23): VGG19 features, three losses, L-BFGS through SciPy.

The book feeds a batch of three images (content, style, and a placeholder for
the generated one) through a VGG19 built on a symbolic ``K.concatenate``, and
fetches loss and gradients with ``K.function``.  Here:

* a feature-extractor ``keras.Model`` returns only the layers the losses read;
* the content features and the style Gram matrices never change, so they are
  computed once, and every evaluation runs VGG19 on the generated image alone
  (a batch of 1 instead of 3);
* the losses are ``keras.ops`` (:func:`content_loss`, :func:`gram_matrix`,
  :func:`style_loss`, :func:`total_variation_loss`);
* one compiled function (:func:`dlwp_widgets.gradients.input_gradient`, any
  Keras backend) returns loss and gradients together, and SciPy's L-BFGS
  gets both from one call (``scipy.optimize.minimize(..., jac=True)``), where
  the book's ``Evaluator`` class cached the gradients of a call it made for the
  loss.  The loss weights are arguments of the compiled function, so moving a
  weight slider never recompiles.

:func:`book_loss_and_grads` is the book's evaluation ported faithfully (the
batch of three, eager), kept for the benchmark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from dlwp_widgets.viz.images import ImageError, single_input

# Listing 8.17-8.21: the layers the losses read and the book's weights.
BOOK_CONTENT_LAYER = "block5_conv2"
BOOK_STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
BOOK_CONTENT_WEIGHT = 0.025
BOOK_STYLE_WEIGHT = 1.0
BOOK_TOTAL_VARIATION_WEIGHT = 1e-4
# Listing 8.15 / 8.23: picture height, outer iterations, function evaluations per iteration.
BOOK_HEIGHT = 400
BOOK_ITERATIONS = 20
BOOK_EVALS_PER_ITERATION = 20

# The generated picture's height is capped here (memory and time grow with its area).
MAX_HEIGHT = 512
# ImageNet channel means VGG19 subtracts (in BGR order), ``vgg19.preprocess_input``'s "caffe" mode.
_BGR_MEANS = np.array([103.939, 116.779, 123.68], np.float32)


def working_size(shape, height: int = BOOK_HEIGHT, *, max_height: int = MAX_HEIGHT) -> tuple[int, int]:
    """Listing 8.15: the generated picture's (height, width), the content picture's aspect ratio kept."""
    try:
        height = int(height)
    except (TypeError, ValueError):
        raise ValueError(f"The height must be a whole number of pixels, got {height!r}.") from None
    if height > max_height:
        raise ValueError(f"A height of {height} pixels is above the limit of {max_height}; choose {max_height} or less.")
    if height < 32:
        raise ValueError(f"A height of {height} pixels is too small for VGG19's five blocks; use at least 32.")
    original_height, original_width = int(shape[0]), int(shape[1])
    return height, max(32, int(original_width * height / original_height))


def preprocess(image: np.ndarray, size) -> np.ndarray:
    """Listing 8.16's ``preprocess_image`` for an (H, W, 3) array in 0..255: resize, batch axis, VGG19 preprocessing."""
    from keras import ops

    resized = np.asarray(ops.image.resize(np.asarray(image, np.float32)[None], tuple(size), interpolation="bilinear"))
    return (resized[..., ::-1] - _BGR_MEANS).astype(np.float32)  # RGB -> BGR, minus the ImageNet means


def deprocess(x) -> np.ndarray:
    """Listing 8.16's ``deprocess_image``: undo the preprocessing, uint8 RGB (batch axis dropped)."""
    x = np.asarray(x, np.float32)
    if x.ndim == 4:
        x = x[0]
    return np.clip(np.round((x + _BGR_MEANS)[..., ::-1]), 0, 255).astype(np.uint8)


def content_loss(base, combination):
    """Listing 8.18: squared distance between the two feature maps."""
    from keras import ops

    return ops.sum(ops.square(combination - base))


def gram_matrix(x):
    """Listing 8.19: (H, W, C) features -> (C, C) inner products of the channels' maps."""
    from keras import ops

    features = ops.reshape(ops.transpose(x, (2, 0, 1)), (ops.shape(x)[-1], -1))
    return ops.matmul(features, ops.transpose(features))


def style_loss(style, combination, size: int, *, style_gram=None):
    """Listing 8.19: squared distance between Gram matrices, normalised as the book does.

    ``size`` is the picture's height * width.  The book normalises with
    ``channels = 3`` (the image's channels, not the layer's depth); kept, since
    it only rescales the style weight.  ``style_gram`` lets a caller pass the
    style picture's Gram matrix computed once.
    """
    from keras import ops

    channels = 3
    S = gram_matrix(style) if style_gram is None else style_gram
    C = gram_matrix(combination)
    return ops.sum(ops.square(S - C)) / (4.0 * (channels**2) * (size**2))


def total_variation_loss(x):
    """Listing 8.20: penalises differences between neighbouring pixels (keeps the result smooth)."""
    from keras import ops

    a = ops.square(x[:, :-1, :-1, :] - x[:, 1:, :-1, :])
    b = ops.square(x[:, :-1, :-1, :] - x[:, :-1, 1:, :])
    return ops.sum(ops.power(a + b, 1.25))


def style_extractor(model, content_layer: str = BOOK_CONTENT_LAYER, style_layers: Sequence[str] = BOOK_STYLE_LAYERS):
    """Listing 8.17's ``outputs_dict``, only for the layers the losses read: picture -> {name: features}."""
    import keras

    outputs = {}
    for name in dict.fromkeys([content_layer, *style_layers]):
        try:
            outputs[name] = model.get_layer(name).output
        except ValueError:
            raise ValueError(f"No layer named {name!r} in {model.name}.") from None
    return keras.Model(inputs=single_input(model), outputs=outputs, name="style_features")


def check_loss_weights(content_weight, style_weight, total_variation_weight) -> tuple[float, float, float]:
    """The three weights as floats; a clear ``ValueError`` for NaN, negative values or all zeros."""
    weights = {}
    for name, value in (("content", content_weight), ("style", style_weight), ("total variation", total_variation_weight)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"The {name} weight is not a number: {value!r}.") from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"The {name} weight is {value}: use a finite number, 0 or above.")
        weights[name] = value
    if not any(weights.values()):
        raise ValueError("All three loss weights are 0: there is nothing to optimise. Give the style weight a value above 0.")
    return tuple(weights.values())


@dataclass
class StyleResult:
    """The generated picture (uint8), the loss before and after every iteration, and the pictures on the way."""

    image: np.ndarray
    losses: list[float] = field(default_factory=list)  # losses[0]: the starting picture (the content picture)
    stopped: bool = False


class _Stopped(Exception):
    pass


class StyleTransfer:
    """Style transfer of ``style_image`` onto ``content_image`` at a fixed size, compiled once.

    Both pictures are (H, W, 3) arrays in 0..255; the style picture is resized
    to the content picture's working size, as in the book.  ``loss_and_grads(x,
    weights)`` is the compiled evaluation; :meth:`run` is listing 8.23's loop.
    """

    def __init__(
        self,
        model,
        content_image,
        style_image,
        *,
        height: int = BOOK_HEIGHT,
        content_layer: str = BOOK_CONTENT_LAYER,
        style_layers: Sequence[str] = BOOK_STYLE_LAYERS,
        max_height: int = MAX_HEIGHT,
    ):
        from dlwp_widgets.gradients import input_gradient
        from dlwp_widgets.viz.images import as_rgb_array

        content = as_rgb_array(content_image)
        style = as_rgb_array(style_image)
        self.size = working_size(content.shape, height, max_height=max_height)
        self.content_layer = content_layer
        self.style_layers = list(style_layers)
        if not self.style_layers:
            raise ValueError("Name at least one style layer.")
        self.extractor = style_extractor(model, content_layer, self.style_layers)
        self.target = preprocess(content, self.size)
        self.style = preprocess(style, self.size)
        content_features = self.extractor(self.target, training=False)
        style_features = self.extractor(self.style, training=False)
        self.content_target = content_features[content_layer][0]
        self.style_grams = [gram_matrix(style_features[name][0]) for name in self.style_layers]
        self.traces = 0
        self.evaluations = 0
        signature = [([1, *self.size, 3], "float32"), ([3], "float32")]
        self._loss_and_grads = input_gradient(self._evaluate, signature)

    def total_loss(self, x, weights):
        """Listing 8.21: weighted content + style (averaged over the style layers) + total variation."""
        features = self.extractor(x, training=False)
        content_weight, style_weight, tv_weight = weights[0], weights[1], weights[2]
        loss = content_weight * content_loss(self.content_target, features[self.content_layer][0])
        area = self.size[0] * self.size[1]
        for name, gram in zip(self.style_layers, self.style_grams):
            sl = style_loss(None, features[name][0], area, style_gram=gram)
            loss = loss + (style_weight / len(self.style_layers)) * sl
        return loss + tv_weight * total_variation_loss(x)

    def _evaluate(self, x, weights):
        self.traces += 1  # Python side effect: counts compilations only
        return self.total_loss(x, weights), ()

    def loss_and_grads(self, x, weights) -> tuple[float, np.ndarray]:
        """Loss (float) and its gradient (float64, flat) for the flat or batched picture ``x``: what SciPy needs."""
        self.evaluations += 1
        x = np.asarray(x, np.float32).reshape((1, *self.size, 3))
        import keras

        loss, _, grads = self._loss_and_grads(x, np.asarray(weights, np.float32))
        return float(loss), keras.ops.convert_to_numpy(grads).astype(np.float64).ravel()

    def run(
        self,
        *,
        iterations: int = BOOK_ITERATIONS,
        evals_per_iteration: int = BOOK_EVALS_PER_ITERATION,
        content_weight: float = BOOK_CONTENT_WEIGHT,
        style_weight: float = BOOK_STYLE_WEIGHT,
        total_variation_weight: float = BOOK_TOTAL_VARIATION_WEIGHT,
        should_stop: Callable[[], bool] | None = None,
        progress: Callable[[int, int, float, np.ndarray], None] | None = None,
    ) -> StyleResult:
        """Listing 8.23: ``iterations`` runs of L-BFGS (``evals_per_iteration`` evaluations each) from the content picture.

        ``progress(done, total, loss, picture_uint8)`` is called after every
        iteration; ``should_stop()`` is checked at every evaluation and ends the
        run with the last picture L-BFGS accepted.
        """
        from scipy.optimize import minimize

        weights = np.array(check_loss_weights(content_weight, style_weight, total_variation_weight), np.float32)
        for name, value in (("iterations", iterations), ("evaluations per iteration", evals_per_iteration)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}.")
        x = self.target.ravel().astype(np.float64)
        result = StyleResult(image=deprocess(self.target), losses=[self.loss_and_grads(x, weights)[0]])

        def fun(flat):
            if should_stop is not None and should_stop():
                raise _Stopped
            loss, grads = self.loss_and_grads(flat, weights)
            if not math.isfinite(loss):
                raise FloatingPointError(f"The style-transfer loss became {loss}; lower the weights.")
            return loss, grads

        for i in range(iterations):
            try:
                found = minimize(fun, x, jac=True, method="L-BFGS-B", options={"maxfun": int(evals_per_iteration)})
            except _Stopped:
                result.stopped = True
                break
            x = found.x
            result.losses.append(float(found.fun))
            result.image = deprocess(x.reshape((1, *self.size, 3)))
            if progress is not None:
                progress(i + 1, iterations, float(found.fun), result.image)
        return result


def book_loss_and_grads(
    extractor,
    target,
    style,
    combination,
    *,
    content_layer: str = BOOK_CONTENT_LAYER,
    style_layers: Sequence[str] = BOOK_STYLE_LAYERS,
    weights=(BOOK_CONTENT_WEIGHT, BOOK_STYLE_WEIGHT, BOOK_TOTAL_VARIATION_WEIGHT),
) -> tuple[float, np.ndarray]:
    """Listings 8.17-8.22 as the book evaluates them, ported faithfully: eager, a batch of three every time.

    The content and style pictures go through VGG19 again at every evaluation
    (the book's concatenated input tensor), and the style Gram matrices are
    recomputed each time.
    """
    import keras

    from dlwp_widgets.gradients import input_gradient

    content_weight, style_weight, tv_weight = weights
    area = int(combination.shape[1]) * int(combination.shape[2])

    def total(combination):
        batch = keras.ops.concatenate([target, style, combination], axis=0)
        features = extractor(batch)
        layer = features[content_layer]
        loss = content_weight * content_loss(layer[0], layer[2])
        for name in style_layers:
            layer = features[name]
            loss = loss + (style_weight / len(style_layers)) * style_loss(layer[1], layer[2], area)
        return loss + tv_weight * total_variation_loss(combination), ()

    loss, _, grads = input_gradient(total, compile=False)(np.asarray(combination, np.float32))
    return float(loss), keras.ops.convert_to_numpy(grads).astype(np.float64).ravel()


def fit_pair(content_image, style_image, *, max_side: int = 1024) -> tuple[np.ndarray, np.ndarray, str]:
    """Both reader pictures as float32 (H, W, 3) arrays in 0..255, and a note on what was done to them.

    A picture bigger than ``max_side`` on its longest side is shrunk first (the
    note names the limit); an unusable one raises an ``ImageError`` naming which
    of the two it is.
    """
    from dlwp_widgets.viz import sample_images

    pictures, notes = [], []
    for label, image in (("content", content_image), ("style", style_image)):
        if image is None:
            raise ImageError(f"No {label} picture yet: upload one or pass an array.")
        try:
            array, note = sample_images.fit_picture(image, max_side=max_side)
        except ImageError as error:
            raise ImageError(f"The {label} picture: {error}") from None
        if note.startswith("downscaled"):
            notes.append(f"{label} picture {note}")
        pictures.append(array)
    return pictures[0], pictures[1], "; ".join(notes)
