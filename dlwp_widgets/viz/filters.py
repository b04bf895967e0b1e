"""Filter patterns by gradient ascent in input space (listings 5.45-5.53).

The book builds a new graph and runs one filter at a time.  :class:`FilterVisualizer`
compiles one gradient step per layer (:func:`dlwp_widgets.gradients.input_gradient`,
with the filter choice as a mask tensor, so asking for another filter never
recompiles; any Keras backend), runs a whole batch of filters
in one go, normalises each image's gradient by that image's own RMS (normalising
over the batch would let one strong filter shrink every other filter's steps),
and caches every pattern it has computed.  Optional jitter and blur regularise
the patterns.  :func:`book_filter_pattern` is the book's approach, kept for the
benchmark.
"""

from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from dlwp_widgets.viz.images import single_input


def layer_extractor(model, layer_name: str):
    """A model from ``model``'s input to ``layer_name``'s feature map."""
    import keras

    try:
        layer = model.get_layer(layer_name)
    except ValueError:
        names = [layer.name for layer in model.layers]
        raise ValueError(f"No layer named {layer_name!r} in {model.name}; layers: {names}") from None
    if len(layer.output.shape) != 4:
        raise ValueError(
            f"Layer {layer_name!r} outputs shape {tuple(layer.output.shape)}, not a feature map "
            "(batch, height, width, channels): filter patterns need a convolutional layer."
        )
    return keras.Model(inputs=single_input(model), outputs=layer.output, name=f"{layer_name}_extractor")


def deprocess_image(image: np.ndarray) -> np.ndarray:
    """Listing 5.50: centre, scale the std to 0.1, shift to 0.5, clip, uint8 (per image)."""
    image = np.asarray(image, dtype=np.float64)
    image = image - image.mean()
    image = image / (image.std() + 1e-5) * 0.1 + 0.5
    return (np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)


def start_image(size: int, seed: int, value_range=(0.0, 255.0)) -> np.ndarray:
    """The book's starting point: grey with a little noise (0..255: 128 + 20 * uniform)."""
    low, high = value_range
    span = high - low
    rng = np.random.default_rng(seed)
    noise = rng.random((size, size, 3), dtype=np.float32)
    return (low + span * (128.0 / 255.0) + span * (20.0 / 255.0) * noise).astype(np.float32)


def book_filter_pattern(model, layer_name: str, filter_index: int, size: int = 150, steps: int = 40, step_size: float = 1.0):
    """The book's approach (listing 5.51) ported faithfully: one filter, eager steps.

    As in the book, the graph (here the feature extractor) is rebuilt on every call.
    """
    import keras

    from dlwp_widgets.gradients import input_gradient

    extractor = layer_extractor(model, layer_name)
    gradient = input_gradient(lambda x: (keras.ops.mean(extractor(x)[:, :, :, filter_index]), ()), compile=False)
    image = np.random.random((1, size, size, 3)).astype(np.float32) * 20 + 128.0
    for _ in range(steps):
        grads = keras.ops.convert_to_numpy(gradient(image)[2])
        grads /= np.sqrt(np.mean(np.square(grads))) + 1e-5
        image += grads * step_size
    return deprocess_image(image[0])


def _blur(images: np.ndarray) -> np.ndarray:
    """A 3x3 binomial blur ([1, 2, 1] / 4 each way) of every channel, edges mirrored."""
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="symmetric")
    rows = (padded[:, :-2] + 2 * padded[:, 1:-1] + padded[:, 2:]) / 4
    return ((rows[:, :, :-2] + 2 * rows[:, :, 1:-1] + rows[:, :, 2:]) / 4).astype(np.float32)


