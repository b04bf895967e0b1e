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
# # 2.2 Data representations for neural networks
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch02_mathematical_building_blocks/2.2-data-representations-for-neural-networks.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch02_mathematical_building_blocks%2F2.2-data-representations-for-neural-networks.ipynb)
#
# Everything a network reads, computes and outputs is a *tensor*: a grid of
# numbers with a number of axes (its *rank*, `ndim`), a length along each axis
# (its `shape`) and one type for all its numbers (its `dtype`). This notebook
# walks up the ranks with NumPy, then looks at MNIST through those three
# attributes.

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
# ## 2.2.1 Scalars (0D tensors)
#
# ### Listing 2.10 — A Numpy scalar
#
# A single number is a rank-0 tensor: it has no axes and an empty shape.

# %% listing="2.10" tags=["nbval-check-output"]
import numpy as np

x = np.array(12)
print(x, x.ndim, x.shape)

# %% [markdown]
# ## 2.2.2 Vectors (1D tensors)
#
# ### Listing 2.11 — A Numpy vector
#
# One axis. This vector has four entries, so it is a *4-dimensional vector* but a
# *rank-1 tensor*: "dimension" means the length along an axis in the first phrase
# and the number of axes in the second. (The book's prose speaks of five entries
# here while its array holds four.)

# %% listing="2.11" tags=["nbval-check-output"]
x = np.array([12, 3, 6, 14])
print(x, x.ndim, x.shape)

# %% [markdown]
# ## 2.2.3 Matrices (2D tensors)
#
# ### Listing 2.12 — A Numpy matrix
#
# Two axes, rows and columns.

# %% listing="2.12" tags=["nbval-check-output"]
x = np.array([[5, 78, 2, 34, 0], [6, 79, 3, 35, 1], [7, 80, 4, 36, 2]])
print(x.ndim, x.shape)
print("first row:", x[0], " first column:", x[:, 0])

# %% [markdown]
# ## 2.2.4 3D tensors and higher-dimensional tensors
#
# ### Listing 2.13 — A Numpy 3D tensor
#
# Stacking matrices gives a cube of numbers; stacking cubes gives rank 4, and so on.
# Deep learning mostly handles ranks 0 to 4, up to 5 for video.

# %% listing="2.13" tags=["nbval-check-output"]
x = np.array(
    [
        [[5, 78, 2, 34, 0], [6, 79, 3, 35, 1], [7, 80, 4, 36, 2]],
        [[5, 78, 2, 34, 0], [6, 79, 3, 35, 1], [7, 80, 4, 36, 2]],
        [[5, 78, 2, 34, 0], [6, 79, 3, 35, 1], [7, 80, 4, 36, 2]],
    ]
)
print(x.ndim, x.shape)

# %% [markdown]
# ## 2.2.5 Key attributes
#
# ### Listing 2.14 — Let's load the MNIST dataset
#
# Back to the digits of 2.1 (real data, or the announced stand-in offline).

# %% listing="2.14"
from dlwp_widgets.datasets import mnist

(train_images, train_labels), (test_images, test_labels) = mnist.load_data(source=run.data_source)

# %% [markdown]
# ### Listing 2.15 — Let's display the number of axes of the tensor train_images: the ndim attribute

# %% listing="2.15" tags=["nbval-check-output"]
print(train_images.ndim)

# %% [markdown]
# ### Listing 2.16 — Let's display its shape
#
# 60,000 matrices of 28×28 integers: a rank-3 tensor.

# %% listing="2.16" tags=["nbval-check-output"]
print(train_images.shape)

# %% [markdown]
# ### Listing 2.17 — Let's display its data type, the dtype attribute
#
# Each pixel is an unsigned byte, a grey level between 0 and 255.

# %% listing="2.17" tags=["nbval-check-output"]
print(train_images.dtype, train_images.min(), train_images.max())

