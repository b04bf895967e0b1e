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
# # 5.3 Using a pre-trained convnet
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch05_deep_learning_for_computer_vision/5.3-using-a-pre-trained-convnet.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch05_deep_learning_for_computer_vision%2F5.3-using-a-pre-trained-convnet.ipynb)
#
# A network trained on 1.4 million ImageNet photos already knows edges, textures
# and object parts. Reusing its convolutional base (VGG16) on our 2,000 photos
# gives about 90% with stored features, about 96% when the frozen base is run on
# augmented images, and 97% on the test set after fine-tuning its last block.
# Without internet access the ImageNet weights cannot be downloaded: the cells
# then run on a clearly-labelled random VGG16, which checks the code, not the
# book's numbers. The last two trainings are slow without a GPU.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 30  # the book's setting for the classifier on stored features (listing 5.26)
EPOCHS_FROZEN = 30  # end to end with a frozen base (listing 5.31)
EPOCHS_FINE_TUNING = 100  # fine-tuning block 5 (listing 5.34)
DATA_SOURCE = "auto"  # "real", "standin" or "auto"
SEED = 0

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)

# %%
EPOCHS_FROZEN = config.resolve(smoke=run.smoke, epochs=EPOCHS_FROZEN).epochs
EPOCHS_FINE_TUNING = config.resolve(smoke=run.smoke, epochs=EPOCHS_FINE_TUNING).epochs
print("epochs:", run.epochs, EPOCHS_FROZEN, EPOCHS_FINE_TUNING)

# %% [markdown]
# The images of section 5.2 (a few per class in a smoke run: VGG16 is heavy on a CPU).

# %%
from dlwp_widgets.datasets import cats_vs_dogs
from dlwp_widgets.pipelines import images as image_pipelines

base_dir = cats_vs_dogs.load_data(source=run.data_source)
data_dir = cats_vs_dogs.subset(base_dir, run.pick(None, 10), seed=run.seed)
chance = run.pick(0.5, None)  # a smoke run's few images cannot beat a coin flip: no baseline claimed
train_dir, validation_dir, test_dir = (data_dir / split for split in ("train", "validation", "test"))
counts = {split: sum(classes.values()) for split, classes in cats_vs_dogs.count_images(data_dir).items()}
print(counts)

# %% [markdown]
# ## 5.3.1 Feature extraction
#
# ### Listing 5.24 — Instantiating the VGG16 convolutional base
#
# `include_top=False` drops VGG16's ImageNet classifier; `input_shape` fixes the
# image size. The companion's wrapper loads the ImageNet weights with the md5
# that `keras.applications` pins (data source `real`/`auto`), or, when they
# cannot be had, builds the same network with random weights and says so
# (`standin`). `conv_base.weights_source` records which one you got.

# %% listing="5.24"
from dlwp_widgets.models.convnets import vgg16_conv_base

conv_base = vgg16_conv_base(source=run.data_source, input_shape=(150, 150, 3))
print("weights:", conv_base.weights_source)

# %% [markdown]
# ### Listing 5.25 — Displaying a summary of the convolutional base
#
# Five blocks of 3×3 convolutions, each ending with a 2×2 max-pooling: a 150×150
# image becomes a (4, 4, 512) feature map.

# %% listing="5.25"
conv_base.summary()

# %% tags=["nbval-check-output"]
print("output:", conv_base.output_shape)
print(f"Total params: {conv_base.count_params():,}")

# %% [markdown]
# ### Listing 5.26 — Extracting features using the pre-trained convolutional base
#
# Run every image through the base once, keep the (4, 4, 512) features, and
# train a small dense classifier on them. Like the book, the images are only scaled to
# [0, 1] (not VGG16's own `preprocess_input`); it works, and reproduces the book.
#
# > **Changed: book bug fixed.** The book's loop has its stop condition outside the
# > `for` loop (as printed it never ends); here the loop ends after the last batch.
#
# > **Changed: Keras 3 / TF 2 API.** A shuffling dataset would mix up features and
# > labels, so the dataset is read in file order (`shuffle=False`) and each batch's
# > labels are stored next to its features. The `tf.data` batches go to
# > `predict_on_batch` as NumPy arrays (`.numpy()`): every Keras backend takes those,
# > a TensorFlow tensor only TensorFlow.

# %% listing="5.26"
import keras
import numpy as np
from keras import layers

batch_size = 20


