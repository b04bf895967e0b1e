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
# # 9.2 The limitations of deep learning: interpolation in high dimension
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch09_conclusions/9.2-interpolation-in-high-dimension.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch09_conclusions%2F9.2-interpolation-in-high-dimension.ipynb)
#
# The book (2017, section 9.2) contrasts the *local generalization* of deep networks
# with the *extreme generalization* of people; "deep learning only interpolates" is
# how the author's later writing, and the debate around it, put the same idea.
# Balestriero, Pesenti & LeCun (2021) took the word literally: a new sample is
# *interpolated* if it lies inside the convex hull of the training samples. **Their
# claim:** in more than a few dimensions this (almost) never happens, so in that
# literal sense models always extrapolate, and "interpolation" cannot be what
# separates good from bad generalization. **The experiment:** measure hull membership
# with one linear program per sample, for Gaussian data as the dimension grows and
# for digits in pixel space vs a low-dimensional PCA embedding. A small-scale
# reproduction of the shape of their Figure 1, not of its numbers; our experiment,
# not a result of the book.

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 1  # nothing is trained in this notebook
DATA_SOURCE = "auto"  # "real", "standin" or "auto" (MNIST)
SEED = 0
MAX_DIMENSION = 10  # Gaussian dimensions 1..MAX_DIMENSION (smoke: 8)
TEST_SAMPLES = 100  # new samples tested per point of the curve and training draw (smoke: 20)
DRAWS = 5  # independent training sets per point of the curve (smoke: 3)
DIGITS = 2000  # MNIST training images forming the hull (smoke: 1000)
DIGIT_TESTS = 50  # MNIST test images checked (smoke: 20; a 784-pixel LP takes seconds)

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED, book=False)

# %% [markdown]
# ## Inside the hull: one linear program
#
# `x` is inside the convex hull of the rows of `X` when weights λ ≥ 0 with Σλ = 1
# and Xᵀλ = x exist: a feasibility problem that `scipy.optimize.linprog(method="highs")`
# answers (`limits.hull.in_hull`; a bounding-box check first rules out the obvious
# cases without solving anything). On the corners of a square:

# %% tags=["nbval-check-output"]
import numpy as np

from dlwp_widgets.limits import hull

square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
for point in ([0.5, 0.5], [0.9, 0.2], [1.5, 0.5], [0.8, 0.8]):
    print(point, "inside" if hull.in_hull(square, point) else "outside")
try:
    hull.check_count(3, 3)
except hull.HullError as error:
    print(error)

# %% [markdown]
# ## Gaussian data: membership rate by dimension and training-set size
#
# Training and new samples come from the same standard Gaussian, so every new sample
# is "like the training data"; we count how many fall inside the hull. Each cell is
# the mean over several independent training sets (`hull.gaussian_grid_over_draws`),
# with the spread between them; in one dimension the exact rate is known,
# (N − 1)/(N + 1) for N training samples whatever the distribution (`hull.exact_rate_1d`),
# and the first row is printed beside it. A cell of a few draws can still be far
# off, so the check of the whole method is one cell (d = 1, N = 10) over many draws.

# %%
dimensions = list(range(1, run.pick(MAX_DIMENSION, 8) + 1))
counts = run.pick([10, 30, 100, 300, 1000, 3000, 10000], [10, 30, 100, 300, 1000, 3000])
grid, spread = hull.gaussian_grid_over_draws(dimensions, counts, draws=run.pick(DRAWS, 3),
                                             test_count=run.pick(TEST_SAMPLES, 20), seed=run.seed)
print("mean (sd over draws)\ndim  " + "".join(f"{c:>12}" for c in counts))
for d, row, sd in zip(dimensions, grid, spread):
    print(f"{d:3}  " + "".join("           -" if np.isnan(r) else f"{r:6.0%} ({s:3.0%})" for r, s in zip(row, sd)))
print("exact" + "".join(f"{hull.exact_rate_1d(c):7.0%}     " for c in counts), "(d = 1)")
# one cell of a few draws can be far off (the spread above says how far); the check of the method uses many
check_draws = run.pick(100, 50)
check, _ = hull.gaussian_grid_over_draws([1], [10], draws=check_draws, test_count=20, seed=run.seed)
check_1d = float(check[0, 0])
print(f"d = 1, N = 10 over {check_draws} draws: {check_1d:.1%} inside, exact {hull.exact_rate_1d(10):.1%}")

# %% [markdown]
# The paper's figure plots, for each dimension, the training-set size needed to keep
# the membership probability at a given level. Here the level is 50%, interpolated
# on a log scale between the sizes we tried (missing where even the largest size
# stays below it):

# %%
import matplotlib.pyplot as plt

needed = {d: hull.samples_needed(counts, row, 0.5) for d, row in zip(dimensions, grid)}
print({d: None if n is None else round(n) for d, n in needed.items()})
reached = [(d, n) for d, n in needed.items() if n is not None and d >= 2]
slope = np.polyfit([d for d, _ in reached], np.log([n for _, n in reached]), 1)[0]
growth = float(np.exp(slope))
print(f"samples needed grow by about ×{growth:.2f} per added dimension (fit over dimensions {reached[0][0]}..{reached[-1][0]})")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
for d, row in zip(dimensions, grid):
    left.semilogx(counts, row, "o-", label=f"d = {d}")
