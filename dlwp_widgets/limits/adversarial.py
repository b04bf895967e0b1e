"""Adversarial examples: small input changes that flip a classifier's decision.

* FGSM (Goodfellow, Shlens & Szegedy, 2015): one step of size ``ε`` along the sign of
  the loss gradient with respect to the pixels.
* Iterative (BIM / PGD, Kurakin et al. 2017; Madry et al. 2018): several smaller steps,
  each projected back into the ``ε``-box around the original image (PGD adds a random
  start inside the box).
* Targeted variants step *down* the loss of a chosen class instead of up the loss of the
  true one.

Images are floats in [0, 1]; ``ε`` is the largest change allowed per pixel (L∞), so
``ε = 0.1`` means at most 10% of the grey range. The gradient is the only
backend-specific piece, taken by :func:`dlwp_widgets.gradients.input_gradient` (one
small function per Keras backend) in :func:`input_gradients`; everything else is
``keras.ops`` and numpy.
"""

from __future__ import annotations

import math

import numpy as np

METHODS = ("fgsm", "iterative", "pgd")
BATCH = 256


class AttackError(ValueError):
    """Attack settings that cannot be used."""


def check_epsilon(epsilon) -> float:
    """``ε`` as a float in [0, 1] (pixels live in [0, 1]); NaN, infinities and negatives are refused."""
    if isinstance(epsilon, bool):
        raise AttackError(f"ε must be a number, got {epsilon!r}.")
    try:
        value = float(epsilon)
    except (TypeError, ValueError):
        raise AttackError(f"ε must be a number, got {epsilon!r}.") from None
    if not math.isfinite(value):
        raise AttackError(f"ε must be a finite number, got {value}.")
    if value < 0:
        raise AttackError(f"ε must not be negative (it is the largest change per pixel), got {value:g}.")
    if value > 1:
        raise AttackError(f"ε = {value:g} exceeds the pixel range [0, 1]: any image could be reached.")
    return value


def check_images(images) -> np.ndarray:
    array = np.asarray(images, dtype=np.float32)
    if array.ndim < 2 or array.shape[0] == 0:
        raise AttackError(f"images must be a non-empty batch, got shape {array.shape}.")
    if not np.isfinite(array).all():
        raise AttackError("the images hold NaN or infinite values.")
    if array.min() < 0 or array.max() > 1:
        raise AttackError(f"pixels must be in [0, 1], got {array.min():g}..{array.max():g}.")
    return array


def check_target(target, classes: int) -> int | None:
    if target is None:
        return None
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or not 0 <= int(target) < classes:
        raise AttackError(f"the target class must be one of 0..{classes - 1}, got {target!r}.")
    return int(target)


def _logits(model, x):
    """Pre-softmax scores when the model ends in a softmax Dense layer (sharper gradients), else log-probabilities."""
    from keras import ops

    last = model.layers[-1] if getattr(model, "layers", None) else None
    activation = getattr(getattr(last, "activation", None), "__name__", "")
    if activation == "softmax" and hasattr(last, "kernel"):
        hidden = x
        for layer in model.layers[:-1]:
            hidden = layer(hidden)
        out = ops.matmul(hidden, last.kernel)
        return out + last.bias if last.bias is not None else out
    return ops.log(ops.clip(model(x), 1e-12, 1.0))


