# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 8.5 Introduction to generative adversarial networks
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch08_generative_deep_learning/8.5-introduction-to-generative-adversarial-networks.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch08_generative_deep_learning%2F8.5-introduction-to-generative-adversarial-networks.ipynb)
#
# Two networks play against each other: a generator turns random vectors into
# 32×32 colour images, and a discriminator learns to tell those fakes from real
# photographs of frogs (CIFAR-10's class 6). Each improves by exploiting the
# other's weaknesses, and, when training goes well, the generator's frogs become
# hard to tell from real ones. The book's training trick (freezing the
# discriminator by setting a flag before compiling) silently stops working in
# Keras 3; this notebook shows how it fails, then trains the book's networks
# the way Keras 3 requires. A timeline widget at the end replays the training.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 40  # the book's 10,000 iterations of batch 20 are 40 passes over the 5,000 frogs
DATA_SOURCE = "auto"  # "real", "standin" or "auto"
SEED = 0
SMOKE_STEPS = 40  # training steps in smoke mode (full mode: 10,000)
SMOKE_FILTERS = 16  # generator and discriminator width in smoke mode (the book's: 256 and 128)

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)

# %% [markdown]
# ## 8.5.3 The generator
#
# ### Listing 8.31 — The GAN generator network
#
# A 32-dimensional latent vector becomes 16×16×128 feature maps, is upsampled to
# 32×32 by a transposed convolution (kernel 4, stride 2: a kernel size divisible
# by the stride avoids checkerboard artefacts), refined by 5×5 convolutions, and
# ends in a 7×7 convolution with `tanh`: three channels in [-1, 1]. (The book's comment
# says it produces a one-channel map; the code, rightly, produces three.) The builder is
# `gan_generator` in `dlwp_widgets/models/generative.py`. The book's generator has 6.3
# million weights and needs several seconds per training step on a CPU, so smoke mode
# builds the same architecture with 16 filters, not 256 (the book-sized one is counted
# below).
#
# > **Changed: Keras 3 / TF 2 API.** The book's bare `LeakyReLU()` took Keras 2's
# > default slope, 0.3; Keras 3's default is 0.2 and the argument is `negative_slope`,
# > so every `LeakyReLU` of the generator and the discriminator is given the book's 0.3
# > explicitly (`generative.BOOK_LEAKY_SLOPE`).

# %% listing="8.31"
import keras
import numpy as np

from dlwp_widgets.models import generative

latent_dim = 32
height = 32
width = 32
channels = 3

generator = generative.gan_generator(latent_dim, height, width, channels, filters=run.pick(256, SMOKE_FILTERS))
generator.summary()

# %% [markdown]
# ## 8.5.4 The discriminator
#
# ### Listing 8.32 — The GAN discriminator network
#
# A strided-convolution classifier: one 3×3 convolution, three 4×4 convolutions
# with stride 2 (32 → 30 → 14 → 6 → 2 pixels), dropout 0.4 (one of the book's
# tricks against a discriminator that wins too easily), and one sigmoid unit: the
# probability that the image is real. The network is `gan_discriminator` in
# `dlwp_widgets/models/generative.py`, with the book's `LeakyReLU` slope of 0.3 (listing
# 8.31).
#
# > **Changed: Keras 3 / TF 2 API.** The book's optimizer, `RMSprop(lr=0.0008,
# > clipvalue=1.0, decay=1e-8)`: `lr` is `learning_rate`, and `decay` is gone; Keras 2's
# > decay divided the rate by `1 + decay · step`, which is exactly an `InverseTimeDecay`
# > schedule with `decay_steps=1` (over 10,000 steps it lowers the rate by 0.01%: kept
# > for fidelity, it changes nothing visible).
#
# > **Changed: Keras 3 / TF 2 API.** The book also compiled the discriminator here; with
# > the training step of listing 8.33 the optimizer is given to the GAN.

# %% listing="8.32"
discriminator = generative.gan_discriminator(height, width, channels, filters=run.pick(128, SMOKE_FILTERS))
discriminator.summary()

discriminator_optimizer = keras.optimizers.RMSprop(
    learning_rate=keras.optimizers.schedules.InverseTimeDecay(0.0008, decay_steps=1, decay_rate=1e-8),
    clipvalue=1.0,  # gradient clipping by value
)

