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
# # 2.5 Looking back on our first example
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch02_mathematical_building_blocks/2.5-looking-back-on-our-first-example.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch02_mathematical_building_blocks%2F2.5-looking-back-on-our-first-example.ipynb)
#
# The network of 2.1 again, read with the vocabulary of this chapter: the inputs
# are float32 tensors, the layers are tensor operations on weight tensors, the loss
# is what gradient descent lowers, and the optimizer is the rule for each step.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 5  # the book's setting
DATA_SOURCE = "auto"  # "real", "standin" or "auto"
SEED = 0

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)

# %% [markdown]
# ### Listing 2.39 — MNIST input data
#
# The inputs: 60,000 training and 10,000 test vectors of 784 float32 values in
# [0, 1], and integer labels.

# %% listing="2.39"
from dlwp_widgets.datasets import mnist

(train_images, train_labels), (test_images, test_labels) = mnist.load_data(source=run.data_source)
train_images = train_images.reshape((60000, 28 * 28)).astype("float32") / 255
test_images = test_images.reshape((10000, 28 * 28)).astype("float32") / 255

# %% tags=["nbval-check-output"]
print(train_images.shape, train_images.dtype, test_images.shape, test_images.dtype)

# %% [markdown]
# ### Listing 2.40 — Our network
#
# Two chained `Dense` layers; each holds a kernel and a bias, the weight tensors
# that training adjusts.

# %% listing="2.40"
import keras
from keras import layers

network = keras.Sequential(
    [
        keras.Input(shape=(28 * 28,)),
        layers.Dense(512, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ]
)

# %% tags=["nbval-check-output"]
for weight in network.weights:
    print(f"{weight.path:<16} {tuple(weight.shape)}")

# %% [markdown]
# ### Listing 2.41 — The compilation step
#
# Categorical cross-entropy is the loss whose gradient drives learning; RMSprop is
# the update rule (a relative of SGD with momentum that adapts the step size per
# weight). The labels are one-hot encoded as in 2.1.

# %% listing="2.41"
network.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
train_labels = keras.utils.to_categorical(train_labels)
test_labels = keras.utils.to_categorical(test_labels)

# %% [markdown]
# ### Listing 2.42 — The training loop
#
# Each epoch draws 469 batches of 128 images (the last one shorter); each batch is one
# gradient update.
#
# > **Changed: book bug fixed.** The book prints this call with `epoch=5`, a typo that
# > Keras rejects; the keyword is `epochs`.

# %% tags=["nbval-check-output"]
import math

updates_per_epoch = math.ceil(len(train_images) / 128)
print(f"{updates_per_epoch} updates per epoch, {5 * updates_per_epoch:,} over the book's 5 epochs")

# %% listing="2.42"
history = network.fit(train_images, train_labels, epochs=run.epochs, batch_size=128, verbose=2)

# %% [markdown]
# The optimizer counted every update it made:

# %%
print(f"{int(network.optimizer.iterations.numpy()):,} gradient updates in {run.epochs} epoch(s)")
test_loss, test_acc = network.evaluate(test_images, test_labels, verbose=0)
print(f"test accuracy: {test_acc:.4f}")

# %% [markdown]
# ## This run against the book
#
# Section 2.5 repeats 2.1's code, so its numbers are 2.1's: the book counts
# 2,345 gradient updates for the five epochs, and reports 0.9785 test accuracy
# for this network in 2.1.

# %%
import numpy as np

from dlwp_widgets.book import record, against_the_book

# The trivial baseline: always answer the most common digit.
majority_class_accuracy = np.bincount(test_labels.argmax(axis=1)).max() / len(test_labels)

record("mnist_recap_gradient_updates", int(network.optimizer.iterations.numpy()))
record("mnist_recap_test_accuracy", test_acc, baseline=majority_class_accuracy)

against_the_book()
