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
# # 7.2 Inspecting and monitoring deep learning models: using Keras callbacks and TensorBoard
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch07_advanced_deep_learning_best_practices/7.2-inspecting-and-monitoring-deep-learning-models.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch07_advanced_deep_learning_best_practices%2F7.2-inspecting-and-monitoring-deep-learning-models.ipynb)
#
# Callbacks let a training run act on itself: stop when validation stops
# improving, keep the best model, lower the learning rate on a plateau, or record
# anything you like after each epoch. TensorBoard then shows what happened: curves,
# weight histograms and the learned word embedding in its projector. The callback
# listings run on chapter 2's MNIST network; the TensorBoard ones on the book's
# IMDB 1D convnet. Logs, checkpoints and plots go to a temporary folder, never the
# repository.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 20  # the book's epochs for the IMDB convnet with TensorBoard (listing 7.26)
CALLBACK_EPOCHS = 10  # the book's epochs for the callback examples (listings 7.20-7.21)
DATA_SOURCE = "auto"  # "real", "standin" or "auto"
SEED = 0

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)

# %% [markdown]
# ## 7.2.1 Using callbacks to act on a model during training
#
# ### Listing 7.19 — Some of the built-in Keras callbacks
#
# The book lists five callback classes; all exist under `keras.callbacks`, beside newer
# ones such as `BackupAndRestore`.

# %% listing="7.19" tags=["nbval-check-output"]
import keras

for callback_class in (
    keras.callbacks.ModelCheckpoint,
    keras.callbacks.EarlyStopping,
    keras.callbacks.LearningRateScheduler,
    keras.callbacks.ReduceLROnPlateau,
    keras.callbacks.CSVLogger,
):
    print(callback_class.__name__)

# %% [markdown]
# The book's callback listings train an unnamed model on `x`, `y`, `x_val` and
# `y_val`. Filled in: chapter 2's MNIST network (512 ReLU units, softmax over ten
# digits) on 50,000 training and 10,000 validation images (a few thousand in
# smoke mode), and a temporary folder for the files the callbacks write (it is
# removed when the kernel stops, so runs leave nothing behind).

# %%
import tempfile
from pathlib import Path

import numpy as np
from keras import layers

from dlwp_widgets.datasets import mnist

scratch = tempfile.TemporaryDirectory(prefix="dlwp-7.2-")  # removed when the kernel stops
work_dir = Path(scratch.name)
(train_images, train_labels), _ = mnist.load_data(source=run.data_source)
images = train_images.reshape((-1, 28 * 28)).astype("float32") / 255
labels = keras.utils.to_categorical(train_labels, 10)
train_count, val_count = run.pick(50_000, 4_000), run.pick(10_000, 1_000)
x, y = images[:train_count], labels[:train_count]
x_val, y_val = images[-val_count:], labels[-val_count:]
callback_epochs = run.pick(CALLBACK_EPOCHS, 2)

model = keras.Sequential([keras.Input(shape=(28 * 28,)), layers.Dense(512, activation="relu"), layers.Dense(10, activation="softmax")])
print(x.shape, x_val.shape, "files under", work_dir)

# %% [markdown]
# ### Listing 7.20 — Using Callbacks: example with EarlyStopping and ModelCheckpoint
#
# Training stops once validation accuracy has not improved for more than one
# epoch, and the model is saved after each epoch in which the validation loss
# improved.
#
# > **Changed: book bug fixed.** The book monitors `'acc'`, the *training* accuracy,
# > while its comment speaks of validation accuracy; the port monitors `val_accuracy`.
#
# > **Changed: Keras 3 / TF 2 API.** The checkpoint file is a `.keras` file (the book's
# > `.h5` is Keras' legacy format).
#
# > **Changed: our addition.** The book's fragment has no model or data: it is filled in
# > with the MNIST model above (10 classes), so the loss is `categorical_crossentropy`
# > where the fragment compiles with `binary_crossentropy`.

# %% listing="7.20"
callbacks_list = [
    keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=1),
    keras.callbacks.ModelCheckpoint(filepath=str(work_dir / "my_model.keras"), monitor="val_loss", save_best_only=True),
]
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
history = model.fit(
    x, y, epochs=callback_epochs, batch_size=32, callbacks=callbacks_list, validation_data=(x_val, y_val), verbose=2
)