left.set_xlabel("training samples")
left.set_ylabel("new samples inside the hull")
left.legend(fontsize=7, ncol=2)
right.semilogy([d for d, _ in reached], [n for _, n in reached], "o-")
right.set_xlabel("dimension")
right.set_ylabel("samples for 50% inside")
plt.show()

# %% [markdown]
# ## Digits: pixels vs a PCA embedding
#
# The same question for handwritten digits: are test digits inside the hull of the
# training digits? In pixel space (downsampled to 14×14 = 196 pixels in smoke mode,
# to keep each linear program under a second; 28×28 in full mode) and after
# projecting onto the first k principal components of the training images.

# %%
from dlwp_widgets.datasets import mnist

(train_images, _), (test_images, _) = mnist.load_data(source=run.data_source)
step = run.pick(1, 2)
train_pixels = train_images[: run.pick(DIGITS, 1000), ::step, ::step].reshape(-1, (28 // step) ** 2) / 255.0
test_pixels = test_images[: run.pick(DIGIT_TESTS, 20), ::step, ::step].reshape(-1, (28 // step) ** 2) / 255.0
digit_rates = {f"pixels ({train_pixels.shape[1]})": hull.membership_rate(train_pixels, test_pixels)}
mean, directions = hull.pca_fit(train_pixels, 16)
for k in (2, 4, 8, 16):
    train_k = hull.pca_project(train_pixels, mean, directions[:k])
    test_k = hull.pca_project(test_pixels, mean, directions[:k])
    digit_rates[f"PCA {k}"] = hull.membership_rate(train_k, test_k)
for name, rate in digit_rates.items():
    print(f"{name:14} {rate:6.0%} of test digits inside the hull of {len(train_pixels)} training digits")

# %% [markdown]
# ## What this does and does not show
#
# **Shows:** in one dimension the measured rate matches the exact one once enough
# training draws are averaged (single cells scatter by their spread); with the dimension, the training-set size needed to keep new samples
# inside the hull grows roughly geometrically (the shape of the paper's figure, here
# only up to a few thousand samples and a handful of dimensions). Test digits are
# never inside the hull of the training digits in pixel space, yet often are in a
# 2-dimensional projection. Any model of digits, good or bad, is
# "extrapolating" in the literal sense.
#
# **Does not show:** that networks generalize in some other, deeper way. The
# convex-hull definition is one formalisation of "interpolation"; the author's reply
# to the paper (after the 2017 book) is about interpolation on a *learned manifold*,
# where new inputs lie close to the training data, which hull membership in the
# input space does not measure. The
# debate this paper started is largely about which definition is the right one.
#
# ## Play with the dimension
#
# Each setting runs a linear program per test sample (a second or so for thousands
# of training samples) in the background, with a progress bar and a Stop button
# (`dlwp_widgets/widgets/hull_explorer.py`); the table keeps every result, so the
# pattern builds up.
# Fewer samples than dimension + 1, or dimension 0, are explained, not computed.

# %%
from dlwp_widgets.widgets.hull_explorer import HullExplorer

HullExplorer(dimension=4, count=300)

# %% [markdown]
# ## This run against the book
#
# Our experiment, not a book result; each claim is a relation the run can break.
# In one dimension the mean rate at N = 10 over many draws must be within 0.05 of
# the exact 9/11. At
# the largest training-set size the rate must be at least 0.9 in 2 dimensions, no
# higher in 4, and at least 15 points lower in 8; the "samples needed" must grow by
# a factor of at least 1.5 per dimension. On real MNIST, at most 5% of the test
# digits may be inside the pixel-space hull, and the 2-D projection must hold at
# least 50 points more.

# %%
from dlwp_widgets.book import record, against_the_book

gaussian = ()  # the Gaussian experiments use no dataset
record("hull_gaussian_dim_1_n_10_error", abs(check_1d - hull.exact_rate_1d(10)), datasets=gaussian)
for d in (2, 4, 8):
    record(f"hull_gaussian_rate_dim_{d}_largest_n", grid[dimensions.index(d), -1], datasets=gaussian)
record("hull_gaussian_samples_growth_per_dimension", growth, datasets=gaussian)
record("hull_digits_pixels_rate", next(iter(digit_rates.values())))
record("hull_digits_pca2_rate", digit_rates["PCA 2"])
against_the_book()

# %% [markdown]
# ## References
#
# - R. Balestriero, J. Pesenti, Y. LeCun, "Learning in High Dimension Always Amounts
#   to Extrapolation", arXiv:2110.09485 (2021), Figure 1.
# - F. Chollet, *Deep Learning with Python* (Manning, 2017), section 9.2; the 2021
#   public discussion of the paper between its authors and the book's author.
# - I. Bárány, Z. Füredi, "On the shape of the convex hull of random points",
#   Probability Theory and Related Fields 77 (1988): why the hull of Gaussian
#   samples captures few new samples in high dimension.
