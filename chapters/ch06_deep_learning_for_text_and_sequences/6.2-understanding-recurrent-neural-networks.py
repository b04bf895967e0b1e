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
# # 6.2 Understanding recurrent neural networks
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch06_deep_learning_for_text_and_sequences/6.2-understanding-recurrent-neural-networks.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch06_deep_learning_for_text_and_sequences%2F6.2-understanding-recurrent-neural-networks.ipynb)
#
# A recurrent network reads a sequence one step at a time and carries a state
# from step to step: a loop with memory. This notebook writes that loop in
# NumPy, then uses Keras' `SimpleRNN` and `LSTM` layers on the IMDB reviews, and
# ends with a box where you type a review and compare how the two read it.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 10  # the book's setting for the SimpleRNN and LSTM models
DATA_SOURCE = "auto"  # "real", "standin" or "auto"
SEED = 0

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)

# %% [markdown]
# ### Listing 6.19 — A pseudo-code simple RNN
#
# The book's loop with a placeholder `f`. To make it run, we filled in a toy
# sequence of four numbers and `f(input, state) = tanh(input + 0.5 * state)`: the
# state is the previous output, so each output depends on everything before it.

# %% listing="6.19" tags=["nbval-check-output"]
import numpy as np


def f(input_t, state_t):
    return np.tanh(input_t + 0.5 * state_t)


input_sequence = [1.0, 0.0, 0.0, -1.0]

state_t = 0
for input_t in input_sequence:
    output_t = f(input_t, state_t)
    state_t = output_t
    print(round(float(output_t), 4))

# %% [markdown]
# ### Listing 6.20 — More detailed pseudo-code simple RNN
#
# `f` spelled out: a dense transformation of the input plus one of the state.
# Filled in: 3 input features, 2 output features, fixed small weight matrices
# `W` (2 × 3), `U` (2 × 2) and `b`, `tanh` as the activation, `np.dot` as `dot`.

# %% listing="6.20" tags=["nbval-check-output"]
activation, dot = np.tanh, np.dot
W = np.array([[0.5, -0.2, 0.1], [0.3, 0.8, -0.5]])
U = np.array([[0.9, 0.0], [0.0, 0.9]])
b = np.array([0.0, 0.1])
input_sequence = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])

state_t = np.zeros(2)
for input_t in input_sequence:
    output_t = activation(dot(W, input_t) + dot(U, state_t) + b)
    state_t = output_t
    print(np.round(output_t, 4))

# %% [markdown]
# ### Listing 6.21 — Numpy implementation of a simple RNN
#
# A whole forward pass over 100 timesteps of random noise.
#
# > **Changed: book bug fixed.** The book's listing has three bugs: a name mismatch in
# > the loop, `W` with its dimensions swapped (it must be `(output_features,
# > input_features)` to multiply an input vector), and `np.concatenate` of the outputs,
# > which glues them into one long vector where a `(timesteps, output_features)` array
# > is meant (`np.stack` makes that).
#
# > **Changed: our addition.** The noise is seeded.

# %% listing="6.21" tags=["nbval-check-output"]
rng = np.random.default_rng(0)

timesteps = 100
input_features = 32
output_features = 64

inputs = rng.random((timesteps, input_features))
state_t = np.zeros((output_features,))

W = rng.random((output_features, input_features))
U = rng.random((output_features, output_features))
b = rng.random((output_features,))

successive_outputs = []
for input_t in inputs:
    output_t = np.tanh(np.dot(W, input_t) + np.dot(U, state_t) + b)
    successive_outputs.append(output_t)
    state_t = output_t

final_output_sequence = np.stack(successive_outputs, axis=0)
print(final_output_sequence.shape)

# %% [markdown]
# ## 6.2.1 A first recurrent layer in Keras
#
# ### Listing 6.22 — The Keras SimpleRNN layer
#
# The same loop as a Keras layer, which processes batches of sequences.

# %% listing="6.22"
from keras.layers import SimpleRNN

# %% [markdown]
# ### Listing 6.23 — Using SimpleRNN and returning the last state
#
# > **Changed: Keras 3 / TF 2 API.** Keras 3 shows an unbuilt `Sequential` model without
# > parameters, so each model here starts with `keras.Input(shape=(None,),
# > dtype="int32")`: sequences of any length of word indices.

