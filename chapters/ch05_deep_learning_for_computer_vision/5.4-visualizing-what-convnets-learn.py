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
# # 5.4 Visualizing what convnets learn
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch05_deep_learning_for_computer_vision/5.4-visualizing-what-convnets-learn.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch05_deep_learning_for_computer_vision%2F5.4-visualizing-what-convnets-learn.ipynb)
#
# Three ways to look inside a convnet: the feature maps it computes for one
# picture, the input patterns each filter responds to most, and heatmaps of the
# picture regions that drove a decision (Grad-CAM). Each comes with a widget:
# pick a layer, a channel, a filter or a class, and upload your own pictures.
# The book's `K.gradients`/`K.function` code no longer exists; `input_gradient`
# (`dlwp_widgets/gradients.py`: a `GradientTape` on TensorFlow, `jax.grad` on
# JAX, autograd on PyTorch) replaces it, so the notebook runs on any Keras backend.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 30  # only used if section 5.2's saved model is missing: a shorter stand-in for its 100 epochs
DATA_SOURCE = "auto"  # "real", "standin" or "auto"
SEED = 0

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)

# %% [markdown]
# ## 5.4.1 Visualizing intermediate activations
#
# ### Listing 5.36 — Loading a saved model and printing a summary
#
# The model with dropout and augmentation that section 5.2 saved (listing 5.23).
# If you have not run that notebook (in the same mode), a replacement of the same
# architecture is trained here, briefly, with the same recipe.

# %% listing="5.36"
import keras

from dlwp_widgets.datasets import cats_vs_dogs
from dlwp_widgets.pipelines import images as image_pipelines
from dlwp_widgets.models import convnets

base_dir = cats_vs_dogs.load_data(source=run.data_source)
saved = convnets.saved_model_path(f"cats_and_dogs_small_2-{run.mode}.keras")
if saved.exists():
    model = keras.models.load_model(saved)
    print("loaded", saved)
else:
    print(f"{saved.name} not found (run 5.2 first to use the book's model); training a replacement for {run.epochs} epochs.")
    data_dir = cats_vs_dogs.subset(base_dir, run.pick(None, 40), seed=run.seed)
    model = convnets.cats_dogs_convnet(dropout=0.5)
    model.fit(
        image_pipelines.training_pipeline(
            image_pipelines.image_dataset(data_dir / "train", batch_size=32, seed=run.seed),
            augment=image_pipelines.augmentation(seed=run.seed),
        ),
        epochs=run.epochs,
        verbose=0,
    )
model.summary()

# %% tags=["nbval-check-output"]
print(f"Total params: {model.count_params():,}")

# %% [markdown]
# ### Listing 5.37 — Preprocessing a single image
#
# A test cat the network never trained on (`cat.1700.jpg`), as a batch of one
# image scaled to [0, 1], like the training images.

# %% listing="5.37"
import numpy as np

img_path = base_dir / "test" / "cats" / "cat.1700.jpg"
img = keras.utils.load_img(img_path, target_size=(150, 150))
img_tensor = keras.utils.img_to_array(img)
img_tensor = np.expand_dims(img_tensor, axis=0) / 255.0

# %% tags=["nbval-check-output"]
print(img_tensor.shape)

# %% [markdown]
# ### Listing 5.38 — Displaying the test picture

# %% listing="5.38"
import matplotlib.pyplot as plt

plt.imshow(img_tensor[0])
plt.show()

# %% [markdown]
# ### Listing 5.39 — Instantiating a Model from an input tensor and a list of output tensors
#
# A second model shares the first one's layers but returns the outputs of its
# first eight layers (four convolutions, four poolings; the book's text says
# five). It works because the saved model starts with an `Input`.

# %% listing="5.39"
layer_outputs = [layer.output for layer in model.layers[:8]]
activation_model = keras.Model(inputs=model.inputs[0], outputs=layer_outputs)

# %% [markdown]
# ### Listing 5.40 — Running our model in predict mode
#
# One call returns eight arrays, one per layer.

# %% listing="5.40"
activations = activation_model.predict(img_tensor, verbose=0)

# %% tags=["nbval-check-output"]
print(len(activations), [a.shape[1:] for a in activations])

# %% [markdown]
# ### Listing 5.41 — First entry in the outputs: the output of the first layer of the original model

# %% listing="5.41" tags=["nbval-check-output"]
first_layer_activation = activations[0]
print(first_layer_activation.shape)

# %% [markdown]
# ### Listing 5.42 — Plotting the 4th channel of the activation of the first layer of the original model
#
# Channel index 4 (the fifth channel). What each channel detects changes from
# one training run to the next: the book's looks like a diagonal edge detector.