# %% tags=["nbval-check-output"]
book_generator = generative.gan_generator(latent_dim, height, width, channels)
book_discriminator = generative.gan_discriminator(height, width, channels)
print(f"the book's generator: {book_generator.count_params():,} parameters, output {book_generator.output_shape}")
print(f"the book's discriminator: {book_discriminator.count_params():,} parameters")
print("discriminator feature maps:", [tuple(layer.output.shape[1:3]) for layer in book_discriminator.layers if "conv" in layer.name])

# %% [markdown]
# ## 8.5.5 The adversarial network
#
# ### Listing 8.33 — The adversarial network
#
# The generator learns through the discriminator: it is rewarded when the
# discriminator calls its images real. The gradient must flow *through* the
# discriminator without changing the discriminator's weights. The book chained
# the two into one model after setting `discriminator.trainable = False`.
#
# > **Changed: Keras 3 / TF 2 API.** The book relied on Keras 2 fixing each model's
# > trainable weights when it was compiled: the discriminator, compiled before the flag
# > was set, went on learning in its own `train_on_batch`; the chained model, compiled
# > after, left it alone. Keras 3 reads the `trainable` flag when it trains,
# > not when it compiles: the flag set for the chained model also freezes the
# > discriminator in its own training, which then updates nothing (the cell after next
# > shows it). The port is what keras.io's DCGAN example does: a `GAN` model (in
# > `dlwp_widgets/models/generative.py`) whose `train_step` runs a discriminator step
# > and a generator step, each taking its loss's gradient with respect to its own
# > network's weights only (a `GradientTape` on TensorFlow, `jax.value_and_grad` on JAX:
# > `dlwp_widgets/gradients.py`) and applying it with its own optimizer. No flag, nothing
# > to get out of sync. The
# > generator's optimizer is the book's `RMSprop(lr=0.0004, clipvalue=1.0, decay=1e-8)`,
# > ported like the discriminator's.
#
# As in the book's `gan.train_on_batch`, the generator step runs the discriminator in
# training mode, its `Dropout(0.4)` active, while only the generator's weights are
# updated.

# %% listing="8.33"
gan_optimizer = keras.optimizers.RMSprop(
    learning_rate=keras.optimizers.schedules.InverseTimeDecay(0.0004, decay_steps=1, decay_rate=1e-8),
    clipvalue=1.0,
)
gan = generative.GAN(generator, discriminator, latent_dim=latent_dim, seed=run.seed)
gan.compile(d_optimizer=discriminator_optimizer, g_optimizer=gan_optimizer, loss_fn=keras.losses.BinaryCrossentropy())

# %% [markdown]
# **The book's version in Keras 3**, on book-sized networks and two random
# images. The chained model trains the generator, but the discriminator's own
# training step updates nothing: Keras warns once and carries on, which is how
# GANs ported from Keras 2 "silently stop training" (a generator facing a
# discriminator that never learns produces noise).

# %% tags=["nbval-check-output"]
import warnings

book_discriminator.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.0008, clipvalue=1.0), loss="binary_crossentropy")
book_discriminator.trainable = False
gan_input = keras.Input(shape=(latent_dim,))
book_gan = keras.Model(gan_input, book_discriminator(book_generator(gan_input)))
book_gan.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.0004, clipvalue=1.0), loss="binary_crossentropy")
print("trainable weight tensors: chained model", len(book_gan.trainable_weights),
      "| generator", len(book_generator.trainable_weights), "| discriminator", len(book_discriminator.trainable_weights))

toy_images = np.random.default_rng(0).uniform(-1, 1, (2, height, width, channels)).astype("float32")
before = generative.snapshot(book_discriminator.weights)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    book_discriminator.train_on_batch(toy_images, np.ones((2, 1)))
print("Keras says:", [str(warning.message) for warning in caught])
print("discriminator changed by its own train_on_batch:", generative.weights_changed(before, book_discriminator.weights))

# %% [markdown]
# The `GAN` model's two steps, on the same book-sized networks: each changes
# its own network and leaves the other's weights exactly as they were
# (`tests/unit/test_models_generative.py` checks the same).

# %% tags=["nbval-check-output"]
book_discriminator.trainable = True
checked = generative.GAN(book_generator, book_discriminator, latent_dim=latent_dim, seed=0)
checked.compile()
g_before, d_before = generative.snapshot(book_generator.weights), generative.snapshot(book_discriminator.weights)
checked.discriminator_step(toy_images)
print("discriminator step -> discriminator changed:", generative.weights_changed(d_before, book_discriminator.weights),
      "| generator changed:", generative.weights_changed(g_before, book_generator.weights))
