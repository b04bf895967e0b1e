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
# # 7.1 Going beyond the Sequential model: the Keras functional API
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch07_advanced_deep_learning_best_practices/7.1-going-beyond-the-sequential-model-the-keras-functional-api.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch07_advanced_deep_learning_best_practices%2F7.1-going-beyond-the-sequential-model-the-keras-functional-api.ipynb)
#
# A `Sequential` model is a single stack of layers. The functional API treats layers
# as functions on tensors, so a model can take several inputs, produce several
# outputs, branch and merge (Inception modules, residual connections), reuse one
# layer in two places, or call a whole model as a layer. Most of the book's
# listings here are schematics with `x = ...` placeholders; every cell below runs,
# on the smallest concrete data (random arrays of the right shapes) that shows the
# point, and the markdown says what was filled in.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 10  # the book's epochs for every toy fit in this section (listings 7.5, 7.7, 7.11)
DATA_SOURCE = "auto"  # "real", "standin" or "auto" (this section uses only random arrays)
SEED = 0
SAMPLES = 1000  # random samples for each toy fit (the book's 1,000 of listing 7.5)

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)

# %% [markdown]
# ## 7.1.1 Introduction to the functional API
#
# ### Listing 7.1 — Calling layers as function in the functional API
#
# An `Input` is a symbolic tensor; calling a layer on it returns another one.
# `keras.Input` is the book's call, unchanged.

# %% listing="7.1"
import keras
from keras import layers

input_tensor = keras.Input(shape=(32,))
dense = layers.Dense(32, activation="relu")
output_tensor = dense(input_tensor)

# %% tags=["nbval-check-output"]
print(output_tensor.shape)

# %% [markdown]
# ### Listing 7.2 — The functional API equivalent to a Sequential model
#
# The same three-layer network twice.
#
# > **Changed: Keras 3 / TF 2 API.** The book gives the `Sequential` version an
# > `input_shape=` argument; Keras 3 wants a `keras.Input` as the first element.

# %% listing="7.2"
seq_model = keras.Sequential(
    [
        keras.Input(shape=(64,)),
        layers.Dense(32, activation="relu"),
        layers.Dense(32, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ]
)

input_tensor = keras.Input(shape=(64,))
x = layers.Dense(32, activation="relu")(input_tensor)
x = layers.Dense(32, activation="relu")(x)
output_tensor = layers.Dense(10, activation="softmax")(x)
model = keras.Model(input_tensor, output_tensor)

# %% [markdown]
# ### Listing 7.3 — Summary of the functional model
#
# 64·32 + 32 + 32·32 + 32 + 32·10 + 10 = 3,466 weights, as in the book, and the
# same count as the `Sequential` twin.

# %% listing="7.3"
model.summary()

# %% tags=["nbval-check-output"]
print(f"functional: {model.count_params():,} parameters; Sequential: {seq_model.count_params():,}")

# %% [markdown]
# ### Listing 7.4 — A graph disconnection error
#
# A model whose outputs cannot be reached from its inputs cannot be built.
#
# > **Changed: Keras 3 / TF 2 API.** The book shows Keras 2's `RuntimeError: Graph
# > disconnected`; Keras 3 raises a `ValueError` with a different wording.
#
# > **Changed: our addition.** The cell catches the exception and prints its type and
# > message, so the notebook goes on.

# %% listing="7.4"
unrelated_input = keras.Input(shape=(32,))
try:
    bad_model = keras.Model(unrelated_input, output_tensor)
except Exception as error:
    disconnection_error = error
    print(f"{type(error).__name__}: {error}")

# %% tags=["nbval-check-output"]
print(type(disconnection_error).__name__)

# %% [markdown]
# ### Listing 7.5 — Training models built with the functional API: business as usual
#
# Compiling, training and evaluating are the same as for a `Sequential` model. The
# data are the book's random arrays (1,000 × 64 inputs, 1,000 × 10 targets), so the
# loss means nothing; the point is that `fit` works.

# %% listing="7.5"
import numpy as np

model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
x_train = np.random.random((SAMPLES, 64))
y_train = np.random.random((SAMPLES, 10))
model.fit(x_train, y_train, epochs=run.epochs, batch_size=128, verbose=0)
score = model.evaluate(x_train, y_train, verbose=0)
print(f"loss on the random training data: {score:.4f}")

# %% [markdown]
# ## 7.1.2 Multi-input models
#
# ### Listing 7.6 — Functional API implementation of a two-input question-answering model
#
# A text and a question, each embedded and encoded by its own LSTM, concatenated,
# and a softmax over 500 possible one-word answers.
#
# > **Changed: book bug fixed.** The book calls `Embedding(64, text_vocabulary_size)`,
# > i.e. 64 input words of dimension 10,000, so word ids up to 10,000 are out of range;
# > the vocabulary size comes first.

# %% listing="7.6"
text_vocabulary_size = 10000
question_vocabulary_size = 10000
answer_vocabulary_size = 500

text_input = keras.Input(shape=(None,), dtype="int32", name="text")
embedded_text = layers.Embedding(text_vocabulary_size, 64)(text_input)
encoded_text = layers.LSTM(32)(embedded_text)

question_input = keras.Input(shape=(None,), dtype="int32", name="question")
embedded_question = layers.Embedding(question_vocabulary_size, 32)(question_input)
encoded_question = layers.LSTM(16)(embedded_question)

concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1)
answer = layers.Dense(answer_vocabulary_size, activation="softmax")(concatenated)

