"""Chapter 8.4-8.5 models: the book's sizes, the VAE loss, and a GAN whose steps train only their own network."""

import warnings

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from dlwp_widgets.models import generative as gen  # noqa: E402


def tiny_gan(seed=0):
    keras.utils.set_random_seed(seed)
    generator = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8 * 8 * 3), keras.layers.Reshape((8, 8, 3)), keras.layers.Activation("tanh")]
    )
    discriminator = keras.Sequential(
        [keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3), keras.layers.Flatten(), keras.layers.Dropout(0.4), keras.layers.Dense(1, activation="sigmoid")]
    )
    gan = gen.GAN(generator, discriminator, latent_dim=4, seed=seed)
    gan.compile(
        d_optimizer=keras.optimizers.RMSprop(learning_rate=0.01),
        g_optimizer=keras.optimizers.RMSprop(learning_rate=0.01),
    )
    return gan


def real_batch(count=6):
    return np.random.default_rng(0).uniform(-1, 1, (count, 8, 8, 3)).astype("float32")


def test_book_sizes():
    assert gen.vae_encoder().count_params() == 494_244
    assert gen.vae_decoder().count_params() == 56_385
    assert gen.gan_generator().count_params() == 6_264_579
    assert gen.gan_discriminator().count_params() == 790_913
    assert gen.gan_generator().output_shape == (None, 32, 32, 3)


def test_gan_networks_use_the_books_leaky_relu_slope():
    for network in (gen.gan_generator(filters=8), gen.gan_discriminator(filters=8)):
        slopes = {layer.negative_slope for layer in network.layers if isinstance(layer, keras.layers.LeakyReLU)}
        assert slopes == {0.3}, f"{network.name}: {slopes}"


def test_generator_step_runs_the_discriminator_with_dropout(monkeypatch):
    gan = tiny_gan()
    seen = []
    original = gan.discriminator.call

    def spy(inputs, training=None, mask=None):
        seen.append(training)
        return original(inputs, training=training, mask=mask)

    monkeypatch.setattr(gan.discriminator, "call", spy)
    gan.generator_step(6)
    assert seen == [True], "the book's gan.train_on_batch ran the frozen discriminator in training mode"


def test_sampling_is_seeded_and_uses_half_the_log_variance():
    mean, log_var = np.zeros((20_000, 2), "float32"), np.full((20_000, 2), np.log(4.0), "float32")
    first = np.asarray(gen.Sampling(seed=3)([mean, log_var]))
    again = np.asarray(gen.Sampling(seed=3)([mean, log_var]))
    np.testing.assert_array_equal(first, again)
    assert abs(first.std() - 2.0) < 0.05  # variance 4 -> standard deviation 2
    book = np.asarray(gen.Sampling(seed=3, log_var_scale=1.0)([mean, log_var]))
    assert abs(book.std() - 4.0) < 0.1  # the book's exp(z_log_var) doubles it


def test_vae_loss_matches_the_books_formula():
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, (3, 28, 28, 1)).astype("float32")
    decoded = rng.uniform(0.05, 0.95, (3, 28, 28, 1)).astype("float32")
    z_mean, z_log_var = rng.normal(size=(3, 2)).astype("float32"), rng.normal(size=(3, 2)).astype("float32")
    total, reconstruction, kl = (float(v) for v in gen.vae_loss(images, decoded, z_mean, z_log_var))
    x, d = images.ravel().astype("float64"), decoded.ravel().astype("float64")
    book_xent = -np.mean(x * np.log(d) + (1 - x) * np.log(1 - d))  # whole batch flattened, as the book did
    book_kl = -5e-4 * np.mean(1 + z_log_var - z_mean**2 - np.exp(z_log_var), axis=-1)
    assert reconstruction == pytest.approx(book_xent, rel=1e-4)
    assert kl == pytest.approx(book_kl.mean(), rel=1e-4)
    assert total == pytest.approx(np.mean(book_xent + book_kl), rel=1e-4)


