"""Filter patterns per second: the book's one-filter-at-a-time ascent vs ``FilterVisualizer``.

Same VGG16 conv base (random weights: speed does not depend on them), same
layer, image size and number of steps, in the same run:

* book: listing 5.51 ported faithfully: a new feature extractor per call, one
  filter, eager ``GradientTape`` steps (``book_filter_pattern``).
* ours, one at a time: the compiled loop (``tf.function``, filter index as a
  tensor, so no retracing), batch of 1.
* ours, batched: the same loop with all filters in one batch, gradients
  normalised per image.

Run: ``python benchmarks/bench_filters.py [--layer block3_conv1] [--size 64] [--steps 20] [--filters 8]``.
The field notes' bigger setting: ``--size 150 --steps 40 --filters 16``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", default="block3_conv1")
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--filters", type=int, default=8)
    args = parser.parse_args()

    import keras

    from dlwp_widgets.viz.filters import FilterVisualizer, book_filter_pattern

    keras.utils.set_random_seed(0)
    vgg = keras.applications.VGG16(include_top=False, weights=None)
    indices = list(range(args.filters))
    print(f"VGG16 (random weights), {args.layer}, {args.size}x{args.size}, {args.steps} steps, {args.filters} filters")

    book_filter_pattern(vgg, args.layer, 0, size=args.size, steps=1)  # warm-up: kernels, allocations
    started = time.perf_counter()
    for index in indices:
        book_filter_pattern(vgg, args.layer, index, size=args.size, steps=args.steps)
    book_rate = args.filters / (time.perf_counter() - started)

    rates = {}
    for label, batch_size in (("ours, one at a time", 1), ("ours, batched", args.filters)):
        visualizer = FilterVisualizer(vgg, args.layer, size=args.size)
        visualizer.patterns([0], steps=1, batch_size=1)  # compile once (the cost a browser pays once per layer)
        started = time.perf_counter()
        visualizer.patterns(indices, steps=args.steps, batch_size=batch_size)
        rates[label] = args.filters / (time.perf_counter() - started)
        rates[label + f" (traces: {visualizer.traces})"] = rates.pop(label)

    print(f"{'book (eager, one filter per call)':45} {book_rate:8.3f} patterns/s")
    for label, rate in rates.items():
        print(f"{label:45} {rate:8.3f} patterns/s   x{rate / book_rate:.2f} vs book")
    cached = FilterVisualizer(vgg, args.layer, size=args.size)
    cached.patterns(indices, steps=args.steps, batch_size=args.filters)
    started = time.perf_counter()
    cached.patterns(indices, steps=args.steps)
    print(f"{'ours, cached (browser revisits a page)':45} {args.filters / (time.perf_counter() - started):8.0f} patterns/s")


if __name__ == "__main__":
    main()
