"""The one backend-specific piece of the gradient computations: a loss's gradient with respect to an input.

Filter patterns, Grad-CAM, DeepDream, style transfer and adversarial examples all
need ``d loss / d x`` for an input ``x`` (a picture, a feature map), not for a
model's weights.  Keras 3 has no backend-neutral way to take it, so this module
holds one small function per backend, the pattern Keras' own guides use for
custom training steps: a ``GradientTape`` inside ``tf.function`` on TensorFlow,
``jax.jit(jax.value_and_grad(...))`` on JAX, ``torch.autograd.grad`` on PyTorch.
Everything else in those modules is ``keras.ops`` or NumPy.
"""

from __future__ import annotations

from typing import Callable, Sequence


def backend_name() -> str:
    """The Keras backend in use: ``"tensorflow"``, ``"jax"`` or ``"torch"``."""
    import keras

    return keras.backend.backend()


def input_gradient(fn: Callable, signature: Sequence[tuple] | None = None, *, compile: bool = True) -> Callable:
    """``g(x, *args) -> (loss, aux, d loss / d x)`` for ``fn(x, *args) -> (scalar loss, aux)``.

    The results are backend tensors (``keras.ops.convert_to_numpy`` turns them
    into arrays).  ``signature`` (one ``(shape, dtype)`` per argument, ``None``
    for a size that varies) lets TensorFlow compile once for every size; JAX
    compiles once per shape, PyTorch runs eagerly; ``compile=False`` runs eagerly
    everywhere (the book's approach, kept for the benchmarks).  ``fn`` may count its own
    traces with a Python side effect: it runs once per compilation on
    TensorFlow and JAX, at every call on PyTorch.
    """
    name = backend_name()
    if name == "tensorflow":
        return _tensorflow_gradient(fn, signature, compile)
    if name == "jax":
        return _jax_gradient(fn, compile)
    if name == "torch":
        return _torch_gradient(fn)
    raise ValueError(f"Keras backend {name!r} is not supported: use tensorflow, jax or torch (KERAS_BACKEND).")


def _tensorflow_gradient(fn, signature, compile):
    import tensorflow as tf

    def step(x, *args):
        x = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss, aux = fn(x, *args)
        return loss, aux, tape.gradient(loss, x)

    if not compile:
        return step
    if signature is None:
        return tf.function(step, reduce_retracing=True)
    specs = [tf.TensorSpec(shape, dtype) for shape, dtype in signature]
    return tf.function(step, input_signature=specs)


def _jax_gradient(fn, compile):
    import jax

    value_and_grad = jax.value_and_grad(fn, has_aux=True)
    return _returning_loss_first(jax.jit(value_and_grad) if compile else value_and_grad)


def _returning_loss_first(value_and_grad):
    def step(x, *args):
        (loss, aux), grads = value_and_grad(x, *args)
        return loss, aux, grads

    return step


def _torch_gradient(fn):
    import keras
    import torch

    def step(x, *args):
        x = keras.ops.convert_to_tensor(x).detach().requires_grad_(True)
        args = [keras.ops.convert_to_tensor(a) for a in args]
        loss, aux = fn(x, *args)
        (grads,) = torch.autograd.grad(loss, x)
        return loss.detach(), _detached(aux), grads

    return step


def _detached(tree):
    import keras

    return keras.tree.map_structure(lambda t: t.detach() if hasattr(t, "detach") else t, tree)


def weight_gradients(loss_fn: Callable, weights: Sequence) -> tuple:
    """``(loss, aux, [d loss / d w for w in weights])`` for ``loss_fn() -> (scalar loss, aux)``, inside a ``train_step``.

    TensorFlow records with a ``GradientTape``, PyTorch with autograd.  JAX's
    trainer calls a custom ``train_step`` with the model's state and expects a
    new state back (stateless training), which the VAE and GAN steps are not
    written for: there this raises, naming the backends that work.
    """
    name = backend_name()
    if name == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss, aux = loss_fn()
        return loss, aux, tape.gradient(loss, weights)
    if name == "torch":
        import torch

        loss, aux = loss_fn()
        grads = torch.autograd.grad(loss, [w.value for w in weights], allow_unused=True)
        return loss, aux, [torch.zeros_like(w.value) if g is None else g for g, w in zip(grads, weights)]
    raise NotImplementedError(
        f"The VAE and GAN training steps run on the tensorflow and torch Keras backends, not {name!r}: "
        "JAX's stateless train_step(state, data) is not written for them yet (dlwp_widgets/models/generative.py). "
        "Set KERAS_BACKEND=tensorflow (or torch) for chapter 8.4-8.5."
    )