# %% [markdown]
# ### Listing 2.18 — Displaying the 4th digit
#
# Index 4 is the fifth image (NumPy counts from 0). `binary` draws high values in
# black, like ink on paper.

# %% listing="2.18"
import matplotlib.pyplot as plt

digit = train_images[4]
plt.imshow(digit, cmap=plt.cm.binary)
plt.title(f"label: {train_labels[4]}")
plt.show()

# %% [markdown]
# ## 2.2.6 Manipulating tensors in Numpy
#
# ### Listing 2.19 — Slicing a tensor
#
# Selecting images 10 to 99 (100 excluded) keeps the other two axes whole.

# %% listing="2.19" tags=["nbval-check-output"]
my_slice = train_images[10:100]
print(my_slice.shape)

# %% [markdown]
# ### Listing 2.20 — Advanced tensor slicing
#
# The same selection spelled out along every axis: `:` means the whole axis, and
# `0:28` is the whole of a 28-long axis.

# %% listing="2.20" tags=["nbval-check-output"]
my_slice = train_images[10:100, :, :]
print(my_slice.shape)
my_slice = train_images[10:100, 0:28, 0:28]
print(my_slice.shape)

# %% [markdown]
# ### Listing 2.21 — Advanced tensor slicing (continued)
#
# Slicing the pixel axes crops every image at once: here, the bottom-right 14×14
# corner.

# %% listing="2.21" tags=["nbval-check-output"]
my_slice = train_images[:, 14:, 14:]
print(my_slice.shape)

# %% [markdown]
# ### Listing 2.22 — Advanced tensor slicing (continued)
#
# Negative indices count from the end: `7:-7` keeps a centred 14×14 patch.

# %% listing="2.22" tags=["nbval-check-output"]
my_slice = train_images[:, 7:-7, 7:-7]
print(my_slice.shape)

# %% [markdown]
# The three crops of the same digit, side by side:

# %%
fig, axes = plt.subplots(1, 3, figsize=(6, 2))
for ax, image, title in zip(
    axes,
    [train_images[4], train_images[4, 14:, 14:], train_images[4, 7:-7, 7:-7]],
    ["whole", "[14:, 14:]", "[7:-7, 7:-7]"],
):
    ax.imshow(image, cmap="binary")
    ax.set_title(title)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## 2.2.7 The notion of data batch
#
# ### Listing 2.23 — Slicing a tensor into batches
#
# Models never see the whole dataset at once but batches along the first axis, the
# *batch axis*. The book leaves `n` undefined; here it is the index of the last
# batch, which is shorter because 60,000 is not a multiple of 128.

# %% listing="2.23" tags=["nbval-check-output"]
batch = train_images[:128]
print(batch.shape)
batch = train_images[128:256]
print(batch.shape)
n = len(train_images) // 128
batch = train_images[128 * n : 128 * (n + 1)]
print(n, batch.shape)

# %% [markdown]
# ## The tensors of real data
#
# The shapes the chapter names for common data, and what they cost in memory as
# float32. A batch of four one-minute videos is already 425 MB.

# %% tags=["nbval-check-output"]
examples = {
    "actuarial records (people, features)": (100_000, 3),
    "bag-of-words documents (docs, vocabulary)": (500, 20_000),
    "stock prices (days, minutes, values)": (250, 390, 3),
    "tweets, one-hot characters (tweets, chars, alphabet)": (1_000_000, 140, 128),
    "colour images (batch, height, width, channels)": (128, 256, 256, 3),
    "video clips (clips, frames, height, width, channels)": (4, 240, 256, 144, 3),
}
for name, shape in examples.items():
    values = int(np.prod(shape))
    print(f"{name:<55} rank {len(shape)}  {values:>13,} values  {values * 4 / 1e6:>9,.0f} MB")

# %% [markdown]
# ## This run against the book
#
# The book reports no results in this section, so there is nothing to compare;
# the cell below says which data this run used.

# %%
from dlwp_widgets.book import against_the_book

against_the_book()
