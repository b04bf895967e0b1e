"""Chapter 8.4-8.5 speed: the book's loops against the companion's, measured in the same run.

* VAE grid (listing 8.30): the book calls ``decoder.predict`` once per cell of the
  15x15 grid, each time on 16 copies of the point (225 calls); ours decodes all
  225 points in one call (``viz.latent.decode_grid``).  Same decoder (the book's,
  random weights: decoding time does not depend on training).
* GAN steps (listing 8.35): the book's loop per step calls ``generator.predict``,
  ``discriminator.train_on_batch`` and ``gan.train_on_batch`` on the chained model.
  (In Keras 3 the book's freeze trick would freeze the discriminator for good; the
  loop here flips ``trainable`` around the calls so that both networks really
  train, which is what the book intended; the check line says so.)  Ours: ``fit``
  running the ``GAN`` model's compiled ``train_step``.  On a CPU the book-sized
  networks take seconds per step, so the default is the same architecture at
  ``--filters 32``; ``--filters 256`` is the book's (a GPU is advised).

Run: ``python benchmarks/bench_vae_gan.py [--steps 20] [--filters 32] [--batch-size 20]``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402


def bench_grid(repeats: int) -> tuple[float, float, float]:
    from dlwp_widgets.models import generative
    from dlwp_widgets.viz import latent

    decoder = generative.vae_decoder()
    latent.decode_grid(decoder, 15)  # warm-up
    decoder.predict(np.zeros((16, 2), "float32"), batch_size=16, verbose=0)
    started = time.perf_counter()
    book = latent.decode_grid_per_cell(decoder, 15, batch_size=16)
    book_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(repeats):
        ours = latent.decode_grid(decoder, 15)
    ours_seconds = (time.perf_counter() - started) / repeats
    return book_seconds, ours_seconds, float(np.abs(book - ours).max())


def bench_gan(steps: int, filters: int, batch_size: int) -> tuple[float, float, bool]:
    import keras

    from dlwp_widgets.models import generative

    keras.utils.set_random_seed(0)
    latent_dim = 32
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, ((steps + 2) * batch_size, 32, 32, 3)).astype("float32")

    # The book's loop (listings 8.32, 8.33, 8.35), with the labels of the port.
    generator = generative.gan_generator(latent_dim, filters=filters)
    discriminator = generative.gan_discriminator(filters=max(1, filters // 2))
    discriminator.compile(optimizer=generative.book_rmsprop(0.0008), loss="binary_crossentropy")
    discriminator.trainable = False
    gan_input = keras.Input(shape=(latent_dim,))
    gan = keras.Model(gan_input, discriminator(generator(gan_input)))
    gan.compile(optimizer=generative.book_rmsprop(0.0004), loss="binary_crossentropy")

    def book_step(start):
        random_latent_vectors = rng.normal(size=(batch_size, latent_dim))
        generated_images = generator.predict(random_latent_vectors, verbose=0)
        real_images = real[start : start + batch_size]
        combined_images = np.concatenate([generated_images, real_images])
        labels = np.concatenate([np.zeros((batch_size, 1)), np.ones((batch_size, 1))])
        labels += 0.05 * rng.random(labels.shape) * (1 - 2 * labels)
        discriminator.trainable = True
        discriminator.train_on_batch(combined_images, labels)
        discriminator.trainable = False
        random_latent_vectors = rng.normal(size=(batch_size, latent_dim))
        gan.train_on_batch(random_latent_vectors, np.ones((batch_size, 1)))

    book_step(0)  # warm-up: traces the three functions
    before = generative.snapshot(discriminator.weights)
    started = time.perf_counter()
    for step in range(steps):
        book_step((step + 1) * batch_size)
    book_rate = steps / (time.perf_counter() - started)
    book_trains_discriminator = generative.weights_changed(before, discriminator.weights)

    # Ours: the GAN model's compiled train_step through fit.
    model = generative.GAN(
        generative.gan_generator(latent_dim, filters=filters), generative.gan_discriminator(filters=max(1, filters // 2)),
        latent_dim=latent_dim, seed=0,
    )
    model.compile()
    model.fit(real[: 2 * batch_size], batch_size=batch_size, epochs=1, verbose=0)  # warm-up: traces
    started = time.perf_counter()
    model.fit(real[: steps * batch_size], batch_size=batch_size, epochs=1, verbose=0)
    ours_rate = steps / (time.perf_counter() - started)
    return book_rate, ours_rate, book_trains_discriminator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="GAN steps timed per approach")
    parser.add_argument("--filters", type=int, default=32, help="generator filters (the book: 256; discriminator: half)")
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5, help="one-batch grid decodes timed")
    args = parser.parse_args()

    book_seconds, ours_seconds, difference = bench_grid(args.repeats)
    print("VAE latent grid, 15x15 digits (the book's decoder)")
    print(f"  {'decoder.predict per cell (book, 225 calls)':46} {book_seconds * 1000:9.1f} ms")
    print(f"  {'one batch of 225 points (ours)':46} {ours_seconds * 1000:9.1f} ms   x{book_seconds / ours_seconds:.0f} faster"
          f"   (largest pixel difference {difference:.1e})")

    book_rate, ours_rate, trained = bench_gan(args.steps, args.filters, args.batch_size)
    print(f"GAN training, generator filters {args.filters} (book: 256), batch {args.batch_size}, {args.steps} steps each")
    print(f"  {'predict + 2x train_on_batch per step (book)':46} {book_rate:9.2f} steps/s   (discriminator trained: {trained})")
    print(f"  {'compiled GAN.train_step via fit (ours)':46} {ours_rate:9.2f} steps/s   x{ours_rate / book_rate:.1f} faster")


if __name__ == "__main__":
    main()
