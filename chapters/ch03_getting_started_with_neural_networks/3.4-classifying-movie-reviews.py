# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: listing,tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3.4 Classifying movie reviews: a binary classification example
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch03_getting_started_with_neural_networks/3.4-classifying-movie-reviews.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch03_getting_started_with_neural_networks%2F3.4-classifying-movie-reviews.ipynb)
#
# Two classes, positive and negative, from the words of a review. The reviews
# become 10,000-dimensional multi-hot vectors (which of the 10,000 most frequent
# words occur), a small dense network learns to score them, a held-out set shows
# when it starts to overfit, and a model retrained for that many epochs is
# measured once on the test reviews.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 20  # validation run of listing 3.20
FINAL_EPOCHS = 4  # retraining of listing 3.24
DATA_SOURCE = "auto"  # "real", "standin" or "auto"
SEED = 0

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)

# %%
# This run's sizes: the book's settings in full mode, a CPU-sized slice in smoke mode.
EPOCHS = run.epochs
FINAL_EPOCHS = run.pick(FINAL_EPOCHS, 1)
# Smoke mode trains on a slice of the reviews; full mode uses all of them.
TRAIN_SAMPLES = run.pick(25_000, 6_000)
VALIDATION_SAMPLES = run.pick(10_000, 2_000)
TEST_SAMPLES = run.pick(25_000, 5_000)

# %% [markdown]
# ## 3.4.1 The IMDB dataset
#
# ### Listing 3.8 — Loading the IMDB dataset
#
# 25,000 training and 25,000 test reviews, half positive, already turned into
# lists of word indices; `num_words=10000` keeps the 10,000 most frequent words
# (rarer ones become the "unknown" index 2). The companion's loader fetches
# Keras' file with its pinned checksum and reads it without unpickling arbitrary
# objects; offline it uses the announced stand-in.

# %% listing="3.8"
from dlwp_widgets.datasets import imdb

(train_data, train_labels), (test_data, test_labels) = imdb.load_data(num_words=10000, source=run.data_source)

# %% listing="3.8" tags=["nbval-check-output"]
print(len(train_data), "training reviews,", len(test_data), "test reviews")

# %% [markdown]
# ### Listing 3.9 — A look at the training data and labels
#
# A review is a list of word indices starting with 1 (the start marker); a label
# is 0 (negative) or 1 (positive).

# %% listing="3.9"
print(train_data[0][:20], "...")
print("label:", train_labels[0])

# %% [markdown]
# ### Listing 3.10 — A look at the training data
#
# No index reaches 10,000: that is what `num_words` guarantees.

# %% listing="3.10" tags=["nbval-check-output"]
print(max(max(sequence) for sequence in train_data))

# %% [markdown]
# ### Listing 3.11 — Decoding the integer sequences back into sentences
#
# The word index maps words to their frequency rank. Indices in the data are
# shifted by 3, because 0, 1 and 2 are reserved for padding, start and unknown:
# subtract 3 to look a word up, and show the reserved ones as `?`.

# %% listing="3.11"
word_index = imdb.get_word_index(source=run.data_source)
reverse_word_index = {value: key for (key, value) in word_index.items()}
decoded_review = " ".join(reverse_word_index.get(i - 3, "?") for i in train_data[0])
print(decoded_review[:400])

# %% [markdown]
# ## 3.4.2 Preparing the data
#
# ### Listing 3.12 — Encoding the integer sequences into a binary matrix
#
# Each review becomes a row of 10,000 zeros with a one at every word it contains.
#
# > **Changed: our addition.** The rows are float32: the book's `np.zeros` makes float64
# > rows, 2 GB per split, where float32 holds the same zeros and ones in half the space
# > and is what Keras computes in anyway.

# %% listing="3.12"
import numpy as np


def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


x_train = vectorize_sequences(train_data[:TRAIN_SAMPLES])
x_test = vectorize_sequences(test_data[:TEST_SAMPLES])

# %% listing="3.12" tags=["nbval-check-output"]
print(vectorize_sequences([[0, 3, 3], [1, 4]], dimension=5))
print(x_train.dtype, x_train.shape[1])

# %% [markdown]
# ### Listing 3.13 — An encoded sample

