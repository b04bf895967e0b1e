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
# # 4.3 Data preprocessing, feature engineering and feature learning
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch04_fundamentals_of_machine_learning/4.3-data-preprocessing-feature-engineering-and-feature-learning.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch04_fundamentals_of_machine_learning%2F4.3-data-preprocessing-feature-engineering-and-feature-learning.ipynb)
#
# Raw data rarely fits a network as it is. This section is about the last
# mile: turning data into tensors a network learns from easily, and deciding
# how much knowledge of the problem to put into the features by hand.

# %% [markdown]
# ## Preprocessing for neural networks
#
# - **Vectorization.** Every input and target must be a tensor of floats (or, at
#   the input, of integers an `Embedding` turns into floats). Text becomes
#   sequences of word indices or multi-hot vectors (chapter 3), images become
#   arrays of pixel intensities.
# - **Value normalization.** Gradient descent behaves when inputs are small
#   (mostly within 0–1) and *homogeneous* (every feature on roughly the same
#   scale). Large or wildly different ranges produce large gradient updates
#   that keep the network from converging. Pixel bytes are divided by 255;
#   features on different scales are standardised column by column (listing
#   4.3 below), with the mean and standard deviation computed **on the training
#   data only** and reused for validation and test data (computing them on all
#   the data is a small information leak).
# - **Missing values.** With a network, replacing a missing value by 0 is
#   usually safe as long as 0 is not a meaningful value: the network learns that
#   0 means "missing". If the test data has missing values but the training data
#   had none, the network never learned to ignore them: copy some training
#   samples and drop the feature in them to teach it.
#
# ## Feature engineering
#
# Before deep learning, most of the work was here: hand-crafted features that
# make the problem easy. The book's example is reading a clock: from raw pixels a
# model needs a convnet; from the coordinates of the hands' tips a simple model
# suffices; from the hands' angles, no learning is needed at all. Deep networks
# learn such features themselves from raw data, but good features still matter:
# they let a problem be solved with less data and less computation, which is
# often the whole budget.
#
# ## Feature learning
#
# Everything from chapter 5 on is feature learning: convolution layers that
# learn edges, then textures, then object parts; embeddings that learn word
# meanings. The rest of this notebook is the one listing of the section.

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
# ### Listing 4.3 — Feature-wise normalization of 2D Numpy data
#
# Subtract each column's mean, divide by its standard deviation. (In a model,
# `keras.layers.Normalization` with `adapt(x)` does the same from the data.)
#
# > **Changed: book bug fixed.** The book normalizes in place (`-=`, `/=`), which raises
# > a casting error on an integer array, so the array is converted to float first.

# %% listing="4.3"
import numpy as np

x = np.array([[1, 200, 3], [2, 400, 3], [3, 600, 9], [6, 800, 9]])  # integers, on very different scales
x = x.astype("float32")
x -= x.mean(axis=0)
x /= x.std(axis=0)

# %% listing="4.3" tags=["nbval-check-output"]
print(np.round(x, 3))
print("column means:", np.round(x.mean(axis=0), 6) + 0.0, "column stds:", np.round(x.std(axis=0), 6))

# %% [markdown]
# ## This run against the book
#
# The book reports no results in this section, so there is nothing to compare;
# the cell below says which data this run used.

# %%
from dlwp_widgets.book import against_the_book

against_the_book()
