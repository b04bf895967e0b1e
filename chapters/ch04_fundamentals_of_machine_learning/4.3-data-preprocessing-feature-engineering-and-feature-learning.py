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
# Networks learn best from small numbers on similar scales. Feature-wise
# normalization gives every column mean 0 and standard deviation 1.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 1  # nothing is trained in this notebook
DATA_SOURCE = "auto"  # "real", "standin" or "auto"
SEED = 0

# %%
# Setup: on Colab, install the companion package first; everywhere else it is already installed.
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion"], check=True)

from dlwp_widgets import config
from dlwp_widgets.book import record

run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)
EPOCHS = run.epochs

# %% [markdown]
# ### Listing 4.3 — Feature-wise normalization of 2D Numpy data
#
# Subtract each column's mean, divide by its standard deviation. Bug fix: the
# book normalizes in place (`-=`, `/=`), which raises a casting error on an
# integer array, so we convert to float first. (In a model,
# `keras.layers.Normalization` with `adapt(x)` does the same from the data.)

# %% listing="4.3"
import numpy as np

x = np.array([[1, 200, 3], [2, 400, 3], [3, 600, 9], [6, 800, 9]])  # integers, on very different scales
x = x.astype("float32")
x -= x.mean(axis=0)
x /= x.std(axis=0)

# %% listing="4.3" tags=["nbval-check-output"]
print(np.round(x, 3))
print("column means:", np.round(x.mean(axis=0), 6) + 0.0, "column stds:", np.round(x.std(axis=0), 6))
