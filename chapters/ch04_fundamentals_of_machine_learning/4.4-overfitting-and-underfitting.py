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
# # 4.4 Overfitting and underfitting
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch04_fundamentals_of_machine_learning/4.4-overfitting-and-underfitting.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch04_fundamentals_of_machine_learning%2F4.4-overfitting-and-underfitting.ipynb)
#
# Back to the IMDB reviews of section 3.4. A network's validation loss falls,
# bottoms out, then rises as it starts memorising the training set. Three
# remedies are compared against the 16-16-1 reference: a smaller network, an
# L2 weight penalty, and dropout (and, the other way, a much bigger network).
# The book does not restate the training settings here; we reuse those of
# listing 3.20: 20 epochs, batches of 512, 10,000 validation reviews. At the end,
# the overfitting explorer lets you retrain any variant with other settings.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 20  # the setup of listing 3.20, reused for every variant
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
TRAIN_SAMPLES = run.pick(25_000, 6_000)
VALIDATION_SAMPLES = run.pick(10_000, 2_000)

# %%
import numpy as np

from dlwp_widgets.datasets import imdb


def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


(train_data, train_labels), _ = imdb.load_data(num_words=10000, source=run.data_source)
x_train = vectorize_sequences(train_data[:TRAIN_SAMPLES])
y_train = train_labels[:TRAIN_SAMPLES].astype("float32")
x_val, partial_x_train = x_train[:VALIDATION_SAMPLES], x_train[VALIDATION_SAMPLES:]
y_val, partial_y_train = y_train[:VALIDATION_SAMPLES], y_train[VALIDATION_SAMPLES:]


def train(model):
    """Train with the setup of listing 3.20 and return the per-epoch logs."""
    return model.fit(partial_x_train, partial_y_train, epochs=EPOCHS, batch_size=512,
                     validation_data=(x_val, y_val), verbose=0).history


# %% [markdown]
# ### Listing 4.4 — Our original model
#
# The reference network of section 3.4.
#
# > **Changed: Keras 3 / TF 2 API.** Here and in the models below, the input size is
# > given by `keras.Input`, where the book passes `input_shape=` to the first layer.

# %% listing="4.4"
import keras
from keras import layers

