"""The one backend-specific piece of the gradient computations.

Filter patterns, Grad-CAM, DeepDream, style transfer and adversarial examples all
need ``d loss / d x`` for an input ``x`` (a picture, a feature map), not for a
model's weights: :func:`input_gradient`.  The GAN's training step (chapter 8.5)
needs each network's weight gradients in turn: :func:`weight_gradients`, with
:func:`stateless_on_jax` serving the same step to JAX's stateless trainer.
Keras 3 has no backend-neutral way to take either, so this module holds one small
function per backend, the pattern Keras' own guides use for custom training
steps: a ``GradientTape`` (inside ``tf.function``) on TensorFlow,
``jax.value_and_grad`` (``jax.jit``-compiled, or inside the trainer's compiled
step) on JAX, ``torch.autograd.grad`` on PyTorch.  Everything else in those
modules is ``keras.ops`` or NumPy.
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


def weight_gradients(loss_fn: Callable, weights: Sequence, variables: Sequence = ()) -> tuple:
    """``(loss, aux, [d loss / d w for w in weights])`` for ``loss_fn() -> (scalar loss, aux)``.

    Written for stateful training steps (:func:`stateless_on_jax` runs them on JAX):
    TensorFlow records with a ``GradientTape``, PyTorch with autograd, JAX takes
    ``jax.value_and_grad`` of ``loss_fn`` run in a ``keras.StatelessScope`` that
    maps ``weights`` to the values being differentiated.  ``variables``: every
    other variable ``loss_fn`` reads or updates (the networks' other weights, the
    random-seed states of ``Dropout`` and ``keras.random``); JAX maps them too and
    assigns their updates afterwards (the other backends update them in place and
    ignore the argument).
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
    if name == "jax":
        return _jax_weight_gradients(loss_fn, weights, variables)
    raise ValueError(f"Keras backend {name!r} is not supported: use tensorflow, jax or torch (KERAS_BACKEND).")


def _jax_weight_gradients(loss_fn, weights, variables):
    import jax
    import keras

    weight_ids = {id(w) for w in weights}
    others = list({id(v): v for v in variables if id(v) not in weight_ids}.values())
    other_values = [v.value for v in others]  # inside a StatelessScope: that scope's values

    def loss_of(weight_values):
        mapping = list(zip(weights, weight_values)) + list(zip(others, other_values))
        with keras.StatelessScope(state_mapping=mapping) as scope:
            loss, aux = loss_fn()
        return loss, (aux, [scope.get_current_value(v) for v in others])

    (loss, (aux, updated)), grads = jax.value_and_grad(loss_of, has_aux=True)([w.value for w in weights])
    for variable, value in zip(others, updated):
        variable.assign(value)  # recorded by an enclosing StatelessScope, else assigned
    return loss, aux, grads


def stateless_on_jax(train_step: Callable) -> Callable:
    """Decorator: a stateful ``train_step(self, data)`` that also serves JAX's ``train_step(self, state, data)``.

    TensorFlow and PyTorch call ``train_step(data)`` and let it update variables
    in place.  JAX's trainer compiles ``train_step(state, data)`` and expects
    ``(logs, new_state)``, where ``state`` holds the values of the model's
    trainable, non-trainable, optimizer and metric variables.  On JAX the step runs
    inside a ``keras.StatelessScope`` mapping those variables to ``state``: every
    read sees the state, every ``assign`` (an optimizer's ``apply``, a metric's
    ``update_state``, a random seed) is recorded, and the recorded values are the
    new state.  Gradients inside the step come from :func:`weight_gradients`.
    """
    import functools

    @functools.wraps(train_step)
    def step(model, *args):
        if backend_name() != "jax":
            return train_step(model, *args)
        import keras

        state, data = args
        groups = (model.trainable_variables, model.non_trainable_variables, model.optimizer.variables, model.metrics_variables)
        mapping = [pair for variables, values in zip(groups, state, strict=True) for pair in zip(variables, values, strict=True)]
        with keras.StatelessScope(state_mapping=mapping) as scope:
            logs = train_step(model, data)
        return logs, tuple([scope.get_current_value(v) for v in variables] for variables in groups)

    return step