# %% listing="5.42"
plt.matshow(first_layer_activation[0, :, :, 4], cmap="viridis")
plt.show()

# %% [markdown]
# ### Listing 5.43 — Plotting the 7th channel of the activation of the first layer of the original model

# %% listing="5.43"
plt.matshow(first_layer_activation[0, :, :, 7], cmap="viridis")
plt.show()

# %% [markdown]
# ### Listing 5.44 — Visualizing every channel in every intermediate activation
#
# Every channel of every layer, 16 per row, each standardised for display. Deeper layers
# are more abstract and sparser: more and more channels stay blank.
#
# > **Changed: book bug fixed.** The printed indentation puts the tiling outside the
# > loop over layers; here each layer is tiled.
#
# > **Changed: book bug fixed.** A dead channel (all zeros: standard deviation 0)
# > divided by its standard deviation gives NaN; `layer_grid` shows it as a flat grey
# > tile.

# %% listing="5.44"
from dlwp_widgets.viz.activations import layer_grid

layer_names = [layer.name for layer in model.layers[:8]]
images_per_row = 16
for layer_name, layer_activation in zip(layer_names, activations):
    grid = layer_grid(layer_activation[0], images_per_row=images_per_row, normalisation="channel")
    scale = 1.0 / layer_activation.shape[1]
    plt.figure(figsize=(scale * grid.shape[1], scale * grid.shape[0]))
    plt.title(layer_name)
    plt.grid(False)
    plt.axis("off")
    plt.imshow(grid, aspect="auto", cmap="viridis")
plt.show()

# %% [markdown]
# ### Try it: the activation browser
#
# The same views, interactive: pick a layer, a channel, or "all channels", and
# per-channel or per-layer scaling (per layer shows which channels are strong).
# The picture goes through the model once; the controls only redraw. Upload a
# photo of your own cat or dog.

# %%
from dlwp_widgets.widgets.activation_browser import ActivationBrowser

activation_browser = ActivationBrowser(model, img_tensor[0] * 255, layer_names=layer_names)
activation_browser

# %% tags=["nbval-check-output"]
activation_browser.channel.value = 7
print(activation_browser.last_picture.shape, activation_browser.last_error, activation_browser.cache.forward_passes)

# %% [markdown]
# ## 5.4.2 Visualizing convnet filters
#
# Start from a grey image with a little noise and change it, by gradient ascent,
# so that one filter's mean activation grows: the result is the pattern that
# filter responds to most. The book uses VGG16 with ImageNet weights; with the
# random stand-in the patterns are noise-like (still useful to check the code).
#
# ### Listing 5.45 — Defining the loss tensor for filter visualization
#
# The book slices a symbolic layer output; now a small model maps the image to
# `block3_conv1`'s feature map and the loss is a plain function of an image.

# %% listing="5.45"
from dlwp_widgets.gradients import input_gradient
from dlwp_widgets.models.convnets import vgg16_conv_base

vgg = vgg16_conv_base(source=run.data_source, input_shape=(None, None, 3))
layer_name = "block3_conv1"
filter_index = 0
feature_extractor = keras.Model(inputs=vgg.inputs[0], outputs=vgg.get_layer(layer_name).output)


def compute_loss(image, filter_index):
    activation = feature_extractor(image)
    return keras.ops.mean(activation[:, :, :, filter_index])


# %% [markdown]
# ### Listing 5.46 — Obtaining the gradient of the loss with regard to the input
#
# `K.gradients` only worked in graph mode. `input_gradient(fn)` (in
# `dlwp_widgets/gradients.py`, one small function per Keras backend) returns a
# function giving the loss and its gradient with respect to the input image,
# which is not a weight; `compile=False` runs it eagerly, once.

# %% listing="5.46"
size = run.pick(150, 64)
input_img = keras.random.uniform((1, size, size, 3), seed=run.seed) * 20 + 128.0
loss, _, grads = input_gradient(lambda image: (compute_loss(image, filter_index), ()), compile=False)(input_img)

# %% [markdown]
# ### Listing 5.47 — The gradient normalization trick
#
# Divide by the gradient's root-mean-square (the book's text calls it the L2
# norm) plus a small epsilon, so every step has about the same size.

# %% listing="5.47"
grads /= keras.ops.sqrt(keras.ops.mean(keras.ops.square(grads))) + 1e-5

