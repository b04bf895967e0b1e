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
# # 5.1 Introduction to convnets
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch05_deep_learning_for_computer_vision/5.1-introduction-to-convnets.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch05_deep_learning_for_computer_vision%2F5.1-introduction-to-convnets.ipynb)
#
# A convolutional network looks at small windows of the image and reuses the
# same weights everywhere, so it learns local patterns once and finds them
# anywhere. On MNIST a tiny convnet beats chapter 2's dense network with fewer
# parameters. At the end, a widget shows what its feature maps look like.

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
# ## How a convolution sees an image
#
# A `Dense` layer learns *global* patterns: each unit weighs every pixel of the
# whole image. A convolution layer learns *local* patterns: small windows (here
# 3×3 pixels) slide over the image, and the same small set of weights is applied
# at every position. Two properties follow, and they are why convnets work so
# well on pictures:
#
# - **Translation invariance.** A pattern learned in one corner is recognised
#   anywhere else, so a convnet needs far fewer examples than a dense network
#   that would have to learn the pattern again at every position.
# - **Spatial hierarchies.** The first layer learns small local patterns such as
#   edges; the next layer combines them into larger ones (corners, textures,
#   strokes), and so on: visual concepts are built from parts.
#
# A convolution works on *feature maps*: 3-D tensors of height × width ×
# channels (depth). The input's channels are colours (one for MNIST's grey, three
# for RGB); an output channel is a *filter*: one learned pattern, and its map
# says where in the image that pattern is present. Two settings shape the
# output: the window size (3×3 or 5×5), and the number of filters (the output
# depth).
#
# **Border effects and padding.** A 3×3 window fits 26×26 positions in a 28×28
# image, so the output shrinks by 2 pixels per layer ("valid" padding, the
# default). `padding="same"` adds zeros around the input so the output keeps the
# input's width and height.
#
# **Strides.** By default the window moves one pixel at a time. A stride of 2
# skips every other position and halves the width and height; convnets for
# classification seldom use it, downsampling with pooling instead.
#
# **Max-pooling.** A 2×2 max-pooling with stride 2 keeps the largest value of
# each 2×2 patch of each channel: it halves the feature maps, like a strided
# convolution, but with a fixed `max` rather than a learned transformation. It
# serves two purposes (listing 5.7 shows what goes wrong without it): it
# shrinks the number of values to process, and it makes each following window
# see a larger part of the original image, so the hierarchy of features can
# grow to the size of whole digits. Max works better than averaging because
# features tend to encode the *presence* of a pattern, and the maximum keeps
# the strongest evidence.

# %% [markdown]
# ### Listing 5.1 — Instantiating a small convnet
#
# Three `Conv2D` layers (3×3 windows) with 2×2 max-pooling in between. The input is one
# 28×28 grey-level image.
#
# > **Changed: Keras 3 / TF 2 API.** The input is an explicit `keras.Input`, where the
# > book passed `input_shape=(28, 28, 1)` to the first layer.

# %% listing="5.1"
import keras
from keras import layers

model = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"),
    ]
)

# %% [markdown]
# ### Listing 5.2 — Displaying a summary of the model so far
#
# Every layer outputs a 3-D feature map (height, width, channels). The maps
# shrink (26 → 13 → 11 → 5 → 3) while the number of channels grows.
#
# > **Changed: Keras 3 / TF 2 API.** The layers are named `conv2d`, `max_pooling2d`, ...
# > (the book shows `conv2d_1`, ...).

# %% listing="5.2"
model.summary()

# %% [markdown]
# The same facts without the layer names (which change each time a cell creates
# new layers): output shape and parameter count per layer.

# %% tags=["nbval-check-output"]
for layer in model.layers:
    print(f"{type(layer).__name__:13} {str(layer.output.shape):20} {layer.count_params():>7,}")
print(f"Total params: {model.count_params():,}")

# %% [markdown]
# ### Listing 5.3 — Adding a classifier on top of the convnet
#
# A dense classifier needs vectors, so `Flatten` turns the (3, 3, 64) maps into
# 576 numbers before the two `Dense` layers.

# %% listing="5.3"
model.add(layers.Flatten())
model.add(layers.Dense(64, activation="relu"))
model.add(layers.Dense(10, activation="softmax"))

