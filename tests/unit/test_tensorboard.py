"""A real TensorBoard server (loopback) over logs written by Keras' TensorBoard callback, checked through its HTTP API.

Chapter 7.2 claims three things in TensorBoard: the training curves (scalars), the
weight histograms (histogram_freq=1) and the word embedding in the projector
(embeddings_freq=1).  The second case writes logs without histograms and with
only what Keras 3 writes for the projector, and checks that the server shows
neither: the first case's checks can fail.
"""

import urllib.error

import numpy as np
import pytest

from dlwp_widgets import monitoring

VOCABULARY, DIMENSIONS = 50, 8


def _train(log_dir, *, histogram_freq):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(20,)),
            keras.layers.Embedding(VOCABULARY, DIMENSIONS, name="embed"),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, VOCABULARY, (64, 20)), rng.integers(0, 2, 64)
    callback = keras.callbacks.TensorBoard(str(log_dir), histogram_freq=histogram_freq, embeddings_freq=1)
    model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0, callbacks=[callback])
    return model


def _tags(answer):
    return {tag for run in (answer or {}).values() for tag in run}


def test_server_shows_scalars_histograms_and_the_projector_embedding(tmp_path):
    model = _train(tmp_path, histogram_freq=1)
    vectors = model.get_layer("embed").embeddings.numpy()
    words = [f"word{i}" for i in range(VOCABULARY)]
    monitoring.write_projector(tmp_path, vectors, words)

    with monitoring.TensorBoardServer(tmp_path) as board:
        assert board.host == "127.0.0.1"
        scalars = board.wait_for("/data/plugin/scalars/tags", lambda a: {"train", "validation"} <= set(a or {}))
        assert {"epoch_loss", "epoch_accuracy"} <= set(scalars["train"])
        assert {"epoch_loss", "epoch_accuracy"} <= set(scalars["validation"])
        histograms = board.wait_for("/data/plugin/histograms/tags", lambda a: bool(_tags(a)))
        assert any("embed" in tag for tag in _tags(histograms)), histograms
        plugins = board.get_json("/data/plugins_listing")
        assert plugins["scalars"]["enabled"] and plugins["histograms"]["enabled"]

        runs = board.wait_for("/data/plugin/projector/runs", lambda a: "." in (a or []))
        assert "." in runs
        config = board.get_json("/data/plugin/projector/info?run=.")
        embedding = config["embeddings"][0]
        assert embedding["tensorName"] == "embedding"
        assert [int(n) for n in embedding["tensorShape"]] == [VOCABULARY, DIMENSIONS]
        tensor = np.frombuffer(board.get("/data/plugin/projector/tensor?run=.&name=embedding"), dtype=np.float32)
        np.testing.assert_allclose(tensor.reshape(VOCABULARY, DIMENSIONS), vectors, rtol=1e-4, atol=1e-6)
        labels = board.get("/data/plugin/projector/metadata?run=.&name=embedding").decode().split("\n")
        assert labels[:2] == ["word0", "word1"]
        process = board.process
    assert process.poll() is not None, "the server must be stopped when the block ends"


def test_server_shows_neither_histograms_nor_a_projector_tensor_when_the_logs_lack_them(tmp_path):
    _train(tmp_path, histogram_freq=0)  # Keras 3 alone: its projector config names a tensor it never saves readably
    assert (tmp_path / "projector_config.pbtxt").exists()

    with monitoring.TensorBoardServer(tmp_path) as board:
        scalars = board.wait_for("/data/plugin/scalars/tags", lambda a: {"train", "validation"} <= set(a or {}))
        assert "epoch_loss" in scalars["train"]  # the logs were loaded ...
        histograms = board.wait_for("/data/plugin/histograms/tags", lambda a: bool(_tags(a)), timeout_s=3)
        assert not _tags(histograms)  # ... but hold no histogram
        # Keras 3's config names a checkpoint variable but the weights are in .weights.h5 files: no projector run
        assert "." not in board.wait_for("/data/plugin/projector/runs", lambda a: "." in (a or []), timeout_s=2)
        with pytest.raises(urllib.error.HTTPError):
            board.get("/data/plugin/projector/info?run=.")


def test_write_projector_refuses_mismatched_labels(tmp_path):
    with pytest.raises(ValueError, match="3 labels for 2 vectors"):
        monitoring.write_projector(tmp_path, np.zeros((2, 4)), ["a", "b", "c"])


def test_vocabulary_labels_follow_the_keras_index_convention():
    labels = monitoring.vocabulary_labels({"the": 1, "and": 2, "rare": 99}, 6)
    assert labels == ["<pad>", "<start>", "<oov>", "#3", "the", "and"]


def test_projection_separation_tells_clusters_from_noise():
    rng = np.random.default_rng(0)
    classes = np.repeat([True, False], 30)
    clustered = rng.normal(size=(60, 16)) + np.where(classes[:, None], 3.0, -3.0)
    assert monitoring.projection_separation(clustered, classes) == 1.0
    assert monitoring.projection_separation(rng.normal(size=(60, 16)), classes) < 0.8


def test_class_words_picks_the_words_of_each_class():
    sequences = [[1, 3, 5, 7]] * 30 + [[1, 4, 6, 7]] * 30
    labels = [1] * 30 + [0] * 30
    positive, negative = monitoring.class_words(sequences, labels, 10, count=2, min_documents=5)
    assert set(positive) == {3, 5} and set(negative) == {4, 6}


def test_tensorboard_starts_without_the_notebooks_keras_backend():
    """Under KERAS_BACKEND=torch, a TensorBoard that inherited it crashed on start (exit -11): it never gets it."""
    env = monitoring.server_environment({"KERAS_BACKEND": "torch", "PATH": "/bin", "TF_CPP_MIN_LOG_LEVEL": "0"})
    assert env == {"PATH": "/bin", "TF_CPP_MIN_LOG_LEVEL": "3"}
