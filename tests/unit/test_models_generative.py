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


def tiny_vae(seed=0):
    keras.utils.set_random_seed(seed)
    vae = gen.VAE(gen.vae_encoder(), gen.vae_decoder(), seed=seed)
    vae.compile(optimizer="rmsprop")
    return vae


def digit_like_images(count=32):
    """Two bright strokes, one vertical, one horizontal, at random places: something for a VAE to learn."""
    rng = np.random.default_rng(0)
    images = np.zeros((count, 28, 28, 1), "float32")
    for image, (row, column) in zip(images, rng.integers(4, 24, (count, 2))):
        image[row - 3 : row + 3, column, 0] = 1.0 if row % 2 else 0.0
        image[row, column - 3 : column + 3, 0] = 1.0
    return images


def test_vae_trains_with_fit_on_images_alone():
    vae = tiny_vae()
    images = digit_like_images()
    encoder, decoder = gen.snapshot(vae.encoder.weights), gen.snapshot(vae.decoder.weights)
    history = vae.fit(images, epochs=4, batch_size=16, validation_data=(images, None), verbose=0).history
    assert set(history) == {"loss", "reconstruction_loss", "kl_loss", "val_loss", "val_reconstruction_loss", "val_kl_loss"}
    assert np.isfinite(history["loss"]).all()
    assert (np.diff(history["loss"]) < 0).all() and history["loss"][-1] < history["loss"][0] - 0.02, history["loss"]
    # loss = reconstruction + KL, each a mean over the epoch's images, in training and in validation.
    for prefix in ("", "val_"):
        np.testing.assert_allclose(
            history[f"{prefix}loss"], np.add(history[f"{prefix}reconstruction_loss"], history[f"{prefix}kl_loss"]), rtol=1e-5
        )
    assert min(history["kl_loss"]) > 0
    assert gen.weights_changed(encoder, vae.encoder.weights) and gen.weights_changed(decoder, vae.decoder.weights)
    assert vae(images[:2]).shape == (2, 28, 28, 1)


def test_vae_compute_loss_is_listing_8_28s_loss_on_the_batch():
    vae = tiny_vae()
    images = digit_like_images(4)
    z_mean, z_log_var = vae.encoder(images)
    decoded = vae(images)  # adds this batch's KL term (self.losses)
    total = vae.compute_loss(images, None, decoded)
    expected, _, _ = gen.vae_loss(images, decoded, z_mean, z_log_var)
    assert float(total) == pytest.approx(float(expected), rel=1e-5)
    logs = vae.evaluate(images, batch_size=4, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["reconstruction_loss"] + logs["kl_loss"], rel=1e-5)


def test_compiled_gan_steps_each_move_only_their_own_network():
    """Through fit's compiled train_step: with one optimizer's rate at 0, only the other network moves."""
    for frozen in ("generator", "discriminator"):
        gan = tiny_gan()
        rates = {"generator": 0.01, "discriminator": 0.01, frozen: 0.0}
        gan.compile(
            d_optimizer=keras.optimizers.RMSprop(learning_rate=rates["discriminator"]),
            g_optimizer=keras.optimizers.RMSprop(learning_rate=rates["generator"]),
        )
        moving = "discriminator" if frozen == "generator" else "generator"
        before = {name: gen.snapshot(getattr(gan, name).weights) for name in ("generator", "discriminator")}
        gan.fit(real_batch(12), batch_size=6, epochs=2, verbose=0)
        assert gen.weights_changed(before[moving], getattr(gan, moving).weights), f"{moving} did not move"
        assert not gen.weights_changed(before[frozen], getattr(gan, frozen).weights), f"{frozen} moved"


def test_gan_fit_carries_both_optimizers_and_the_random_state_between_steps():
    gan = tiny_gan()
    seeds = gen.snapshot([gan.seed_generator.state, *gan.discriminator.non_trainable_variables])
    history = gan.fit(real_batch(12), batch_size=6, epochs=3, verbose=0).history
    # 6 steps: each optimizer counted each of them (JAX's trainer hands their state from step to step).
    assert int(keras.ops.convert_to_numpy(gan.d_optimizer.iterations)) == 6
    assert int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)) == 6
    assert int(keras.ops.convert_to_numpy(gan.optimizer.iterations)) == 6  # what callbacks (TensorBoard's steps) read
    assert gen.weights_changed(seeds[:1], [gan.seed_generator.state])  # new latent points and label noise
    if keras.backend.backend() != "torch":  # Keras' unseeded Dropout on torch draws from torch's own generator
        assert gen.weights_changed(seeds[1:], gan.discriminator.non_trainable_variables)  # new dropout masks
    assert len(set(history["d_loss"])) == 3 and len(set(history["g_loss"])) == 3
    assert isinstance(gan.optimizer, gen.NetworkOptimizers)
    assert len(gan.optimizer.variables) == 2 + len(gan.d_optimizer.variables) + len(gan.g_optimizer.variables)


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
    if keras.backend.backend() in ("tensorflow", "torch"):  # their trainers warn; JAX's trains nothing silently
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


def test_a_whole_gan_saved_with_model_save_loads_compiled_with_both_optimizers_states(tmp_path):
    gan = tiny_gan()
    gan.compile(d_optimizer=gen.book_rmsprop(0.0008), g_optimizer=gen.book_rmsprop(0.0004))
    gan.fit(real_batch(12), batch_size=6, epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # e.g. "compile() was not called as part of model loading"
        gan.save(tmp_path / "gan.keras")
        loaded = keras.models.load_model(tmp_path / "gan.keras")
    assert isinstance(loaded, gen.GAN) and isinstance(loaded.optimizer, gen.NetworkOptimizers)
    for name in ("d_optimizer", "g_optimizer"):
        saved, restored = getattr(gan, name), getattr(loaded, name)
        assert restored.get_config() == saved.get_config()
        assert not gen.weights_changed(gen.snapshot(saved.variables), restored.variables)  # iterations, RMS averages
    assert not gen.weights_changed(gen.snapshot(gan.weights), loaded.weights)
    loaded.fit(real_batch(12), batch_size=6, epochs=1, verbose=0)
    assert int(keras.ops.convert_to_numpy(loaded.g_optimizer.iterations)) == 4