model = keras.Model([text_input, question_input], answer)
model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

# %% tags=["nbval-check-output"]
print([tuple(t.shape) for t in model.inputs], "->", tuple(model.output.shape), f"{model.count_params():,} parameters")

# %% [markdown]
# ### Listing 7.7 — Feeding data to a multi-input model
#
# Random word ids for texts and questions of 100 words. The model is fed twice, with a
# list and with a dict keyed by the inputs' names.
#
# > **Changed: book bug fixed.** `num_samples` and `max_length` are never defined: we
# > use 1,000 samples (as in listing 7.5; fewer in smoke mode) and 100 words.
#
# > **Changed: book bug fixed.** `np.random.randint(0, 1, size=...)` draws only zeros,
# > so every one-hot "answer" was all zeros; we draw answer ids in [0, 500) and one-hot
# > encode them.

# %% listing="7.7"
num_samples = run.pick(SAMPLES, 128)
max_length = 100

text = np.random.randint(1, text_vocabulary_size, size=(num_samples, max_length))
question = np.random.randint(1, question_vocabulary_size, size=(num_samples, max_length))
answers = keras.utils.to_categorical(
    np.random.randint(0, answer_vocabulary_size, size=num_samples), answer_vocabulary_size
)

model.fit([text, question], answers, epochs=run.epochs, batch_size=128, verbose=0)
model.fit({"text": text, "question": question}, answers, epochs=run.epochs, batch_size=128, verbose=0)

# %% tags=["nbval-check-output"]
print(text.shape[1:], question.shape[1:], answers.shape[1:], model.predict([text[:2], question[:2]], verbose=0).shape)

# %% [markdown]
# ## 7.1.3 Multi-output models
#
# ### Listing 7.8 — Functional API implementation of a three-output model
#
# One 1D convnet reads a person's social-media posts and predicts three things:
# age (regression), income group (10 classes) and gender (binary).
#
# > **Changed: book bug fixed.** `Embedding(256, vocabulary_size)` has its arguments
# > swapped (as in 7.6), and the model is built from `input_posts`, which does not exist
# > (the input is `posts_input`).

# %% listing="7.8"
vocabulary_size = 50000
num_income_groups = 10