# %% [markdown]
# ### Listing 5.48 — Defining a Keras function for fetching Numpy output values given Numpy input values
#
# `K.function` becomes a compiled gradient function (`input_gradient`:
# `tf.function` on TensorFlow, `jax.jit` on JAX) and `iterate` returns (loss,
# normalised gradient). The filter index goes in as a tensor: a Python int would
# make the backend compile the function again for every filter.

# %% listing="5.48"
loss_and_grads = input_gradient(lambda image, filter_index: (compute_loss(image, filter_index), ()))


def iterate(image, filter_index):
    loss, _, grads = loss_and_grads(image, filter_index)
    return loss, grads / (keras.ops.sqrt(keras.ops.mean(keras.ops.square(grads))) + 1e-5)


loss_value, grads_value = iterate(keras.ops.zeros((1, size, size, 3)), keras.ops.convert_to_tensor(0))

# %% tags=["nbval-check-output"]
print(loss_value.shape, grads_value.shape == (1, size, size, 3))

# %% [markdown]
# ### Listing 5.49 — Loss maximization via stochastic gradient descent over the input parameters
#
# Forty steps of size 1 (fewer in a smoke run).

# %% listing="5.49"
steps = run.pick(40, 5)
input_img_data = keras.random.uniform((1, size, size, 3), seed=run.seed) * 20 + 128.0
step = 1.0
for _ in range(steps):
    loss_value, grads_value = iterate(input_img_data, keras.ops.convert_to_tensor(filter_index))
    input_img_data += grads_value * step

# %% [markdown]
# ### Listing 5.50 — Utility function to convert a tensor into a valid image
#
# Centre, scale the standard deviation to 0.1, shift to 0.5, clip to [0, 1] and
# convert to bytes.

# %% listing="5.50"
def deprocess_image(x):
    x = x - x.mean()
    x /= x.std() + 1e-5
    x *= 0.1
    x += 0.5
    x = np.clip(x, 0, 1)
    x *= 255
    return np.clip(x, 0, 255).astype("uint8")


# %% tags=["nbval-check-output"]
print(deprocess_image(np.array([[0.0, 1.0], [2.0, 3.0]])))

# %% [markdown]
# ### Listing 5.51 — Putting it all together: a function to generate filter visualizations
#
# The book builds a new symbolic graph on every call, one filter at a time.
# This port keeps that structure with an eager `input_gradient`. For grids and the browser
# below, `FilterVisualizer` compiles one loop per layer and runs many filters in
# one batch (`benchmarks/bench_filters.py` measures the difference).

# %% listing="5.51"
def generate_pattern(layer_name, filter_index, size=150, steps=40):
    extractor = keras.Model(inputs=vgg.inputs[0], outputs=vgg.get_layer(layer_name).output)
    gradient = input_gradient(lambda image: (keras.ops.mean(extractor(image)[:, :, :, filter_index]), ()), compile=False)
    image = keras.random.uniform((1, size, size, 3)) * 20 + 128.0
    for _ in range(steps):
        grads = gradient(image)[2]
        grads /= keras.ops.sqrt(keras.ops.mean(keras.ops.square(grads))) + 1e-5
        image += grads * 1.0
    return deprocess_image(keras.ops.convert_to_numpy(image)[0])


# %% [markdown]
# ### Listing 5.52 — Visualising the response patterns of filter 0 of block3_conv1
#
# With ImageNet weights: a polka-dot pattern.

# %% listing="5.52"
pattern = generate_pattern("block3_conv1", 0, size=size, steps=steps)
plt.imshow(pattern)
plt.show()

# %% tags=["nbval-check-output"]
print(pattern.shape, pattern.dtype)

# %% [markdown]
# ### Listing 5.53 — Generating of grid of all filter response patterns in a layer
#
# The first 64 filters of each layer, 64×64 pixels with a 5-pixel margin. The
# book's grid is a float array holding 0–255 values, which `imshow` clips to
# [0, 1] (a white square); `filter_grid` returns bytes. With ImageNet weights:
# edges and colours in block 1, simple textures in block 2, natural textures
# (feathers, eyes, leaves) higher up.

# %% listing="5.53"
from dlwp_widgets.viz.filters import FilterVisualizer, filter_grid

grid_layers = run.pick(["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1"], ["block1_conv1", "block3_conv1"])
filter_count = run.pick(64, 4)
for name in grid_layers:
    visualizer = FilterVisualizer(vgg, name, size=64)
    patterns = visualizer.patterns(range(filter_count), steps=steps, batch_size=16)
    grid = filter_grid(patterns, columns=int(np.sqrt(filter_count)), margin=5)
    plt.figure(figsize=(8, 8))
    plt.title(name)
    plt.axis("off")
    plt.imshow(grid)
