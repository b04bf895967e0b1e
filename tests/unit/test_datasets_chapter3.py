"""IMDB, Reuters and Boston housing loaders: stand-ins, the real path over loopback HTTP, failures."""

from __future__ import annotations

import hashlib
import io
import json
import os

import numpy as np
import pytest

from dlwp_widgets.datasets import boston_housing, core, imdb, reuters, sequences


def ragged(*sequences):
    array = np.empty(len(sequences), dtype=object)
    array[:] = [list(s) for s in sequences]
    return array


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def pin(monkeypatch, module, index, body: bytes):
    """Make the module's registry entry ``index`` pin the checksum of ``body``."""
    entry = module.FILES[index]
    digest = hashlib.new(entry.hash_algorithm, body).hexdigest()
    files = list(module.FILES)
    files[index] = core.RemoteFile(entry.filename, entry.url, digest, entry.hash_algorithm, note="test",
                                   max_bytes=entry.max_bytes)
    monkeypatch.setattr(module, "FILES", tuple(files))
    return files[index]


def cache_files():
    root = core.cache_dir()
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


IMDB_NPZ = dict(
    x_train=ragged([5, 1, 20000], [7, 7]),
    y_train=np.array([1, 0]),
    x_test=ragged([3], [9, 2, 4]),
    y_test=np.array([0, 1]),
)


def test_imdb_real_path_keeps_keras_conventions(file_server, monkeypatch):
    body = npz_bytes(**IMDB_NPZ)
    pin(monkeypatch, imdb, 0, body)
    file_server.serve("imdb.npz", body)
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10, source="real")
    # Keras shuffles with seed 113; compare as sets of (sequence, label) pairs.
    train = {(tuple(x), int(y)) for x, y in zip(x_train, y_train)}
    assert train == {((1, 8, 4, 2), 1), ((1, 2, 2), 0)}  # start 1, +3 offset, >= num_words -> OOV 2
    assert {(tuple(x), int(y)) for x, y in zip(x_test, y_test)} == {((1, 6), 0), ((1, 2, 5, 7), 1)}
    assert x_train.dtype == object and isinstance(x_train[0], list)
    assert cache_files() == ["imdb.npz"]


def test_imdb_npz_with_a_pickled_payload_is_refused(file_server, monkeypatch, tmp_path):
    class Payload:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    evil = np.empty(1, dtype=object)
    evil[0] = Payload()
    body = npz_bytes(x_train=evil, y_train=np.array([0]), x_test=evil, y_test=np.array([0]))
    pin(monkeypatch, imdb, 0, body)
    file_server.serve("imdb.npz", body)
    import pickle

    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        imdb.load_data(source="real")


def test_word_index_and_decoding(file_server, monkeypatch):
    body = json.dumps({"the": 1, "film": 2, "great": 3}).encode()
    pin(monkeypatch, imdb, 1, body)
    file_server.serve("imdb_word_index.json", body)
    word_index = imdb.get_word_index(source="real")
    assert word_index == {"the": 1, "film": 2, "great": 3}
    assert imdb.decode_review([1, 4, 5, 6, 2], word_index) == "? the film great ?"
    assert reuters.decode_newswire([1, 6], word_index) == "? great"


@pytest.mark.parametrize(
    "route, error, words",
    [
        (dict(body=b"not the file"), core.ChecksumMismatch, "does not match"),
        (dict(body=b"short", declared_length=5000), core.DownloadFailed, "Could not download"),
        (dict(body=b"", status=500), core.DownloadFailed, "Could not download"),
    ],
    ids=["checksum-mismatch", "truncated", "server-error"],
)
def test_failed_downloads_name_the_file_and_leave_nothing(file_server, monkeypatch, route, error, words):
    pin(monkeypatch, reuters, 0, npz_bytes(x=ragged([1]), y=np.array([0])))
    file_server.serve("reuters.npz", **route)
    with pytest.raises(error, match=words) as raised:
        reuters.load_data(source="real")
    assert "reuters.npz" in str(raised.value)
    assert cache_files() == []


def test_offline_real_fails_clearly_and_auto_falls_back_loudly(offline_mirror, capsys):
    with pytest.raises(core.DownloadFailed, match="boston_housing.npz"):
        boston_housing.load_data(source="real")
    assert cache_files() == []
    (x_train, _), _ = boston_housing.load_data(source="auto")
    shown = capsys.readouterr().out
    assert "STAND-IN DATA for Boston housing prices" in shown and "Could not download" in shown
    assert x_train.shape == (404, 13)


def test_reuters_and_boston_real_paths(file_server, monkeypatch):
    sequences = ragged(*[[i + 1, 2] for i in range(10)])
    body = npz_bytes(x=sequences, y=np.arange(10))
    pin(monkeypatch, reuters, 0, body)
    file_server.serve("reuters.npz", body)
    (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=100, source="real")
    assert len(x_train) == 8 and len(x_test) == 2  # Keras' 80/20 split
    for sequence, label in zip(list(x_train) + list(x_test), list(y_train) + list(y_test)):
        assert sequence == [1, int(label) + 4, 5]
    x = np.arange(10 * 13, dtype=float).reshape(10, 13)
    body = npz_bytes(x=x, y=np.arange(10.0))
    pin(monkeypatch, boston_housing, 0, body)
    file_server.serve("boston_housing.npz", body)
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(source="real")
    assert x_train.shape == (8, 13) and x_test.shape == (2, 13)
    np.testing.assert_array_equal(np.concatenate([x_train, x_test])[:, 0] / 13, np.concatenate([y_train, y_test]))


