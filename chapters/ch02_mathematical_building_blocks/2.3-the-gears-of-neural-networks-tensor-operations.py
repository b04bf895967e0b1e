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
# # 2.3 The gears of neural networks: tensor operations
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch02_mathematical_building_blocks/2.3-the-gears-of-neural-networks-tensor-operations.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch02_mathematical_building_blocks%2F2.3-the-gears-of-neural-networks-tensor-operations.ipynb)
#
# A `Dense` layer is three tensor operations: a dot product with a weight matrix,
# an addition of a bias vector, and an element-wise `relu`. This notebook writes
# each operation by hand with Python loops, checks it against NumPy's built-in
# version (the unit tests of the companion run these very cells against NumPy on
# random inputs), and measures why nobody uses the loops.

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
# ### Listing 2.24 — A Keras layer
#
# The book writes this layer as `relu(dot(W, input) + b)`. Keras stores the kernel
# with shape `(input_dim, units)` and computes `relu(dot(input, W) + b)`: the same
# function with the matrix transposed. Building the layer for 784 inputs shows it.

# %% listing="2.24"
import keras

layer = keras.layers.Dense(512, activation="relu")
layer.build((None, 784))

# %% tags=["nbval-check-output"]
print("kernel", tuple(layer.kernel.shape), " bias", tuple(layer.bias.shape))

# %% [markdown]
# ## 2.3.1 Element-wise operations
#
# ### Listing 2.25 — A naive implementation of an element-wise relu operation
#
# Element-wise operations apply to each entry on its own. The copy keeps the
# caller's array unchanged.

# %% listing="2.25"
def naive_relu(x):
    assert len(x.shape) == 2  # a rank-2 tensor
    x = x.copy()  # leave the input untouched
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] = max(x[i, j], 0)
    return x


# %% [markdown]
# ### Listing 2.26 — A naive implementation of element-wise addition

# %% listing="2.26"
def naive_add(x, y):
    assert len(x.shape) == 2
    assert x.shape == y.shape
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[i, j]
    return x


# %% [markdown]
# ### Listing 2.27 — Native element-wise operation in Numpy
#
# NumPy runs the same loops in compiled code (and BLAS for linear algebra). The
# results are identical; the speed is not.

# %% listing="2.27"
import numpy as np

rng = np.random.default_rng(run.seed)
x = rng.standard_normal((20, 100))
y = rng.standard_normal((20, 100))

z = x + y  # element-wise addition
z = np.maximum(z, 0.0)  # element-wise relu

# %% tags=["nbval-check-output"]
print("naive == numpy:", np.allclose(naive_relu(naive_add(x, y)), z))

# %%
import timeit

loops = timeit.timeit(lambda: naive_relu(naive_add(x, y)), number=20) / 20
vectorised = timeit.timeit(lambda: np.maximum(x + y, 0.0), number=2000) / 2000
print(f"Python loops: {loops * 1e6:,.0f} µs   NumPy: {vectorised * 1e6:,.1f} µs   ({loops / vectorised:,.0f}x faster)")

# %% [markdown]
# ## 2.3.2 Broadcasting
#
# ### Listing 2.28 — A naive implementation of matrix-vector addition
#
# *Broadcasting*: when shapes differ, the smaller tensor is virtually repeated
# along the missing axes. Adding a vector of 10 values to a (32, 10) matrix adds it
# to each of the 32 rows.

# %% listing="2.28"
def naive_add_matrix_and_vector(x, y):
    assert len(x.shape) == 2  # x is a matrix
    assert len(y.shape) == 1  # y is a vector
    assert x.shape[1] == y.shape[0]
    x = x.copy()
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            x[i, j] += y[j]
    return x


# %% tags=["nbval-check-output"]
matrix = np.arange(32 * 10, dtype="float64").reshape(32, 10)
vector = np.arange(10, dtype="float64")
print(naive_add_matrix_and_vector(matrix, vector).shape,
      np.array_equal(naive_add_matrix_and_vector(matrix, vector), matrix + vector))

# %% [markdown]
# ### Listing 2.29 — Applying the element-wise maximum operation to two tensors of different shapes via broadcasting
#
# Broadcasting aligns shapes from the last axis: (32, 10) is stretched over the
# leading (64, 3) axes of x.

# %% listing="2.29" tags=["nbval-check-output"]
x = rng.random((64, 3, 32, 10))
y = rng.random((32, 10))
z = np.maximum(x, y)
print(z.shape)

# %% [markdown]
# ## 2.3.3 Tensor dot
#
# ### Listing 2.30 — Numpy dot operations between two tensors
#
# The tensor product, `np.dot` (or the `@` operator), combines entries across
# tensors, unlike the element-wise operations above.

# %% listing="2.30" tags=["nbval-check-output"]
x = rng.random(32)
y = rng.random(32)
z = np.dot(x, y)
print(np.ndim(z), np.isclose(z, x @ y))

# %% [markdown]
# ### Listing 2.31 — A naive implementation of dot
#
# The dot product of two vectors of equal length is the sum of their entry-wise
# products: a scalar.

