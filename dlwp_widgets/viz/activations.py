"""Intermediate activations (listings 5.39-5.44): one forward pass, many views.

:class:`ActivationCache` runs the multi-output model once per image and keeps
every layer's activation, so a browser can switch layers and channels without
touching the model again.  The display helpers standardise safely: a dead
channel (all zeros, standard deviation 0) becomes a blank tile instead of NaN.
"""

from __future__ import annotations

import hashlib

import numpy as np

from dlwp_widgets.viz.images import single_input

NORMALISATIONS = ("channel", "layer")


def spatial_layers(model) -> list[str]:
    """Names of the model's layers whose output is a feature map (batch, h, w, c)."""
    names = []
    for layer in model.layers:
        try:
            shape = layer.output.shape
        except (AttributeError, ValueError):
            continue
        if len(shape) == 4:
            names.append(layer.name)
    return names


def activation_model(model, layer_names=None):
    """Listing 5.39: a model mapping the input to the outputs of ``layer_names``.

    The default is every layer with a spatial output (the book takes the first 8:
    four convolutions, four poolings).
    """
    import keras

    names = list(layer_names) if layer_names is not None else spatial_layers(model)
    if not names:
        raise ValueError(f"{model.name} has no layer with a (height, width, channels) output.")
    available = {layer.name for layer in model.layers}
    missing = [name for name in names if name not in available]
    if missing:
        raise ValueError(f"No layer named {missing} in {model.name}; layers: {sorted(available)}")
    not_spatial = [name for name in names if len(model.get_layer(name).output.shape) != 4]
    if not_spatial:
        raise ValueError(f"Layers {not_spatial} have no spatial (height, width, channels) output.")
    outputs = [model.get_layer(name).output for name in names]
    return keras.Model(inputs=single_input(model), outputs=outputs, name=f"{model.name}_activations")


class ActivationCache:
    """All activations of one image, computed in a single forward pass and reused."""

    def __init__(self, model, layer_names=None):
        self.model = model
        self.extractor = activation_model(model, layer_names)
        self.layer_names = list(layer_names) if layer_names is not None else spatial_layers(model)
        self.forward_passes = 0
        self._key = None
        self._activations: dict[str, np.ndarray] = {}

    def activations(self, batch: np.ndarray) -> dict[str, np.ndarray]:
        """``{layer name: (h, w, c) array}`` for the first image of ``batch`` (cached)."""
        batch = np.ascontiguousarray(batch, dtype=np.float32)
        key = hashlib.sha1(batch.tobytes() + str(batch.shape).encode()).hexdigest()
        if key != self._key:
            outputs = self.extractor.predict_on_batch(batch)
            if not isinstance(outputs, (list, tuple)):
                outputs = [outputs]
            self._activations = {name: np.asarray(out)[0] for name, out in zip(self.layer_names, outputs)}
            self._key = key
            self.forward_passes += 1
        return self._activations


def standardise(values: np.ndarray, axis=None) -> np.ndarray:
    """Listing 5.44's display mapping: zero mean, unit std, then *64 + 128 clipped to uint8.

    ``axis=None`` standardises over everything; ``axis=(0, 1)`` per channel.  A
    constant slice has std 0: it maps to 128 (grey) instead of dividing by zero.
    """
    values = np.asarray(values, dtype=np.float32)
    centred = values - values.mean(axis=axis, keepdims=True)
    std = values.std(axis=axis, keepdims=True)
    scaled = np.divide(centred, std, out=np.zeros_like(centred), where=std > 1e-8)
    return np.clip(scaled * 64 + 128, 0, 255).astype(np.uint8)


def channel_image(activation: np.ndarray, channel: int, normalisation: str = "channel") -> np.ndarray:
    """One channel of an (h, w, c) activation as a uint8 picture."""
    if normalisation not in NORMALISATIONS:
        raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {normalisation!r}")
    channels = activation.shape[-1]
    if not 0 <= channel < channels:
        raise ValueError(f"channel {channel} is out of range: this layer has {channels} channels (0-{channels - 1}).")
    if normalisation == "channel":
        return standardise(activation[..., channel])
    return standardise(activation)[..., channel]


def layer_grid(activation: np.ndarray, images_per_row: int = 16, normalisation: str = "channel", margin: int = 1):
    """Every channel of an (h, w, c) activation tiled into one uint8 grid (listing 5.44)."""
    if normalisation not in NORMALISATIONS:
        raise ValueError(f"normalisation must be one of {NORMALISATIONS}, got {normalisation!r}")
    height, width, channels = activation.shape
    tiles = standardise(activation, axis=(0, 1) if normalisation == "channel" else None)
    columns = min(images_per_row, channels)
    rows = -(-channels // columns)
    grid = np.zeros((rows * (height + margin) - margin, columns * (width + margin) - margin), dtype=np.uint8)
    for index in range(channels):
        row, col = divmod(index, columns)
        top, left = row * (height + margin), col * (width + margin)
        grid[top : top + height, left : left + width] = tiles[..., index]
    return grid