def extract_features(directory):
    dataset = image_pipelines.image_dataset(directory, batch_size=batch_size, shuffle=False)
    features, labels = [], []
    for inputs_batch, labels_batch in dataset:
        features.append(conv_base.predict_on_batch(inputs_batch.numpy()))
        labels.append(labels_batch.numpy()[:, 0])
    return np.concatenate(features), np.concatenate(labels)


train_features, train_labels = extract_features(train_dir)
validation_features, validation_labels = extract_features(validation_dir)
test_features, test_labels = extract_features(test_dir)

train_features = train_features.reshape((len(train_features), 4 * 4 * 512))
validation_features = validation_features.reshape((len(validation_features), 4 * 4 * 512))
test_features = test_features.reshape((len(test_features), 4 * 4 * 512))

classifier = keras.Sequential(
    [
        keras.Input(shape=(4 * 4 * 512,)),
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(1, activation="sigmoid"),
    ]
)
classifier.compile(optimizer=keras.optimizers.RMSprop(learning_rate=2e-5), loss="binary_crossentropy", metrics=["accuracy"])
history = classifier.fit(
    train_features,
    train_labels,
    epochs=run.epochs,
    batch_size=20,
    validation_data=(validation_features, validation_labels),
    verbose=run.pick(0, 2),
)

# %% tags=["nbval-check-output"]
print(train_features.shape[1:], "features per image; labels of the first and last batch:",
      train_labels[:3], train_labels[-3:])

# %% [markdown]
# ### Listing 5.27 — Plotting our results
#
# The book: about 90% validation accuracy, and overfitting almost from the
# start (2,000 images are few for 2 million classifier weights, even with
# dropout). Training on stored features takes well under a second per epoch.

# %% listing="5.27"
from dlwp_widgets.plots import plot_history

plot_history(history, ["accuracy", "loss"]);

# %%
features_history = history.history  # kept for the comparison in the last cell

# %% [markdown]
# ### Listing 5.28 — Adding a densely-connected classifier on top of the convolutional base
#
# The second way: the conv base becomes the first layer of a bigger model, so
# every training image can be augmented on its way in. VGG16 stays a nested
# model inside the `Sequential`; the Grad-CAM viewer at the end of this notebook
# copes with that.

# %% listing="5.28"
model = keras.Sequential(
    [
        keras.Input(shape=(150, 150, 3)),
        conv_base,
        layers.Flatten(),
        layers.Dense(256, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ]
)

# %% [markdown]
# ### Listing 5.29 — Summary of the extended model

# %% listing="5.29"
model.summary()

# %% tags=["nbval-check-output"]
for layer in model.layers:
    print(f"{type(layer).__name__:11} {str(layer.output.shape):20} {layer.count_params():>11,}")
print(f"Total params: {model.count_params():,}")

# %% [markdown]
# ### Listing 5.30 — Freezing the convolutional base
#
# Freeze VGG16 so the random new head cannot wreck its learned filters. Only the
# two `Dense` layers' kernels and biases remain trainable. As in the book,
# `trainable` must be set before `compile` (or the model recompiled after).

# %% listing="5.30" tags=["nbval-check-output"]
print("This is the number of trainable weights before freezing the conv base:", len(model.trainable_weights))
conv_base.trainable = False
print("This is the number of trainable weights after freezing the conv base:", len(model.trainable_weights))

# %% [markdown]
# ### Listing 5.31 — Training the model end-to-end with a frozen convolutional base
#
# Augmentation as in listing 5.19 (the package's copy of it), batches of 20,
# RMSprop with a learning rate of 2e-5. Every image now goes through VGG16 in
# every epoch: the book calls this intractable without a GPU. Each epoch is one
# pass over the finite datasets (the book's `steps_per_epoch=100` with batches
# of 20 is the same 2,000 images).

# %% listing="5.31"
from dlwp_widgets.training import LiveCurves

augmentation = image_pipelines.augmentation(seed=run.seed)
train_dataset = image_pipelines.image_dataset(train_dir, batch_size=20, seed=run.seed)
validation_dataset = image_pipelines.image_dataset(validation_dir, batch_size=20, seed=run.seed)

model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.RMSprop(learning_rate=2e-5), metrics=["accuracy"])
history = model.fit(
    image_pipelines.training_pipeline(train_dataset, augment=augmentation),
    epochs=EPOCHS_FROZEN,
    validation_data=image_pipelines.training_pipeline(validation_dataset),
    verbose=0,
    callbacks=[LiveCurves(["accuracy", "loss"], title="frozen VGG16 + augmentation")],
)