# %% listing="2.31"
def naive_vector_dot(x, y):
    assert len(x.shape) == 1
    assert len(y.shape) == 1
    assert x.shape[0] == y.shape[0]
    z = 0.0
    for i in range(x.shape[0]):
        z += x[i] * y[i]
    return z


# %% [markdown]
# ### Listing 2.32 — A naive implementation of matrix-vector dot
#
# A matrix times a vector gives a vector: entry `i` is the dot product of row `i`
# with the vector. (The book's printed listing lost its indentation; this is the
# loop it describes.)

# %% listing="2.32"
def naive_matrix_vector_dot(x, y):
    assert len(x.shape) == 2
    assert len(y.shape) == 1
    assert x.shape[1] == y.shape[0]
    z = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            z[i] += x[i, j] * y[j]
    return z


# %% [markdown]
# ### Listing 2.33 — Alternative naive implementation of matrix-vector dot
#
# The same thing, reusing the vector dot of listing 2.31 row by row.

# %% listing="2.33"
def naive_matrix_vector_dot(x, y):
    z = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        z[i] = naive_vector_dot(x[i, :], y)
    return z


# %% [markdown]
# ### Listing 2.34 — A naive implementation of matrix-matrix dot
#
# Entry `(i, j)` of `x · y` is the dot product of row `i` of `x` with column `j` of
# `y`, hence the rule: `x.shape[1]` must equal `y.shape[0]`, and the result has
# shape `(x.shape[0], y.shape[1])`.

# %% listing="2.34"
def naive_matrix_dot(x, y):
    assert len(x.shape) == 2
    assert len(y.shape) == 2
    assert x.shape[1] == y.shape[0]
    z = np.zeros((x.shape[0], y.shape[1]))
    for i in range(x.shape[0]):
        for j in range(y.shape[1]):
            row_x = x[i, :]
            column_y = y[:, j]
            z[i, j] = naive_vector_dot(row_x, column_y)
    return z


# %% tags=["nbval-check-output"]
a = rng.random((5, 3))
b = rng.random((3, 4))
v = rng.random(3)
print(naive_matrix_dot(a, b).shape, np.allclose(naive_matrix_dot(a, b), a @ b))
print(naive_matrix_vector_dot(a, v).shape, np.allclose(naive_matrix_vector_dot(a, v), a @ v))

# %% [markdown]
# The shape rule extends to higher ranks: `(a, b, c, d) · (d, e) -> (a, b, c, e)`.

# %% tags=["nbval-check-output"]
print(np.dot(np.ones((2, 3, 4, 5)), np.ones((5, 6))).shape, np.dot(np.ones((2, 3, 4, 5)), np.ones(5)).shape)

# %% [markdown]
# ## 2.3.4 Tensor reshaping
#
# ### Listing 2.35 — MNIST image tensor reshaping
#
# Reshaping rearranges the same entries into a new shape with the same total
# count: each 28×28 image becomes a row of 784 values, as in 2.1.

# %% listing="2.35"
from dlwp_widgets.datasets import mnist

(train_images, train_labels), _ = mnist.load_data(source=run.data_source)
train_images = train_images.reshape((60000, 28 * 28))

# %% tags=["nbval-check-output"]
print(train_images.shape)

# %% [markdown]
# ### Listing 2.36 — Tensor reshaping examples

# %% listing="2.36" tags=["nbval-check-output"]
x = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
print(x.shape)
x = x.reshape((6, 1))
print(x)
x = x.reshape((2, 3))
print(x)

# %% [markdown]
# ### Listing 2.37 — Matrix transposition
#
# Transposing swaps rows and columns, a special case of reshaping the axes.

# %% listing="2.37" tags=["nbval-check-output"]
x = np.zeros((300, 20))
x = np.transpose(x)
print(x.shape)

# %% [markdown]
# ## The geometry behind it
#
# Adding vectors translates points; multiplying by a rotation matrix turns them.
# A layer chains such affine maps with a non-linearity; a network chains layers,
# untangling the data a little at each step. Here the two vectors of the chapter's
# example, A = [0.5, 1] and B = [1, 0.25], their sum, and A rotated by 60°.

# %%
import matplotlib.pyplot as plt

A, B = np.array([0.5, 1.0]), np.array([1.0, 0.25])
theta = np.pi / 3
R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
fig, ax = plt.subplots(figsize=(4, 4))
for vector, name, colour in [(A, "A", "C0"), (B, "B", "C1"), (A + B, "A + B", "C2"), (R @ A, "R·A", "C3")]:
    ax.annotate("", xy=vector, xytext=(0, 0), arrowprops=dict(arrowstyle="->", color=colour, lw=2))
    ax.text(*(vector * 1.05), name, color=colour)
ax.set_xlim(-1.2, 1.8)
ax.set_ylim(-0.3, 1.8)
ax.set_aspect("equal")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## This run against the book
#
# The book reports no results in this section, so there is nothing to compare;
# the cell below says which data this run used.

# %%
from dlwp_widgets.book import against_the_book

against_the_book()
