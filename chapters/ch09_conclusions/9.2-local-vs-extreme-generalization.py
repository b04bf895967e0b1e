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
# # 9.2 The limitations of deep learning: local vs extreme generalization
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch09_conclusions/9.2-local-vs-extreme-generalization.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch09_conclusions%2F9.2-local-vs-extreme-generalization.ipynb)
#
# **The claim** (the book's section 9.2, in our words): a deep network learns a smooth
# geometric map from inputs to outputs that is trustworthy near the data it was
# trained on: *local* generalization. It does not extract the rule behind the data,
# so it fails as soon as inputs leave the region it saw, where a person who
# understood the rule would carry on: *extreme* generalization. Three experiments,
# each with a function any programmer writes in one line: squaring a number, copying
# a binary number, sorting a list. Our own experiments, not results of the book.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 200  # epochs of the dense regressor (smoke: 40)
IDENTITY_EPOCHS = 200  # epochs of the binary identity network (smoke: 60)
SORT_EPOCHS = 15  # epochs of the sorting GRU (smoke: 6)
SORT_SAMPLES = 10000  # training sequences for sorting (smoke: 2000)
DATA_SOURCE = "auto"  # no dataset is used: every input is generated
SEED = 0

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED, book=False)

# %% [markdown]
# ## 1. A dense network learns x² on [-1, 1]
#
# 200 points of y = x² with x in [-1, 1]; a network of two ReLU layers of 64 units
# (`limits.extrapolation.dense_regressor`). We then ask it about x in [-3, 3] and
# compare root-mean-square errors inside and outside the training range.

# %%
import numpy as np

from dlwp_widgets.limits import extrapolation

square = extrapolation.target_function("x²")
x_train, y_train = extrapolation.training_points(square, -1.0, 1.0, 200, seed=run.seed)
regressor = extrapolation.dense_regressor()
regressor.fit(x_train.reshape(-1, 1), y_train, epochs=run.pick(EPOCHS, 40), batch_size=64, verbose=0)
predict = lambda grid: regressor.predict(grid.reshape(-1, 1), verbose=0).ravel()  # noqa: E731
dense_errors = extrapolation.range_errors(predict, square, -1.0, 1.0, -3.0, 3.0)
print(f"RMSE inside [-1, 1]: {dense_errors['inside']:.3f}   outside (to ±3): {dense_errors['outside']:.3f}")
for x in (0.5, 1.0, 2.0, 3.0):
    print(f"x = {x}: truth {x * x:5.2f}, network {predict(np.array([x]))[0]:5.2f}")

# %%
import matplotlib.pyplot as plt

grid = np.linspace(-3, 3, 300)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.axvspan(-1, 1, color="0.92", label="training range")
ax.plot(grid, square(grid), color="0.3", label="x²")
ax.plot(grid, predict(grid), color="tab:orange", label="dense network")
ax.legend()
plt.show()

# %% [markdown]
# Outside [-1, 1] a ReLU network can only continue with straight lines: it has no
# reason to bend them the way x² bends. The fixed-basis fit the widget at the end
# uses (`limits.extrapolation.fit_features`, random ReLU features fitted by least
# squares) shows the same thing in milliseconds, and its numbers do not depend on
# training luck:

# %% tags=["nbval-check-output"]
x_basis, y_basis = extrapolation.training_points(square, -1.0, 1.0, 200, seed=0)
basis = extrapolation.fit_features(x_basis, y_basis, seed=0)
basis_errors = extrapolation.range_errors(basis.predict, square, -1.0, 1.0, -3.0, 3.0)
print(f"fixed ReLU basis: RMSE inside below 0.01: {basis_errors['inside'] < 0.01}; outside: {basis_errors['outside']:.1f}")

# %% [markdown]
# ## 2. The identity on even numbers, tested on odd numbers
#
# A network that should copy an 8-bit binary number to its output, trained on the
# even numbers 0, 2, …, 254 only. In training, the last bit is always 0: the data
# give no reason to copy it, and the network learns to output 0 there. A person
# told "copy the input" would copy the last bit too.

# %% tags=["nbval-check-output"]
BITS = 8
even = extrapolation.binary_numbers(np.arange(0, 2**BITS, 2), BITS)
odd = extrapolation.binary_numbers(np.arange(1, 2**BITS, 2), BITS)
print(even[:3], "\nlast bit of every training number:", set(even[:, -1]))

