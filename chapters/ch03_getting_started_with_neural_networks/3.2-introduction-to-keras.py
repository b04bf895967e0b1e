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
# # 3.2 Introduction to Keras
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch03_getting_started_with_neural_networks/3.2-introduction-to-keras.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch03_getting_started_with_neural_networks%2F3.2-introduction-to-keras.ipynb)
#
# Keras offers two ways to define a model: a `Sequential` stack of layers, or the
# functional API, where layers are called on tensors like functions. Both give
# the same network here. Then the model is compiled (loss, optimizer, metrics)
# and trained with `fit`.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 10  # the book's setting in listing 3.7
DATA_SOURCE = "auto"  # "real", "standin" or "auto"
SEED = 0

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)

# %% [markdown]
# ### Listing 3.4 — A network definition using the Sequential model
#
# Two layers: 32 ReLU units reading 784 inputs, then a 10-way softmax.
#
# > **Changed: Keras 3 / TF 2 API.** The input size is given by `keras.Input`, where the
# > book passes `input_shape=` to the first layer.

# %% listing="3.4"
import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(32, activation="relu"),
    layers.Dense(10, activation="softmax"),
])

# %% listing="3.4" tags=["nbval-check-output"]
print("parameters:", model.count_params())  # 784*32 + 32 + 32*10 + 10

# %% [markdown]
# ### Listing 3.5 — A network definition using the functional API
#
# The same network written as a function from an input tensor to an output tensor.
#
# > **Changed: Keras 3 / TF 2 API.** The book writes `Model(input=..., output=...)`
# > (Keras 1 keywords); Keras 3 needs `inputs=` and `outputs=`.

# %% listing="3.5"
input_tensor = keras.Input(shape=(784,))
x = layers.Dense(32, activation="relu")(input_tensor)
output_tensor = layers.Dense(10, activation="softmax")(x)
model = keras.Model(inputs=input_tensor, outputs=output_tensor)

# %% listing="3.5" tags=["nbval-check-output"]
print("parameters:", model.count_params())
print("output shape:", model.output_shape)

# %% [markdown]
# ### Listing 3.6 — Defining a loss function and an optimizer
#
# Compiling fixes the loss, the optimizer and the metrics watched during training.
#
# > **Changed: Keras 3 / TF 2 API.** The learning rate is `learning_rate=`, not `lr=`.
# (Mean squared error with accuracy is only the book's illustration of the
# syntax; a 10-way softmax would normally use categorical crossentropy.)

# %% listing="3.6"
from keras import optimizers

model.compile(optimizer=optimizers.RMSprop(learning_rate=0.001), loss="mse", metrics=["accuracy"])

# %% [markdown]
# ### Listing 3.7 — Training a model
#
# The book shows only the call, on placeholder arrays `input_tensor` and
# `target_tensor`. To make it run, we make up 1,024 random inputs and one-hot
# targets: the network can only memorise them, but the call is exactly the
# book's (batch size 128, 10 epochs; one epoch in smoke mode).

# %% listing="3.7"
import numpy as np

rng = np.random.default_rng(SEED)
input_data = rng.random((1024, 784), dtype=np.float32)
target_data = keras.utils.to_categorical(rng.integers(0, 10, 1024), 10)
history = model.fit(input_data, target_data, batch_size=128, epochs=run.epochs, verbose=2)

# %% listing="3.7" tags=["nbval-check-output"]
print("epochs run:", len(history.history["loss"]) == run.epochs, "| logged:", sorted(history.history))

# %% [markdown]
# ## This run against the book
#
# The book reports no results in this section, so there is nothing to compare;
# the cell below says which data this run used.

# %%
from dlwp_widgets.book import against_the_book

against_the_book()