def test_vae_trains_with_fit_on_images_alone():
    keras.utils.set_random_seed(0)
    vae = gen.VAE(gen.vae_encoder(), gen.vae_decoder(), seed=0)
    vae.compile(optimizer="rmsprop")
    images = np.random.default_rng(0).uniform(0, 1, (32, 28, 28, 1)).astype("float32")
    history = vae.fit(images, epochs=2, batch_size=16, validation_data=(images, None), verbose=0)
    assert set(history.history) >= {"loss", "reconstruction_loss", "kl_loss", "val_loss"}
    assert np.isfinite(history.history["loss"]).all()
    assert vae(images[:2]).shape == (2, 28, 28, 1)


def test_generator_step_changes_only_the_generator():
    gan = tiny_gan()
    generator, discriminator = gen.snapshot(gan.generator.weights), gen.snapshot(gan.discriminator.weights)
    gan.generator_step(6)
    assert gen.weights_changed(generator, gan.generator.weights)
    assert not gen.weights_changed(discriminator, gan.discriminator.weights)


def test_discriminator_step_changes_only_the_discriminator():
    gan = tiny_gan()
    generator, discriminator = gen.snapshot(gan.generator.weights), gen.snapshot(gan.discriminator.weights)
    gan.discriminator_step(real_batch())
    assert gen.weights_changed(discriminator, gan.discriminator.weights)
    assert not gen.weights_changed(generator, gan.generator.weights)


def test_compiled_fit_trains_both_and_keeps_a_timeline():
    gan = tiny_gan()
    generator, discriminator = gen.snapshot(gan.generator.weights), gen.snapshot(gan.discriminator.weights)
    snapshots = gen.GANSnapshots(np.zeros((4, 4), "float32"), every=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # e.g. "does not have any trainable weights"
        history = gan.fit(real_batch(12), batch_size=6, epochs=2, verbose=0, callbacks=[snapshots])
    assert gen.weights_changed(generator, gan.generator.weights)
    assert gen.weights_changed(discriminator, gan.discriminator.weights)
    timeline = snapshots.timeline
    assert timeline.steps == [0, 2, 4] and len(timeline.d_losses) == len(timeline.g_losses) == 4
    assert timeline.samples[0].dtype == np.uint8 and timeline.samples[0].shape == (4, 8, 8, 3)
    # The per-step losses recovered from fit's running means average back to the epoch means.
    assert np.mean(timeline.d_losses[2:]) == pytest.approx(history.history["d_loss"][-1], rel=1e-4)
    assert np.isfinite(timeline.g_losses).all()


def test_the_books_freeze_trick_leaves_the_discriminator_untrained_in_keras_3():
    gan = tiny_gan()
    discriminator = gan.discriminator
    discriminator.compile(optimizer="rmsprop", loss="binary_crossentropy")
    discriminator.trainable = False
    latent = keras.Input((4,))
    combined = keras.Model(latent, discriminator(gan.generator(latent)))
    combined.compile(optimizer="rmsprop", loss="binary_crossentropy")
    before = gen.snapshot(discriminator.weights)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        discriminator.train_on_batch(real_batch(), np.ones((6, 1)))
    assert not gen.weights_changed(before, discriminator.weights)
    assert any("trainable weights" in str(w.message) for w in caught)


def test_tanh_range_round_trip():
    images = np.array([[0, 128, 255]], dtype=np.uint8)
    scaled = gen.to_tanh_range(images)
    assert scaled.min() == -1.0 and scaled.max() == 1.0
    np.testing.assert_array_equal(gen.from_tanh_range(scaled), images)
    assert gen.from_tanh_range(np.array([-3.0, 3.0])).tolist() == [0, 255]


def test_book_rmsprop_matches_keras_2_decay():
    optimizer = gen.book_rmsprop(0.0008, decay=0.5)
    schedule = optimizer._learning_rate
    assert float(schedule(0)) == pytest.approx(0.0008)
    assert float(schedule(2)) == pytest.approx(0.0008 / (1 + 0.5 * 2))


def test_gan_weights_save_and_load(tmp_path):
    gan = tiny_gan()
    gan.save_weights(tmp_path / "gan.weights.h5")
    other = tiny_gan(seed=1)
    other.load_weights(tmp_path / "gan.weights.h5")
    assert not gen.weights_changed(gen.snapshot(gan.generator.weights), other.generator.weights)
