"""Slider latency of the activation browser: cached activations vs a forward pass per move.

Same model (the book's cats-vs-dogs convnet, random weights) and picture:

* book-style: every change of layer/channel runs the multi-output activation
  model again (``predict``), then draws the channel, as re-running listings
  5.40-5.42 does.
* ours: ``ActivationBrowser`` computes all activations once per picture; a
  slider move only redraws from the cache.

Run: ``python benchmarks/bench_activation_browser.py [--updates 30] [--size 150]``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=30)
    parser.add_argument("--size", type=int, default=150)
    args = parser.parse_args()

    import keras

    from dlwp_widgets.models.convnets import cats_dogs_convnet
    from dlwp_widgets.viz import images
    from dlwp_widgets.viz.activations import activation_model, channel_image
    from dlwp_widgets.widgets.activation_browser import ActivationBrowser

    keras.utils.set_random_seed(0)
    model = cats_dogs_convnet(image_size=args.size)
    picture = np.random.default_rng(0).integers(0, 256, (args.size, args.size, 3)).astype(np.float32)
    layer_names = [layer.name for layer in model.layers[:8]]
    moves = [(layer_names[i % 8], i % 32) for i in range(args.updates)]

    extractor = activation_model(model, layer_names)
    batch = picture[None] / 255.0
    extractor.predict(batch, verbose=0)  # warm-up
    started = time.perf_counter()
    for layer, channel in moves:
        outputs = extractor.predict(batch, verbose=0)
        activation = outputs[layer_names.index(layer)][0]
        images.png_bytes(channel_image(activation, channel), colormap="viridis")
    book_latency = (time.perf_counter() - started) / args.updates

    browser = ActivationBrowser(model, picture, layer_names=layer_names)
    started = time.perf_counter()
    for layer, channel in moves:
        browser.layer.value = layer
        browser.channel.value = channel
    ours_latency = (time.perf_counter() - started) / args.updates
    assert browser.cache.forward_passes == 1 and browser.last_error is None

    print(f"cats-vs-dogs convnet, {args.size}x{args.size}, {args.updates} layer/channel changes")
    print(f"{'forward pass per update (book-style)':40} {book_latency * 1000:8.1f} ms per update")
    print(f"{'ActivationBrowser (cached activations)':40} {ours_latency * 1000:8.1f} ms per update   x{book_latency / ours_latency:.1f} faster")


if __name__ == "__main__":
    main()