@pytest.fixture(scope="module")
def imdb_standin():
    """The IMDB stand-in, generated once for this module (as ``load_data(num_words=10000)`` returns it)."""
    return imdb._finish(imdb.generate_standin(0), num_words=10000)


def test_imdb_standin_format_and_determinism(imdb_standin):
    (x_train, y_train), (x_test, y_test) = imdb_standin
    assert len(x_train) == len(x_test) == 25_000 and x_train.dtype == object
    assert all(seq[0] == 1 for seq in x_train[:100])
    assert max(max(seq) for seq in x_train) == 9999
    assert set(np.unique(y_train)) == {0, 1} and 0.45 < y_train.mean() < 0.55
    assert 150 < np.mean([len(s) for s in x_train]) < 320
    word_index = imdb.get_word_index(source="standin")
    assert len(word_index) == imdb.STANDIN_VOCABULARY and sorted(word_index.values())[:3] == [1, 2, 3]
    again = imdb.generate_standin(0, train_size=50, test_size=50)
    np.testing.assert_array_equal(again["train_tokens"], imdb.generate_standin(0, 50, 50)["train_tokens"])
    assert not np.array_equal(again["train_tokens"][:500], imdb.generate_standin(1, 50, 50)["train_tokens"][:500])


def test_reuters_and_boston_standin_format(capsys):
    (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=10000, source="standin")
    assert "STAND-IN DATA for Reuters newswires" in capsys.readouterr().out
    assert (len(x_train), len(x_test)) == (8982, 2246)
    counts = np.bincount(y_train, minlength=46)
    assert len(counts) == 46 and counts.argmax() == 3 and counts.max() > 0.3 * len(y_train)
    assert len(reuters.get_label_names()) == 46
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(source="standin")
    assert x_train.shape == (404, 13) and x_test.shape == (102, 13) and x_train.dtype == np.float64
    assert y_train.min() >= 5 and y_train.max() <= 50 and 18 < y_train.mean() < 26


def multi_hot(sequences, dimension=10000):
    result = np.zeros((len(sequences), dimension), dtype="float32")
    for i, sequence in enumerate(sequences):
        result[i, sequence] = 1.0
    return result


def test_book_models_beat_the_trivial_baselines_on_the_standins(imdb_standin):
    import keras

    from dlwp_widgets.models import dense

    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = imdb_standin
    model = dense.imdb_reference()
    model.fit(multi_hot(x_train[:5000]), y_train[:5000], epochs=3, batch_size=512, verbose=0)
    accuracy = model.evaluate(multi_hot(x_test[:3000]), y_test[:3000], verbose=0)[1]
    majority = max(y_test[:3000].mean(), 1 - y_test[:3000].mean())
    assert majority + 0.2 < accuracy < 0.99

    (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=10000, source="standin")
    model = dense.reuters_classifier(loss="sparse_categorical_crossentropy")
    model.fit(multi_hot(x_train), y_train, epochs=4, batch_size=512, verbose=0)
    accuracy = model.evaluate(multi_hot(x_test), y_test, verbose=0)[1]
    shuffled = np.random.default_rng(0).permutation(y_test)
    assert np.mean(shuffled == y_test) + 0.3 < accuracy < 0.97

    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(source="standin")
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    model = dense.boston_regressor()
    model.fit((x_train - mean) / std, y_train, epochs=40, batch_size=16, verbose=0)
    mae = model.evaluate((x_test - mean) / std, y_test, verbose=0)[1]
    baseline = np.abs(y_test - y_train.mean()).mean()
    assert 0.5 < mae < 0.6 * baseline


def keras_reference(sequences, num_words, skip_top, start_char, oov_char, index_from):
    """Keras' own list comprehensions (keras.datasets.imdb.load_data), for comparison."""
    xs = [[start_char] + [w + index_from for w in x] if start_char is not None else [w + index_from for w in x]
          for x in sequences]
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


@pytest.mark.parametrize("num_words, skip_top, start_char, oov_char",
                         [(10, 0, 1, 2), (10, 5, 1, None), (None, 0, None, 2), (8, 2, 1, None)])
def test_index_convention_matches_keras(num_words, skip_top, start_char, oov_char):
    raw = [[5, 1, 20], [7, 7], [3], [9, 2, 4, 1]]
    flat, lengths = sequences.flatten_sequences(raw)
    flat, lengths = sequences.apply_index_convention(flat, lengths, num_words=num_words, skip_top=skip_top,
                                                     start_char=start_char, oov_char=oov_char, index_from=3)
    ours = list(sequences.to_object_array(flat, lengths))
    assert ours == keras_reference(raw, num_words, skip_top, start_char, oov_char, 3)


def test_importing_the_loaders_does_not_import_tensorflow():
    import subprocess
    import sys

    code = ("import sys; import dlwp_widgets.datasets.imdb, dlwp_widgets.datasets.reuters, "
            "dlwp_widgets.datasets.boston_housing, dlwp_widgets.models.dense, dlwp_widgets.evaluation, "
            "dlwp_widgets.plots, dlwp_widgets.widgets.overfitting; print('tensorflow' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