plt.show()

# %% tags=["nbval-check-output"]
print(grid.dtype, grid.ndim, "compilations for the last layer:", visualizer.traces)

# %% [markdown]
# ### Try it: the filter browser
#
# Pick a layer and a filter. A page of 8 neighbouring filters is computed in
# one batched run and cached, so stepping through them is instant; the progress
# bar shows the work. Jitter and blur make the patterns smoother.

# %%
from dlwp_widgets.widgets.filter_browser import FilterBrowser

filter_browser = FilterBrowser(vgg, layer_names=[l.name for l in vgg.layers if "conv" in l.name], size=64, steps=steps)
filter_browser

# %% tags=["nbval-check-output"]
print(filter_browser.layer.value, filter_browser.last_pattern.shape, filter_browser.last_error)

# %% [markdown]
# ## 5.4.3 Visualizing heatmaps of class activation
#
# ### Listing 5.54 — Loading the VGG16 network with pre-trained weights
#
# The whole VGG16, ImageNet classifier included (a 528 MB download; offline a
# random stand-in, announced below).

# %% listing="5.54"
from dlwp_widgets.models.convnets import vgg16

model = vgg16(source=run.data_source)

# %% tags=["nbval-check-output"]
print(model.input_shape, model.output_shape, f"{model.count_params():,}")

# %% [markdown]
# ### Listing 5.55 — Pre-processing an input image for VGG16
#
# The book's photo of two African elephants is not distributed with it. If you
# have it, put `creative_commons_elephant.jpg` in the folder `DLWP_DATA_DIR`
# names. Otherwise this notebook uses "Chelsea the cat", a public-domain (CC0)
# photo that scikit-image ships (`skimage.data.chelsea()`); ImageNet's cat
# classes (281–285) then play the elephants' part. VGG16 wants 224×224 images
# with its own `preprocess_input` (channel order and mean subtraction).
#
# The resize is the one the book's `load_img(path, target_size=(224, 224))`
# performs: PIL's nearest-neighbour resampling (`load_img`'s default), applied
# here to the full-size photo, which listing 5.60 still needs for the overlay.

# %% listing="5.55"
import os
from pathlib import Path

from keras.applications.vgg16 import decode_predictions, preprocess_input

reader_dir = os.environ.get("DLWP_DATA_DIR")
elephant = Path(reader_dir) / "creative_commons_elephant.jpg" if reader_dir else None
have_elephant = elephant is not None and elephant.exists()
if have_elephant:
    photo = keras.utils.img_to_array(keras.utils.load_img(elephant))
    photo_name = "the book's elephant photo"
else:
    from skimage import data as skimage_data

    photo = skimage_data.chelsea().astype("float32")
    photo_name = "Chelsea the cat (scikit-image, CC0)"
print("photo:", photo_name)

from PIL import Image

img = keras.utils.array_to_img(photo).resize((224, 224), resample=Image.NEAREST)
x = keras.utils.img_to_array(img)
x = np.expand_dims(x, axis=0)
x = preprocess_input(x)

# %% tags=["nbval-check-output"]
print(x.shape, x.dtype)

# %% [markdown]
# ### Listing 5.56 — Predicting the class of our image
#
# The book: African elephant 0.9255, tusker 0.0703, Indian elephant 0.0043.
# `decode_predictions` downloads ImageNet's class names; with the random
# stand-in there are no meaningful classes, so only indices are shown.

# %% listing="5.56"
preds = model.predict(x, verbose=0)
if model.weights_source == "imagenet":
    print("Predicted:", decode_predictions(preds, top=3)[0])
else:
    top3 = np.argsort(-preds[0])[:3]
    print("Predicted (random weights, class indices):", [(int(i), float(preds[0, i])) for i in top3])

# %% [markdown]
# ### Listing 5.57 — Retrieving the index of maximum prediction
#
# The book gets 386, "African elephant". With real weights and the book's photo
# the two numbers are recorded for the report.

# %% listing="5.57"
class_index = int(np.argmax(preds[0]))
print(class_index)

# %% [markdown]
# ### Listing 5.58 — Setting up the Grad-CAM algorithm
#
# Gradient of the top class's score with respect to the last convolutional
# layer's output (`block5_conv3`, 14×14×512); the mean gradient of each channel
# weighs that channel; the weighted channels combined are the heatmap.
#
# > **Changed: Keras 3 / TF 2 API.** A model from the picture to the feature map and one
# > from the feature map to the predictions take the place of the book's symbolic
# > `model.output[:, 386]`, and `input_gradient` (see listing 5.46, in
# > `dlwp_widgets/gradients.py`) the place of `K.gradients`.
#
# > **Changed: changed result.** The book averages the 512 weighted channels
# > (`np.mean(..., axis=-1)`); this cell sums them, a constant factor of 512 that the
# > next listing's division by the maximum removes: the normalised heatmaps are
# > identical.