original_model = keras.Sequential([
    keras.Input(shape=(10000,)),
    layers.Dense(16, activation="relu"),
    layers.Dense(16, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
original_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
original_history = train(original_model)

# %% [markdown]
# ### Listing 4.5 — A version of our model with lower capacity
#
# 4 units per hidden layer. The book: its validation loss starts rising after 6 epochs
# rather than 4, and more slowly.

# %% listing="4.5"
smaller_model = keras.Sequential([
    keras.Input(shape=(10000,)),
    layers.Dense(4, activation="relu"),
    layers.Dense(4, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
smaller_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
smaller_history = train(smaller_model)

# %%
from dlwp_widgets.plots import plot_curves

plot_curves({"Original model": original_history["val_loss"], "Smaller model": smaller_history["val_loss"]},
            title="Validation loss: reference vs smaller network");

# %% [markdown]
# ### Listing 4.6 — A version of our model with higher capacity
#
# 512 units per hidden layer, 5.4 million parameters. The book: overfitting
# almost from the first epoch, a noisy validation loss, and a training loss
# near zero very quickly.

# %% listing="4.6"
bigger_model = keras.Sequential([
    keras.Input(shape=(10000,)),
    layers.Dense(512, activation="relu"),
    layers.Dense(512, activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
bigger_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
bigger_history = train(bigger_model)

# %% listing="4.6" tags=["nbval-check-output"]
for name, network in (("original", original_model), ("smaller", smaller_model), ("bigger", bigger_model)):
    print(f"{name}: {network.count_params():,} parameters")

# %%
plot_curves({"Original model": original_history["val_loss"], "Bigger model": bigger_history["val_loss"]},
            title="Validation loss: reference vs bigger network")
plot_curves({"Original model": original_history["loss"], "Bigger model": bigger_history["loss"]},
            ylabel="Training loss", title="Training loss: reference vs bigger network");

# %% [markdown]
# ### Listing 4.7 — Adding L2 weight regularization to our model
#
# Every weight of the hidden layers adds 0.001 × weight² to the loss, which
# keeps the weights small (the book's prose forgets the square). The penalty is
# only added during training.
#
# > **Changed: Keras 3 / TF 2 API.** The regularizer is spelled `regularizers.L2` (the
# > book's `regularizers.l2`).
#
# The book's comparison is qualitative (figure 4.7); we measure it as the final
# validation loss minus the reference's: negative means more resistant to
# overfitting.

# %% listing="4.7"
from keras import regularizers

l2_model = keras.Sequential([
    keras.Input(shape=(10000,)),
    layers.Dense(16, kernel_regularizer=regularizers.L2(0.001), activation="relu"),
    layers.Dense(16, kernel_regularizer=regularizers.L2(0.001), activation="relu"),
    layers.Dense(1, activation="sigmoid"),
])
l2_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
l2_history = train(l2_model)

# %%
plot_curves({"Original model": original_history["val_loss"], "L2-regularized model": l2_history["val_loss"]},
            title="Validation loss: reference vs L2(0.001)");

# %% [markdown]
# ### Listing 4.8 — Different weight regularizers available in Keras
#
# L1 penalises absolute values (and drives many weights to exactly zero); L1L2
# adds both penalties. What each adds to the loss for a toy weight matrix:

# %% listing="4.8" tags=["nbval-check-output"]
weights = np.array([[1.0, -2.0], [0.5, 0.0]], dtype="float32")
for regularizer in (regularizers.L1(0.001), regularizers.L1L2(l1=0.001, l2=0.001), regularizers.L2(0.001)):
    print(type(regularizer).__name__, round(float(regularizer(weights)), 6))

# %% [markdown]
# ### Listing 4.9 — Dropout implementation: dropping out units at training time
#
# A toy layer output of ones shows about half the units zeroed.
#
# > **Changed: book bug fixed.** The book calls `np.random(0, high=2, size=...)`, but
# > `np.random` is a module; `integers(0, 2, ...)` of a NumPy generator draws the 0/1
# > mask.

# %% listing="4.9" tags=["nbval-check-output"]
rng = np.random.default_rng(0)
layer_output = np.ones((2, 8), dtype="float32")
layer_output *= rng.integers(0, high=2, size=layer_output.shape)
print(layer_output)

# %% [markdown]
# ### Listing 4.10 — Dropout implementation: test-time rescaling
#
# At test time nothing is dropped, so the outputs are scaled down by the *keep*
# probability (0.5 here) to match what the next layer saw in training. (The
# book's prose says "by the dropout rate", which is the same number only at 0.5.)

# %% listing="4.10" tags=["nbval-check-output"]
test_output = np.ones((2, 8), dtype="float32")
test_output *= 0.5
print(test_output)

# %% [markdown]
# ### Listing 4.11 — Alternative implementation of Dropout
#
# Inverted dropout, what Keras does: scale up by 1/keep during training and
# leave test time alone. Same `np.random` fix as in 4.9.

# %% listing="4.11" tags=["nbval-check-output"]
rng = np.random.default_rng(0)
layer_output = np.ones((2, 8), dtype="float32")
layer_output *= rng.integers(0, high=2, size=layer_output.shape)
layer_output /= 0.5
print(layer_output)

# %% [markdown]
# ### Listing 4.12 — Using Dropout in Keras
#
# The book adds `Dropout(0.5)` to an existing model; here to a small one, to
# show it changes nothing at inference and zeroes (and rescales) at training.

# %% listing="4.12"
model = keras.Sequential([keras.Input(shape=(8,))])
model.add(layers.Dropout(0.5))

# %% listing="4.12" tags=["nbval-check-output"]
ones = np.ones((1, 8), dtype="float32")
print("inference:", np.asarray(model(ones, training=False)))
print("values seen in training:", np.unique(np.asarray(model(ones, training=True))))  # dropped 0, kept 1/0.5

# %% [markdown]
# ### Listing 4.13 — Adding Dropout to our IMDB network
#
# Dropout(0.5) after each hidden layer. Measured like L2: final validation
# loss minus the reference's.

# %% listing="4.13"
dpt_model = keras.Sequential([
    keras.Input(shape=(10000,)),
    layers.Dense(16, activation="relu"),
    layers.Dropout(0.5),
    layers.Dense(16, activation="relu"),
    layers.Dropout(0.5),
    layers.Dense(1, activation="sigmoid"),
])
dpt_model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
dpt_history = train(dpt_model)

# %%
plot_curves({"Original model": original_history["val_loss"], "Dropout-regularized model": dpt_history["val_loss"]},
            title="Validation loss: reference vs dropout(0.5)");

# %% [markdown]
# ## The overfitting explorer
#
# All five validation-loss curves on one plot; tick the boxes to compare any of
# them, pick another metric, smooth the noise. Below the plot, retrain a
# network of any size with your own dropout rate, L2 factor and number of
# epochs: its curve joins the others. (One retraining, dropout 0.3, is done
# here as an example.)

# %%
from dlwp_widgets.widgets.overfitting import OverfittingExplorer, imdb_trainer

explorer = OverfittingExplorer(
    {"reference": original_history, "smaller": smaller_history, "bigger": bigger_history,
     "L2(0.001)": l2_history, "dropout(0.5)": dpt_history},
    imdb_trainer(partial_x_train, partial_y_train, x_val, y_val),
    epochs=EPOCHS,
)
explorer.dropout.value = 0.3
explorer.retrain()
explorer

# %% [markdown]
# ## This run against the book
#
# The headline numbers of this notebook beside the book's. On stand-in data they are
# not comparable with the book; what they show is whether each model beat its trivial baseline.

# %%
from dlwp_widgets.book import record, against_the_book


def rising_after(history):
    """The epoch with the lowest validation loss: after it, the loss rises."""
    return int(np.argmin(history["val_loss"])) + 1


record("imdb_reference_best_val_epoch", rising_after(original_history))
record("imdb_smaller_best_val_epoch", rising_after(smaller_history))
record("imdb_bigger_best_val_epoch", rising_after(bigger_history))
record("imdb_l2_final_val_loss_vs_reference", l2_history["val_loss"][-1] - original_history["val_loss"][-1])
record("imdb_dropout_final_val_loss_vs_reference", dpt_history["val_loss"][-1] - original_history["val_loss"][-1])

against_the_book()
