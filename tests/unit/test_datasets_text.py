"""Raw IMDB (aclImdb) and GloVe loaders on loopback, their safety checks, and their stand-ins."""

import hashlib
import io
import tarfile
import zipfile

import numpy as np
import pytest

from dlwp_widgets.datasets import aclimdb, core, glove
from dlwp_widgets.pipelines import text as text_pipeline

# --------------------------------------------------------------------------- aclImdb


def _add(archive: tarfile.TarFile, name: str, data: bytes = b"", **attributes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attributes.items():
        setattr(info, key, value)
    archive.addfile(info, io.BytesIO(data) if data else None)


def acl_archive(per_folder=2, extra=None) -> bytes:
    """A tiny aclImdb_v1.tar.gz: ``per_folder`` reviews per split/class, plus the folders the book ignores."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for split in ("train", "test"):
            for cls in ("neg", "pos"):
                for number in range(per_folder):
                    word = "awful" if cls == "neg" else "great"
                    _add(archive, f"aclImdb/{split}/{cls}/{number}_5.txt", f"A {word} film, number {number}.".encode())
        _add(archive, "aclImdb/train/unsup/0_0.txt", b"unlabelled")
        _add(archive, "aclImdb/train/labeledBow.feat", b"0 0:1\n")
        _add(archive, "aclImdb/README", b"readme")
        for name, data, attributes in extra or []:
            _add(archive, name, data, **attributes)
    return buffer.getvalue()


@pytest.fixture
def small_acl(monkeypatch):
    """Point the registry at a tiny archive's md5 and expect 2 reviews per folder."""

    def pin(body: bytes):
        remote = core.RemoteFile(
            filename=aclimdb.ARCHIVE_NAME, url=aclimdb.ARCHIVE_URL,
            file_hash=hashlib.md5(body).hexdigest(), hash_algorithm="md5", max_bytes=len(body),
        )
        monkeypatch.setattr(aclimdb, "FILES", (remote,))
        monkeypatch.setattr(aclimdb, "PER_FOLDER", 2)
        return body

    return pin


def test_the_real_archive_is_checked_extracted_and_cached(file_server, small_acl):
    file_server.serve(aclimdb.ARCHIVE_NAME, small_acl(acl_archive()))
    base = aclimdb.load_data(source="real")
    assert base == core.cache_dir() / "aclImdb"
    assert aclimdb.count_reviews(base) == {"train": {"neg": 2, "pos": 2}, "test": {"neg": 2, "pos": 2}}
    assert not (base / "train" / "unsup").exists() and not (base / "README").exists()
    texts, labels = aclimdb.read_split(base, "train")
    assert labels == [0, 0, 1, 1] and "awful" in texts[0] and "great" in texts[-1]
    aclimdb.load_data(source="real")
    assert file_server.requests == [aclimdb.ARCHIVE_NAME]  # the second load used the extracted folder


def test_the_registry_pins_the_published_md5():
    (remote,) = aclimdb.FILES
    assert remote.file_hash == "7c2ac02c03563afcf9b574c7e56c153a" and remote.hash_algorithm == "md5"
    assert "PaddlePaddle" in remote.note


@pytest.mark.parametrize(
    "member, problem",
    [
        (("/etc/evil.txt", b"x", {}), "absolute path"),
        (("aclImdb/train/pos/../../../evil.txt", b"x", {}), "outside the target folder"),
        (("aclImdb/train/pos/link.txt", b"", {"type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}), "is a link"),
        (("aclImdb/train/pos/hard.txt", b"", {"type": tarfile.LNKTYPE, "linkname": "aclImdb/README"}), "is a link"),
        (("aclImdb/dev", b"", {"type": tarfile.CHRTYPE}), "device"),
        (("aclImdb/test/neg/huge_1.txt", b"x" * 2048, {}), "above the cap of 1,024 bytes"),
    ],
)
def test_an_unsafe_archive_is_refused_whole(file_server, small_acl, monkeypatch, member, problem):
    monkeypatch.setattr(aclimdb, "MEMBER_CAP", 1024)
    file_server.serve(aclimdb.ARCHIVE_NAME, small_acl(acl_archive(extra=[member])))
    with pytest.raises(aclimdb.UnsafeArchive, match=problem):
        aclimdb.load_data(source="real")
    assert not (core.cache_dir() / "aclImdb").exists()
    assert not list(core.cache_dir().glob(".partial-*"))


def test_an_incomplete_archive_is_refused(file_server, small_acl, monkeypatch):
    body = small_acl(acl_archive(per_folder=1))
    file_server.serve(aclimdb.ARCHIVE_NAME, body)
    with pytest.raises(core.DataUnavailable, match="does not hold 2 reviews"):
        aclimdb.load_data(source="real")
    assert not (core.cache_dir() / "aclImdb").exists()


def test_a_provided_folder_is_used_when_complete_and_reported_when_not(tmp_path, monkeypatch, offline_mirror):
    monkeypatch.setattr(aclimdb, "PER_FOLDER", 2)
    provided = tmp_path / "provided"
    aclimdb.extract_reviews(_write(tmp_path / "a.tar.gz", acl_archive()), provided / "aclImdb")
    monkeypatch.setenv("DLWP_DATA_DIR", str(provided))
    assert aclimdb.load_data(source="real") == provided / "aclImdb"
    next((provided / "aclImdb" / "test" / "pos").glob("*.txt")).unlink()
    with pytest.raises(core.DataUnavailable, match="does not hold 2 reviews per split and class"):
        aclimdb.load_data(source="real")


def test_a_data_dir_that_is_not_a_folder_is_named(tmp_path, monkeypatch, offline_mirror):
    monkeypatch.setenv("DLWP_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(core.DataUnavailable, match="DLWP_DATA_DIR=.* is not a folder"):
        aclimdb.load_data(source="real")


def _write(path, body: bytes):
    path.write_bytes(body)
    return path


def test_a_wrong_checksum_is_refused_and_not_kept(file_server):
    file_server.serve(aclimdb.ARCHIVE_NAME, acl_archive())
    with pytest.raises(core.ChecksumMismatch, match="md5"):
        aclimdb.load_data(source="real")
    assert not (core.cache_dir() / aclimdb.ARCHIVE_NAME).exists()


def test_404_and_truncated_transfers_are_clear_errors(file_server):
    with pytest.raises(core.DownloadFailed, match="Could not download aclImdb_v1.tar.gz"):
        aclimdb.load_data(source="real")
    body = acl_archive()
    file_server.serve(aclimdb.ARCHIVE_NAME, body[:100], declared_length=len(body))
    with pytest.raises(core.DataUnavailable):
        aclimdb.load_data(source="real")
    assert not (core.cache_dir() / aclimdb.ARCHIVE_NAME).exists()


def test_a_corrupt_provided_archive_says_what_to_do(tmp_path, monkeypatch):
    archive = tmp_path / "bad.tar.gz"
    archive.write_bytes(b"not a tarball at all")
    with pytest.raises(core.DataUnavailable, match="not a readable .tar.gz"):
        aclimdb.extract_reviews(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_offline_auto_falls_back_to_the_announced_standin(offline_mirror, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(aclimdb, "load_standin", lambda: aclimdb.generate_standin(tmp_path / "aclImdb", train_size=20, test_size=20))
    base = aclimdb.load_data(source="auto")
    shown = capsys.readouterr().out
    assert "STAND-IN DATA for IMDB raw reviews" in shown and "Could not download aclImdb_v1.tar.gz" in shown
    assert sum(sum(counts.values()) for counts in aclimdb.count_reviews(base).values()) == 40


def test_the_standin_is_review_text_in_the_real_layout(tmp_path):
    base = aclimdb.generate_standin(tmp_path / "a" / "aclImdb", train_size=300, test_size=60)
    again = aclimdb.generate_standin(tmp_path / "b" / "aclImdb", train_size=300, test_size=60)
    texts, labels = aclimdb.read_split(base, "train")
    assert (texts, labels) == aclimdb.read_split(again, "train")  # deterministic
    assert len(texts) == 300 and 100 < sum(labels) < 200
    assert all((text[0].isupper() or text.startswith("<br />")) and text.endswith((".", "<br />")) for text in texts)
    assert sum("<br /><br />" in text for text in texts) > 100  # line breaks as in real IMDB reviews
    names = [path.name for path in (base / "train" / "pos").iterdir() if path.suffix == ".txt"]
    assert all(7 <= int(name.split("_")[1][:-4]) <= 10 for name in names)
    # The words carry the sentiment.
    def share(word, label):
        chosen = [t.lower() for t, y in zip(texts, labels) if y == label]
        return np.mean([word in t.split() for t in chosen])
    assert share("great", 1) > share("great", 0) and share("bad", 0) > share("bad", 1)


def test_the_standin_works_with_text_dataset_from_directory(tmp_path):
    base = aclimdb.generate_standin(tmp_path / "aclImdb", train_size=50, test_size=10)
    dataset = text_pipeline.review_dataset(base / "train", batch_size=64, shuffle=False)
    texts, labels = next(iter(dataset))
    book_texts, book_labels = aclimdb.read_split(base, "train")
    assert len(texts) == 50 and labels.numpy().tolist() == book_labels


def test_book_split_and_vectorize():
    train, val = text_pipeline.book_split(100, 10, 30, seed=1)
    assert len(train) == 10 and len(val) == 30 and not set(train) & set(val)
    assert np.array_equal(train, text_pipeline.book_split(100, 10, 30, seed=1)[0])
    with pytest.raises(ValueError, match="cannot take"):
        text_pipeline.book_split(100, 80, 30)
    vectorizer = text_pipeline.adapt_vectorizer(["good movie", "bad movie"], max_tokens=10, sequence_length=4)
    assert text_pipeline.vectorize(vectorizer, ["good movie zebra"]).tolist() == [[3, 2, 1, 0]]
    assert text_pipeline.vectorize(vectorizer, []).shape == (0, 4)
    matrix, found = text_pipeline.embedding_matrix_from({"good": np.ones(3)}, vectorizer.get_vocabulary(), 3)
    assert found == 1 and matrix.shape == (5, 3) and matrix[3].tolist() == [1, 1, 1] and not matrix[[0, 1, 2, 4]].any()


# --------------------------------------------------------------------------- GloVe


def glove_zip(lines: list[str], member: str = glove.MEMBER) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, "".join(line + "\n" for line in lines))
        archive.writestr("glove.6B.50d.txt", "the 0.1\n")
    return buffer.getvalue()


def vector_line(word: str, value: float) -> str:
    return word + " " + " ".join(f"{value + i / 1000:.4f}" for i in range(glove.DIMENSION))


GOOD_LINES = [vector_line(word, i) for i, word in enumerate(["the", "movie", "great", "awful", "zebra"])]


def test_glove_streams_only_the_wanted_words(file_server, monkeypatch, capsys):
    monkeypatch.setattr(glove, "VOCABULARY_SIZE", len(GOOD_LINES))
    file_server.serve(glove.ARCHIVE_NAME, glove_zip(GOOD_LINES))
    vectors = glove.load_data(source="real", words=["great", "movie", "notthere"])
    assert set(vectors) == {"great", "movie"}
    assert vectors["great"].shape == (100,) and vectors["great"].dtype == np.float32
    assert vectors["great"][1] == pytest.approx(2.001)
    assert "5 vectors read, 2 kept" in capsys.readouterr().out
    assert len(glove.load_data(source="real")) == 5
    assert file_server.requests == [glove.ARCHIVE_NAME]


@pytest.mark.parametrize(
    "body, problem",
    [
        (glove_zip(GOOD_LINES, member="glove.6B.300d.txt"), "no glove.6B.100d.txt"),
        (glove_zip(["the 0.1 0.2"]), "line 1 has 2 values after the word instead of 100"),
        (glove_zip([vector_line("the", 0).replace("0.0010", "abc")]), "not a number"),
        (b"PK\x03\x04 this is not really a zip", "not a readable zip"),
    ],
)
def test_glove_content_check_refuses_other_files(file_server, body, problem):
    file_server.serve(glove.ARCHIVE_NAME, body)
    with pytest.raises(core.ChecksumMismatch, match=problem):
        glove.load_data(source="real")
    assert not (core.cache_dir() / glove.ARCHIVE_NAME).exists()


def test_glove_a_line_without_end_is_refused_without_reading_it_whole(file_server, monkeypatch):
    monkeypatch.setattr(glove, "LINE_CAP", 4096)
    file_server.serve(glove.ARCHIVE_NAME, glove_zip(["the " + "0.1 " * 5000]))
    with pytest.raises(core.ChecksumMismatch, match="longer than the cap of 4,096 bytes"):
        glove.load_data(source="real")


def test_a_corrupt_gzip_stream_is_a_clear_error(tmp_path):
    body = bytearray(acl_archive())
    body[len(body) // 2 : len(body) // 2 + 40] = b"\x00" * 40
    archive = tmp_path / "corrupt.tar.gz"
    archive.write_bytes(bytes(body))
    # Depending on where the damage falls, tarfile reports an error or an early end of the archive.
    with pytest.raises(core.DataUnavailable, match="not a readable .tar.gz|does not hold 2 reviews"):
        aclimdb.extract_reviews(archive, tmp_path / "out", per_folder=2)
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".partial-*"))


def test_glove_short_file_is_caught_before_it_is_cached(file_server, capsys):
    file_server.serve(glove.ARCHIVE_NAME, glove_zip(GOOD_LINES))
    with pytest.raises(core.ChecksumMismatch, match="5 lines instead of 400,000"):
        glove.load_data(source="real", words=["great"])


def test_glove_a_malformed_last_line_keeps_the_archive_out_of_the_cache(file_server, monkeypatch):
    monkeypatch.setattr(glove, "VOCABULARY_SIZE", 4)
    file_server.serve(glove.ARCHIVE_NAME, glove_zip(GOOD_LINES[:3] + ["broken 1 2"]))
    with pytest.raises(core.ChecksumMismatch, match="line 4 has 2 values"):
        glove.load_data(source="real", words=["great"])
    assert not (core.cache_dir() / glove.ARCHIVE_NAME).exists()


def test_glove_registry_says_why_no_checksum_is_pinned():
    (remote,) = glove.FILES
    assert remote.file_hash is None and remote.verify is not None
    assert "No checksum is published" in remote.note and "400,000" in remote.describe_check()


def test_glove_404_and_offline_fallback(file_server, monkeypatch, capsys):
    with pytest.raises(core.DownloadFailed, match="Could not download glove.6B.zip"):
        glove.load_data(source="real")
    monkeypatch.setattr(glove, "load_standin", lambda words=None: {"great": np.zeros(100, np.float32)})
    vectors = glove.load_data(source="auto", words=["great"])
    assert "STAND-IN DATA for GloVe" in capsys.readouterr().out and list(vectors) == ["great"]


def test_glove_standin_has_sentiment_structure(monkeypatch):
    from dlwp_widgets.datasets import imdb
    from dlwp_widgets.text.embeddings import Vocabulary, nearest_neighbours

    small = imdb.generate_standin(0, train_size=2000, test_size=10)
    monkeypatch.setattr(imdb, "read_standin", lambda seed=0: small)
    arrays = glove.generate_standin(documents=2000)
    assert arrays["vectors"].shape == (len(arrays["words"]), 100)
    norms = np.linalg.norm(arrays["vectors"], axis=1)
    assert norms[norms > 0].min() >= 3.9 and norms.max() <= 7.1  # zero: a word no stand-in review uses
    monkeypatch.setattr(core, "cached_standin", lambda key, generate: arrays)
    assert len(glove.load_standin()) == int((norms > 0).sum())  # words without a vector are left out, as in GloVe
    words = list(arrays["words"])
    neighbours = [w for w, _ in nearest_neighbours(arrays["vectors"], Vocabulary(words), "bad", k=10)]
    negative = {"worst", "waste", "awful", "boring", "terrible", "stupid", "poor", "horrible", "crap", "worse", "dull", "lame"}
    assert len(negative & set(neighbours)) >= 4, neighbours
