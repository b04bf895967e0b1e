"""Chapter 5 convnets: the MNIST convnet, the cats-vs-dogs convnet, VGG16 (+ head).

Each builder starts with ``keras.Input`` (Keras 3 warns about ``input_shape=``) and
keeps the book's layer stack, so the parameter counts are the book's.  The VGG16
builders go through the same source switch as the datasets
(:mod:`dlwp_widgets.models.pretrained`): ImageNet weights when they can be had,
otherwise a loudly announced random initialisation.
"""

from __future__ import annotations

from pathlib import Path

from dlwp_widgets.datasets import core
from dlwp_widgets.models.pretrained import imagenet_application


def mnist_convnet_base():
    """Listing 5.1: three 3x3 convolutions with two 2x2 max-poolings (55,744 params)."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
        ],
        name="mnist_convnet",
    )


def add_mnist_classifier(model):
    """Listing 5.3: flatten the (3, 3, 64) maps and add Dense 64 -> Dense 10 (93,322 in all)."""
    from keras import layers

    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def mnist_convnet():
    """The complete MNIST convnet of listings 5.1 + 5.3, compiled as in 5.5."""
    model = add_mnist_classifier(mnist_convnet_base())
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def mnist_convnet_no_pooling():
    """Listing 5.7: the same convolutions without pooling (55,744 params, 22x22x64 output)."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
        ],
        name="mnist_convnet_no_pooling",
    )


def cats_dogs_convnet(*, dropout: float | None = None, image_size: int = 150, compile: bool = True):
    """Listings 5.11 / 5.21: four conv/pool stages, Dense 512, sigmoid (3,453,121 params).

    Inputs are RGB in [0, 1] (the pipeline rescales, as the book's generators did).
    ``dropout=0.5`` gives listing 5.21's model (dropout adds no parameters).
    """
    import keras
    from keras import layers

    stack = [keras.Input(shape=(image_size, image_size, 3))]
    for filters in (32, 64, 128, 128):
        stack += [layers.Conv2D(filters, 3, activation="relu"), layers.MaxPooling2D(2)]
    stack.append(layers.Flatten())
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack += [layers.Dense(512, activation="relu"), layers.Dense(1, activation="sigmoid")]
    model = keras.Sequential(stack, name="cats_dogs_convnet" + ("_dropout" if dropout else ""))
    if compile:
        model.compile(
            optimizer=keras.optimizers.RMSprop(learning_rate=1e-4),
            loss="binary_crossentropy",
            metrics=["accuracy"],
        )
    return model


def vgg16_conv_base(source: str = "auto", input_shape=(150, 150, 3)):
    """Listing 5.24: the VGG16 convolutional base (14,714,688 params).

    ``model.weights_source`` is ``"imagenet"`` or ``"random"``, so later cells can say
    which one they are looking at (see :mod:`dlwp_widgets.models.pretrained`).
    """
    return imagenet_application("vgg16", include_top=False, source=source, input_shape=tuple(input_shape))


def vgg16(source: str = "auto"):
    """Listing 5.54: the full VGG16 with its ImageNet classifier (224x224 inputs)."""
    return imagenet_application("vgg16", include_top=True, source=source)


def vgg16_with_head(conv_base, *, dropout: float | None = None):
    """Listing 5.28: the conv base as one layer, then Flatten -> Dense 256 -> Dense 1.

    With the 150x150 base that is 16,812,353 parameters (the head: 2,097,665).
    The base stays a nested model, which is what Grad-CAM must cope with.
    """
    import keras
    from keras import layers

    stack = [keras.Input(shape=conv_base.input_shape[1:]), conv_base, layers.Flatten()]
    stack.append(layers.Dense(256, activation="relu"))
    if dropout:
        stack.append(layers.Dropout(dropout))
    stack.append(layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(stack, name="vgg16_cats_dogs")


def feature_classifier(input_dim: int = 4 * 4 * 512):
    """Listing 5.26's classifier on stored VGG16 features: Dense 256, Dropout 0.5, sigmoid."""
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            layers.Dense(256, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="feature_classifier",
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=2e-5),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )
    return model


def unfreeze_from(conv_base, first_trainable: str) -> list[str]:
    """Listing 5.33: make ``first_trainable`` and every later layer trainable, freeze the rest.

    Returns the names of the trainable layers.  Recompile the outer model afterwards.
    """
    names = [layer.name for layer in conv_base.layers]
    if first_trainable not in names:
        raise ValueError(f"{first_trainable!r} is not a layer of {conv_base.name}; layers: {names}")
    conv_base.trainable = True
    start = names.index(first_trainable)
    for index, layer in enumerate(conv_base.layers):
        layer.trainable = index >= start
    return [layer.name for layer in conv_base.layers if layer.trainable and layer.weights]


def saved_model_path(filename: str) -> Path:
    """Where the chapter's notebooks save and reload trained models (5.17, 5.23, 5.36).

    Under the data cache rather than next to the notebook, so running a notebook
    never leaves model files in the repository; where the cache cannot be written,
    under the same temporary fallback the stand-ins use (:func:`core.work_dir`).
    One folder per Keras backend: a model saved with one backend's optimizer does
    not load under another (seen: PyTorch's RMSprop under TensorFlow).
    """
    import keras

    folder = core.work_dir() / "dlwp-models" / keras.backend.backend()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / filename
