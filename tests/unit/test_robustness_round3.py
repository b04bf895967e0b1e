"""Issue 23 (robustness, round 3): one regression test (or more) per numbered item of the issue's "Why".

Item 1 (the sanitised site) is tests/unit/test_site_sanitised.py and tests/browser/test_site_is_sanitised.py;
item 9's "no traceback from any command" is tests/unit/test_cli_bad_input.py.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from dlwp_widgets.datasets import boston_housing, cifar10, core, glove, jena_climate as jena

# --------------------------------------------------------------------------- 2: the CIFAR-10 unpickler


def _unpickle(body: bytes):
    return cifar10.BatchUnpickler(io.BytesIO(body), encoding="bytes").load()


def test_2_an_object_array_is_refused_before_numpy_allocates():
    with pytest.raises(cifar10.UnsafePickle, match="plain numbers only"):
        _unpickle(pickle.dumps({b"data": np.empty(3, dtype=object)}, protocol=3))


def test_2_a_huge_array_declared_in_a_tiny_file_is_refused():
    # _reconstruct asked for 1.4 billion elements directly (NumPy's own pickles ask for an empty array)
    body = b"\x80\x03cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nJ\x00\xe4\x0bT\x85C\x01b\x87R."
    assert len(body) < 120
    with pytest.raises(cifar10.UnsafePickle, match="empty ndarray"):
        _unpickle(body)
    # an array state whose shape is far larger than its data
    state = pickle.dumps(np.zeros(4, np.uint8), protocol=3).replace(b"K\x04\x85", b"J\x00\x00\x00\x40\x85")
    with pytest.raises(cifar10.UnsafePickle, match="MAX_ARRAY_ELEMENTS"):
        _unpickle(state)


def test_2_a_real_batch_layout_still_loads(tmp_path):
    data = np.arange(2 * 3072, dtype=np.uint8).reshape(2, 3072)
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": data, b"labels": [3, 6]}, protocol=3))
    images, labels = cifar10.load_batch(path)
    assert images.shape == (2, 32, 32, 3) and list(labels) == [3, 6]


def test_9_an_unsafe_batch_is_named_and_the_cache_is_cleared_for_a_fresh_extraction(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "cache" / cifar10.EXTRACTED_DIR
    batches = folder / cifar10.BATCH_FOLDER
    batches.mkdir(parents=True)
    for name in (*cifar10.TRAIN_BATCHES, cifar10.TEST_BATCH):
        (batches / name).write_bytes(pickle.dumps({b"data": np.zeros((1, 3072), np.uint8), b"labels": [0]}, protocol=3))
    (batches / cifar10.TEST_BATCH).write_bytes(b"\x80\x03cos\nsystem\nX\x02\x00\x00\x00idq\x00\x85R.")
    (folder / cifar10.COMPLETE_MARKER).write_text(cifar10.FILES[0].file_hash + "\n")
    with pytest.raises(cifar10.UnsafePickle) as refused:
        cifar10.load_real()
    assert str(batches / cifar10.TEST_BATCH) in str(refused.value) and "removed from the cache" in str(refused.value)
    assert not folder.exists()
    monkeypatch.setenv("DLWP_DATA_MIRROR", "http://127.0.0.1:9/")  # offline: auto falls back, no crash
    monkeypatch.setattr(cifar10, "load_standin", lambda: "standin")
    assert cifar10.load_data(source="auto") == "standin"


# --------------------------------------------------------------------------- 3: download caps


class _EndlessResponse:
    """A server that sends no Content-Length and never stops (what a 3 GB answer looks like to the client)."""

    headers: dict = {}
    sent = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read1(self, size):
        type(self).sent += size
        return b"\0" * size


def test_3_a_download_over_its_cap_is_refused_while_streaming(monkeypatch):
    (remote,) = boston_housing.FILES
    monkeypatch.setattr(core.urllib.request, "urlopen", lambda request, timeout: _EndlessResponse())
    with pytest.raises(core.DownloadFailed, match="download cap of 100,000 bytes"):
        core.fetch(remote)
    assert _EndlessResponse.sent <= remote.max_bytes + (1 << 16)  # stopped one block past the cap
    assert not list(core.cache_dir().glob(".partial-*")) and not (core.cache_dir() / remote.filename).exists()


def test_3_an_announced_size_over_the_cap_is_refused_before_reading(file_server):
    (remote,) = boston_housing.FILES
    file_server.serve(remote.filename, b"\0" * (remote.max_bytes + 1))
    with pytest.raises(core.DownloadFailed, match="the server announced 100,001 bytes"):
        core.fetch(remote)


def test_3_every_registry_entry_has_a_download_cap():
    from dlwp_widgets import datasets
    from dlwp_widgets.models import pretrained

    entries = [remote for module in datasets.available().values() for remote in module.FILES]
    entries += [app.weights_file(top) for app in pretrained.APPLICATIONS.values() for top in (True, False)]
    assert entries and all(isinstance(remote.download_cap, int) and remote.download_cap > 0 for remote in entries)
    with pytest.raises(ValueError, match="download cap"):
        core.RemoteFile("x.bin", "http://example.invalid/x.bin", file_hash="0" * 64)


# --------------------------------------------------------------------------- 4: whole-file content checks


def _glove_zip(lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(glove.MEMBER, "".join(line + "\n" for line in lines))
    return buffer.getvalue()


def _vector(word: str, value: str = "0.5") -> str:
    return word + " " + " ".join([value] * glove.DIMENSION)


def test_4_glove_a_broken_line_after_the_first_thousand_never_enters_the_cache(file_server, monkeypatch):
    monkeypatch.setattr(glove, "VOCABULARY_SIZE", 1_201)
    lines = [_vector(f"w{i}") for i in range(1_200)] + ["broken 1 2"]
    file_server.serve(glove.ARCHIVE_NAME, _glove_zip(lines))
    with pytest.raises(core.ChecksumMismatch, match="line 1,201 has 2 values"):
        glove.load_data(source="real", words=["w1"])
    assert not (core.cache_dir() / glove.ARCHIVE_NAME).exists()


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_4_glove_vectors_that_are_not_finite_are_refused(file_server, monkeypatch, value):
    monkeypatch.setattr(glove, "VOCABULARY_SIZE", 2)
    file_server.serve(glove.ARCHIVE_NAME, _glove_zip([_vector("good"), _vector("bad", value)]))
    with pytest.raises(core.ChecksumMismatch, match="not finite"):
        glove.load_data(source="real")


def test_4_a_poisoned_cached_glove_archive_is_removed_named_and_auto_falls_back(monkeypatch, capsys):
    monkeypatch.setattr(glove, "VOCABULARY_SIZE", 2)
    monkeypatch.setenv("DLWP_DATA_MIRROR", "http://127.0.0.1:9/")  # offline
    cached = core.cache_dir() / glove.ARCHIVE_NAME
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(_glove_zip([_vector("good"), "broken 1 2"]))
    monkeypatch.setattr(glove, "load_standin", lambda words=None: {"good": np.ones(100, np.float32)})
    vectors = glove.load_data(source="auto", words=["good"])
    out = capsys.readouterr().out
    assert f"Removed {cached} from the cache" in out and "STAND-IN DATA for GloVe" in out
    assert not cached.exists() and list(vectors) == ["good"]


JENA_ROW = "01.01.2009 00:10:00," + ",".join(["1.5"] * 14)


@pytest.mark.parametrize(
    "row, problem",
    [
        ("01.01.2009 00:10:00," + ",".join(["x"] * 14), "not a number"),
        ("01.01.2009 00:10:00," + ",".join(["nan"] * 14), "not finite"),
        ("not a time," + ",".join(["1.5"] * 14), "dd.mm.yyyy"),
    ],
)
def test_4_jena_rows_of_the_right_shape_but_not_numbers_are_refused(monkeypatch, row, problem):
    monkeypatch.setattr(jena, "ROWS", 3)
    csv = (jena.HEADER + "\n" + "\n".join([JENA_ROW, row, JENA_ROW])).encode()
    assert problem in jena.check_csv_stream(io.BytesIO(csv))
    assert jena.check_csv_stream(io.BytesIO((jena.HEADER + "\n" + "\n".join([JENA_ROW] * 3)).encode())) is None


def test_4_jena_a_huge_line_is_refused_without_reading_it_whole(monkeypatch):
    stream = io.BytesIO((jena.HEADER + "\n").encode() + b"1" * (jena.LINE_CAP * 50))
    read = []
    original = stream.readline
    monkeypatch.setattr(stream, "readline", lambda size=-1: read.append(size) or original(size))
    assert "line cap (LINE_CAP)" in jena.check_csv_stream(stream)
    assert max(read) == jena.LINE_CAP + 1


def test_4_a_poisoned_marked_jena_cache_is_checked_again_and_auto_falls_back(monkeypatch, capsys):
    monkeypatch.setattr(jena, "ROWS", 2)
    monkeypatch.setenv("DLWP_DATA_MIRROR", "http://127.0.0.1:9/")  # offline
    folder = core.cache_dir() / "jena_climate"
    folder.mkdir(parents=True)
    (folder / jena.CSV_NAME).write_text(jena.HEADER + "\n" + "\n".join(["01.01.2009 00:10:00," + ",".join(["x"] * 14)] * 2))
    (folder / jena.COMPLETE_MARKER).write_text("ok\n")  # what the previous version's extraction wrote
    monkeypatch.setattr(jena, "load_standin", lambda: Path("standin.csv"))
    assert jena.load_data(source="auto") == Path("standin.csv")
    out = capsys.readouterr().out
    assert "from the cache: rows 1-2 hold something that is not a number" in out and "STAND-IN DATA" in out


def test_11_glove_and_jena_do_not_claim_pinned_checksums(monkeypatch, capsys):
    monkeypatch.setattr(jena, "load_real", lambda: Path("real.csv"))
    monkeypatch.setattr(glove, "load_real", lambda words=None: {})
    jena.load_data(source="real")
    glove.load_data(source="real")
    out = capsys.readouterr().out
    assert "pinned checksums" not in out and out.count("a check of their whole content (no checksum is published)") == 2


# --------------------------------------------------------------------------- 9: cache entries that are not files


def test_9_a_fifo_or_a_link_to_dev_zero_in_the_data_dir_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    provided = tmp_path / "provided"
    provided.mkdir()
    monkeypatch.setenv("DLWP_DATA_DIR", str(provided))
    (remote,) = boston_housing.FILES
    os.mkfifo(provided / remote.filename)
    with pytest.raises(core.DataUnavailable, match="is a FIFO, not a regular file"):
        core.cached_path(remote)
    (provided / remote.filename).unlink()
    (provided / remote.filename).symlink_to("/dev/zero")
    with pytest.raises(core.DataUnavailable, match="a device or other special file"):
        core.cached_path(remote)


def test_9_a_folder_in_the_cache_is_a_data_error_so_auto_falls_back(monkeypatch, capsys):
    monkeypatch.setenv("DLWP_DATA_MIRROR", "http://127.0.0.1:9/")
    (core.cache_dir() / "jena_climate" / jena.CSV_NAME).mkdir(parents=True)
    (core.cache_dir() / jena.ARCHIVE_NAME).mkdir(parents=True)
    monkeypatch.setattr(jena, "load_standin", lambda: Path("standin.csv"))
    assert jena.load_data(source="auto") == Path("standin.csv")
    assert "is a folder, not a regular file" in capsys.readouterr().out


# --------------------------------------------------------------------------- 8: the temporary fallback folder


def test_8_a_fallback_folder_another_user_could_have_planted_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    monkeypatch.setenv("DLWP_CACHE_DIR", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("not a folder")
    planted = tmp_path / f"dlwp-cache-{os.getuid()}"
    planted.mkdir(mode=0o777)
    planted.chmod(0o777)  # open to everyone: anyone could have put a stand-in there
    with pytest.raises(core.DataUnavailable, match="not a private folder"):
        core.work_dir()
    planted.rmdir()
    assert core.work_dir() == planted and stat.S_IMODE(planted.stat().st_mode) == 0o700


# --------------------------------------------------------------------------- 5: TensorBoard stops with its starter


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_gone(pid: int, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.2)
    return False


def test_5_ctrl_c_while_tensorboard_starts_stops_it(tmp_path, monkeypatch):
    from dlwp_widgets import monitoring

    def interrupted(self, path, timeout=10.0):
        raise KeyboardInterrupt

    monkeypatch.setattr(monitoring.TensorBoardServer, "get_json", interrupted)
    server = monitoring.TensorBoardServer(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        server.start()
    assert server.process is not None and server.process.poll() is not None


@pytest.mark.parametrize("ending", ["exit", "killed"])
def test_5_tensorboard_stops_when_its_starter_exits_or_is_killed(tmp_path, ending):
    script = (
        "import os, signal, sys\n"
        "from dlwp_widgets import monitoring\n"
        "monitoring.TensorBoardServer._wait_until_answering = lambda self: self\n"
        f"server = monitoring.TensorBoardServer({str(tmp_path)!r}).start()\n"
        "print(server.process.pid, flush=True)\n"
        + ("sys.exit(0)\n" if ending == "exit" else "os.kill(os.getpid(), signal.SIGKILL)\n")
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2])))
    pid = int(done.stdout.split()[0])
    assert _wait_gone(pid), f"TensorBoard (pid {pid}) outlived its starter ({ending})"


# --------------------------------------------------------------------------- 6 and 10: widgets


def test_6_a_huge_review_is_refused_with_its_cap_and_the_last_scores_kept():
    from dlwp_widgets.widgets import review_scorer
    from dlwp_widgets.text.embeddings import IndexEncoder

    class Model:
        def __call__(self, ids):
            return np.array([[0.75]])

    encoder = IndexEncoder({"great": 1, "film": 2}, num_words=100, maxlen=20)
    widget = review_scorer.ReviewScorer({"m": (Model(), encoder)}, text="great film")
    assert widget.last_scores == {"m": pytest.approx(0.75)}
    started = time.monotonic()
    widget.text.value = "great " * 2_000_000
    assert time.monotonic() - started < 1.0
    assert "MAX_REVIEW_CHARACTERS" in widget.last_error and widget.last_scores == {"m": pytest.approx(0.75)}
    assert len(widget.tokens.value) < 10_000


def test_6_a_word_set_of_the_whole_vocabulary_is_refused_quickly():
    from dlwp_widgets.widgets import embedding_explorer

    words = [f"w{i}" for i in range(5_000)]
    matrix = np.random.default_rng(0).standard_normal((len(words) + 2, 8)).astype(np.float32)
    widget = embedding_explorer.EmbeddingExplorer(matrix, ["", "[UNK]", *words], word="w1", words="w1, w2, w3")
    shown = widget.last_projection
    started = time.monotonic()
    widget.words.value = ", ".join(words[:1_000])
    assert time.monotonic() - started < 1.0
    assert "MAX_WORD_SET" in widget.last_error and widget.last_projection == shown


def test_6_hundreds_of_hyperparameters_are_refused_quickly():
    from dlwp_widgets.widgets.tuner_board import TunerBoard

    trials = [{"trial": i, "score": 0.5, **{f"h{j}": j for j in range(300)}} for i in range(3)]
    started = time.monotonic()
    board = TunerBoard(trials)
    assert time.monotonic() - started < 2.0 and "MAX_HYPERPARAMETERS" in board.last_error


def test_9_forecast_viewer_step_zero_is_a_message():
    from dlwp_widgets.widgets.forecast_viewer import ForecastViewer

    viewer = ForecastViewer(np.zeros((3000, 14), np.float32), {}, mean=0.0, std=1.0, lookback=240, step=0,
                            delay=24, rows=np.arange(300, 400))
    assert "step must be a whole number" in viewer.last_error


class _Decoder:
    """A decoder of 2-D points that paints every pixel ``value`` (a NaN one is a diverged model)."""

    name = "decoder"

    def __init__(self, value):
        self.value = value
        self.inputs = [np.zeros((1, 2))]
        self.inputs[0] = type("Input", (), {"shape": (None, 2)})()

    def __call__(self, points, training=False):
        return np.full((len(np.asarray(points)), 28, 28, 1), self.value, np.float32)


def test_9_latent_explorer_refuses_mismatched_labels_and_nan_pictures():
    from dlwp_widgets.widgets.latent_explorer import LatentExplorer

    explorer = LatentExplorer(_Decoder(0.5), encoder=object(), images=np.zeros((5, 28, 28, 1)), labels=[1, 2],
                              background=False)
    assert "2 labels for 5 images" in explorer.last_error
    nan = LatentExplorer(_Decoder(float("nan")), background=False)
    assert "not finite" in nan.last_error and nan.last_image is None