class FilterVisualizer:
    """Batched, compiled, cached gradient ascent for the filters of one layer."""

    def __init__(
        self,
        model,
        layer_name: str,
        *,
        size: int = 150,
        value_range=(0.0, 255.0),
        jitter: int = 0,
        blur_every: int = 0,
    ):
        from dlwp_widgets.gradients import input_gradient

        self.layer_name = layer_name
        self.extractor = layer_extractor(model, layer_name)
        fixed = tuple(model.input_shape[1:3])
        if all(fixed):  # a model with a fixed input size decides the pattern size
            if fixed[0] != fixed[1]:
                raise ValueError(f"{model.name} takes {fixed[0]}x{fixed[1]} inputs; filter patterns need a square input.")
            size = int(fixed[0])
        self.size = size
        self.value_range = tuple(float(v) for v in value_range)
        self.channels = int(self.extractor.output.shape[-1])
        self.jitter = int(jitter)
        self.blur_every = int(blur_every)
        self.traces = 0
        self._cache: dict[tuple, np.ndarray] = {}
        self._jitter_rng = np.random.default_rng(0)
        signature = [([None, size, size, 3], "float32"), ([None, 1, 1, self.channels], "float32")]
        self._gradient = input_gradient(self._chosen_activation, signature)

    def _chosen_activation(self, images, mask):
        import keras

        self.traces += 1  # Python side effect: runs once per compilation only
        activation = self.extractor(images, training=False)
        # Each image's loss is its own filter's mean activation; images do not
        # interact, so the gradient of the sum is every image's own gradient.
        return keras.ops.sum(keras.ops.mean(keras.ops.sum(activation * mask, axis=-1), axis=(1, 2))), ()

    def _ascent(self, images, filter_indices, steps: int, step_size: float) -> np.ndarray:
        import keras

        images = np.asarray(images, np.float32)
        mask = np.eye(self.channels, dtype=np.float32)[np.asarray(filter_indices)][:, None, None, :]
        for step in range(int(steps)):
            if self.jitter:
                shift = tuple(int(v) for v in self._jitter_rng.integers(-self.jitter, self.jitter + 1, size=2))
                images = np.roll(images, shift, axis=(1, 2))
            grads = keras.ops.convert_to_numpy(self._gradient(images, mask)[2])
            # One RMS per image: each filter's step size is independent of the others.
            grads /= np.sqrt(np.mean(np.square(grads), axis=(1, 2, 3), keepdims=True)) + 1e-5
            images = images + grads * np.float32(step_size)
            if self.jitter:
                images = np.roll(images, tuple(-v for v in shift), axis=(1, 2))
            if self.blur_every and (step + 1) % self.blur_every == 0:
                images = _blur(images)
        return images

    def _key(self, index: int, steps: int, step_size: float, seed: int) -> tuple:
        return (index, steps, float(step_size), seed)

    def cached(self, index: int, steps: int = 40, step_size: float = 1.0, seed: int = 0) -> np.ndarray | None:
        return self._cache.get(self._key(index, steps, step_size, seed))

    def patterns(
        self,
        filter_indices: Iterable[int],
        *,
        steps: int = 40,
        step_size: float = 1.0,
        batch_size: int = 16,
        seed: int = 0,
        progress: Callable[[float, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        chunk_steps: int | None = None,
    ) -> list[np.ndarray] | None:
        """uint8 patterns for ``filter_indices``, computing only those not cached.

        ``step_size`` is in 0..255 units and scaled to the model's value range.
        Each filter starts from its own seeded image, so a pattern does not depend
        on which other filters shared its batch.  ``progress(done, total)`` counts
        filters; with ``chunk_steps`` the ascent runs that many steps per call
        (rounded up to a multiple of the blur interval, so the blur falls on the
        same steps), ``done`` then grows by fractions of a batch and
        ``should_stop()`` is asked between calls: when it says True nothing more
        is computed, nothing unfinished is cached and None is returned.
        """
        indices = [int(i) for i in filter_indices]
        bad = [i for i in indices if not 0 <= i < self.channels]
        if bad:
            raise ValueError(
                f"Filter indices {bad} are out of range: {self.layer_name} has {self.channels} filters (0-{self.channels - 1})."
            )
        if steps < 1 or batch_size < 1:
            raise ValueError("steps and batch_size must be at least 1.")
        todo = [i for i in dict.fromkeys(indices) if self._key(i, steps, step_size, seed) not in self._cache]
        scaled_step = np.float32(step_size * (self.value_range[1] - self.value_range[0]) / 255.0)
        done = 0
        per_call = steps if not chunk_steps else max(1, int(chunk_steps))
        if self.blur_every and per_call < steps:
            per_call = -(-per_call // self.blur_every) * self.blur_every
        for start in range(0, len(todo), batch_size):
            chunk = todo[start : start + batch_size]
            images = np.stack([start_image(self.size, seed * 100_003 + i, self.value_range) for i in chunk])
            taken = 0
            while taken < steps:
                if should_stop is not None and should_stop():
                    return None
                now = min(per_call, steps - taken)
                images = self._ascent(images, np.asarray(chunk, np.int32), np.int32(now), scaled_step)
                taken += now
                if progress is not None and taken < steps:
                    progress(done + len(chunk) * taken / steps, len(todo))
            result = np.asarray(images)
            for index, image in zip(chunk, result):
                self._cache[self._key(index, steps, step_size, seed)] = deprocess_image(image)
            done += len(chunk)
            if progress is not None:
                progress(done, len(todo))
        return [self._cache[self._key(i, steps, step_size, seed)] for i in indices]


def filter_grid(patterns: list[np.ndarray], columns: int = 8, margin: int = 5) -> np.ndarray:
    """Listing 5.53's grid: patterns side by side with a black margin, as uint8 (not float)."""
    if not patterns:
        raise ValueError("No patterns to tile.")
    size = patterns[0].shape[0]
    rows = -(-len(patterns) // columns)
    columns = min(columns, len(patterns))
    grid = np.zeros((rows * size + (rows - 1) * margin, columns * size + (columns - 1) * margin, 3), dtype=np.uint8)
    for index, pattern in enumerate(patterns):
        row, col = divmod(index, columns)
        top, left = row * (size + margin), col * (size + margin)
        grid[top : top + size, left : left + size] = pattern
    return grid
