"""DeepDream steps and style-transfer evaluations per second: the book's eager approach vs the compiled one.

Same networks (random weights: speed does not depend on them), same picture
sizes, same number of steps, in the same run:

* DeepDream (InceptionV3, mixed2-mixed5 with the book's weights):
  book: listings 8.10-8.11 ported faithfully (``book_gradient_ascent``): an
  eager ``GradientTape`` pass per step, the gradient fetched to numpy and the
  update done there, as ``fetch_loss_and_grads`` + ``x += step * grad_values``;
  ours: ``DeepDream``'s compiled step (``tf.function``, any picture size, the
  layer weights as an input).
* Style transfer (VGG19, the book's layers and weights), one loss-and-gradient
  evaluation as L-BFGS asks for it:
  book: listings 8.17-8.22 ported faithfully (``book_loss_and_grads``): eager,
  the batch of three pictures through VGG19 at every evaluation;
  compiled, batch of three: the same computation in a ``tf.function`` (shows
  what compilation alone brings);
  ours: ``StyleTransfer.loss_and_grads``: compiled, content features and style
  Gram matrices computed once, VGG19 on the generated picture alone.

In TensorFlow 1 the book's ``K.function`` ran a prebuilt graph; that API is
gone, and the direct TensorFlow 2 port of the book's code is eager, which is
what a reader who ports the listings line by line gets.  The ratios compare
that port with the compiled code, not TensorFlow 1 with TensorFlow 2.

Run: ``python benchmarks/bench_deepdream_style.py [--dream-size 160] [--dream-steps 10]
[--style-height 96] [--style-evals 10]``.  The ratios are from one run; on a busy
machine repeat it.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def rate(count: int, function) -> float:
    started = time.perf_counter()
    function()
    return count / (time.perf_counter() - started)


def bench_dream(size: int, steps: int) -> None:
    import keras

    from dlwp_widgets.viz import deepdream as dd
    from dlwp_widgets.viz import sample_images

    model = keras.applications.InceptionV3(include_top=False, weights=None)
    weights = dd.BOOK_LAYER_WEIGHTS
    x = dd.preprocess(sample_images.load("coffee", max_side=size))
    dreamer = dd.DeepDream(model, list(weights))
    print(f"DeepDream: InceptionV3 (random weights), {x.shape[1]}x{x.shape[2]} picture, {steps} steps")

    dd.book_gradient_ascent(dreamer.extractor, x, weights, iterations=1, step=0.01)  # warm-up
    book = rate(steps, lambda: dd.book_gradient_ascent(dreamer.extractor, x, weights, iterations=steps, step=0.01))
    dreamer.gradient_ascent(x, weights, iterations=1, step=0.01, max_loss=None)  # compile once
    ours = rate(steps, lambda: dreamer.gradient_ascent(x, weights, iterations=steps, step=0.01, max_loss=None))
    print(f"  {'book (eager step, update in numpy)':48} {book:8.2f} steps/s")
    print(f"  {'ours (compiled step, traces: %d)' % dreamer.traces:48} {ours:8.2f} steps/s   x{ours / book:.2f} vs book")


def bench_style(height: int, evals: int) -> None:
    import keras
    import numpy as np
    import tensorflow as tf

    from dlwp_widgets.viz import sample_images
    from dlwp_widgets.viz import style_transfer as st

    model = keras.applications.VGG19(include_top=False, weights=None)
    transfer = st.StyleTransfer(model, sample_images.load("astronaut"), sample_images.load("brick"), height=height)
    weights = (st.BOOK_CONTENT_WEIGHT, st.BOOK_STYLE_WEIGHT, st.BOOK_TOTAL_VARIATION_WEIGHT)
    x = transfer.target + np.random.default_rng(0).normal(0, 5, transfer.target.shape).astype(np.float32)
    size = transfer.size
    print(f"Style transfer: VGG19 (random weights), {size[0]}x{size[1]} picture, {evals} loss+gradient evaluations")

    def book_once():
        return st.book_loss_and_grads(transfer.extractor, transfer.target, transfer.style, x, weights=weights)

    @tf.function(input_signature=[tf.TensorSpec([1, *size, 3], tf.float32)])
    def compiled_batch_of_three(combination):
        with tf.GradientTape() as tape:
            tape.watch(combination)
            features = transfer.extractor(tf.concat([transfer.target, transfer.style, combination], 0))
            layer = features[st.BOOK_CONTENT_LAYER]
            loss = weights[0] * st.content_loss(layer[0], layer[2])
            for name in st.BOOK_STYLE_LAYERS:
                layer = features[name]
                loss += weights[1] / len(st.BOOK_STYLE_LAYERS) * st.style_loss(layer[1], layer[2], size[0] * size[1])
            loss += weights[2] * st.total_variation_loss(combination)
        return loss, tape.gradient(loss, combination)

    def repeat(function):
        return lambda: [function() for _ in range(evals)]

    book_once()  # warm-up
    book = rate(evals, repeat(book_once))
    compiled_batch_of_three(x)
    batch3 = rate(evals, repeat(lambda: [t.numpy() for t in compiled_batch_of_three(x)]))
    transfer.loss_and_grads(x, weights)
    ours = rate(evals, repeat(lambda: transfer.loss_and_grads(x, weights)))
    print(f"  {'book (eager, batch of three)':48} {book:8.2f} evaluations/s")
    print(f"  {'compiled, batch of three':48} {batch3:8.2f} evaluations/s   x{batch3 / book:.2f} vs book")
    print(f"  {'ours (compiled, fixed features computed once)':48} {ours:8.2f} evaluations/s   x{ours / book:.2f} vs book")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dream-size", type=int, default=160, help="longest side of the dream picture")
    parser.add_argument("--dream-steps", type=int, default=10)
    parser.add_argument("--style-height", type=int, default=96)
    parser.add_argument("--style-evals", type=int, default=10)
    args = parser.parse_args()

    import keras

    keras.utils.set_random_seed(0)
    bench_dream(args.dream_size, args.dream_steps)
    bench_style(args.style_height, args.style_evals)


if __name__ == "__main__":
    main()