# %% tags=["nbval-check-output"]
print(sorted(p.name for p in work_dir.iterdir()))

# %% [markdown]
# ### Listing 7.21 — Using the ReduceLRonPlateau Callback
#
# Divide the learning rate by 10 when the validation loss has not improved for 10
# epochs. Training continues the model above; with the book's patience of 10 the rate
# only drops in a long run, so the cell prints it.
#
# > **Changed: book bug fixed.** The class is `ReduceLROnPlateau` (capital O), not
# > `ReduceLRonPlateau`.

# %% listing="7.21"
callbacks_list = [keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=10)]
model.fit(x, y, epochs=callback_epochs, batch_size=32, callbacks=callbacks_list, validation_data=(x_val, y_val), verbose=2)
print(f"learning rate now: {float(model.optimizer.learning_rate.numpy()):g}")

# %% [markdown]
# ### Listing 7.22 — Overview of Callback methods
#
# The hooks a callback can implement. Filled in: each method counts its calls,
# and one epoch on 1,024 images in batches of 256 (plus validation) shows when
# each is called.
#
# > **Changed: Keras 3 / TF 2 API.** The batch hooks are `on_train_batch_begin/end`; the
# > book's `on_batch_begin/end` remain as aliases.

# %% listing="7.22"
from collections import Counter


class CallCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = Counter()

    def on_epoch_begin(self, epoch, logs=None):
        self.calls["on_epoch_begin"] += 1

    def on_epoch_end(self, epoch, logs=None):
        self.calls["on_epoch_end"] += 1

    def on_train_batch_begin(self, batch, logs=None):
        self.calls["on_train_batch_begin"] += 1

    def on_train_batch_end(self, batch, logs=None):
        self.calls["on_train_batch_end"] += 1

    def on_train_begin(self, logs=None):
        self.calls["on_train_begin"] += 1

    def on_train_end(self, logs=None):
        self.calls["on_train_end"] += 1


counter = CallCounter()
model.fit(x[:1024], y[:1024], epochs=1, batch_size=256, validation_data=(x_val[:256], y_val[:256]), callbacks=[counter], verbose=0)

# %% tags=["nbval-check-output"]
print(dict(sorted(counter.calls.items())))

# %% [markdown]
# ### Listing 7.23 — Writing a custom Callback
#
# After each epoch, save the activations of every layer on one validation sample.
#
# > **Changed: Keras 3 / TF 2 API.** Callbacks do not receive `self.validation_data`, so
# > the sample is given to the constructor; `set_model` must call the base class (which
# > stores the model).
#
# > **Changed: book bug fixed.** The book opens the `.npz` file in text mode (`'w'`),
# > where `np.savez` takes the path itself, and saves the list of activations as one
# > array: layer outputs of different shapes make a ragged array, which NumPy refuses,
# > so `np.savez(path, *activations)` stores one array per layer (`arr_0`, `arr_1`,
# > ...).
#
# > **Changed: our addition.** Two epochs on 2,048 images show the callback at work (one
# > file per epoch); the book only defines the class.

# %% listing="7.23"
class ActivationLogger(keras.callbacks.Callback):
    def __init__(self, validation_sample, folder):
        super().__init__()
        self.validation_sample = validation_sample
        self.folder = folder

    def set_model(self, model):
        super().set_model(model)
        layer_outputs = [layer.output for layer in model.layers]
        self.activations_model = keras.Model(model.inputs, layer_outputs)

    def on_epoch_end(self, epoch, logs=None):
        activations = self.activations_model.predict(self.validation_sample, verbose=0)
        np.savez(self.folder / f"activations_at_epoch_{epoch}.npz", *activations)


model.fit(x[:2048], y[:2048], epochs=2, batch_size=128, callbacks=[ActivationLogger(x_val[:1], work_dir)], verbose=0)

# %% tags=["nbval-check-output"]
with np.load(work_dir / "activations_at_epoch_1.npz") as saved:
    print(sorted(p.name for p in work_dir.glob("activations_*")), [saved[key].shape for key in saved.files])