# %% [markdown]
# ### Listing 5.4 — Displaying a summary of the full model

# %% listing="5.4"
model.summary()

# %% tags=["nbval-check-output"]
for layer in model.layers[-3:]:
    print(f"{type(layer).__name__:13} {str(layer.output.shape):20} {layer.count_params():>7,}")
print(f"Total params: {model.count_params():,}")

# %% [markdown]
# ### Listing 5.5 — Training our convnet on MNIST images
#
# The images become float32 tensors of shape (N, 28, 28, 1) in [0, 1] (the
# convnet wants the channel axis), the labels one-hot vectors. Five epochs with
# mini-batches of 64, as in the book. In smoke mode a slice of the data and one
# epoch only check that everything runs.

# %% listing="5.5"
from keras.utils import to_categorical

from dlwp_widgets.datasets import mnist

(train_images, train_labels), (test_images, test_labels) = mnist.load_data(source=run.data_source)

train_images = train_images.reshape((60000, 28, 28, 1)).astype("float32") / 255
test_images = test_images.reshape((10000, 28, 28, 1)).astype("float32") / 255
train_labels = to_categorical(train_labels)
test_labels = to_categorical(test_labels)

train_count = run.pick(60000, 3000)
test_count = run.pick(10000, 2000)
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(
    train_images[:train_count], train_labels[:train_count], epochs=run.epochs, batch_size=64, verbose=2
)

# %% tags=["nbval-check-output"]
print(train_images.shape, train_images.dtype, train_labels.shape)

# %% [markdown]
# ### Listing 5.6 — Evaluating the trained model
#
# The book prints a test accuracy of 0.9908 (its prose says 99.3%, which is where
# its "68% fewer errors than the 97.8% dense network" comes from; 0.9908 is
# about 57% fewer). The trivial baseline is always guessing the most common digit.

# %% listing="5.6"
test_loss, test_acc = model.evaluate(test_images[:test_count], test_labels[:test_count], verbose=0)
print("test_acc:", test_acc)

# %% [markdown]
# ## 5.1.2 The max pooling operation
#
# ### Listing 5.7 — A convnet without pooling layers
#
# Why downsample? Without pooling, the third layer's 3×3 windows still only see
# 7×7 pixels of the input, and the last feature map is 22×22×64 = 30,976 numbers:
# a `Dense(512)` on top of it would need about 15.9 million weights.

# %% listing="5.7"
model_no_max_pool = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.Conv2D(64, (3, 3), activation="relu"),
    ]
)

# %% [markdown]
# ### Listing 5.8 — Displaying a summary of the model

# %% listing="5.8"
model_no_max_pool.summary()

# %% tags=["nbval-check-output"]
import numpy as np

for layer in model_no_max_pool.layers:
    print(f"{type(layer).__name__:13} {str(layer.output.shape):20} {layer.count_params():>7,}")
flat = int(np.prod(model_no_max_pool.outputs[0].shape[1:]))
print(f"Total params: {model_no_max_pool.count_params():,}; flattened output: {flat:,}; Dense(512) on top: {flat * 512 + 512:,}")

# %% [markdown]
# ## Try it: the convnet's feature maps
#
# Pick a layer and a channel to see what the trained network computes for a
# test digit; "all channels" tiles a whole layer, "per layer" scaling compares
# channels with each other. The digit goes through the model once; moving the
# controls only redraws. Upload a picture of your own digit (dark ink on white
# works after inverting: MNIST digits are white on black).

# %%
from dlwp_widgets.widgets.activation_browser import ActivationBrowser

browser = ActivationBrowser(model, test_images[0] * 255)
browser

# %% tags=["nbval-check-output"]
print(len(browser.layer.options), "layers with feature maps")
print(browser.last_picture.shape, browser.last_error)
print("forward passes:", browser.cache.forward_passes)

# %% [markdown]
# ## This run against the book
#
# The headline numbers of this notebook beside the book's. On stand-in data they are
# not comparable with the book; what they show is whether each model beat its trivial baseline.

# %%
import numpy as np

from dlwp_widgets.book import record, against_the_book

majority_class_accuracy = np.bincount(test_labels[:test_count].argmax(axis=1)).max() / test_count
record("mnist_convnet_test_accuracy", test_acc, baseline=majority_class_accuracy)

against_the_book()