# %% listing="6.23"
import keras
from keras.layers import Embedding

model = keras.Sequential()
model.add(keras.Input(shape=(None,), dtype="int32"))
model.add(Embedding(10000, 32))
model.add(SimpleRNN(32))
model.summary()

# %% tags=["nbval-check-output"]
print(f"{model.count_params():,} parameters, output {model.output_shape}")

# %% [markdown]
# ### Listing 6.24 — Using SimpleRNN and returning the full state sequence
#
# `return_sequences=True`: one output per timestep, not only the last one.

# %% listing="6.24"
model = keras.Sequential()
model.add(keras.Input(shape=(None,), dtype="int32"))
model.add(Embedding(10000, 32))
model.add(SimpleRNN(32, return_sequences=True))
model.summary()

# %% tags=["nbval-check-output"]
print(f"{model.count_params():,} parameters, output {model.output_shape}")

# %% [markdown]
# ### Listing 6.25 — Stacking RNN layers on top of each other
#
# Every layer but the last returns full sequences, so the next one has a sequence to read.

# %% listing="6.25"
model = keras.Sequential()
model.add(keras.Input(shape=(None,), dtype="int32"))
model.add(Embedding(10000, 32))
model.add(SimpleRNN(32, return_sequences=True))
model.add(SimpleRNN(32, return_sequences=True))
model.add(SimpleRNN(32, return_sequences=True))
model.add(SimpleRNN(32))
model.summary()

# %% tags=["nbval-check-output"]
print(f"{model.count_params():,} parameters, output {model.output_shape}")

# %% [markdown]
# ### Listing 6.26 — Preparing the IMDB data
#
# The pre-tokenised reviews (10,000 most frequent words), padded or cut to their
# last 500 words. Offline, the labelled stand-in of `dlwp_widgets.datasets.imdb` has the
# same format and sizes.
#
# > **Changed: Keras 3 / TF 2 API.** `keras.utils.pad_sequences` is Keras 3's home of
# > the book's `keras.preprocessing.sequence.pad_sequences` (the old path survives as an
# > alias).

# %% listing="6.26"
from dlwp_widgets.datasets import imdb

max_features = 10000
maxlen = 500
batch_size = 32

print("Loading data...")
(input_train, y_train), (input_test, y_test) = imdb.load_data(num_words=max_features, source=run.data_source)
print(len(input_train), "train sequences")
print(len(input_test), "test sequences")

print("Pad sequences (samples x time)")
input_train = keras.utils.pad_sequences(input_train, maxlen=maxlen)
input_test = keras.utils.pad_sequences(input_test, maxlen=maxlen)

# %% tags=["nbval-check-output"]
print("input_train shape:", input_train.shape)
print("input_test shape:", input_test.shape)

# %% [markdown]
# ### Listing 6.27 — Training our model including an Embedding layer and a SimpleRNN layer
#
# In smoke mode the model trains on the first 1,500 reviews for 1 epoch (the book: all
# 25,000 for 10): enough to check the code, not to learn the task.
#
# > **Changed: Keras 3 / TF 2 API.** `metrics=["acc"]` is spelled `"accuracy"` (history
# > keys `accuracy` / `val_accuracy`).

# %% listing="6.27"
from keras.layers import Dense

model = keras.Sequential()
model.add(keras.Input(shape=(maxlen,), dtype="int32"))
model.add(Embedding(max_features, 32))
model.add(SimpleRNN(32))
model.add(Dense(1, activation="sigmoid"))

model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(
    input_train[: run.pick(None, 1500)],
    y_train[: run.pick(None, 1500)],
    epochs=run.epochs,
    batch_size=128,
    validation_split=0.2,
    verbose=2,
)
rnn_model, rnn_history = model, history

# %% [markdown]
# ### Listing 6.28 — Plotting results
#
# The book reaches about 85% validation accuracy, below chapter 3's 88% dense
# baseline: the model sees only the last 500 words, and a `SimpleRNN` forgets
# what it read long ago.

# %% listing="6.28"
import matplotlib.pyplot as plt

acc = history.history["accuracy"]
val_acc = history.history["val_accuracy"]
loss = history.history["loss"]
val_loss = history.history["val_loss"]

epochs = range(1, len(acc) + 1)