# %% [markdown]
# ## 7.2.2 Introduction to TensorBoard: the TensorFlow visualization framework
#
# ### Listing 7.24 — A simple text classification model that we will use with a TensorBoard Callback
#
# IMDB reviews with the 2,000 most frequent words, cut or padded to 500 words
# (the book's text speaks of 10,000 embedded words; its code uses 2,000). The
# embedding layer is named so that its weights are easy to find later.
#
# > **Changed: book bug fixed.** The last `Dense(1)` has no sigmoid although the loss is
# > binary cross-entropy on probabilities; it is added.
#
# > **Changed: Keras 3 / TF 2 API.** `pad_sequences` is called from `keras.utils`, and
# > `Embedding` has no `input_length=` (the `Input` gives the length).

# %% listing="7.24"
from dlwp_widgets.datasets import imdb

max_features = 2000
max_len = 500

(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=max_features, source=run.data_source)
x_train = keras.utils.pad_sequences(x_train, maxlen=max_len)
x_test = keras.utils.pad_sequences(x_test, maxlen=max_len)

model = keras.Sequential(
    [
        keras.Input(shape=(max_len,)),
        layers.Embedding(max_features, 128, name="embed"),
        layers.Conv1D(32, 7, activation="relu"),
        layers.MaxPooling1D(5),
        layers.Conv1D(32, 7, activation="relu"),
        layers.GlobalMaxPooling1D(),
        layers.Dense(1, activation="sigmoid"),
    ]
)
model.summary()
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])

# %% tags=["nbval-check-output"]
print(x_train.shape[1:], f"{model.count_params():,} parameters")

# %% [markdown]
# ### Listing 7.25 — Create a directory for the log files that the TensorBoard Callback will generate
#
# > **Changed: our addition.** The book's shell `mkdir my_log_dir` runs from the
# > notebook, inside a temporary folder, so nothing is written next to the notebook.

# %% listing="7.25"
import os

log_dir = work_dir / "my_log_dir"
os.makedirs(log_dir, exist_ok=True)

# %% [markdown]
# ### Listing 7.26 — Training our model together with a TensorBoard Callback
#
# Curves every epoch, weight histograms every epoch (`histogram_freq=1`) and the
# embedding for the projector (`embeddings_freq=1`), with 20% of the training
# reviews held out for validation. In smoke mode the model trains on 2,000
# reviews for one epoch (too little to learn much: it only shows the logs).
#
# > **Changed: Keras 3 / TF 2 API.** Keras 3.15's TensorBoard callback still writes a
# > `projector_config.pbtxt` naming the tensor
# > `layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE` of a TensorFlow
# > checkpoint, but saves the weights as `train/keras_embedding.ckpt-N.weights.h5`, a
# > Keras file the projector cannot read, so the projector shows nothing. The cell after
# > the listing writes the projector's files itself with `tensorboard.plugins.projector`
# > (in `dlwp_widgets.monitoring.write_projector`): the trained `Embedding` matrix and
# > one word per row as TSV files, and a config naming them. The book's
# > `embeddings_data` argument does not exist in Keras 3.

# %% listing="7.26"
train_reviews = run.pick(len(x_train), 2000)
callbacks = [keras.callbacks.TensorBoard(log_dir=str(log_dir), histogram_freq=1, embeddings_freq=1)]
history = model.fit(
    x_train[:train_reviews],
    y_train[:train_reviews],
    epochs=run.epochs,
    batch_size=128,
    validation_split=0.2,
    callbacks=callbacks,
    verbose=2,
)

# %%
from dlwp_widgets import monitoring

word_index = imdb.get_word_index(source=run.data_source)
words = monitoring.vocabulary_labels(word_index, max_features)
embeddings = model.get_layer("embed").embeddings.numpy()
monitoring.write_projector(log_dir, embeddings, words)

# %% tags=["nbval-check-output"]
print(sorted(p.name for p in log_dir.iterdir()), embeddings.shape)

# %% [markdown]
# ### Listing 7.27 — Launching the TensorBoard server from the command line
#
# The book runs `tensorboard --logdir=my_log_dir` in a shell and opens
# http://localhost:6006. In Jupyter the same server opens inside the notebook
# with two magics, `%load_ext tensorboard` and `%tensorboard --logdir ...`. The
# cell below runs them only in an interactive front end (JupyterLab, Colab):
# under papermill, nbval or `dlwp book run` (which set `DLWP_STATIC_PLOTS=1`) it
# only prints the command, so no server is left running. In a terminal:
# `tensorboard --logdir <the folder printed below>`.

