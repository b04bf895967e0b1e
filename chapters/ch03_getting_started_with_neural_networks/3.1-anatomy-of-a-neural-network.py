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
# # 3.1 Anatomy of a neural network
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch03_getting_started_with_neural_networks/3.1-anatomy-of-a-neural-network.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch03_getting_started_with_neural_networks%2F3.1-anatomy-of-a-neural-network.ipynb)
#
# A network is built from *layers*, fitted by minimising a *loss* with an
# *optimizer*. This short notebook looks at the brick itself: a `Dense` layer,
# the shape of what it returns, and how Keras infers the input size of the next
# layer so that only the first one needs to be told what it will receive.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 1  # nothing is trained in this notebook
DATA_SOURCE = "auto"  # "real", "standin" or "auto"
SEED = 0

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)

# %% [markdown]
# ### Listing 3.1 — A layer
#
# A `Dense` layer with 32 units maps a vector of 784 numbers to 32 numbers.
#
# > **Changed: Keras 3 / TF 2 API.** The book passes `input_shape=(784,)` to the layer
# > itself, an argument Keras 3 deprecates; a standalone layer is told its input size by
# > `build((None, 784))` (`None` is the batch size, left open), and inside a model the
# > size comes from `keras.Input(shape=(784,))`.

# %% listing="3.1"
import keras
from keras import layers

layer = layers.Dense(32)
layer.build((None, 784))

# %% listing="3.1" tags=["nbval-check-output"]
print("kernel:", tuple(layer.kernel.shape), "bias:", tuple(layer.bias.shape))
print("parameters:", layer.count_params())

# %% [markdown]
# ### Listing 3.2 — Our layer's output shape
#
# The layer returns a batch of 32-dimensional vectors, whatever the batch size.
#
# > **Changed: Keras 3 / TF 2 API.** A standalone layer has no `output_shape` attribute
# > in Keras 3; `compute_output_shape` answers the same question, and calling the layer
# > on a real batch shows it in action.

# %% listing="3.2" tags=["nbval-check-output"]
import numpy as np

print(layer.compute_output_shape((None, 784)))
print(layer(np.zeros((5, 784), dtype="float32")).shape)

# %% [markdown]
# ### Listing 3.3 — Automatic shape inference in action
#
# Only the first layer is told the input size; the second `Dense(32)` builds
# itself for 32 inputs when the model is assembled.

# %% listing="3.3"
model = keras.Sequential([
    keras.Input(shape=(784,)),
    layers.Dense(32),
    layers.Dense(32),
])

# %% listing="3.3" tags=["nbval-check-output"]
for dense in model.layers:
    print(dense.name.split("_")[0], "kernel", tuple(dense.kernel.shape))
print("output shape:", model.output_shape)
print("parameters:", model.count_params())

# %% [markdown]
# ## This run against the book
#
# The book reports no results in this section, so there is nothing to compare;
# the cell below says which data this run used.

# %%
from dlwp_widgets.book import against_the_book

against_the_book()
