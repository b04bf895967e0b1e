"""ImageNet-pretrained applications (VGG16, VGG19, InceptionV3) through the data-source switch.

Weights are data: they go through :func:`dlwp_widgets.datasets.core.load`, so
``real`` loads the ImageNet weights (md5 as pinned by ``keras.applications``) or
fails clearly, ``standin`` builds the same architecture with a random
initialisation, ``auto`` tries the real weights first, and the run records which
one it got (the report shows it beside the notebook's data).  A random network
is announced loudly: its predictions, features and images are not the book's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dlwp_widgets.datasets import core

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


def _weights(folder: str, filename: str, md5: str, size: str, cap_mb: int) -> core.RemoteFile:
    return core.RemoteFile(
        filename=filename,
        url=f"{_BASE}{folder}/{filename}",
        file_hash=md5,
        hash_algorithm="md5",
        note=f"{size}; md5 as pinned by keras.applications.",
        max_bytes=cap_mb * 1_000_000,
    )


@dataclass(frozen=True)
class Application:
    """One ``keras.applications`` network and its two weight files (with and without the classifier)."""

    name: str  # the keras.applications constructor, e.g. "VGG16"
    title: str
    top: core.RemoteFile
    no_top: core.RemoteFile

    def weights_file(self, include_top: bool) -> core.RemoteFile:
        return self.top if include_top else self.no_top


APPLICATIONS = {
    "vgg16": Application(
        "VGG16",
        "VGG16 ImageNet weights",
        _weights("vgg16", "vgg16_weights_tf_dim_ordering_tf_kernels.h5", "64373286793e3c8b2b4e3219cbf3544b",
                 "VGG16 with its classifier, about 528 MB", 600),
        _weights("vgg16", "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "6d6bbae143d832006294945121d1f1fc",
                 "VGG16 convolutional base, about 58 MB", 70),
    ),
    "vgg19": Application(
        "VGG19",
        "VGG19 ImageNet weights",
        _weights("vgg19", "vgg19_weights_tf_dim_ordering_tf_kernels.h5", "cbe5617147190e668d6c5d5026f83318",
                 "VGG19 with its classifier, about 549 MB", 620),
        _weights("vgg19", "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6",
                 "VGG19 convolutional base, about 80 MB", 95),
    ),
    "inception_v3": Application(
        "InceptionV3",
        "InceptionV3 ImageNet weights",
        _weights("inception_v3", "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
                 "9a0d58056eeedaa3f26cb7ebd46da564", "InceptionV3 with its classifier, about 92 MB", 110),
        _weights("inception_v3", "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
                 "bcbd6486424b2319ff4ef7d526e38f63", "InceptionV3 convolutional base, about 84 MB", 100),
    ),
}


def _keras_models_cache(remote: core.RemoteFile) -> Path | None:
    """A copy Keras itself downloaded earlier (``~/.keras/models``), if its md5 matches."""
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    candidate = Path(keras_home) / "models" / remote.filename
    if candidate.exists() and core.file_digest(candidate, remote.hash_algorithm) == remote.file_hash:
        return candidate
    return None


def imagenet_weights_path(application: str, include_top: bool) -> Path:
    """A verified local copy of ``application``'s ImageNet weights (downloading them if needed)."""
    remote = APPLICATIONS[application].weights_file(include_top)
    return _keras_models_cache(remote) or core.fetch(remote)


def random_weights_notice(title: str) -> str:
    return (
        f"{title.split()[0]} with RANDOM weights (a stand-in): the ImageNet weights could not be used. "
        "Shapes, parameter counts and code paths are the book's; predictions, features and "
        "generated images are not."
    )


def imagenet_application(application: str, *, include_top: bool = False, source: str = "auto", **kwargs):
    """``keras.applications.<Name>(weights=None, **kwargs)`` with ImageNet weights when they can be had.

    ``application`` is a key of :data:`APPLICATIONS` (``"vgg16"``, ``"vgg19"``,
    ``"inception_v3"``).  The model's ``weights_source`` attribute is
    ``"imagenet"`` or ``"random"`` so later cells can say which one they show.
    """
    import keras

    if application not in APPLICATIONS:
        raise KeyError(f"Unknown application {application!r}; known: {', '.join(APPLICATIONS)}.")
    entry = APPLICATIONS[application]
    constructor = getattr(keras.applications, entry.name)

    def build(weights_source: str):
        model = constructor(include_top=include_top, weights=None, **kwargs)
        model.weights_source = weights_source
        return model

    def load_real():
        path = imagenet_weights_path(application, include_top)
        model = build("imagenet")
        model.load_weights(path)
        return model

    return core.load(
        name=f"{application}_imagenet_weights",
        title=entry.title,
        source=source,
        load_real=load_real,
        load_standin=lambda: build("random"),
        standin_description=random_weights_notice(entry.title),
    )
