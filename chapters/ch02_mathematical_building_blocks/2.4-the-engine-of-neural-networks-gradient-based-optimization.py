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
# # 2.4 The engine of neural networks: gradient-based optimization
#
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/dlwp-companion/dlwp-companion/blob/main/chapters/ch02_mathematical_building_blocks/2.4-the-engine-of-neural-networks-gradient-based-optimization.ipynb)
# [![Launch Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/dlwp-companion/dlwp-companion/main?labpath=chapters%2Fch02_mathematical_building_blocks%2F2.4-the-engine-of-neural-networks-gradient-based-optimization.ipynb)
#
# Training is a loop: take a batch, compute the loss, compute the gradient of the
# loss with respect to every weight, and move each weight a small step against its
# gradient. This section of the book has a single listing, a sketch of gradient
# descent with momentum that is not meant to run; below it becomes a working
# experiment, then the same step is taken by Keras' own optimizer and by
# automatic differentiation (TensorFlow's, JAX's or PyTorch's: the Keras backend's).

# %% tags=["parameters"]
SMOKE = False  # True: a short CPU run (what CI does)
EPOCHS = 1  # nothing is trained on data in this notebook
DATA_SOURCE = "auto"  # "real", "standin" or "auto"
SEED = 0

# %%
# Setup (on Colab, install the companion first: pip keeps Colab's TensorFlow and Keras when they are in the supported range); `run` holds this run's mode, data source and sizes.
import sys, subprocess, time
if "google.colab" in sys.modules: started = time.time(); subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--report", "/tmp/dlwp-install.json", "dlwp-companion @ git+https://github.com/dlwp-companion/dlwp-companion@v0.2.0"], check=True); print(f"pip: {time.time() - started:.0f} s")
from dlwp_widgets import config
run = config.setup(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)

# %% [markdown]
# ## The derivative as a slope
#
# The chapter's example: moving a coefficient from 0.3 to 0.35 raises the loss from
# 0.5 to 0.6, moving it to 0.25 lowers it to 0.4. The loss grows with the
# coefficient at a rate of about 2, so to lower the loss we move the coefficient
# the other way, by a step proportional to that rate.

# %% tags=["nbval-check-output"]
points = {0.25: 0.4, 0.3: 0.5, 0.35: 0.6}
slope = (points[0.35] - points[0.25]) / (0.35 - 0.25)
print(f"slope ≈ {slope:.1f}; one step of size 0.01 against it: 0.3 -> {0.3 - 0.01 * slope:.2f}")

# %% [markdown]
# ### Listing 2.38 — A naive implementation of gradient descent with momentum
#
# The book's listing is pseudo-code (it calls undefined helpers), so here is a
# working version of the idea on a one-parameter loss with a shallow local minimum
# next to a deeper global one. Plain gradient descent stops in the first dip it
# finds. With momentum, each step also keeps a fraction of the previous step's
# velocity, like a ball rolling down the curve, and rolls through the shallow dip.
# The update is the one Keras' `SGD(momentum=...)` uses:
# `velocity = momentum * velocity - learning_rate * gradient; w = w + velocity`.

# %% listing="2.38"
import numpy as np


def loss(w):
    """A curve with shallow minima near w = 1.6 and w = -0.9, and the deepest one near w = -2.4."""
    return 0.05 * w**4 - 0.4 * w**2 + 0.25 * w + 0.3 * np.sin(3 * w)


def gradient(w):
    return 0.2 * w**3 - 0.8 * w + 0.25 + 0.9 * np.cos(3 * w)


def gradient_descent(w, learning_rate, momentum=0.0, steps=300, tolerance=1e-6):
    """Return the path of w; stops when the steps become negligible."""
    velocity = 0.0
    path = [w]
    for _ in range(steps):
        velocity = momentum * velocity - learning_rate * gradient(w)
        w = w + velocity
        path.append(w)
        if abs(velocity) < tolerance:
            break
    return np.array(path)


plain = gradient_descent(3.0, learning_rate=0.1)
with_momentum = gradient_descent(3.0, learning_rate=0.1, momentum=0.9)

# %% tags=["nbval-check-output"]
for name, path in [("plain", plain), ("momentum 0.9", with_momentum)]:
    print(f"{name:<13} stops at w = {path[-1]:+.3f}, loss {loss(path[-1]):+.3f} after {len(path) - 1} steps")

# %%
import matplotlib.pyplot as plt

ws = np.linspace(-3.2, 3.4, 400)
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(ws, loss(ws), color="grey", label="loss")
ax.plot(plain, loss(plain), "o-", ms=3, label="plain gradient descent")
ax.plot(with_momentum, loss(with_momentum), "o-", ms=3, alpha=0.6, label="with momentum 0.9")
ax.set_xlabel("w")
ax.set_ylabel("loss")
ax.legend()
plt.show()

