"""The CIFAR-10 loader: loopback downloads, every failure, safe extraction, safe unpickling, the stand-in."""

import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from dlwp_widgets import recording
from dlwp_widgets.datasets import cifar10, core


def _batch(count: int, first_label: int) -> bytes:
    rng = np.random.default_rng(first_label)
    data = rng.integers(0, 256, (count, 3072), dtype=np.uint8)
    labels = [(first_label + i) % 10 for i in range(count)]
    # The real batches are Python 2 pickles of a dict with byte-string keys; protocol 4 writes
    # bytes natively, as Python 2 wrote its strings (protocol 2 from Python 3 would need _codecs).
    return pickle.dumps({b"batch_label": b"x", b"labels": labels, b"data": data, b"filenames": [b"f"] * count}, protocol=4)


def _add(archive: tarfile.TarFile, name: str, body: bytes = b"", **attributes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(body)
    for key, value in attributes.items():
        setattr(info, key, value)
    archive.addfile(info, io.BytesIO(body) if body else None)


def tiny_archive(extra=None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        _add(archive, "cifar-10-batches-py", type=tarfile.DIRTYPE)
        for index, name in enumerate(cifar10.TRAIN_BATCHES):
            _add(archive, f"cifar-10-batches-py/{name}", _batch(3, index))
        _add(archive, "cifar-10-batches-py/test_batch", _batch(2, 6))
        if extra:
            extra(archive)
    return buffer.getvalue()


def pin(monkeypatch, body: bytes) -> None:
    remote = core.RemoteFile(
        filename=cifar10.ARCHIVE_NAME,
        url="https://example.invalid/cifar-10-python.tar.gz",
        file_hash=hashlib.sha256(body).hexdigest(),
        max_bytes=cifar10.FILES[0].max_bytes,
    )
    monkeypatch.setattr(cifar10, "FILES", (remote,))


@pytest.fixture
def served(file_server, monkeypatch):
    body = tiny_archive()
    pin(monkeypatch, body)
    file_server.serve(cifar10.ARCHIVE_NAME, body)
    return file_server, body


def _cache_files():
    root = core.cache_dir()
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_keras_pinned_checksum():
    assert cifar10.FILES[0].file_hash == "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
    assert cifar10.FILES[0].url == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"


def test_real_download_is_verified_extracted_and_reused(served):
    server, _ = served
    (x_train, y_train), (x_test, y_test) = cifar10.load_data(source="real")
    assert x_train.shape == (15, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (15, 1) and x_test.shape == (2, 32, 32, 3) and y_test.ravel().tolist() == [6, 7]
    # channels-last conversion matches Keras' reshape(3, 32, 32).transpose(1, 2, 0)
    raw = pickle.loads(_batch(3, 0))[b"data"]
    np.testing.assert_array_equal(x_train[0], raw[0].reshape(3, 32, 32).transpose(1, 2, 0))
    cifar10.load_data(source="real")
    assert server.requests == [cifar10.ARCHIVE_NAME]
    assert recording.data_sources()["cifar10"] == "real"
    assert not [name for name in _cache_files() if ".partial-" in name]


def test_404_is_a_clear_error(file_server, monkeypatch):
    pin(monkeypatch, b"anything")
    with pytest.raises(core.DownloadFailed, match="Could not download cifar-10-python.tar.gz"):
        cifar10.load_data(source="real")
    assert _cache_files() == []


def test_truncated_download_leaves_nothing(served):
    server, body = served
    server.serve(cifar10.ARCHIVE_NAME, body[:50], declared_length=len(body))
    with pytest.raises(core.DownloadFailed):
        cifar10.load_data(source="real")
    assert _cache_files() == []


def test_checksum_mismatch_leaves_nothing_and_nothing_is_unpickled(served, monkeypatch):
    server, body = served
    server.serve(cifar10.ARCHIVE_NAME, tiny_archive(lambda a: _add(a, "cifar-10-batches-py/extra", b"x")))
    unpickled = []
    monkeypatch.setattr(cifar10.BatchUnpickler, "load", lambda self: unpickled.append(1))
    with pytest.raises(core.ChecksumMismatch, match="does not match"):
        cifar10.load_data(source="real")
    assert _cache_files() == [] and unpickled == []


def test_offline_auto_falls_back_to_the_standin(offline_mirror, monkeypatch, capsys):
    small = cifar10.generate_standin(0, frogs=(4, 2), others=(1, 1))
    monkeypatch.setattr(cifar10, "generate_standin", lambda seed=0: small)
    (x_train, y_train), _ = cifar10.load_data(source="auto")
    assert "STAND-IN DATA for CIFAR-10" in capsys.readouterr().out
    assert x_train.shape == (13, 32, 32, 3) and recording.data_sources()["cifar10"] == "standin"


UNSAFE = {
    "absolute path": (lambda a: _add(a, "/tmp/evil", b"x"), "outside the target folder"),
    "dot-dot": (lambda a: _add(a, "cifar-10-batches-py/../../evil", b"x"), "outside the target folder"),
    "symlink": (lambda a: _add(a, "cifar-10-batches-py/link", type=tarfile.SYMTYPE, linkname="/etc/passwd"), "is a link"),
    "hard link": (lambda a: _add(a, "cifar-10-batches-py/hard", type=tarfile.LNKTYPE, linkname="cifar-10-batches-py/test_batch"), "is a link"),
    "device": (lambda a: _add(a, "cifar-10-batches-py/dev", type=tarfile.CHRTYPE, devmajor=1, devminor=3), "device"),
    "fifo": (lambda a: _add(a, "cifar-10-batches-py/fifo", type=tarfile.FIFOTYPE), "device"),
}


@pytest.mark.parametrize("kind", sorted(UNSAFE))
def test_unsafe_members_reject_the_whole_archive(served, monkeypatch, tmp_path, kind):
    server, _ = served
    extra, message = UNSAFE[kind]
    body = tiny_archive(extra)
    pin(monkeypatch, body)  # even an archive whose checksum matches is refused
    server.serve(cifar10.ARCHIVE_NAME, body)
    with pytest.raises(cifar10.UnsafeArchive, match=message):
        cifar10.load_data(source="real")
    assert not (core.cache_dir() / cifar10.EXTRACTED_DIR).exists()
    assert not [name for name in _cache_files() if name != cifar10.ARCHIVE_NAME]
    assert not os.path.exists("/tmp/evil") or kind != "absolute path"


def test_member_size_cap_is_named(tmp_path):
    path = tmp_path / "a.tar.gz"
    path.write_bytes(tiny_archive())
    with pytest.raises(cifar10.UnsafeArchive, match=r"over the per-member cap of 1,000 bytes \(MEMBER_SIZE_CAP\)"):
        cifar10.extract(path, tmp_path / "out", size_cap=1000)
    assert not (tmp_path / "out").exists() and [p.name for p in tmp_path.iterdir()] == ["a.tar.gz"]


def test_corrupt_archive_is_a_clear_error(tmp_path):
    path = tmp_path / "a.tar.gz"
    path.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(core.DataUnavailable, match="not a readable tar.gz"):
        cifar10.extract(path, tmp_path / "out")


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/dlwp-cifar-pwned",))


def test_malicious_pickle_is_refused(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": _Exploit(), b"labels": []}, protocol=4))
    with pytest.raises(cifar10.UnsafePickle, match=r"Refusing to unpickle (posix|os|nt)\.system"):
        cifar10.load_batch(path)
    assert not os.path.exists("/tmp/dlwp-cifar-pwned")


def test_malicious_batch_inside_a_checksummed_archive_is_refused(served, monkeypatch):
    server, _ = served

    def poisoned(archive):
        _add(archive, "cifar-10-batches-py/data_batch_1", pickle.dumps({b"data": _Exploit(), b"labels": []}))

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name in (*cifar10.TRAIN_BATCHES[1:], cifar10.TEST_BATCH):
            _add(archive, f"cifar-10-batches-py/{name}", _batch(2, 0))
        poisoned(archive)
    pin(monkeypatch, buffer.getvalue())
    server.serve(cifar10.ARCHIVE_NAME, buffer.getvalue())
    with pytest.raises(cifar10.UnsafePickle):
        cifar10.load_data(source="real")
    assert not os.path.exists("/tmp/dlwp-cifar-pwned")


def test_garbled_batch_is_a_clear_error(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(_batch(2, 0)[:40])
    with pytest.raises(core.DataUnavailable, match="not a readable CIFAR-10 batch"):
        cifar10.load_batch(path)


def test_standin_format_and_determinism():
    (x_train, y_train), (x_test, y_test) = cifar10.generate_standin(3, frogs=(20, 5), others=(2, 1))
    again = cifar10.generate_standin(3, frogs=(20, 5), others=(2, 1))
    np.testing.assert_array_equal(x_train, again[0][0])
    assert x_train.dtype == np.uint8 and x_train.shape == (38, 32, 32, 3) and y_train.shape == (38, 1)
    assert x_test.shape == (14, 32, 32, 3) and y_test.dtype == np.uint8
    assert np.bincount(y_train.ravel(), minlength=10)[cifar10.FROG] == 20
    frogs = x_train[y_train.ravel() == cifar10.FROG].astype(float)
    # Shared structure: frogs are greener than red or blue in the image centre.
    centre = frogs[:, 12:24, 8:24]
    assert (centre[..., 1].mean() > centre[..., 0].mean() + 20) and centre[..., 1].mean() > centre[..., 2].mean() + 20
