"""Chapter 8.4-8.5: the book's VAE and GAN, as Keras 3 needs them.

* :class:`Sampling`: the reparameterisation trick (listing 8.26) as a layer with
  its own :class:`keras.random.SeedGenerator`, instead of ``Lambda`` +
  ``K.random_normal``; it uses ``exp(0.5 * z_log_var)`` (the book: ``exp(z_log_var)``).
* :func:`vae_encoder` / :func:`vae_decoder`: listings 8.25 and 8.27.
* :func:`vae_loss` and :class:`VAE`: listing 8.28's loss (the book's weights:
  mean per-pixel cross-entropy plus ``5e-4`` times the mean KL term) in a
  ``Model`` subclass whose ``call`` adds the KL term (``add_loss``) and whose
  ``compute_loss`` adds the reconstruction term: Keras' own ``train_step`` and
  ``test_step`` then train and evaluate it on every backend.  The book's
  ``add_loss(..., inputs=...)`` layer and ``compile(loss=None)`` no longer exist.
* :func:`gan_generator` / :func:`gan_discriminator`: listings 8.31 and 8.32.
* :class:`GAN`: listings 8.33-8.35 as one ``Model`` with a ``train_step`` that
  updates the discriminator and then the generator *through* the discriminator,
  each step taking only its own network's gradients.  The book's trick (set
  ``discriminator.trainable = False``, then compile the chained model) leaves the
  discriminator with no trainable weights in Keras 3: it silently stops learning.
* :class:`GANSnapshots`: a callback that keeps sample grids and both losses for
  :class:`~dlwp_widgets.widgets.gan_timeline.GANTimeline`.

Labels: real = 1, generated = 0 (the book used the inverse, consistently), with
the book's 0.05 label noise moved towards the middle so targets stay in [0, 1].
Images: the generator's ``tanh`` gives [-1, 1], so real images are scaled to
[-1, 1] too (:func:`to_tanh_range`); the book scaled them to [0, 1].

The GAN's two steps take their weight gradients from
:func:`dlwp_widgets.gradients.weight_gradients` (a ``GradientTape`` on TensorFlow,
``jax.value_and_grad`` on JAX, autograd on PyTorch), and
:func:`~dlwp_widgets.gradients.stateless_on_jax` serves its ``train_step`` to JAX's
stateless trainer; :class:`NetworkOptimizers` makes both networks' optimizers the
model's one ``optimizer``, whose variables JAX's trainer carries.  The losses are
written with ``keras.ops``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import keras
import numpy as np
from keras import layers, ops

from dlwp_widgets.gradients import stateless_on_jax, weight_gradients

VAE_IMAGE_SHAPE = (28, 28, 1)
VAE_LATENT_DIM = 2
VAE_KL_WEIGHT = 5e-4
GAN_LATENT_DIM = 32
GAN_IMAGE_SHAPE = (32, 32, 3)
LABEL_NOISE = 0.05


# --------------------------------------------------------------------------- VAE


@keras.saving.register_keras_serializable(package="dlwp")
class Sampling(layers.Layer):
    """``z = z_mean + exp(log_var_scale * z_log_var) * epsilon``, epsilon ~ N(0, 1).

    ``log_var_scale=0.5`` is the standard deviation of a variance ``exp(z_log_var)``;
    ``1.0`` reproduces the book's listing 8.26.  ``seed`` makes the draws repeatable.
    """

    def __init__(self, seed=None, log_var_scale: float = 0.5, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.log_var_scale = float(log_var_scale)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(self.log_var_scale * z_log_var) * epsilon

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "log_var_scale": self.log_var_scale}


def vae_encoder(img_shape=VAE_IMAGE_SHAPE, latent_dim: int = VAE_LATENT_DIM) -> keras.Model:
    """Listing 8.25: image -> (z_mean, z_log_var)."""
    input_img = keras.Input(shape=img_shape, name="image")
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(input_img)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", strides=(2, 2))(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(32, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    return keras.Model(input_img, [z_mean, z_log_var], name="encoder")


def vae_decoder(latent_dim: int = VAE_LATENT_DIM, shape_before_flattening=(14, 14, 64), channels: int = 1) -> keras.Model:
    """Listing 8.27: latent point -> image in [0, 1]."""
    decoder_input = keras.Input(shape=(latent_dim,), name="z")
    x = layers.Dense(int(np.prod(shape_before_flattening)), activation="relu")(decoder_input)
    x = layers.Reshape(shape_before_flattening)(x)
    x = layers.Conv2DTranspose(32, 3, padding="same", activation="relu", strides=(2, 2))(x)
    x = layers.Conv2D(channels, 3, padding="same", activation="sigmoid")(x)
    return keras.Model(decoder_input, x, name="decoder")


def vae_reconstruction_loss(images, decoded):
    """Per image: binary cross-entropy averaged over its pixels (listing 8.28's ``xent_loss``)."""
    decoded = ops.convert_to_tensor(decoded)
    images = ops.cast(images, decoded.dtype)
    batch = ops.shape(images)[0]
    flat_images = ops.reshape(images, (batch, -1))
    flat_decoded = ops.reshape(decoded, (batch, -1))
    return ops.mean(keras.losses.binary_crossentropy(flat_images[..., None], flat_decoded[..., None]), axis=-1)


def vae_kl_loss(z_mean, z_log_var, kl_weight: float = VAE_KL_WEIGHT):
    """Per image: ``-kl_weight * mean(1 + z_log_var - z_mean**2 - exp(z_log_var))`` over the latent dimensions."""
    z_mean, z_log_var = ops.convert_to_tensor(z_mean), ops.convert_to_tensor(z_log_var)
    return -kl_weight * ops.mean(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)


def vae_loss(images, decoded, z_mean, z_log_var, kl_weight: float = VAE_KL_WEIGHT):
    """Listing 8.28's loss: ``(total, reconstruction, kl)``, each averaged over the batch.

    Reconstruction: :func:`vae_reconstruction_loss`; KL: :func:`vae_kl_loss`.
    Same numbers as the book's (which flattened the whole batch).
    """
    reconstruction = vae_reconstruction_loss(images, decoded)
    kl = vae_kl_loss(z_mean, z_log_var, kl_weight)
    return ops.mean(reconstruction + kl), ops.mean(reconstruction), ops.mean(kl)


@keras.saving.register_keras_serializable(package="dlwp")
class VAE(keras.Model):
    """Encoder -> :class:`Sampling` -> decoder, trained on images alone (``fit(x)``).

    ``model(x)`` returns the reconstruction and adds the batch's mean KL term as
    a layer loss (``add_loss``); :meth:`compute_loss`, the hook that every
    backend's built-in ``train_step`` and ``test_step`` call, adds the mean
    reconstruction loss to it.  So Keras' own steps train it, on TensorFlow, JAX
    and PyTorch alike.  ``fit`` and ``evaluate`` report ``loss`` (the sum),
    ``reconstruction_loss`` and ``kl_loss``, each a mean over the images seen.
    """

    def __init__(self, encoder, decoder, kl_weight: float = VAE_KL_WEIGHT, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.kl_weight = float(kl_weight)
        self.sampling = Sampling(seed=seed, name="sampling")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")
        self.built = encoder.built and decoder.built  # so save_weights works before any call

    def call(self, inputs, training=False):
        z_mean, z_log_var = self.encoder(inputs, training=training)
        self.add_loss(ops.mean(vae_kl_loss(z_mean, z_log_var, self.kl_weight)))
        return self.decoder(self.sampling([z_mean, z_log_var]), training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Listing 8.28's loss for a batch: ``x`` is the images, ``y_pred`` their reconstruction.

        ``y`` is ignored (``fit(x)`` and the book's ``fit(x, None)`` alike); the KL
        term is the one :meth:`call` added (``self.losses``).
        """
        batch = ops.shape(x)[0]
        reconstruction = ops.mean(vae_reconstruction_loss(x, y_pred))
        kl = functools.reduce(ops.add, self.losses)  # ops.sum of a list of JAX tracers fails
        self.reconstruction_tracker.update_state(reconstruction, sample_weight=batch)
        self.kl_tracker.update_state(kl, sample_weight=batch)
        return reconstruction + kl

    def get_config(self):
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "kl_weight": self.kl_weight,
        }

    @classmethod
    def from_config(cls, config):
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"])
        config["decoder"] = keras.saving.deserialize_keras_object(config["decoder"])
        return cls(**config)


# --------------------------------------------------------------------------- GAN

BOOK_LEAKY_SLOPE = 0.3  # the book's bare LeakyReLU() took Keras 2's default alpha (0.3); Keras 3's default is 0.2


def gan_generator(latent_dim: int = GAN_LATENT_DIM, height: int = 32, width: int = 32, channels: int = 3,
                  filters: int = 256) -> keras.Model:
    """Listing 8.31: latent vector -> (32, 32, 3) image in [-1, 1] (tanh).

    ``filters`` is the book's 256 (the first Dense feeds ``filters // 2`` maps, the
    book's 128); a smaller value gives the same architecture at a CPU's size.
    """
    generator_input = keras.Input(shape=(latent_dim,), name="z")
    x = layers.Dense((filters // 2) * (height // 2) * (width // 2))(generator_input)
    x = layers.LeakyReLU(negative_slope=BOOK_LEAKY_SLOPE)(x)
    x = layers.Reshape((height // 2, width // 2, filters // 2))(x)
    x = layers.Conv2D(filters, 5, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=BOOK_LEAKY_SLOPE)(x)
    x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=BOOK_LEAKY_SLOPE)(x)
    x = layers.Conv2D(filters, 5, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=BOOK_LEAKY_SLOPE)(x)
    x = layers.Conv2D(filters, 5, padding="same")(x)
    x = layers.LeakyReLU(negative_slope=BOOK_LEAKY_SLOPE)(x)
    x = layers.Conv2D(channels, 7, activation="tanh", padding="same")(x)
    return keras.Model(generator_input, x, name="generator")


def gan_discriminator(height: int = 32, width: int = 32, channels: int = 3, dropout: float = 0.4,
                      filters: int = 128) -> keras.Model:
    """Listing 8.32 (without its compile): image -> probability that it is real (``filters``: the book's 128)."""
    discriminator_input = keras.Input(shape=(height, width, channels), name="image")
    x = layers.Conv2D(filters, 3)(discriminator_input)
    x = layers.LeakyReLU(negative_slope=BOOK_LEAKY_SLOPE)(x)
    for _ in range(3):
        x = layers.Conv2D(filters, 4, strides=2)(x)
        x = layers.LeakyReLU(negative_slope=BOOK_LEAKY_SLOPE)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout)(x)
    x = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(discriminator_input, x, name="discriminator")


def book_rmsprop(learning_rate: float, decay: float = 1e-8, clipvalue: float = 1.0):
    """The book's ``RMSprop(lr=..., clipvalue=1.0, decay=1e-8)`` in Keras 3.

    Keras 2's ``decay`` divided the rate by ``1 + decay * iterations``: exactly an
    :class:`~keras.optimizers.schedules.InverseTimeDecay` with ``decay_steps=1``.
    """
    schedule = keras.optimizers.schedules.InverseTimeDecay(learning_rate, decay_steps=1, decay_rate=decay)
    return keras.optimizers.RMSprop(learning_rate=schedule, clipvalue=clipvalue)


def to_tanh_range(images) -> np.ndarray:
    """uint8 images in [0, 255] -> float32 in [-1, 1], the generator's range."""
    return np.asarray(images, dtype="float32") / 127.5 - 1.0


def from_tanh_range(images) -> np.ndarray:
    """Images in [-1, 1] -> uint8 in [0, 255] (clipped, so nothing wraps around); any backend's tensor or an array."""
    images = ops.convert_to_numpy(images).astype("float32")
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype("uint8")


def weights_changed(before: list[np.ndarray], variables) -> bool:
    """True when any of ``variables`` differs from its copy in ``before``."""
    return any(not np.array_equal(old, ops.convert_to_numpy(new)) for old, new in zip(before, variables))


def snapshot(variables) -> list[np.ndarray]:
    """Copies of ``variables``' current values (to compare after a step)."""
    return [np.array(ops.convert_to_numpy(variable)) for variable in variables]


class NetworkOptimizers(keras.optimizers.Optimizer):
    """Several networks' optimizers as a model's one ``optimizer``: their variables are its variables.

    Keras' trainers keep one optimizer per model, and JAX's carries exactly
    ``model.optimizer.variables`` through its compiled, stateless steps.  The GAN's
    two optimizers (one per network, each built on and applied to its own
    network's weights) sit in this holder, so both optimizers' states travel with
    the model on every backend.  It applies nothing itself.
    """

    def __init__(self, optimizers, name="network_optimizers"):
        super().__init__(learning_rate=0.0, name=name)
        self.optimizers = list(optimizers)

    @property
    def variables(self):
        return self._variables + [v for optimizer in self.optimizers for v in optimizer.variables]

    @property
    def iterations(self):
        """Training steps so far, as the first network's optimizer counts them (one update per step).

        Callbacks read ``model.optimizer.iterations`` (TensorBoard's step axis, for one);
        this holder applies nothing, so its own counter would stay at 0.
        """
        return self.optimizers[0].iterations

    def build(self, var_list):
        unbuilt = [optimizer.name for optimizer in self.optimizers if not optimizer.built]
        if unbuilt:
            raise ValueError(f"build each network's optimizer on its network's weights first: {unbuilt} are not built")
        super().build(var_list)

    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError("NetworkOptimizers holds the networks' optimizers: apply gradients with those")


@keras.saving.register_keras_serializable(package="dlwp")
class GAN(keras.Model):
    """Generator and discriminator trained against each other, one ``train_step`` each batch.

    ``compile(d_optimizer=..., g_optimizer=...)``; ``fit`` on batches of real
    images in [-1, 1].  Each step (listing 8.34):

    1. :meth:`discriminator_step`: generate a batch, mix it with the real batch,
       and update the *discriminator only* on noisy labels (real 1, generated 0);
    2. :meth:`generator_step`: draw new latent points and update the *generator
       only* so that the discriminator calls its images real.  The loss flows
       through the discriminator, whose weights are read but not changed.

    Metrics: ``d_loss``, ``g_loss`` and ``d_acc`` (the discriminator's accuracy
    on the mixed batch, against the clean labels).
    """

    def __init__(self, generator, discriminator, latent_dim: int = GAN_LATENT_DIM, label_noise: float = LABEL_NOISE, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.label_noise = float(label_noise)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_acc_tracker = keras.metrics.Mean(name="d_acc")
        self.built = generator.built and discriminator.built  # so save_weights works before any call

    def compile(self, d_optimizer=None, g_optimizer=None, loss_fn=None, **kwargs):
        self.d_optimizer = d_optimizer or book_rmsprop(0.0008)
        self.g_optimizer = g_optimizer or book_rmsprop(0.0004)
        self.loss_fn = loss_fn or keras.losses.BinaryCrossentropy()
        for optimizer, network in ((self.d_optimizer, self.discriminator), (self.g_optimizer, self.generator)):
            if not optimizer.built:
                optimizer.build(network.trainable_variables)
        super().compile(optimizer=NetworkOptimizers([self.d_optimizer, self.g_optimizer]), **kwargs)

    def get_compile_config(self):
        """What :meth:`compile` was given, so ``keras.models.load_model`` returns a GAN ready to train on."""
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "loss_fn": keras.saving.serialize_keras_object(self.loss_fn),
        }

    def compile_from_config(self, config):
        self.compile(**{name: keras.saving.deserialize_keras_object(value) for name, value in config.items()})

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_acc_tracker]

    def call(self, latent_points, training=False):
        return self.generator(latent_points, training=training)

    def sample_latent(self, batch_size):
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def discriminator_step(self, real_images):
        """Update the discriminator on one real batch and as many generated images."""
        real_images = ops.convert_to_tensor(real_images, dtype="float32")
        batch_size = ops.shape(real_images)[0]
        generated = self.generator(self.sample_latent(batch_size), training=False)
        combined = ops.concatenate([generated, real_images], axis=0)
        clean = ops.concatenate([ops.zeros((batch_size, 1)), ops.ones((batch_size, 1))], axis=0)
        noise = self.label_noise * keras.random.uniform(ops.shape(clean), seed=self.seed_generator)
        labels = clean + noise * (1.0 - 2.0 * clean)  # 0 -> [0, 0.05], 1 -> [0.95, 1]
        weights = self.discriminator.trainable_weights

        def discriminator_loss():
            predictions = self.discriminator(combined, training=True)
            return self.loss_fn(labels, predictions), predictions

        d_loss, predictions, gradients = weight_gradients(discriminator_loss, weights, self.variables)
        self.d_optimizer.apply(gradients, weights)
        accuracy = ops.mean(ops.cast(ops.equal(predictions > 0.5, clean > 0.5), "float32"))
        return d_loss, accuracy

    def generator_step(self, batch_size):
        """Update the generator so that the discriminator calls its images real.

        The discriminator runs as in the book's ``gan.train_on_batch``: its dropout
        active, its weights untouched (only the generator's gradients are applied).
        """
        latent = self.sample_latent(batch_size)
        misleading_targets = ops.ones((batch_size, 1))
        weights = self.generator.trainable_weights

        def generator_loss():
            predictions = self.discriminator(self.generator(latent, training=True), training=True)
            return self.loss_fn(misleading_targets, predictions), ()

        g_loss, _, gradients = weight_gradients(generator_loss, weights, self.variables)
        self.g_optimizer.apply(gradients, weights)
        return g_loss

    @stateless_on_jax
    def train_step(self, data):
        real_images = data[0] if isinstance(data, (tuple, list)) else data
        d_loss, d_acc = self.discriminator_step(real_images)
        g_loss = self.generator_step(ops.shape(real_images)[0])
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.d_acc_tracker.update_state(d_acc)
        return {tracker.name: tracker.result() for tracker in self.metrics}

    def get_config(self):
        return {
            **super().get_config(),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "label_noise": self.label_noise,
        }

    @classmethod
    def from_config(cls, config):
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)


@dataclass
class Timeline:
    """What :class:`GANSnapshots` kept: sample grids at some steps, both losses at every step."""

    steps: list[int] = field(default_factory=list)  # the step of each snapshot
    samples: list[np.ndarray] = field(default_factory=list)  # uint8 (count, h, w, c) per snapshot
    d_losses: list[float] = field(default_factory=list)  # one per training step
    g_losses: list[float] = field(default_factory=list)
    d_accuracies: list[float] = field(default_factory=list)


class GANSnapshots(keras.callbacks.Callback):
    """Keep generated samples every ``every`` steps (from fixed latent points) and every step's losses.

    ``fit`` reports running means over an epoch; this callback recovers each
    step's own loss from them, so the timeline shows the losses step by step.
    Samples are uint8 images, so a long run stays small in memory.
    """

    def __init__(self, latent_points, every: int = 100):
        super().__init__()
        self.latent_points = np.asarray(latent_points, dtype="float32")
        self.every = max(1, int(every))
        self.timeline = Timeline()
        self._step = 0
        self._previous = {}

    def _sample(self):
        images = self.model.generator(self.latent_points, training=False)
        self.timeline.steps.append(self._step)
        self.timeline.samples.append(from_tanh_range(images))

    def on_train_begin(self, logs=None):
        if not self.timeline.steps:
            self._sample()

    def on_epoch_begin(self, epoch, logs=None):
        self._previous = {}
        self._batches = 0

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        self._step += 1
        self._batches += 1
        for key, target in (("d_loss", self.timeline.d_losses), ("g_loss", self.timeline.g_losses), ("d_acc", self.timeline.d_accuracies)):
            if key in logs:
                mean = float(logs[key])
                previous = self._previous.get(key, 0.0)
                target.append(mean * self._batches - previous * (self._batches - 1))
                self._previous[key] = mean
        if self._step % self.every == 0:
            self._sample()

    def on_train_end(self, logs=None):
        if self.timeline.steps[-1] != self._step:
            self._sample()


def train_steps(gan, next_batch, steps: int, timeline: Timeline, latent_points, *, every: int = 100,
                should_stop=None, progress=None) -> int:
    """Train ``gan`` for up to ``steps`` more steps, extending ``timeline``; returns the steps done.

    ``next_batch()`` gives a batch of real images in [-1, 1]; each step is one
    compiled ``train_step`` (``train_on_batch``); every ``every`` steps (and after
    the last one) the generator's images for ``latent_points`` join the timeline.
    ``should_stop()`` is asked before each step, ``progress(done, steps)`` told after.
    """
    latent_points = np.asarray(latent_points, dtype="float32")
    step = len(timeline.d_losses)
    if not timeline.steps:
        timeline.steps.append(step)
        timeline.samples.append(from_tanh_range(gan.generator(latent_points, training=False)))
    done = 0
    for done in range(1, steps + 1):
        if should_stop is not None and should_stop():
            done -= 1
            break
        logs = gan.train_on_batch(next_batch(), return_dict=True)
        timeline.d_losses.append(float(logs["d_loss"]))
        timeline.g_losses.append(float(logs["g_loss"]))
        timeline.d_accuracies.append(float(logs["d_acc"]))
        step += 1
        if progress is not None:
            progress(done, steps)
        if step % every == 0:
            timeline.steps.append(step)
            timeline.samples.append(from_tanh_range(gan.generator(latent_points, training=False)))
    if done and timeline.steps[-1] != step:
        timeline.steps.append(step)
        timeline.samples.append(from_tanh_range(gan.generator(latent_points, training=False)))
    return done
