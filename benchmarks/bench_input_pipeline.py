"""Images per second into ``fit``: the book's ImageDataGenerator vs the tf.data pipeline.

Same JPEG folder (the dogs-vs-cats stand-in, or the real subset with
``--source real``), same batch size and image size, in the same run:

* book: ``ImageDataGenerator(rescale=1/255, ...).flow_from_directory(...)`` from
  Keras' legacy module (the book's exact class), read for ``--epochs`` epochs,
  with and without the augmentation of listing 5.19.
* ours: ``image_dataset_from_directory`` + rescaling, ``cache()`` after
  decoding, augmentation mapped per batch, ``prefetch``; augmentation either as
  five Keras preprocessing layers or as the package's single affine warp (what
  the notebooks use).

Only the input side is timed (iterating the batches), which is what the
notebooks change. Run: ``python benchmarks/bench_input_pipeline.py
[--per-class 100] [--epochs 3] [--batch-size 20] [--source standin]``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def book_generator(directory, batch_size, augment):
    from keras.src.legacy.preprocessing.image import ImageDataGenerator

    options = dict(rescale=1.0 / 255)
    if augment:
        options.update(rotation_range=40, width_shift_range=0.2, height_shift_range=0.2, shear_range=0.2,
                       zoom_range=0.2, horizontal_flip=True, fill_mode="nearest")
    return ImageDataGenerator(**options).flow_from_directory(
        directory, target_size=(150, 150), batch_size=batch_size, class_mode="binary"
    )


def time_book(directory, batch_size, epochs, augment, images):
    generator = book_generator(directory, batch_size, augment)
    steps = -(-images // batch_size)
    started = time.perf_counter()
    for _ in range(epochs):
        for _ in range(steps):  # the generator is endless: the book counts steps
            next(generator)
    return epochs * steps * batch_size / (time.perf_counter() - started)


def time_ours(directory, batch_size, epochs, augment, seed):
    from dlwp_widgets.pipelines import images as image_pipelines

    dataset = image_pipelines.image_dataset(directory, batch_size=batch_size, seed=seed)
    pipeline = image_pipelines.training_pipeline(dataset, augment=augment(seed) if augment else None)
    count = 0
    started = time.perf_counter()
    for _ in range(epochs):
        for images, _ in pipeline:
            count += int(images.shape[0])
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--source", default="standin", choices=["standin", "real", "auto"])
    args = parser.parse_args()

    import contextlib
    import io

    from dlwp_widgets.datasets import cats_vs_dogs
    from dlwp_widgets.pipelines import images as image_pipelines

    with contextlib.redirect_stdout(io.StringIO()):  # the loaders' notices
        base = cats_vs_dogs.load_data(args.source)
    directory = cats_vs_dogs.subset(base, args.per_class) / "train"
    images = 2 * args.per_class
    print(f"{images} training JPEGs -> 150x150 batches of {args.batch_size}, {args.epochs} epochs ({args.source} data)")
    variants = (
        ("rescale only", None),
        ("augment: 5 layers", image_pipelines.augmentation_layers),
        ("augment: 1 affine", image_pipelines.augmentation),
    )
    for label, augment in variants:
        with contextlib.redirect_stdout(io.StringIO()):  # "Found N images belonging to 2 classes."
            book = time_book(directory, args.batch_size, args.epochs, augment is not None, images)
        ours = time_ours(directory, args.batch_size, args.epochs, augment, seed=0)
        print(f"{label:18} book ImageDataGenerator {book:8.1f} img/s | tf.data pipeline {ours:8.1f} img/s | x{ours / book:.2f}")


if __name__ == "__main__":
    main()