# %%
copier = extrapolation.identity_model(BITS)
copier.fit(even, even, epochs=run.pick(IDENTITY_EPOCHS, 60), batch_size=32, verbose=0)
even_bits = extrapolation.bit_accuracy(copier.predict(even, verbose=0), even)
odd_bits = extrapolation.bit_accuracy(copier.predict(odd, verbose=0), odd)
print("per-bit accuracy, even (trained on):", np.round(even_bits, 2))
print("per-bit accuracy, odd (never seen): ", np.round(odd_bits, 2))
odd_exact = float((((copier.predict(odd, verbose=0) > 0.5) == odd).all(axis=1)).mean())
print(f"odd numbers copied exactly: {odd_exact:.0%}")

# %% [markdown]
# ## 3. Sorting: trained on 5 digits, tested on longer lists
#
# A sequence model (two bidirectional GRU layers, one softmax per position;
# `limits.extrapolation.sorting_model`) learns to sort lists of 5 digits. Sorting is
# the same algorithm at any length; the network has only seen length 5.

# %%
x_sort, y_sort = extrapolation.sorting_data(run.pick(SORT_SAMPLES, 2000), 5, seed=run.seed)
sorter = extrapolation.sorting_model()
sorter.fit(x_sort, y_sort, epochs=run.pick(SORT_EPOCHS, 6), batch_size=64, verbose=2)
sort_scores = {}
for length in (5, 8, 12, 20):
    x_test, y_test = extrapolation.sorting_data(500, length, seed=run.seed + 1000)
    sort_scores[length] = extrapolation.sequence_scores(sorter, x_test, y_test)
    print(f"length {length:2}: digits right {sort_scores[length]['digit_accuracy']:6.1%}, "
          f"lists sorted exactly {sort_scores[length]['exact_match']:6.1%}")

# %%
example, _ = extrapolation.sorting_data(1, 12, seed=7)
print("input:   ", example[0])
print("network: ", sorter.predict(example, verbose=0).argmax(-1)[0])
print("sorted:  ", np.sort(example[0]))

# %% [markdown]
# ## What this does and does not show
#
# **Shows:** in all three cases the network is excellent where the training data
# were and wrong just outside: beyond the training range of x², on the one bit
# that never varied, on lists longer than it saw. It fitted the data, not the rule.
#
# **Does not show:** that no architecture can extrapolate. A network whose structure
# matches the rule (a model that squares, an output wired to its input, a
# sorting network) would; so can models trained on a wider variety of lengths, or
# with other positional schemes. The claim is about what gradient descent on a
# given dataset produces by default, and these are small-scale illustrations of it.
#
# ## Play with the training range
#
# Pick a function and the range the fit may see; the fit (a fixed random ReLU
# basis, refitted in milliseconds) is shown with the truth over [-4, 4].

# %%
from dlwp_widgets.widgets.extrapolation_explorer import ExtrapolationExplorer

ExtrapolationExplorer("sin(x)", training_range=(-2.0, 2.0))

# %% [markdown]
# ## This run against the book
#
# Our experiment, not a book result; each claim is a relation the run can break.
# Inside [-1, 1] the RMSE of x² must be at most 0.1, and outside at least 10 times
# that. On odd numbers the 7 bits that varied in training must be copied with at
# least 95% accuracy; the last bit, 0 in every training example, is shown as an
# illustration only: no network trained on those data could have learned it, so its
# low accuracy tests nothing. Sorting must reach 90% exact matches on 5-digit lists
# in full mode; only then is the 12-digit rate judged, which must fall below half
# of it.

# %%
from dlwp_widgets.book import record, against_the_book

record("extrapolation_square_rmse_inside", dense_errors["inside"])
record("extrapolation_square_rmse_outside", dense_errors["outside"])
record("identity_even_to_odd_last_bit_accuracy", odd_bits[-1])
record("identity_even_to_odd_other_bits_accuracy", odd_bits[:-1].mean())
record("sorting_exact_match_length_5", sort_scores[5]["exact_match"])
record("sorting_exact_match_length_12", sort_scores[12]["exact_match"], baseline=sort_scores[5]["exact_match"])
against_the_book()

# %% [markdown]
# ## References
#
# - F. Chollet, *Deep Learning with Python* (Manning, 2017), section 9.2 ("local
#   generalization vs. extreme generalization"); also "The limitations of deep
#   learning", The Keras Blog, July 2017.
# - G. Marcus, "Deep Learning: A Critical Appraisal", arXiv:1801.00631 (2018), and
#   *The Algebraic Mind* (MIT Press, 2001): the identity function trained on even
#   numbers.
# - K. Xu et al., "How Neural Networks Extrapolate: From Feedforward to Graph Neural
#   Networks", ICLR 2021 (ReLU networks extrapolate linearly).