def input_gradients(model, images: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """d(cross-entropy of ``classes``)/d(pixels), batch by batch, on any Keras backend."""
    from keras import ops

    from dlwp_widgets.gradients import input_gradient

    def cross_entropy(x, y):
        return ops.sum(ops.sparse_categorical_crossentropy(y, _logits(model, x), from_logits=True)), ()

    gradient = input_gradient(cross_entropy, compile=False)
    grads = []
    for start in range(0, len(images), BATCH):
        x = np.asarray(images[start : start + BATCH], np.float32)
        y = classes[start : start + BATCH].astype(np.int32)
        grads.append(ops.convert_to_numpy(gradient(x, y)[2]))
    return np.concatenate(grads)


def predict(model, images) -> np.ndarray:
    """Class probabilities: one direct call for a batch of up to ``BATCH`` images, else ``model.predict``.

    ``model.predict`` costs tens of milliseconds of set-up per call, which a widget
    showing one image pays on every move.
    """
    images = np.asarray(images, dtype=np.float32)
    if len(images) <= BATCH:
        from keras import ops

        return np.asarray(ops.convert_to_numpy(model(images, training=False)))
    return np.asarray(model.predict(images, batch_size=BATCH, verbose=0))


def fgsm(model, images, labels, epsilon, *, target=None) -> np.ndarray:
    """One signed-gradient step of size ``ε`` (away from ``labels``, or towards ``target``)."""
    images = check_images(images)
    epsilon = check_epsilon(epsilon)
    labels = np.asarray(labels).astype(np.int64).ravel()
    if epsilon == 0:
        return images.copy()
    if target is None:
        return np.clip(images + epsilon * np.sign(input_gradients(model, images, labels)), 0, 1)
    wanted = np.full(len(images), target)
    return np.clip(images - epsilon * np.sign(input_gradients(model, images, wanted)), 0, 1)


def iterative(model, images, labels, epsilon, *, steps: int = 10, step_size: float | None = None,
              target=None, random_start: bool = False, seed: int = 0, should_stop=None,
              progress=None) -> np.ndarray:
    """BIM (``random_start=False``) or PGD (``True``): ``steps`` signed steps, projected into the ε-box.

    ``should_stop()`` is asked before each step (True raises ``InterruptedError``),
    ``progress(done, steps)`` told after each.
    """
    images = check_images(images)
    epsilon = check_epsilon(epsilon)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise AttackError(f"steps must be a whole number ≥ 1, got {steps!r}.")
    labels = np.asarray(labels).astype(np.int64).ravel()
    if epsilon == 0:
        return images.copy()
    step = check_epsilon(step_size) if step_size is not None else 2.5 * epsilon / steps
    low, high = np.clip(images - epsilon, 0, 1), np.clip(images + epsilon, 0, 1)
    x = images.copy()
    if random_start:
        rng = np.random.default_rng(seed)
        x = np.clip(x + rng.uniform(-epsilon, epsilon, x.shape).astype(np.float32), low, high)
    for done in range(1, int(steps) + 1):
        if should_stop is not None and should_stop():
            raise InterruptedError("stopped")
        if target is None:
            x = x + step * np.sign(input_gradients(model, x, labels))
        else:
            x = x - step * np.sign(input_gradients(model, x, np.full(len(x), target)))
        x = np.clip(x, low, high).astype(np.float32)
        if progress is not None:
            progress(done, int(steps))
    return x


def attack(model, images, labels, epsilon, *, method: str = "fgsm", target=None, steps: int = 10,
           classes: int = 10, seed: int = 0, should_stop=None, progress=None) -> np.ndarray:
    """Adversarial versions of ``images``: ``method`` is ``fgsm``, ``iterative`` (BIM) or ``pgd``."""
    if method not in METHODS:
        raise AttackError(f"unknown attack {method!r}: choose one of {', '.join(METHODS)}.")
    target = check_target(target, classes)
    if method == "fgsm":
        return fgsm(model, images, labels, epsilon, target=target)
    return iterative(model, images, labels, epsilon, steps=steps, target=target,
                     random_start=method == "pgd", seed=seed, should_stop=should_stop, progress=progress)


def flip_rate(clean_predictions, adversarial_predictions, labels) -> float:
    """Among images classified correctly before the attack, the fraction classified wrongly after it."""
    labels = np.asarray(labels).ravel()
    before = np.asarray(clean_predictions).argmax(axis=-1)
    after = np.asarray(adversarial_predictions).argmax(axis=-1)
    correct = before == labels
    if not correct.any():
        return float("nan")
    return float((after[correct] != labels[correct]).mean())


def target_rate(adversarial_predictions, labels, target: int) -> float:
    """Among images whose true class is not ``target``, the fraction now classified as ``target``."""
    labels = np.asarray(labels).ravel()
    after = np.asarray(adversarial_predictions).argmax(axis=-1)
    others = labels != target
    return float((after[others] == target).mean()) if others.any() else float("nan")


def sweep(model, images, labels, epsilons, *, method: str = "fgsm", steps: int = 10, target=None) -> dict:
    """Accuracy, flip rate (and target rate) of one attack over a list of ``ε``; ``ε = 0`` is the clean run."""
    images = check_images(images)
    labels = np.asarray(labels).astype(np.int64).ravel()
    clean = predict(model, images)
    result = {"epsilon": [], "accuracy": [], "flip_rate": [], "target_rate": []}
    for epsilon in epsilons:
        adversarial = attack(model, images, labels, epsilon, method=method, steps=steps, target=target,
                             classes=clean.shape[-1])
        predictions = clean if check_epsilon(epsilon) == 0 else predict(model, adversarial)
        result["epsilon"].append(float(epsilon))
        result["accuracy"].append(float((predictions.argmax(-1) == labels).mean()))
        result["flip_rate"].append(flip_rate(clean, predictions, labels))
        result["target_rate"].append(target_rate(predictions, labels, target) if target is not None else float("nan"))
    return {key: np.array(value) for key, value in result.items()}


def smallest_epsilon(epsilons, rates, level: float = 0.5) -> float | None:
    """The smallest ``ε`` tried whose rate reaches ``level`` (None if none does)."""
    for epsilon, rate in zip(epsilons, rates):
        if np.isfinite(rate) and rate >= level:
            return float(epsilon)
    return None