# %% [markdown]
# ## The same steps with Keras' optimizer
#
# `keras.optimizers.SGD` implements exactly that update. Given the same gradients,
# it walks the same path as the NumPy loop above.

# %%
import keras

w = keras.Variable(3.0)
optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
keras_path = [float(w.numpy())]
for _ in range(len(with_momentum) - 1):
    optimizer.apply_gradients([(keras.ops.convert_to_tensor(gradient(float(w.numpy())), dtype="float32"), w)])
    keras_path.append(float(w.numpy()))

# %% tags=["nbval-check-output"]
print("Keras walks the NumPy path (to float32 precision):", np.allclose(keras_path, with_momentum, atol=1e-4))

# %% [markdown]
# ### The book's own update rule
#
# The book's sketch differs from the loop above in two ways. Its constant is small,
# `momentum = 0.1`, and its weight update takes a look ahead: it adds
# `momentum * velocity - learning_rate * gradient` to `w` (the new velocity scaled
# once more by the momentum, plus a plain gradient step) instead of the velocity
# itself. That is Nesterov's variant of momentum, which Keras offers as
# `SGD(momentum=..., nesterov=True)`. Below, the book's rule in NumPy and Keras'
# Nesterov SGD walk the same path, and with the book's 0.1 the ball barely gathers
# speed: it stops in the first dip, like plain gradient descent.

# %%
def book_momentum_descent(w, learning_rate, momentum=0.1, steps=300, tolerance=1e-6):
    """The book's rule: velocity = momentum * velocity - lr * g; w += momentum * velocity - lr * g."""
    past_velocity = 0.0
    path = [w]
    for _ in range(steps):
        g = gradient(w)
        velocity = momentum * past_velocity - learning_rate * g
        step = momentum * velocity - learning_rate * g
        w = w + step
        past_velocity = velocity
        path.append(w)
        if abs(step) < tolerance:
            break
    return np.array(path)


book_path = book_momentum_descent(3.0, learning_rate=0.1, momentum=0.1)
w = keras.Variable(3.0)
optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.1, nesterov=True)
nesterov_path = [float(w.numpy())]
for _ in range(len(book_path) - 1):
    optimizer.apply_gradients([(keras.ops.convert_to_tensor(gradient(float(w.numpy())), dtype="float32"), w)])
    nesterov_path.append(float(w.numpy()))

# %% tags=["nbval-check-output"]
print(f"book's rule, momentum 0.1: stops at w = {book_path[-1]:+.3f} after {len(book_path) - 1} steps")
print("Keras SGD(momentum=0.1, nesterov=True) walks the same path:", np.allclose(nesterov_path, book_path, atol=1e-4))

# %% [markdown]
# ## Chaining derivatives: backpropagation
#
# A network is a chain of simple functions, so the chain rule gives the gradient of
# the loss with respect to every weight, layer by layer from the output back to the
# input. TensorFlow does this bookkeeping with a `GradientTape`: it records the
# operations of the forward pass, then replays them backwards (JAX's `grad`
# transforms the loss function instead, PyTorch's autograd records like the tape).
# `input_gradient`, in `dlwp_widgets/gradients.py`, calls whichever the Keras
# backend is. Here it computes the gradient of a small `Dense` layer's loss with
# respect to the layer's kernel, and a finite-difference estimate checks one entry.

# %%
from dlwp_widgets.gradients import input_gradient

layer = keras.layers.Dense(3, activation="relu")
inputs = keras.ops.convert_to_tensor(np.random.default_rng(run.seed).standard_normal((4, 5)), dtype="float32")
targets = keras.ops.ones((4, 3))


def layer_loss():
    return keras.ops.mean(keras.ops.square(layer(inputs) - targets))


def loss_of_kernel(kernel):  # the layer's own computation, with the kernel as the variable
    return keras.ops.mean(keras.ops.square(keras.ops.relu(inputs @ kernel + layer.bias) - targets)), ()


value = layer_loss()  # builds the layer
_, _, kernel_gradient = input_gradient(loss_of_kernel, compile=False)(layer.kernel.value)

epsilon = 1e-3
original = keras.ops.convert_to_numpy(layer.kernel)
shifted = original.copy()
shifted[0, 0] += epsilon
layer.kernel.assign(shifted)
finite_difference = (float(layer_loss()) - float(value)) / epsilon
layer.kernel.assign(original)

# %% tags=["nbval-check-output"]
print("gradient shape:", tuple(kernel_gradient.shape))
print("tape and finite difference agree:", bool(abs(float(kernel_gradient[0, 0]) - finite_difference) < 1e-2))

# %% [markdown]
# ## This run against the book
#
# The book reports no results in this section, so there is nothing to compare;
# the cell below says which data this run used.

# %%
from dlwp_widgets.book import against_the_book

against_the_book()