# %%
frozen_history = history.history  # kept for the fine-tuning comparison below

# %% [markdown]
# ## 5.3.2 Fine-tuning
#
# ### Listing 5.32 — Displaying a summary of the convolutional base
#
# Fine-tuning unfreezes the top of the base. Which layers are those? The names
# are in the summary: block 5 holds `block5_conv1` to `block5_conv3`.

# %% listing="5.32"
conv_base.summary()

# %% [markdown]
# ### Listing 5.33 — Freezing all layers up to a specific one
#
# Make the base trainable again, then switch every layer off until
# `block5_conv1`. Earlier layers hold generic features (edges, colours); the
# last block holds the most ImageNet-specific ones, which are worth adapting.

# %% listing="5.33"
conv_base.trainable = True

set_trainable = False
for layer in conv_base.layers:
    if layer.name == "block5_conv1":
        set_trainable = True
    layer.trainable = set_trainable

# %% tags=["nbval-check-output"]
print([layer.name for layer in conv_base.layers if layer.trainable and layer.weights])
print("trainable weight tensors of the whole model:", len(model.trainable_weights))

# %% [markdown]
# ### Listing 5.34 — Fine-tuning our model
#
# Recompile (the new `trainable` flags only count after `compile`) with a very
# small learning rate, so the updates to block 5 stay small.

# %% listing="5.34"
model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.RMSprop(learning_rate=1e-5), metrics=["accuracy"])
history = model.fit(
    image_pipelines.training_pipeline(train_dataset, augment=augmentation),
    epochs=EPOCHS_FINE_TUNING,
    validation_data=image_pipelines.training_pipeline(validation_dataset),
    verbose=0,
    callbacks=[LiveCurves(["accuracy", "loss"], title="fine-tuning block 5")],
)

# %% [markdown]
# ### Listing 5.35 — Smoothing our plots
#
# The fine-tuning curves are noisy; an exponential moving average (factor 0.8)
# shows the trend. The book finds about one point of validation accuracy gained,
# with a loss curve that does not improve (the loss averages confidences, the
# accuracy only counts which side of 0.5 they fall on). Then the test set, which
# no training decision has seen: the book reports 97%.

# %% listing="5.35"
from dlwp_widgets.plots import smooth_curve

plot_history(history, ["accuracy", "loss"], smoothing=0.8);

test_dataset = image_pipelines.image_dataset(test_dir, batch_size=20, shuffle=False)
test_loss, test_acc = model.evaluate(test_dataset, verbose=0)
print("test acc:", test_acc)

# %% [markdown]
# ## Try it: where does the model look?
#
# Grad-CAM (explained in section 5.4) on the fine-tuned model: pick "cat" or
# "dog" and move the opacity slider; upload a photo of your own. The last
# convolutional layer sits inside the nested VGG16 base; the viewer finds it and
# builds its gradient model through the nesting (the naive way fails with
# "Graph disconnected"). With random stand-in weights the heatmap is noise.

# %%
from dlwp_widgets.widgets.gradcam_viewer import GradCAMViewer

picture = keras.utils.img_to_array(keras.utils.load_img(sorted((test_dir / "cats").iterdir())[0]))
viewer = GradCAMViewer(model, picture, class_names=["cat", "dog"])
viewer

# %% tags=["nbval-check-output"]
print(viewer.layer_path, viewer.last_heatmap.shape, viewer.last_error)

# %% [markdown]
# ## This run against the book
#
# The headline numbers of this notebook beside the book's. On stand-in data they are
# not comparable with the book; what they show is whether each model beat its trivial baseline.

# %%
from dlwp_widgets.book import record, against_the_book

# Fine-tuning must not make things worse: its gain is judged against zero (full runs only).
fine_tuned = smooth_curve(history.history["val_accuracy"])[-1]
frozen = smooth_curve(frozen_history["val_accuracy"])[-1]
no_gain = run.pick(0.0, None)

record("vgg16_features_val_accuracy", features_history["val_accuracy"][-1], baseline=chance)
record("vgg16_frozen_val_accuracy", frozen_history["val_accuracy"][-1], baseline=chance)
record("vgg16_finetune_val_accuracy_gain", fine_tuned - frozen, baseline=no_gain)
record("vgg16_finetuned_test_accuracy", test_acc, baseline=chance)

against_the_book()