plt.plot(epochs, acc, "bo", label="Training acc")
plt.plot(epochs, val_acc, "b", label="Validation acc")
plt.title("Training and validation accuracy")
plt.legend()

plt.figure()

plt.plot(epochs, loss, "bo", label="Training loss")
plt.plot(epochs, val_loss, "b", label="Validation loss")
plt.title("Training and validation loss")
plt.legend()

plt.show()

# %% [markdown]
# ## 6.2.2 Understanding the LSTM and GRU layers
#
# ### Why a SimpleRNN forgets: the vanishing gradient
#
# In theory the last state of a `SimpleRNN` depends on every word it read. In
# practice training cannot use that: the gradient that tells an early weight
# update how the output depends on word `t` is a product of one Jacobian per
# step between `t` and the end, each `diag(1 - h²) · U`. Unless those factors
# are exactly the right size, the product shrinks geometrically (or explodes)
# with the distance, so a signal from 100 words back is lost among the recent
# ones: this is the *vanishing gradient problem* (Hochreiter, Bengio and others
# studied it in the early 1990s). The figure computes, for one random sequence
# of 100 steps, how strongly the last state reacts to each input, for three
# sizes of the recurrent weights `U` (`dlwp_widgets.text.recurrence`; note the
# logarithmic scale). Larger weights do not rescue it: they push the `tanh` into
# saturation, where its slope `1 - h²` is near 0. The dashed lines anticipate the LSTM
# below.

# %%
from dlwp_widgets.text.recurrence import carry_gradients, simple_rnn_input_gradients

demo = np.random.default_rng(0)
steps, units, features = 100, 32, 8
sequence = demo.normal(size=(steps, features))
W_demo = demo.normal(size=(units, features)) / np.sqrt(features)
rotation, _ = np.linalg.qr(demo.normal(size=(units, units)))  # an orthogonal matrix: scale = its only size

plt.figure(figsize=(7, 4))
for scale in (0.5, 0.9, 1.5):
    norms = simple_rnn_input_gradients(sequence, W_demo, scale * rotation, np.zeros(units))
    plt.semilogy(range(1, steps + 1), norms / norms[-1], label=f"SimpleRNN, U = {scale} x orthogonal")
for forget in (0.9, 0.99):
    plt.semilogy(range(1, steps + 1), carry_gradients(forget, steps), "--", label=f"LSTM carry, forget gate {forget}")
plt.xlabel("timestep t of the input")
plt.ylabel("sensitivity of the last state (last step = 1)")
plt.title("How far back the gradient reaches")
plt.legend(fontsize="small")
plt.show()

# %% [markdown]
# ### Listing 6.29 — Pseudo-code details of the LSTM architecture (1/2)
#
# An LSTM adds a carry track `c_t` that runs alongside the sequence. Filled in to
# run: 3 input features, 2 units, seeded weights, `sigmoid` as `activation`,
# `np.dot` as `dot`, one timestep from a zero state and a given carry.

# %% listing="6.29" tags=["nbval-check-output"]
def sigmoid(x):
    return 1 / (1 + np.exp(-x))


activation = sigmoid
weights = np.random.default_rng(1)
Wo, Wi, Wf, Wk = (weights.normal(0, 0.5, (3, 2)) for _ in range(4))
Uo, Ui, Uf, Uk = (weights.normal(0, 0.5, (2, 2)) for _ in range(4))
Vo = weights.normal(0, 0.5, (2, 2))
bo, bi, bf, bk = (np.zeros(2) for _ in range(4))

input_t = np.array([1.0, -1.0, 0.5])
state_t = np.zeros(2)
c_t = np.array([0.5, -0.5])

output_t = activation(dot(state_t, Uo) + dot(input_t, Wo) + dot(c_t, Vo) + bo)
i_t = activation(dot(state_t, Ui) + dot(input_t, Wi) + bi)
f_t = activation(dot(state_t, Uf) + dot(input_t, Wf) + bf)
k_t = activation(dot(state_t, Uk) + dot(input_t, Wk) + bk)
print(np.round(output_t, 3), np.round(i_t, 3), np.round(f_t, 3), np.round(k_t, 3))

# %% [markdown]
# ### Listing 6.30 — Pseudo-code details of the LSTM architecture (2/2)
#
# The next carry: the input gate `i_t` lets new information `k_t` in, the forget gate
# `f_t` decides how much of the old carry stays.
#
# > **Changed: book bug fixed.** The book writes `c_t+1`, not a Python name: here
# > `c_t_plus_1`.