g_before, d_before = generative.snapshot(book_generator.weights), generative.snapshot(book_discriminator.weights)
checked.generator_step(2)
print("generator step     -> generator changed:", generative.weights_changed(g_before, book_generator.weights),
      "| discriminator changed:", generative.weights_changed(d_before, book_discriminator.weights))

# %% [markdown]
# ## 8.5.6 How to train your DCGAN
#
# ### Listing 8.34 — Schematic formulation of GAN training
#
# The book's schematic lists the steps of one training round (its last lines
# are cut short in some printings). Filled in here with the smallest concrete
# pieces that run, in numpy: the "images" are single numbers, real ones drawn
# around 3; the generator is `w·z + b`; the discriminator is a logistic
# regression; each step is one gradient step, written out. The generator's numbers,
# which start around 0, are pushed towards the real ones.
#
# > **Changed: changed result.** Labels are real 1, generated 0, as in listing 8.35; the
# > book used the opposite.

# %% listing="8.34" tags=["nbval-check-output"]
rng = np.random.default_rng(0)
sigmoid = lambda t: 1 / (1 + np.exp(-t))
gen_w, gen_b = 1.0, 0.0  # the generator: x = gen_w * z + gen_b
disc_w, disc_b = 0.1, 0.0  # the discriminator: p(real) = sigmoid(disc_w * x + disc_b)
learning_rate = 0.05
for step in range(1, 251):
    real_images = rng.normal(3.0, 0.5, (8, 1))
    # 1. Draw random points in the latent space (random noise).
    random_latent_vectors = rng.normal(size=(8, 1))
    # 2. Generate images with the generator using this random noise.
    generated_images = gen_w * random_latent_vectors + gen_b
    # 3. Mix the generated images with real ones.
    combined_images = np.concatenate([generated_images, real_images])
    # 4. Train the discriminator on these mixed images, with targets "real" (1) or "fake" (0).
    labels = np.concatenate([np.zeros((8, 1)), np.ones((8, 1))])
    error = sigmoid(disc_w * combined_images + disc_b) - labels  # d(cross-entropy)/d(logit)
    disc_w -= learning_rate * np.mean(error * combined_images)
    disc_b -= learning_rate * np.mean(error)
    # 5. Draw new random points in the latent space.
    random_latent_vectors = rng.normal(size=(8, 1))
    # 6. Train the generator through the discriminator (left unchanged) with misleading targets: "all real".
    misleading_targets = np.ones((8, 1))
    error = (sigmoid(disc_w * (gen_w * random_latent_vectors + gen_b) + disc_b) - misleading_targets) * disc_w
    gen_w -= learning_rate * np.mean(error * random_latent_vectors)
    gen_b -= learning_rate * np.mean(error)
    if step in (1, 50, 100, 150, 200, 250):
        print(f"step {step:3}: generated numbers around {gen_b:.2f} (real ones around 3)")

# %% [markdown]
# ### Listing 8.35 — Implementing GAN training
#
# The frogs of CIFAR-10 (class 6: 5,000 images), 10,000 steps of batch 20.
#
# > **Changed: book bug fixed.** The book scaled the real images to [0, 1] while the
# > generator's `tanh` produces [-1, 1], so real and fake images differed in range, and
# > a discriminator can tell them apart by that alone; saving `generated * 255` then
# > produced negative pixel values. Real images are scaled to [-1, 1] here
# > (`to_tanh_range`), and images are shown through `from_tanh_range`.
#
# > **Changed: changed result.** The book labelled generated images 1 and real ones 0
# > and trained the generator towards 0 ("real"): consistent, but the reverse of every
# > other text; the port uses real = 1, generated = 0. The book's label noise (adding
# > `0.05 · uniform`) is kept, pointed inwards so targets stay in [0, 1].
#
# > **Changed: Keras 3 / TF 2 API.** The book called `generator.predict`,
# > `discriminator.train_on_batch` and `gan.train_on_batch` from a Python loop, walking
# > through the images 20 at a time; here `fit` runs the GAN's compiled `train_step`
# > over shuffled batches of 20, 40 passes over the 5,000 frogs being the book's 10,000
# > steps (`benchmarks/bench_vae_gan.py` measures the speed-up).
#
# > **Changed: our addition.** Every 100 steps the book printed both losses, saved
# > weights to `gan.h5` (Keras 3 wants `.weights.h5`) and wrote one generated and one
# > real image (`keras.preprocessing.image.array_to_img`, today
# > `keras.utils.array_to_img` or `save_img`) into a folder that had to exist.
# > `GANSnapshots` keeps every step's losses and, every 100 steps, 16 samples from the
# > *same* 16 latent points, so the frames show the same frogs taking shape; the weights
# > and the last samples are saved once, under the data cache (never into the
# > repository).
#
# Smoke mode: 40 steps (800 frogs, one pass) of the 16-filter networks. While it
# compiles the step, TensorFlow may print one `remapper failed ... LeakyReluGrad`
# line: its graph optimiser declining to fuse a layer pair, harmless.

