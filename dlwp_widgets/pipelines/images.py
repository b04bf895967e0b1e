"""Image input pipelines (chapter 5): folders of pictures -> batches, and data augmentation.

* :func:`image_dataset`: listing 5.14's generator as ``image_dataset_from_directory``
  plus rescaling to [0, 1];
* :class:`AffineAugmentation` / :func:`augmentation`: listing 5.19's random
  transformations as one affine warp per image (resampled once, like the book's
  ``ImageDataGenerator``); :func:`augmentation_layers`: the same as five Keras
  preprocessing layers;
* :func:`training_pipeline`: decode once (cache), augment per epoch, prefetch.

The data itself (the dogs-vs-cats folders, real or stand-in) comes from
:mod:`dlwp_widgets.datasets.cats_vs_dogs`.  TensorFlow is imported inside the
functions, so importing this module stays cheap.
"""

from __future__ import annotations

import numpy as np


def image_dataset(directory, *, batch_size: int = 20, image_size=(150, 150), shuffle: bool = True, seed: int = 0):
    """Listing 5.14 with today's Keras: a tf.data dataset of (images in [0, 1], 0/1 labels).

    ``shuffle=False`` keeps file order (cats first), which feature extraction needs
    to keep features and labels aligned.
    """
    import keras

    dataset = keras.utils.image_dataset_from_directory(
        directory,
        label_mode="binary",
        image_size=tuple(image_size),
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        verbose=False,
    )
    rescale = keras.layers.Rescaling(1.0 / 255)
    return dataset.map(lambda images, labels: (rescale(images), labels))


class AffineAugmentation:
    """Listing 5.19's random transformations as ONE affine warp per image.

    Flip, rotation (up to 40 degrees), shifts (20%), shear (0.2 radians) and zoom
    (80-120% per axis) are composed into a single matrix, so each image is
    resampled once, as ``ImageDataGenerator`` did, with ``fill_mode="nearest"``.
    Chaining five Keras preprocessing layers resamples four times and measured
    slower than the book's generator on a CPU (``benchmarks/bench_input_pipeline.py``).
    Call it on a batch like a layer: ``augment(images, training=True)``.
    """

    def __init__(self, rotation_degrees=40.0, shift=0.2, shear=0.2, zoom=0.2, horizontal_flip=True, seed=0):
        import tensorflow as tf

        self.rotation = float(np.deg2rad(rotation_degrees))
        self.shift, self.shear, self.zoom = float(shift), float(shear), float(zoom)
        self.horizontal_flip = horizontal_flip
        self.generator = tf.random.Generator.from_seed(seed)

    def __repr__(self) -> str:
        return (
            f"AffineAugmentation(rotation up to {np.rad2deg(self.rotation):.0f} degrees, shifts up to "
            f"{self.shift:.0%}, shear up to {self.shear} rad, zoom {1 - self.zoom:.0%}-{1 + self.zoom:.0%}, "
            f"horizontal flips: {self.horizontal_flip}, fill: nearest)"
        )

    def __call__(self, images, training=True):
        import tensorflow as tf

        if not training:
            return images
        shape = tf.shape(images)
        count, height, width = shape[0], tf.cast(shape[1], tf.float32), tf.cast(shape[2], tf.float32)

        def uniform(limit):
            return self.generator.uniform([count], -limit, limit)

        angle, shear = uniform(self.rotation), uniform(self.shear)
        zoom_x, zoom_y = 1.0 + uniform(self.zoom), 1.0 + uniform(self.zoom)
        shift_x, shift_y = uniform(self.shift) * width, uniform(self.shift) * height
        flip = tf.ones([count])
        if self.horizontal_flip:
            flip = tf.where(self.generator.uniform([count]) < 0.5, -1.0, 1.0)
        cos, sin = tf.cos(angle), tf.sin(angle)
        # Output pixel -> input pixel: rotation @ shear @ zoom @ flip around the centre, plus a shift.
        a00 = cos * zoom_x * flip
        a01 = (-cos * tf.sin(shear) - sin * tf.cos(shear)) * zoom_y
        a10 = sin * zoom_x * flip
        a11 = (-sin * tf.sin(shear) + cos * tf.cos(shear)) * zoom_y
        centre_x, centre_y = (width - 1) / 2, (height - 1) / 2
        a02 = centre_x + shift_x - a00 * centre_x - a01 * centre_y
        a12 = centre_y + shift_y - a10 * centre_x - a11 * centre_y
        zeros = tf.zeros([count])
        transforms = tf.stack([a00, a01, a02, a10, a11, a12, zeros, zeros], axis=1)
        return tf.raw_ops.ImageProjectiveTransformV3(
            images=images,
            transforms=transforms,
            output_shape=shape[1:3],
            fill_value=0.0,
            interpolation="BILINEAR",
            fill_mode="NEAREST",
        )


def augmentation(seed: int = 0) -> AffineAugmentation:
    """The augmentation of listings 5.19/5.22/5.31 (see :class:`AffineAugmentation`)."""
    return AffineAugmentation(seed=seed)


def augmentation_layers(seed: int = 0):
    """The same transformations as five Keras preprocessing layers (usable inside a model)."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            layers.RandomFlip("horizontal", seed=seed),
            layers.RandomRotation(40 / 360, fill_mode="nearest", seed=seed),
            layers.RandomTranslation(0.2, 0.2, fill_mode="nearest", seed=seed),
            layers.RandomShear(0.2, 0.2, fill_mode="nearest", seed=seed),
            layers.RandomZoom(0.2, fill_mode="nearest", seed=seed),
        ],
        name="augmentation",
    )


def training_pipeline(dataset, *, augment=None, cache: bool = True):
    """Decode once (cache), augment per epoch on the fly, and prefetch."""
    import tensorflow as tf

    if cache:
        dataset = dataset.cache()
    if augment is not None:
        dataset = dataset.map(
            lambda images, labels: (augment(images, training=True), labels),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return dataset.prefetch(tf.data.AUTOTUNE)