# %% listing="3.13"
print(x_train[0])

# %% [markdown]
# ### Listing 3.14 — Encoding the labels

# %% listing="3.14"
y_train = np.asarray(train_labels[:TRAIN_SAMPLES]).astype("float32")
y_test = np.asarray(test_labels[:TEST_SAMPLES]).astype("float32")

# %% listing="3.14" tags=["nbval-check-output"]
print(y_train.dtype, y_train.ndim)

# %% [markdown]
# ## 3.4.3 Building our network
#
# ### Listing 3.15 — Our model definition
#
# Two hidden layers of 16 ReLU units and one sigmoid unit that outputs the
# probability that the review is positive. (`dlwp_widgets.models.dense.imdb_reference()`
# builds this same network; chapter 4 uses it.)
#
# > **Changed: Keras 3 / TF 2 API.** The input size is given by `keras.Input`, where the
# > book passes `input_shape=` to the first layer.

# %% listing="3.15"
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(10000,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])

# %% listing="3.15" tags=["nbval-check-output"]
print("parameters:", model.count_params())

# %% [markdown]
# The two activations, drawn (the book's figures 3.4 and 3.5). `relu` zeroes out
# negative values and passes positive ones unchanged; `sigmoid` squashes any
# number into (0, 1), so the last unit can be read as a probability. Without an
# activation, a stack of `Dense` layers would collapse into a single linear map:
# the non-linearity is what lets extra layers add expressive power.

# %%
import matplotlib.pyplot as plt
import numpy as np

z = np.linspace(-6, 6, 241)
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 2.8))
left.plot(z, np.maximum(z, 0))
left.set_title("relu(z) = max(z, 0)")
right.plot(z, 1 / (1 + np.exp(-z)))
right.set_title("sigmoid(z) = 1 / (1 + exp(-z))")
for axes in (left, right):
    axes.axhline(0, color="0.8", lw=0.8)
    axes.axvline(0, color="0.8", lw=0.8)
    axes.set_xlabel("z")
plt.show()

# %% [markdown]
# ### Listing 3.16 — Compiling our model
#
# RMSprop, binary crossentropy (the loss for a probability of one class), and
# accuracy to watch.

# %% listing="3.16"
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])

# %% [markdown]
# ### Listing 3.17 — Configuring the optimizer
#
# The same, with an optimizer object whose settings can be changed.
#
# > **Changed: Keras 3 / TF 2 API.** The learning rate is `learning_rate=`, not `lr=`.

# %% listing="3.17"
from keras import optimizers

model.compile(optimizer=optimizers.RMSprop(learning_rate=0.001), loss="binary_crossentropy", metrics=["accuracy"])

# %% [markdown]
# ### Listing 3.18 — Using custom losses and metrics
#
# Loss and metric can be objects too.
#
# > **Changed: Keras 3 / TF 2 API.** The class forms `losses.BinaryCrossentropy()` and
# > `metrics.BinaryAccuracy()` are Keras 3's preferred spelling of the book's
# > `losses.binary_crossentropy` and `metrics.binary_accuracy`.

# %% listing="3.18"
from keras import losses, metrics

model.compile(
    optimizer=optimizers.RMSprop(learning_rate=0.001),
    loss=losses.BinaryCrossentropy(),
    metrics=[metrics.BinaryAccuracy(name="accuracy")],
)

# %% [markdown]
# ## 3.4.4 Validating our approach
#
# ### Listing 3.19 — Setting aside a validation set
#
# The first 10,000 training reviews are held out to watch the model on data it
# does not train on.

# %% listing="3.19"
x_val = x_train[:VALIDATION_SAMPLES]
partial_x_train = x_train[VALIDATION_SAMPLES:]
y_val = y_train[:VALIDATION_SAMPLES]
partial_y_train = y_train[VALIDATION_SAMPLES:]

# %% [markdown]
# ### Listing 3.20 — Training our model
#
# 20 epochs in mini-batches of 512, validated after each epoch.
#
# > **Changed: our addition.** A `LiveCurves` callback draws the loss and accuracy as
# > training goes (in JupyterLab), or one figure at the end (in an executed notebook),
# > where the book prints 20 log blocks.

