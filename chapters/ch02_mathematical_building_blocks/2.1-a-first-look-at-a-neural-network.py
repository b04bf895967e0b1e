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
# # 2.1 A first look at a neural network
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch02_mathematical_building_blocks/2.1-a-first-look-at-a-neural-network.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch02_mathematical_building_blocks%2F2.1-a-first-look-at-a-neural-network.ipynb)
#
# The whole workflow of the book in nine small cells: load handwritten digits,
# stack two `Dense` layers, pick a loss and an optimizer, train for five epochs
# and measure accuracy on images the network never saw. Everything here is
# explained in the rest of the chapter; for now, watch the numbers.
#
# The next cell holds the run settings. Papermill (and `dlwp book run`) replace it;
# the environment variables `DLWP_SMOKE`, `DLWP_EPOCHS`, `DLWP_DATA_SOURCE` and
# `DLWP_SEED` override it.

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
# ### Listing 2.1 — Loading the MNIST dataset in Keras
#
# MNIST is 70,000 grey-level images of handwritten digits, 28×28 pixels, split
# into 60,000 for training and 10,000 for testing. The book calls
# `keras.datasets.mnist.load_data()`; the companion's loader does the same download
# (same file, same checksum, same Keras cache folder) and returns the same four
# arrays. Offline, it says so loudly and switches to a stand-in built from real
# handwritten digits that scikit-learn ships, in exactly MNIST's format.

# %% listing="2.1"
from dlwp_widgets.datasets import mnist

(train_images, train_labels), (test_images, test_labels) = mnist.load_data(source=run.data_source)

# %% [markdown]
# ### Listing 2.2 — The training data
#
# Three numbers describe the training set: how many images, their size, and the
# type of each pixel. These are the same for the real data and the stand-in.

# %% listing="2.2" tags=["nbval-check-output"]
print(train_images.shape)
print(len(train_labels))
print(train_labels.dtype, train_labels.min(), train_labels.max())

# %% [markdown]
# The labels themselves are digits 0–9; the first few of them:

# %%
train_labels[:10]

# %% [markdown]
# ### Listing 2.3 — The test data

# %% listing="2.3" tags=["nbval-check-output"]
print(test_images.shape)
print(len(test_labels))
print(test_labels.dtype)

# %% [markdown]
# ### Listing 2.4 — The network architecture
#
# Two fully connected layers: 512 units with a `relu` activation, then a 10-way
# `softmax` that returns one probability per digit.
#
# > **Changed: Keras 3 / TF 2 API.** The input shape is a `keras.Input` at the start of
# > the model; the book passed `input_shape=` to the first layer, which Keras 3 only
# > tolerates with a warning.

# %% listing="2.4"
import keras
from keras import layers

model = keras.Sequential(
    [
        keras.Input(shape=(28 * 28,)),
        layers.Dense(512, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ]
)

# %% [markdown]
# The first layer has a 784×512 weight matrix plus 512 biases, the second 512×10
# plus 10:

# %% tags=["nbval-check-output"]
for layer in model.layers:
    print(f"{layer.name:<8} kernel {tuple(layer.kernel.shape)}  parameters {layer.count_params():,}")
print(f"total parameters: {model.count_params():,}")

# %% [markdown]
# ### Listing 2.5 — The compilation step
#
# Compiling names three things: the loss to minimise (categorical cross-entropy
# for one-hot targets), the optimizer that updates the weights (RMSprop, default
# learning rate 0.001) and the metric to report.

# %% listing="2.5"
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

# %% [markdown]
# ### Listing 2.6 — Preparing the image data
#
# The network expects vectors of 784 floats in [0, 1], not 28×28 arrays of bytes.

# %% listing="2.6"
train_images = train_images.reshape((60000, 28 * 28)).astype("float32") / 255
test_images = test_images.reshape((10000, 28 * 28)).astype("float32") / 255

# %% tags=["nbval-check-output"]
print(train_images.shape, train_images.dtype, float(train_images.min()), float(train_images.max()))

# %% [markdown]
# ### Listing 2.7 — Preparing the labels
#
# `categorical_crossentropy` compares the predicted probabilities with one-hot
# targets, so each label becomes a vector of ten zeros with a single one. (Keeping
# the integer labels and using `sparse_categorical_crossentropy` is equivalent.)

# %% listing="2.7"
from keras.utils import to_categorical

train_labels = to_categorical(train_labels)
test_labels = to_categorical(test_labels)

# %% tags=["nbval-check-output"]
print(train_labels.shape, test_labels.shape)

# %% [markdown]
# ### Listing 2.8 — Training the network
#
# Mini-batches of 128 images: 469 weight updates per pass over the data. The book
# reports a loss of 0.2524 and an accuracy of 0.9273 after the first epoch, and about
# 0.989 after five.
#
# > **Changed: Keras 3 / TF 2 API.** The progress log counts steps (469/469) where the
# > book's Keras counted samples (60000/60000), and the metric is logged as `accuracy`
# > rather than `acc`.

# %% listing="2.8"
history = model.fit(train_images, train_labels, epochs=run.epochs, batch_size=128, verbose=2)

# %% [markdown]
# ### Listing 2.9 — Evaluating the network
#
# The test accuracy is a little lower than the training accuracy: the network does
# slightly better on the images it learned from than on new ones. That gap is
# overfitting, the subject of chapter 4. The book reports 0.9785. The baseline to
# beat is always predicting the most common digit.

# %% listing="2.9"
test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=0)
print("test_acc:", test_acc)

# %% [markdown]
# A few test digits with the network's guesses; red titles are mistakes.

# %%
import matplotlib.pyplot as plt

predictions = model.predict(test_images[:12], verbose=0).argmax(axis=1)
fig, axes = plt.subplots(1, 12, figsize=(12, 1.6))
for ax, image, guess, truth in zip(axes, test_images, predictions, test_labels.argmax(axis=1)):
    ax.imshow(image.reshape(28, 28), cmap="binary")
    ax.set_title(str(guess), color="black" if guess == truth else "red")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## This run against the book
#
# The headline numbers of this notebook beside the book's. On stand-in data they are
# not comparable with the book; what they show is whether each model beat its trivial baseline.

# %%
import numpy as np

from dlwp_widgets.book import record, against_the_book

# The trivial baseline: always answer the most common digit.
majority_class_accuracy = np.bincount(test_labels.argmax(axis=1)).max() / len(test_labels)

record("mnist_dense_epoch1_train_loss", history.history["loss"][0])
record("mnist_dense_epoch1_train_accuracy", history.history["accuracy"][0])
record("mnist_dense_train_accuracy", history.history["accuracy"][-1])
record("mnist_dense_test_accuracy", test_acc, baseline=majority_class_accuracy)

against_the_book()
