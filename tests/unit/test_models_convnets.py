"""Chapter 5 model builders: the book's parameter counts and the VGG16 weight switch."""

import tempfile

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from dlwp_widgets.datasets import core  # noqa: E402
from dlwp_widgets import recording  # noqa: E402
from dlwp_widgets.models import convnets, pretrained  # noqa: E402


def test_mnist_convnets():
    base = convnets.mnist_convnet_base()
    assert base.count_params() == 55_744 and tuple(base.outputs[0].shape) == (None, 3, 3, 64)
    assert convnets.mnist_convnet().count_params() == 93_322
    no_pool = convnets.mnist_convnet_no_pooling()
    assert no_pool.count_params() == 55_744 and tuple(no_pool.outputs[0].shape) == (None, 22, 22, 64)


def test_cats_dogs_convnet_with_and_without_dropout():
    plain = convnets.cats_dogs_convnet()
    dropout = convnets.cats_dogs_convnet(dropout=0.5)
    assert plain.count_params() == dropout.count_params() == 3_453_121
    assert any(type(layer).__name__ == "Dropout" for layer in dropout.layers)
    assert plain.optimizer.learning_rate.numpy() == pytest.approx(1e-4)


@pytest.fixture
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv(core.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setenv(core.ENV_MIRROR, "http://127.0.0.1:9/")  # discard port: refused at once
    monkeypatch.delenv(core.ENV_DATA_DIR, raising=False)
    return tmp_path


def test_vgg16_standin_base_head_and_freezing(offline, capsys):
    conv_base = convnets.vgg16_conv_base("standin")
    assert conv_base.weights_source == "random"
    assert "STAND-IN DATA for VGG16 ImageNet weights" in capsys.readouterr().out
    assert conv_base.count_params() == 14_714_688 and conv_base.output_shape == (None, 4, 4, 512)
    model = convnets.vgg16_with_head(conv_base)
    assert model.count_params() == 16_812_353 and len(model.trainable_weights) == 30
    conv_base.trainable = False
    assert len(model.trainable_weights) == 4
    assert convnets.unfreeze_from(conv_base, "block5_conv1") == ["block5_conv1", "block5_conv2", "block5_conv3"]
    assert len(model.trainable_weights) == 10
    with pytest.raises(ValueError, match="not a layer"):
        convnets.unfreeze_from(conv_base, "block9_conv1")
    assert convnets.feature_classifier().count_params() == 2_097_665


def test_vgg16_real_fails_clearly_offline_and_auto_falls_back(offline, capsys):
    with pytest.raises(core.DownloadFailed, match="vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"):
        convnets.vgg16_conv_base("real", input_shape=(32, 32, 3))
    model = convnets.vgg16_conv_base("auto", input_shape=(32, 32, 3))
    assert model.weights_source == "random"
    assert "could not be used" in capsys.readouterr().out


def test_vgg16_wrong_reader_file_is_refused(offline, monkeypatch):
    provided = offline / "provided"
    provided.mkdir()
    (provided / pretrained.APPLICATIONS["vgg16"].no_top.filename).write_bytes(b"not the weights")
    monkeypatch.setenv(core.ENV_DATA_DIR, str(provided))
    with pytest.raises(core.ChecksumMismatch, match="md5"):
        convnets.vgg16_conv_base("real", input_shape=(32, 32, 3))


def test_vgg16_loads_verified_weights(offline, monkeypatch):
    """The real path: a verified file's weights end up in the model."""
    keras.utils.set_random_seed(7)
    source = keras.applications.VGG16(include_top=False, weights=None, input_shape=(32, 32, 3))
    weights_file = offline / "vgg.weights.h5"
    source.save_weights(weights_file)
    monkeypatch.setattr(pretrained, "imagenet_weights_path", lambda application, include_top: weights_file)
    model = convnets.vgg16_conv_base("real", input_shape=(32, 32, 3))
    assert model.weights_source == "imagenet"
    assert recording.data_sources()["vgg16_imagenet_weights"] == "real"
    np.testing.assert_array_equal(model.get_layer("block1_conv1").get_weights()[0], source.get_layer("block1_conv1").get_weights()[0])


def test_saved_model_path_is_in_the_cache(offline):
    path = convnets.saved_model_path("x.keras")
    assert path.parent.is_dir() and str(path).startswith(str(offline / "cache"))
    assert path.parent.name == keras.backend.backend()  # one folder per backend: their saved optimizers differ


def test_saved_model_path_falls_back_where_the_cache_cannot_be_written(offline, monkeypatch, capsys):
    blocker = offline / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(core.ENV_CACHE_DIR, str(blocker))  # the cache "folder" is a file
    monkeypatch.setattr(tempfile, "tempdir", str(offline))  # the fallback goes under tmp_path
    path = convnets.saved_model_path("x.keras")
    assert path.parent.is_dir() and path.parent == core.work_dir() / "dlwp-models" / keras.backend.backend()
    assert str(path).startswith(str(offline / "dlwp-cache-"))
    path.write_bytes(b"saved")  # 5.2 saves here, 5.4 reads it back
    assert convnets.saved_model_path("x.keras").read_bytes() == b"saved"
    assert "generated data goes to" in capsys.readouterr().out
