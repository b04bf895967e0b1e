"""TensorBoard for section 7.2: projector files Keras 3 no longer writes, a loopback server, an embedding check.

* Keras 3.15's ``TensorBoard(embeddings_freq=1)`` still writes a
  ``projector_config.pbtxt``, but it names a TensorFlow-checkpoint variable
  (``layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE``) while the
  weights go to ``train/keras_embedding.ckpt-N.weights.h5``, a Keras file the
  projector cannot read: the projector lists the embedding and then finds no
  tensor.  :func:`write_projector` writes what the projector can read (the
  vectors and the word labels as TSV, and a config naming them) with
  ``tensorboard.plugins.projector``.
* :class:`TensorBoardServer` starts ``python -m tensorboard.main`` on
  127.0.0.1 (a free port) over a log folder, waits until it answers and reads
  its HTTP API; closing it stops the process.
* :func:`class_words` and :func:`projection_separation` turn the book's
  qualitative result (positive and negative words form two clusters in the
  projector) into a number.

Nothing here imports TensorFlow or Keras at module import time.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

import numpy as np

TENSOR_FILE = "embedding_vectors.tsv"
METADATA_FILE = "embedding_words.tsv"


# --- projector files ---


def vocabulary_labels(word_index: dict[str, int], num_words: int, *, index_from: int = 3) -> list[str]:
    """A label for each row of an Embedding(num_words, ...) over Keras-convention sequences."""
    labels = ["<pad>", "<start>", "<oov>"][:index_from] + [f"<{i}>" for i in range(3, index_from)]
    labels += [f"#{i}" for i in range(len(labels), num_words)]
    labels = labels[:num_words]
    for word, rank in word_index.items():
        row = rank + index_from
        if row < num_words:
            labels[row] = word
    return [" ".join(str(label).split()) or "?" for label in labels]  # no tabs or newlines in a TSV cell


def write_projector(log_dir, vectors, labels: Sequence[str] | None = None, *, name: str = "embedding") -> Path:
    """Write ``vectors`` (rows = words) and their labels where TensorBoard's projector finds them.

    Replaces a ``projector_config.pbtxt`` already in ``log_dir`` (the one Keras 3
    writes points at a tensor the projector cannot load).  Returns the config path.
    """
    from tensorboard.plugins import projector

    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or not len(vectors):
        raise ValueError(f"expected a (words, dimensions) matrix, got shape {vectors.shape}")
    if labels is not None and len(labels) != len(vectors):
        raise ValueError(f"{len(labels)} labels for {len(vectors)} vectors")
    log_dir = Path(log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    np.savetxt(log_dir / TENSOR_FILE, vectors, delimiter="\t", fmt="%.6g")
    config = projector.ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = name
    embedding.tensor_path = TENSOR_FILE
    embedding.tensor_shape.extend(vectors.shape)
    if labels is not None:
        (log_dir / METADATA_FILE).write_text("".join(f"{label}\n" for label in labels), encoding="utf-8")
        embedding.metadata_path = METADATA_FILE
    projector.visualize_embeddings(str(log_dir), config)
    return log_dir / "projector_config.pbtxt"


# --- a TensorBoard server on the loopback interface ---


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGTERM when the parent dies, so no TensorBoard outlives its kernel."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def server_environment(environ) -> dict[str, str]:
    """TensorBoard's environment: quiet TensorFlow logs, and no ``KERAS_BACKEND``.

    TensorBoard is a server of its own, with no use for the notebook's Keras
    backend; started with ``KERAS_BACKEND=torch`` where PyTorch is installed, it
    crashed on start (exit -11, measured with TensorBoard 2.21, torch 2.14).
    """
    env = {name: value for name, value in environ.items() if name != "KERAS_BACKEND"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return env


class TensorBoardServer:
    """``with TensorBoardServer(log_dir) as board: board.get_json("/data/runs")``.

    Starts ``python -m tensorboard.main --logdir LOG_DIR --host 127.0.0.1 --port P``
    (P a free port unless given) and waits until it answers.  ``close()`` (or
    leaving the ``with`` block) terminates it, then kills it if it lingers.
    """

    def __init__(self, log_dir, *, host: str = "127.0.0.1", port: int | None = None, timeout_s: float = 60.0):
        self.log_dir = Path(log_dir)
        self.host = host
        self.port = port or free_port(host)
        self.timeout_s = timeout_s
        self.process: subprocess.Popen | None = None
        self.log = b""

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> TensorBoardServer:
        """Start TensorBoard and wait until it answers.

        It stops with its starter: on any way out of the wait (Ctrl-C included), at :meth:`close` or the end of
        a ``with`` block, when this interpreter exits (``atexit``), and on Linux when it dies outright (the
        child asks the kernel for SIGTERM on its parent's death).
        """
        command = [
            sys.executable, "-m", "tensorboard.main", "--logdir", str(self.log_dir), "--host", self.host,
            "--port", str(self.port), "--load_fast=false", "--reload_interval=1",
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        env=server_environment(os.environ),
                                        preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        atexit.register(self.close)
        try:
            return self._wait_until_answering()
        except BaseException:
            self.close()
            raise

    def _wait_until_answering(self) -> TensorBoardServer:
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log = self.process.stdout.read() if self.process.stdout else b""
                raise RuntimeError(f"TensorBoard exited with code {self.process.returncode}: {self.log.decode(errors='replace')[-2000:]}")
            try:
                self.get_json("/data/plugins_listing", timeout=2)
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.3)
        raise TimeoutError(f"TensorBoard did not answer on {self.url} within {self.timeout_s:.0f} s")

    def get(self, path: str, *, timeout: float = 10.0) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:  # noqa: S310 (loopback only)
            return response.read()

    def get_json(self, path: str, *, timeout: float = 10.0):
        return json.loads(self.get(path, timeout=timeout))

    def wait_for(self, path: str, predicate, *, timeout_s: float = 30.0):
        """Poll ``path`` until ``predicate(json)`` holds (TensorBoard loads logs in the background); the last answer."""
        deadline = time.monotonic() + timeout_s
        answer = None
        while True:
            try:
                answer = self.get_json(path)
                if predicate(answer):
                    return answer
            except (urllib.error.HTTPError, ValueError):
                answer = None
            if time.monotonic() > deadline:
                return answer
            time.sleep(0.5)

    def close(self) -> None:
        atexit.unregister(self.close)
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process.stdout:
            self.process.stdout.close()

    def __enter__(self) -> TensorBoardServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


# --- the book's two clusters, as a number ---


def class_words(sequences, labels, num_words: int, *, count: int = 50, min_documents: int = 20, first_word: int = 3):
    """The ``count`` word indices most associated with label 1 and with label 0 (smoothed document log-odds).

    Returns ``(positive_ids, negative_ids)``; words in fewer than ``min_documents``
    reviews, and the indices below ``first_word`` (padding, start, unknown), are skipped.
    """
    labels = np.asarray(labels).ravel().astype(bool)
    documents = np.zeros((2, num_words))
    for sequence, label in zip(sequences, labels):
        ids = np.unique(np.asarray(sequence, dtype=np.int64))
        ids = ids[(ids >= first_word) & (ids < num_words)]
        documents[int(label), ids] += 1
    positives, negatives = max(labels.sum(), 1), max((~labels).sum(), 1)
    log_odds = np.log((documents[1] + 1) / (positives + 2)) - np.log((documents[0] + 1) / (negatives + 2))
    eligible = (documents.sum(axis=0) >= min_documents) & (np.arange(num_words) >= first_word)
    candidates = np.flatnonzero(eligible)
    if len(candidates) < 2 * count:
        raise ValueError(f"only {len(candidates)} words appear in {min_documents}+ reviews; lower count or min_documents")
    ordered = candidates[np.argsort(log_odds[candidates], kind="stable")]
    return ordered[::-1][:count], ordered[:count]


def pca_2d(vectors) -> np.ndarray:
    """The rows of ``vectors`` projected on their first two principal components (what the projector shows)."""
    x = np.asarray(vectors, dtype=np.float64)
    x = x - x.mean(axis=0)
    _, _, components = np.linalg.svd(x, full_matrices=False)
    return x @ components[:2].T


def projection_separation(vectors, classes) -> float:
    """Leave-one-out nearest-centroid accuracy of two classes of rows in their 2-D PCA projection (chance: 0.5)."""
    points = pca_2d(vectors)
    classes = np.asarray(classes).ravel().astype(bool)
    if classes.all() or not classes.any():
        raise ValueError("need rows of both classes")
    correct = 0
    for i in range(len(points)):
        keep = np.arange(len(points)) != i
        centroid_1 = points[keep & classes].mean(axis=0)
        centroid_0 = points[keep & ~classes].mean(axis=0)
        guess = np.linalg.norm(points[i] - centroid_1) < np.linalg.norm(points[i] - centroid_0)
        correct += guess == classes[i]
    return correct / len(points)