# %% listing="6.30" tags=["nbval-check-output"]
c_t_plus_1 = i_t * k_t + c_t * f_t
print(np.round(c_t_plus_1, 3))

# %% [markdown]
# What the carry changes: `c_t_plus_1 = i_t * k_t + c_t * f_t` passes the old
# carry on through a *multiplication by the forget gate*, with no squashing
# `tanh` and no weight matrix in between. Along that track the gradient from
# step `T` back to step `t` is the product of the forget gates in between
# (the dashed lines in the figure above): where the network learns to hold
# `f_t` near 1, information and its gradient survive hundreds of steps, and
# the input gate decides what new information gets written. The book's
# analogy: a conveyor belt running alongside the sequence, onto which
# information can be put and from which it can be read later, intact. (Keras
# starts every LSTM with a forget-gate bias of 1, `unit_forget_bias=True`, so
# the gate starts mostly open: sigmoid(1) ≈ 0.73.)

# %% [markdown]
# ## 6.2.3 A concrete LSTM example in Keras
#
# ### Listing 6.31 — Using the LSTM layer in Keras
#
# The same model with an `LSTM` layer; the book reaches about 89% validation
# accuracy. Same smoke sizes as 6.27.

# %% listing="6.31"
from keras.layers import LSTM

model = keras.Sequential()
model.add(keras.Input(shape=(maxlen,), dtype="int32"))
model.add(Embedding(max_features, 32))
model.add(LSTM(32))
model.add(Dense(1, activation="sigmoid"))

model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(
    input_train[: run.pick(None, 1500)],
    y_train[: run.pick(None, 1500)],
    epochs=run.epochs,
    batch_size=128,
    validation_split=0.2,
    verbose=2,
)
lstm_model, lstm_history = model, history

# %% [markdown]
# The curves of the LSTM, as the book draws them for this model: validation
# accuracy climbs to about 89% in the book, clearly above the SimpleRNN's 85%,
# because the carry lets the last hidden state depend on words read long before.
# The book adds that 89% is not far from chapter 3's dense network on the bag of
# words: for sentiment, which words occur matters more than their long-range
# order, and the gain from reading in order is modest.

# %%
from dlwp_widgets import plots

plots.plot_history(lstm_history, ["accuracy", "loss"], title="LSTM on IMDB (listing 6.31)")
plt.show()

# %% [markdown]
# ## Try it: how do the two models read your review?
#
# `ReviewScorer` tokenises the text with the IMDB word index (words outside the
# 10,000 most frequent are struck through), pads it to 500 words as
# `pad_sequences` does, and scores it with both models side by side. Try a review
# that starts positive and ends negative, and the other way round.
# (`dlwp_widgets.widgets.review_scorer`.)

# %%
from dlwp_widgets.text.embeddings import IndexEncoder
from dlwp_widgets.widgets.review_scorer import ReviewScorer

encoder = IndexEncoder(imdb.get_word_index(source=run.data_source), num_words=max_features, maxlen=maxlen)
scorer = ReviewScorer({"6.27 SimpleRNN": (rnn_model, encoder), "6.31 LSTM": (lstm_model, encoder)})
scorer

# %% tags=["nbval-check-output"]
print(scorer.last_error)
print([(name, 0.0 <= score <= 1.0) for name, score in scorer.last_scores.items()])
print(scorer.last_encoded["6.31 LSTM"].ids.shape)

# %% [markdown]
# ## This run against the book
#
# Best validation accuracy of each model beside the book's. The baseline is the
# majority class of the held-out 20%. A 1-epoch smoke run on 1,200 reviews is
# not expected to beat it, so smoke runs claim no baseline.

# %%
from dlwp_widgets.book import record, against_the_book

trained_on = y_train[: run.pick(None, 1500)]
held_out = trained_on[int(len(trained_on) * 0.8) :]  # what validation_split=0.2 held out
majority = max(np.mean(held_out), 1 - np.mean(held_out))
record("imdb_simplernn_val_accuracy", max(rnn_history.history["val_accuracy"]), baseline=None if run.smoke else majority)
record("imdb_lstm_val_accuracy", max(lstm_history.history["val_accuracy"]), baseline=None if run.smoke else majority)
against_the_book()