posts_input = keras.Input(shape=(None,), dtype="int32", name="posts")
embedded_posts = layers.Embedding(vocabulary_size, 256)(posts_input)
x = layers.Conv1D(128, 5, activation="relu")(embedded_posts)
x = layers.MaxPooling1D(5)(x)
x = layers.Conv1D(256, 5, activation="relu")(x)
x = layers.Conv1D(256, 5, activation="relu")(x)
x = layers.MaxPooling1D(5)(x)
x = layers.Conv1D(256, 5, activation="relu")(x)
x = layers.Conv1D(256, 5, activation="relu")(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(128, activation="relu")(x)

age_prediction = layers.Dense(1, name="age")(x)
income_prediction = layers.Dense(num_income_groups, activation="softmax", name="income")(x)
gender_prediction = layers.Dense(1, activation="sigmoid", name="gender")(x)

model = keras.Model(posts_input, [age_prediction, income_prediction, gender_prediction])

# %% tags=["nbval-check-output"]
print(model.output_names, f"{model.count_params():,} parameters")

# %% [markdown]
# ### Listing 7.9 — Compilation options of a multi-output model: multiple losses
#
# One loss per output, as a list (in the order of the outputs) or as a dict keyed
# by the output layers' names. Keras adds them into the single loss it minimises.

# %% listing="7.9"
model.compile(optimizer="rmsprop", loss=["mse", "categorical_crossentropy", "binary_crossentropy"])

model.compile(
    optimizer="rmsprop",
    loss={"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
)

# %% [markdown]
# ### Listing 7.10 — Compilation options of a multi-output model: loss weighting
#
# The book's reason for weights: the age's mean squared error typically sits around 3–5
# while the gender's cross-entropy can fall to 0.1, so without weights the largest loss
# dominates the updates. Its weights, 0.25, 1 and 10, bring the three to similar sizes.

# %% listing="7.10"
model.compile(
    optimizer="rmsprop",
    loss=["mse", "categorical_crossentropy", "binary_crossentropy"],
    loss_weights=[0.25, 1.0, 10.0],
)

model.compile(
    optimizer="rmsprop",
    loss={"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
    loss_weights={"age": 0.25, "income": 1.0, "gender": 10.0},
)

# %% [markdown]
# ### Listing 7.11 — Feeding data to a multi-output model
#
# Filled in: `posts` are random word ids (posts of 300 words: the shortest that
# survives the network's five convolutions and two poolings is 269), the ages are
# random years between 18 and 80 standardised to mean 0 and standard deviation 1,
# incomes are one-hot income groups and genders 0/1. The book's batch size, 64; one
# list-form and one dict-form fit.
#
# > **Changed: our addition.** The book's data are left undefined; our standardised
# > random ages give an MSE near 1, not the book's 3–5, so the book's weight of 0.25
# > makes the age loss smaller here than the book intends (the weights are kept as the
# > book's).

# %% listing="7.11"
num_posts = run.pick(SAMPLES, 64)
posts = np.random.randint(1, vocabulary_size, size=(num_posts, 300))
ages = np.random.randint(18, 81, size=num_posts).astype("float32")
age_targets = (ages - ages.mean()) / ages.std()
income_targets = keras.utils.to_categorical(np.random.randint(0, num_income_groups, size=num_posts), num_income_groups)
gender_targets = np.random.randint(0, 2, size=num_posts)

model.fit(posts, [age_targets, income_targets, gender_targets], epochs=run.epochs, batch_size=64, verbose=0)
history = model.fit(
    posts,
    {"age": age_targets, "income": income_targets, "gender": gender_targets},
    epochs=run.epochs,
    batch_size=64,
    verbose=0,
)
print(sorted(history.history))

# %% tags=["nbval-check-output"]
print([tuple(p.shape) for p in model.predict(posts[:3], verbose=0)])

# %% [markdown]
# ## 7.1.4 Directed acyclic graphs of layers
#
# ### Listing 7.12 — Implementing an Inception module with the functional API
#
# Four parallel branches over the same input, concatenated along the channels. Filled
# in: the input `x` is a batch of 32 × 32 feature maps with 64 channels. The whole
# Inception V3 is `keras.applications.InceptionV3`.
#
# > **Changed: book bug fixed.** `AveragePooling2D` has no `activation` argument, and
# > without `padding="same"` the branches end at different sizes (15 × 15, 14 × 14, 13 ×
# > 13) and cannot be concatenated; with it every branch halves the map to 16 × 16.

# %% listing="7.12"
x = keras.Input(shape=(32, 32, 64))

branch_a = layers.Conv2D(128, 1, activation="relu", strides=2, padding="same")(x)

branch_b = layers.Conv2D(128, 1, activation="relu", padding="same")(x)
branch_b = layers.Conv2D(128, 3, activation="relu", strides=2, padding="same")(branch_b)

branch_c = layers.AveragePooling2D(3, strides=2, padding="same")(x)
branch_c = layers.Conv2D(128, 3, activation="relu", padding="same")(branch_c)

branch_d = layers.Conv2D(128, 1, activation="relu", padding="same")(x)
branch_d = layers.Conv2D(128, 3, activation="relu", padding="same")(branch_d)
branch_d = layers.Conv2D(128, 3, activation="relu", strides=2, padding="same")(branch_d)

output = layers.concatenate([branch_a, branch_b, branch_c, branch_d], axis=-1)
inception_module = keras.Model(x, output)

# %% tags=["nbval-check-output"]
feature_maps = np.random.random((2, 32, 32, 64)).astype("float32")
print([tuple(b.shape[1:]) for b in (branch_a, branch_b, branch_c, branch_d)], "->", inception_module(feature_maps).shape)

# %% [markdown]
# ### Listing 7.13 — Implementing a residual connection when feature map sizes are the same: using identity residual connections
#
# The input is added back to the output of three convolutions. Filled in: `x`
# is a 32 × 32 × 128 feature map (the identity shortcut needs the same number of
# channels) and the convolutions use `padding="same"` so the sizes match.

# %% listing="7.13"
x = keras.Input(shape=(32, 32, 128))
y = layers.Conv2D(128, 3, activation="relu", padding="same")(x)
y = layers.Conv2D(128, 3, activation="relu", padding="same")(y)
y = layers.Conv2D(128, 3, activation="relu", padding="same")(y)
y = layers.add([y, x])
identity_block = keras.Model(x, y)

# %% tags=["nbval-check-output"]
print(identity_block(np.random.random((2, 32, 32, 128)).astype("float32")).shape)

# %% [markdown]
# ### Listing 7.14 — Implementing a residual connection when feature map sizes differ: using a linear residual connection
#
# After a pooling the shortcut must be projected to the new shape. Filled in: `x`
# is 32 × 32 × 64.
#
# > **Changed: book bug fixed.** The shortcut `Conv2D(1, strides=2)` has no kernel size
# > and a single filter; it must be a 1 × 1 convolution with 128 filters and stride 2,
# > which maps 32 × 32 × 64 to the block's 16 × 16 × 128.
#
# > **Changed: book bug fixed.** The two main-path 3 × 3 convolutions get
# > `padding="same"`: without it they shrink the map to 28 × 28, pooled to 14 × 14,
# > which cannot be added to the shortcut's 16 × 16.

# %% listing="7.14"
x = keras.Input(shape=(32, 32, 64))
y = layers.Conv2D(128, 3, activation="relu", padding="same")(x)
y = layers.Conv2D(128, 3, activation="relu", padding="same")(y)
y = layers.MaxPooling2D(2, strides=2)(y)
residual = layers.Conv2D(128, 1, strides=2, padding="same")(x)
y = layers.add([y, residual])
projection_block = keras.Model(x, y)

# %% tags=["nbval-check-output"]
print(tuple(residual.shape), tuple(projection_block.output.shape))

# %% [markdown]
# ## 7.1.5 Layer weight sharing
#
# ### Listing 7.15 — Layer weight sharing (i.e. layer reuse) with the functional API: implementing a siamese LSTM model
#
# One `LSTM` layer is called on both sentences, so both go through the same
# weights and the model is symmetric. The fit uses the book's call, with Keras' defaults
# (one epoch, batches of 32).
#
# > **Changed: book bug fixed.** The model is trained without being compiled, on
# > `left_data`, `right_data` and `targets` that do not exist. Filled in: a compile step
# > (RMSprop, binary cross-entropy) and pairs of random "sentences" (10 steps of 128
# > features); half the pairs are a sentence and a noisy copy of it (target 1), half two
# > unrelated sentences (target 0).

# %% listing="7.15"
lstm = layers.LSTM(32)

left_input = keras.Input(shape=(None, 128))
left_output = lstm(left_input)

right_input = keras.Input(shape=(None, 128))
right_output = lstm(right_input)

merged = layers.concatenate([left_output, right_output], axis=-1)
predictions = layers.Dense(1, activation="sigmoid")(merged)

model = keras.Model([left_input, right_input], predictions)
model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])

pairs = run.pick(SAMPLES, 256)
left_data = np.random.normal(size=(pairs, 10, 128)).astype("float32")
targets = np.random.randint(0, 2, size=pairs)
right_data = np.where(
    targets[:, None, None] == 1,
    left_data + 0.3 * np.random.normal(size=left_data.shape),
    np.random.normal(size=left_data.shape),
).astype("float32")
model.fit([left_data, right_data], targets)

# %% tags=["nbval-check-output"]
print(f"one LSTM called twice: {len(lstm.weights)} weight tensors, {model.count_params():,} parameters in the model")

# %% [markdown]
# ## 7.1.6 Models as layers
#
# ### Listing 7.16 — Models as layers, i.e. models as functions
#
# A model can be called like a layer: `y = model(x)` reuses its weights. Filled in:
# `model` is a small classifier of 64-feature vectors, `x` a new input.

# %% listing="7.16"
model = keras.Sequential([keras.Input(shape=(64,)), layers.Dense(10, activation="softmax")])
x = keras.Input(shape=(64,))
y = model(x)
wrapper = keras.Model(x, y)

# %% tags=["nbval-check-output"]
print(tuple(y.shape), wrapper.count_params() == model.count_params())

# %% [markdown]
# ### Listing 7.17 — Calling a multi-output, multi-input model
#
# With two inputs and two outputs the call takes and returns lists. Filled in: a
# model that adds and subtracts two 8-feature vectors through two `Dense` layers.

# %% listing="7.17"
a = keras.Input(shape=(8,))
b = keras.Input(shape=(8,))
model = keras.Model([a, b], [layers.Dense(4)(layers.add([a, b])), layers.Dense(2)(layers.subtract([a, b]))])

x1 = keras.Input(shape=(8,))
x2 = keras.Input(shape=(8,))
y1, y2 = model([x1, x2])

# %% tags=["nbval-check-output"]
print(tuple(y1.shape), tuple(y2.shape))

# %% [markdown]
# ### Listing 7.18 — Implementing a siamese vision model (shared convolutional base)
#
# One Xception convolutional base (the book uses `weights=None`, so nothing is
# downloaded) processes the left and the right camera image; the two feature maps
# are concatenated. Filled in: one pair of random 250 × 250 images pushed through.
#
# > **Changed: book bug fixed.** The book concatenates `left_features` with
# > `right_input` (the raw image), whose shape does not match; it is `right_features`.

# %% listing="7.18"
xception_base = keras.applications.Xception(weights=None, include_top=False)

left_input = keras.Input(shape=(250, 250, 3))
right_input = keras.Input(shape=(250, 250, 3))

left_features = xception_base(left_input)
right_features = xception_base(right_input)

merged_features = layers.concatenate([left_features, right_features], axis=-1)
siamese = keras.Model([left_input, right_input], merged_features)

left_image, right_image = np.random.random((2, 1, 250, 250, 3)).astype("float32")
features = siamese.predict([left_image, right_image], verbose=0)

# %% tags=["nbval-check-output"]
print(f"Xception base: {xception_base.count_params():,} parameters, shared; merged features {tuple(merged_features.shape)}; one pair -> {features.shape}")

# %% [markdown]
# ## This run against the book
#
# This section reports no figure: its models are shapes and wiring, trained on
# random arrays only to show that `fit` accepts them. The checked cells above
# (parameter counts and shapes) are what this notebook proves.

# %%
from dlwp_widgets.book import against_the_book

against_the_book()