# %%
import time

started = time.perf_counter()  # the book quotes its time per epoch; this run's is in the last cell

# %% listing="3.20"
from dlwp_widgets.training import LiveCurves

history = model.fit(
    partial_x_train,
    partial_y_train,
    epochs=EPOCHS,
    batch_size=512,
    validation_data=(x_val, y_val),
    verbose=0,
    callbacks=[LiveCurves(title="IMDB, 16-16-1")],
)

# %%
seconds_per_epoch = (time.perf_counter() - started) / EPOCHS

# %% [markdown]
# ### Listing 3.21 — The history dictionary
#
# > **Changed: Keras 3 / TF 2 API.** The accuracy entries are named `accuracy` and
# > `val_accuracy`; the book's Keras 2 printed `acc` and `val_acc`.

# %% listing="3.21" tags=["nbval-check-output"]
history_dict = history.history
print(sorted(history_dict.keys()))

# %% [markdown]
# ### Listing 3.22 — Plotting the training and validation loss
#
# Training loss (dots) keeps falling; validation loss (line) reaches its lowest
# point after a few epochs and then rises: the model starts to learn features
# of the training reviews that do not carry over.

# %% listing="3.22"
import matplotlib.pyplot as plt

loss_values = history_dict["loss"]
val_loss_values = history_dict["val_loss"]
epochs = range(1, len(loss_values) + 1)
plt.plot(epochs, loss_values, "bo", label="Training loss")
plt.plot(epochs, val_loss_values, "b", label="Validation loss")
plt.title("Training and validation loss")
plt.xlabel("Epochs")
plt.ylabel("Loss")
plt.legend()
plt.show()

# %% [markdown]
# ### Listing 3.23 — Plotting the training and validation accuracy
#
# > **Changed: book bug fixed.** The book labels this accuracy plot's y-axis "Loss";
# > here it reads "Accuracy".

# %% listing="3.23"
plt.clf()
acc = history_dict["accuracy"]
val_acc = history_dict["val_accuracy"]
plt.plot(epochs, acc, "bo", label="Training acc")
plt.plot(epochs, val_acc, "b", label="Validation acc")
plt.title("Training and validation accuracy")
plt.xlabel("Epochs")
plt.ylabel("Accuracy")
plt.legend()
plt.show()

# %% [markdown]
# ### Listing 3.24 — Re-training a model from scratch
#
# The book reads the curves as "best after about 4 epochs" (its prose also says
# 2 or 3 in places); a fresh network is trained for 4 epochs on all 25,000
# training reviews and evaluated once on the test set.

# %% listing="3.24"
model = keras.Sequential([
    keras.Input(shape=(10000,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=FINAL_EPOCHS, batch_size=512, verbose=2)
results = model.evaluate(x_test, y_test, verbose=0)

# %% [markdown]
# ### Listing 3.25 — Our final results
#
# `[test loss, test accuracy]`. The book got about 0.293 and 0.883; the trivial
# baseline is always answering the majority class of the test set (about 0.5).

# %% listing="3.25"
print(results)

# %% [markdown]
# ## 3.4.5 Using a trained network to generate predictions on new data
#
# ### Listing 3.26 — Generating predictions for new data
#
# `predict` gives, per review, the probability of being positive: confident
# near 0 or 1, unsure near 0.5.

# %% listing="3.26"
predictions = model.predict(x_test, batch_size=512, verbose=0)
print(predictions.shape[1], predictions[:3].ravel(), predictions[-3:].ravel())

# %% [markdown]
# ## This run against the book
#
# The headline numbers of this notebook beside the book's. On stand-in data they are
# not comparable with the book; what they show is whether each model beat its trivial baseline.

# %%
from dlwp_widgets.book import record, against_the_book

best_epoch = int(np.argmin(history.history["val_loss"])) + 1
majority_class_accuracy = max(y_test.mean(), 1 - y_test.mean())
record("imdb_dense_seconds_per_epoch", seconds_per_epoch)
record("imdb_dense_best_val_epoch", best_epoch)
record("imdb_dense_test_loss", results[0])
record("imdb_dense_test_accuracy", results[1], baseline=majority_class_accuracy)

against_the_book()