# %% listing="8.35"
from dlwp_widgets.datasets import cifar10
from dlwp_widgets.models.convnets import saved_model_path

(x_train, y_train), (_, _) = cifar10.load_data(source=run.data_source)
x_train = x_train[y_train.flatten() == 6]  # frog images (class 6)
x_train = x_train[: run.pick(None, SMOKE_STEPS * 20)]
x_train = generative.to_tanh_range(x_train)  # [-1, 1], the generator's range

batch_size = 20
fixed_latent_vectors = np.random.default_rng(run.seed).normal(size=(16, latent_dim)).astype("float32")
snapshots = generative.GANSnapshots(fixed_latent_vectors, every=run.pick(100, 10))
history = gan.fit(x_train, batch_size=batch_size, epochs=run.epochs, shuffle=True, callbacks=[snapshots], verbose=2)

gan.save_weights(saved_model_path(f"gan-{run.mode}.weights.h5"))
keras.utils.save_img(saved_model_path(f"generated_frog-{run.mode}.png"), snapshots.timeline.samples[-1][0])

# %% [markdown]
# The last snapshot's samples beside real frogs (the book's figure 8.18 mixes
# them and asks which are real). After 10,000 steps on the real frogs they look
# like frogs from afar; after the smoke run's 40 steps, expect an almost uniform
# grey: the generator has barely started.

# %%
import matplotlib.pyplot as plt

from dlwp_widgets.viz import latent

fig, axes = plt.subplots(1, 2, figsize=(10, 5))
axes[0].imshow(latent.sample_grid(snapshots.timeline.samples[-1]))
axes[0].set_title(f"generated, step {snapshots.timeline.steps[-1]}")
axes[1].imshow(latent.sample_grid(generative.from_tanh_range(x_train[:16])))
axes[1].set_title("real")
for ax in axes:
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Try it: replay the training
#
# Move the slider through the saved snapshots: the 16 samples come from the same
# latent points every time, and the plot shows both losses up to that step.
# *Train more* continues training in the background (the progress bar counts
# the steps; *Stop* ends the run after the current step) and adds snapshots.
# `GANTimeline` is in `dlwp_widgets/widgets/gan_timeline.py`.

# %%
from dlwp_widgets.widgets.gan_timeline import GANTimeline

batches = np.random.default_rng(run.seed)
timeline_widget = GANTimeline(
    snapshots.timeline,
    gan=gan,
    next_batch=lambda: x_train[batches.integers(0, len(x_train), batch_size)],
    latent_points=fixed_latent_vectors,
    steps_per_run=100,
    every=run.pick(100, 10),
)
timeline_widget

# %% tags=["nbval-check-output"]
timeline_widget.show_step(0)
print(timeline_widget.last_error, timeline_widget.last_step, timeline_widget.last_grid.shape, timeline_widget.last_grid.dtype)

# %% [markdown]
# ## This run against the book
#
# The book shows pictures and reports no number (row 55). What a reader can
# check: both losses stayed finite, and how the contest stands at the end: the
# discriminator's accuracy on the mixed batches over the last tenth of training
# (near 0.5 when neither network wins; near 1 when the discriminator has won
# and the generator learns nothing) and the generator's adversarial loss (a
# steady climb while the discriminator's loss goes to 0 is the failure the book
# warns about). Neither has a trivial baseline to beat, so none is claimed.

# %%
from dlwp_widgets.book import record, against_the_book

timeline = snapshots.timeline
last_tenth = max(1, len(timeline.d_losses) // 10)
print("all losses finite:", bool(np.isfinite(timeline.d_losses).all() and np.isfinite(timeline.g_losses).all()))
record("gan_frogs_discriminator_accuracy", np.mean(timeline.d_accuracies[-last_tenth:]))
record("gan_frogs_final_generator_loss", np.mean(timeline.g_losses[-last_tenth:]))
against_the_book()
