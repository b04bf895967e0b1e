"""The MNIST loader end to end: real files from a loopback server, every failure, and the stand-in."""

import hashlib
import io

import numpy as np
import pytest

from dlwp_widgets import recording
from dlwp_widgets.datasets import core, mnist


def _tiny_mnist_npz() -> bytes:
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        x_train=rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        y_train=np.arange(6, dtype=np.uint8),
        x_test=rng.integers(0, 256, (2, 28, 28), dtype=np.uint8),
        y_test=np.arange(2, dtype=np.uint8),
    )
    return buffer.getvalue()


@pytest.fixture
def served_mnist(file_server, monkeypatch):
    """A small, well-formed mnist.npz on the loopback server, pinned by its real sha256."""
    body = _tiny_mnist_npz()
    remote = core.RemoteFile(
        filename="mnist.npz",
        url="https://example.invalid/mnist.npz",
        file_hash=hashlib.sha256(body).hexdigest(),
        size_bytes=len(body),
    )
    monkeypatch.setattr(mnist, "FILES", (remote,))
    file_server.serve("mnist.npz", body)
    return file_server, body


def _cache_files():
    root = core.cache_dir()
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_real_download_is_verified_cached_and_reused(served_mnist):
    server, _ = served_mnist
    (x_train, y_train), (x_test, y_test) = mnist.load_data(source="real")
    assert x_train.shape == (6, 28, 28) and x_train.dtype == np.uint8
    assert list(y_test) == [0, 1]
    assert _cache_files() == ["mnist.npz"]
    mnist.load_data(source="real")
    assert server.requests == ["mnist.npz"], "a verified cached file must not be downloaded again"
    assert recording.data_sources()["mnist"] == "real"


def test_checksum_mismatch_is_a_clear_error_and_leaves_no_file(served_mnist):
    server, body = served_mnist
    server.serve("mnist.npz", body[:-10] + b"0123456789")
    with pytest.raises(core.ChecksumMismatch, match="mnist.npz.*does not match") as error:
        mnist.load_data(source="real")
    assert "DLWP_DATA_DIR" in str(error.value) and "standin" in str(error.value)
    assert _cache_files() == []


def test_truncated_download_is_a_clear_error_and_leaves_no_file(served_mnist):
    server, body = served_mnist
    server.serve("mnist.npz", body[:100], declared_length=len(body))
    with pytest.raises(core.DownloadFailed, match="Could not download mnist.npz"):
        mnist.load_data(source="real")
    assert _cache_files() == []


def test_server_error_is_a_clear_error(served_mnist):
    server, body = served_mnist
    server.serve("mnist.npz", body, status=500)
    with pytest.raises(core.DownloadFailed, match="500"):
        mnist.load_data(source="real")
    assert _cache_files() == []


def test_offline_machine_is_a_clear_error(offline_mirror):
    with pytest.raises(core.DownloadFailed, match="offline") as error:
        mnist.load_data(source="real")
    assert "mnist.npz" in str(error.value)
    assert _cache_files() == []


def test_corrupt_cached_file_is_replaced_by_a_fresh_download(served_mnist):
    server, _ = served_mnist
    cached = core.cache_dir() / "mnist.npz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not an npz")
    mnist.load_data(source="real")
    assert server.requests == ["mnist.npz"]
    assert core.file_digest(cached) == mnist.FILES[0].file_hash


def test_pre_downloaded_folder_is_used_without_network(served_mnist, tmp_path, monkeypatch):
    server, body = served_mnist
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "mnist.npz").write_bytes(body)
    monkeypatch.setenv("DLWP_DATA_DIR", str(folder))
    mnist.load_data(source="real")
    assert server.requests == []


def test_wrong_pre_downloaded_file_is_reported_and_kept(served_mnist, tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "mnist.npz").write_bytes(b"something else")
    monkeypatch.setenv("DLWP_DATA_DIR", str(folder))
    with pytest.raises(core.ChecksumMismatch, match="DLWP_DATA_DIR"):
        mnist.load_data(source="real")
    assert (folder / "mnist.npz").read_bytes() == b"something else", "the reader's file must not be deleted"


def test_auto_falls_back_to_the_standin_loudly(offline_mirror, monkeypatch, capsys):
    monkeypatch.setattr(mnist, "load_standin", lambda: ((np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8)),) * 2)
    (x_train, _), _ = mnist.load_data(source="auto")
    out = capsys.readouterr().out
    assert "STAND-IN DATA for MNIST" in out and "Could not download mnist.npz" in out
    assert recording.data_sources()["mnist"] == "standin"


def test_unknown_source_is_rejected():
    with pytest.raises(ValueError, match="Unknown data source 'web'"):
        mnist.load_data(source="web")


def test_registry_pins_the_checksum_keras_pins():
    import inspect

    from keras.src.datasets import mnist as keras_mnist

    assert mnist.FILES[0].file_hash in inspect.getsource(keras_mnist)


def test_standin_has_mnist_format_and_is_deterministic():
    (x_train, y_train), (x_test, y_test) = mnist.generate_standin(seed=0, train_size=600, test_size=100)
    assert x_train.shape == (600, 28, 28) and x_test.shape == (100, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert set(np.unique(y_train)) == set(range(10))
    assert x_train.max() == 255 and x_train.min() == 0
    (again, _), _ = mnist.generate_standin(seed=0, train_size=600, test_size=100)
    assert np.array_equal(x_train, again)
    (other, _), _ = mnist.generate_standin(seed=1, train_size=600, test_size=100)
    assert not np.array_equal(x_train, other)


def test_books_dense_network_beats_90_percent_on_the_standin(capsys):
    import keras

    (x_train, y_train), (x_test, y_test) = mnist.load_data(source="standin")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert "STAND-IN DATA" in capsys.readouterr().out
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((784,)), keras.layers.Dense(512, activation="relu"), keras.layers.Dense(10, activation="softmax")]
    )
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train.reshape(-1, 784) / 255, y_train, epochs=3, batch_size=128, verbose=0)
    _, accuracy = model.evaluate(x_test.reshape(-1, 784) / 255, y_test, verbose=0)
    assert accuracy > 0.90
    assert accuracy < 0.999, "a stand-in that is trivially separable teaches nothing"