# %% listing="7.27"
from dlwp_widgets.training import interactive_frontend

if interactive_frontend():
    get_ipython().run_line_magic("load_ext", "tensorboard")
    get_ipython().run_line_magic("tensorboard", f"--logdir {log_dir}")
else:
    print(f"tensorboard --logdir {log_dir}")

# %% [markdown]
# Either way, the cell below starts a real TensorBoard server on 127.0.0.1
# (`dlwp_widgets.monitoring.TensorBoardServer`), asks its HTTP API what it found
# in the logs, and stops it: the training curves (scalars), the weight histograms
# and the projector's embedding (with its word labels).

# %%
with monitoring.TensorBoardServer(log_dir) as board:
    scalars = board.wait_for("/data/plugin/scalars/tags", lambda tags: {"train", "validation"} <= set(tags or {}))
    histograms = board.wait_for("/data/plugin/histograms/tags", lambda tags: bool(tags and tags.get("train")))
    projector_config = board.get_json("/data/plugin/projector/info?run=.")
print("scalars:", sorted(scalars["train"]))
print("histograms:", sorted(histograms["train"]))
print("projector:", [(e["tensorName"], e["tensorShape"]) for e in projector_config["embeddings"]])

# %% [markdown]
# ### Listing 7.28 — Visualizing model topology using plot_model
#
# `plot_model` draws the model's graph with pydot and Graphviz's `dot` program,
# here for the IMDB convnet, into the temporary folder.
#
# > **Changed: our addition.** Without `dot` the cell says what to install (`apt-get
# > install graphviz`, `brew install graphviz` or `conda install graphviz`; `dlwp
# > doctor` checks it) rather than failing.

# %% listing="7.28"
import shutil

from IPython.display import Image, display

if shutil.which("dot"):
    keras.utils.plot_model(model, to_file=str(work_dir / "model.png"))
    display(Image(filename=str(work_dir / "model.png")))
else:
    print("plot_model needs Graphviz's `dot`: apt-get install graphviz | brew install graphviz | conda install graphviz")

# %% [markdown]
# ### Listing 7.29 — Visualizing model topology using plot_model and the show_shapes option
#
# The same graph with each layer's input and output shapes.

# %% listing="7.29"
if shutil.which("dot"):
    keras.utils.plot_model(model, show_shapes=True, to_file=str(work_dir / "model_with_shapes.png"))
    display(Image(filename=str(work_dir / "model_with_shapes.png")))
else:
    print("plot_model needs Graphviz's `dot`: apt-get install graphviz | brew install graphviz | conda install graphviz")

# %% [markdown]
# ## This run against the book
#
# The book's only result in this section is qualitative: in the projector, the
# learned word embedding shows two clusters, positive and negative words. Here it
# becomes a number: the 50 words most associated with positive reviews and the 50
# most associated with negative ones (smoothed log-odds of appearing in a positive
# vs a negative training review), projected to 2-D by PCA as the projector does,
# and the leave-one-out accuracy of telling them apart by the nearer class centre.
# Chance is 0.5. The claim is made only in full mode: a smoke run trains on a few
# thousand reviews for two epochs, too little to promise clusters.

# %%
from dlwp_widgets.book import record, against_the_book

positive_ids, negative_ids = monitoring.class_words(x_train, y_train, max_features, count=50)
word_ids = np.concatenate([positive_ids, negative_ids])
separation = monitoring.projection_separation(embeddings[word_ids], np.repeat([True, False], 50))
print("most positive:", [words[i] for i in positive_ids[:8]])
print("most negative:", [words[i] for i in negative_ids[:8]])
record("imdb_embedding_pca_separation", separation, baseline=None if run.smoke else 0.5, datasets=["imdb"])
record("imdb_tensorboard_convnet_val_accuracy", history.history["val_accuracy"][-1], baseline=None if run.smoke else 0.5,
       datasets=["imdb"])

against_the_book()