# %% listing="5.58"
last_conv_layer = model.get_layer("block5_conv3")
conv_model = keras.Model(inputs=model.inputs[0], outputs=last_conv_layer.output)
classifier = keras.Model(inputs=last_conv_layer.output, outputs=model.outputs[0])
conv_layer_output = conv_model(x)
class_output = lambda output: (keras.ops.sum(classifier(output)[:, class_index]), ())
_, _, grads = input_gradient(class_output, compile=False)(conv_layer_output)
pooled_grads = keras.ops.mean(grads, axis=(0, 1, 2))
heatmap = keras.ops.convert_to_numpy(keras.ops.sum(conv_layer_output[0] * pooled_grads, axis=-1))

# %% tags=["nbval-check-output"]
print(pooled_grads.shape, heatmap.shape)

# %% [markdown]
# ### Listing 5.59 — Heatmap post-processing
#
# Keep the positive evidence and scale to [0, 1]. The book divides by the
# maximum, which is 0 when no region speaks for the class (a division by zero):
# then the heatmap stays zero.

# %% listing="5.59"
heatmap = np.maximum(heatmap, 0)
peak = heatmap.max()
heatmap = heatmap / peak if peak > 0 else heatmap
plt.matshow(heatmap)
plt.show()

# %% [markdown]
# ### Listing 5.60 — Superimposing the heatmap with the original picture, and saving it to disk
#
# Without OpenCV: matplotlib's "jet" colours, resized to the photo, and blended.
#
# > **Changed: changed result.** The book adds 40% of the heatmap to the photo at full
# > strength (`heatmap * 0.4 + img`), a float sum that goes past 255 wherever the
# > heatmap is bright and is clipped when written, so hot regions wash out to white;
# > here the photo keeps 60% (`0.4 * heatmap + 0.6 * photo`), which stays within 0–255
# > and keeps the picture visible under the colours.
#
# > **Changed: our addition.** The file goes to the companion's output folder, not a
# > fixed path.

# %% listing="5.60"
from matplotlib import colormaps

coloured = keras.utils.img_to_array(
    keras.utils.array_to_img(colormaps["jet"](heatmap)[..., :3] * 255).resize((photo.shape[1], photo.shape[0]))
)
superimposed = np.clip(coloured * 0.4 + photo * 0.6, 0, 255).astype("uint8")
cam_path = convnets.saved_model_path("elephant_cam.jpg")
keras.utils.save_img(cam_path, superimposed)
plt.imshow(superimposed)
plt.axis("off")
plt.show()

# %% tags=["nbval-check-output"]
print(superimposed.shape == photo.shape, superimposed.dtype)

# %% [markdown]
# ### Try it: the Grad-CAM viewer
#
# Top-5 predictions, a class picker, and an opacity slider; the last
# convolutional layer is found automatically (also inside nested models, as in
# section 5.3). Upload any photo. Heatmaps are cached per class, so moving the
# opacity slider is instant. First VGG16 (noise with the random stand-in), then
# the cats-vs-dogs convnet of 5.4.1 on the test cat.

# %%
from dlwp_widgets.widgets.gradcam_viewer import GradCAMViewer

vgg_viewer = GradCAMViewer(model, photo, preprocess=preprocess_input)
vgg_viewer

# %%
cat_viewer = GradCAMViewer(activation_browser.model, img_tensor[0] * 255, class_names=["cat", "dog"])
cat_viewer

# %% tags=["nbval-check-output"]
print(vgg_viewer.layer_path, vgg_viewer.last_heatmap.shape, len(vgg_viewer.last_predictions))
print(cat_viewer.last_error, vgg_viewer.last_error)
print(cat_viewer.layer_path[0].startswith("conv2d"), cat_viewer.last_heatmap.shape)

# %% [markdown]
# ## This run against the book
#
# The headline numbers of this notebook beside the book's. On stand-in data they are
# not comparable with the book; what they show is whether each model beat its trivial baseline.

# %%
from dlwp_widgets.book import record, against_the_book

if model.weights_source == "imagenet" and have_elephant:
    record("vgg16_elephant_top1_probability", float(preds[0, class_index]))
    record("vgg16_elephant_class_index", class_index)
else:
    print("Not recorded: the book's numbers need the ImageNet weights and the book's elephant photo.")

against_the_book()
