"""The Nietzsche corpus: content-verified download (loopback server) and the prose stand-in."""

import pytest

from dlwp_widgets.datasets import core, nietzsche


def corpus_like(length=nietzsche.CORPUS_LENGTH, symbols=nietzsche.VOCABULARY_SIZE, capitals=True):
    """A text with the real file's verified properties (length, alphabet, capitals)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz \n.,;:!?'\"()-0123456789=[]_äæéë"[:symbols]
    body = (alphabet * (length // len(alphabet) + 1))[:length]
    return ("The " + body[4:]) if capitals else body


def test_the_real_loader_verifies_content_and_caches(file_server):
    file_server.serve("nietzsche.txt", corpus_like().encode("utf-8"))
    text = nietzsche.load_text(source="real")
    assert len(text.lower()) == nietzsche.CORPUS_LENGTH
    assert text.startswith("The ")
    assert (core.cache_dir() / "nietzsche.txt").exists()
    nietzsche.load_text(source="real")
    assert file_server.requests == ["nietzsche.txt"]  # the second load used the cache


@pytest.mark.parametrize(
    "body, problem",
    [
        (corpus_like(capitals=False), "no capital letters"),
        (corpus_like(length=600_000), "600,000 characters instead of 600,893"),
        (corpus_like(symbols=50), "50 distinct symbols instead of 57"),
    ],
)
def test_a_different_copy_is_refused_and_not_kept(file_server, body, problem):
    file_server.serve("nietzsche.txt", body.encode("utf-8"))
    with pytest.raises(core.ChecksumMismatch, match=problem):
        nietzsche.load_text(source="real")
    assert not (core.cache_dir() / "nietzsche.txt").exists()


def test_binary_garbage_is_refused(file_server):
    file_server.serve("nietzsche.txt", b"\xff\xfe" + bytes(range(256)) * 100)
    with pytest.raises(core.ChecksumMismatch, match="not UTF-8"):
        nietzsche.load_text(source="real")


def test_a_wrong_file_in_the_data_dir_is_reported_not_deleted(tmp_path, monkeypatch):
    provided = tmp_path / "provided"
    provided.mkdir()
    (provided / "nietzsche.txt").write_text("too short", encoding="utf-8")
    monkeypatch.setenv("DLWP_DATA_DIR", str(provided))
    with pytest.raises(core.ChecksumMismatch, match="different or damaged copy"):
        nietzsche.load_text(source="real")
    assert (provided / "nietzsche.txt").exists()


def test_offline_auto_falls_back_to_the_announced_standin(offline_mirror, capsys):
    text = nietzsche.load_text(source="auto")
    shown = capsys.readouterr().out
    assert "STAND-IN DATA for Nietzsche corpus" in shown
    assert "Could not download nietzsche.txt" in shown
    assert text == nietzsche.generate_standin()


def test_offline_real_raises_a_clear_error(offline_mirror):
    with pytest.raises(core.DataUnavailable, match="DATA_SOURCE='standin'"):
        nietzsche.load_text(source="real")


def test_the_standin_is_lower_case_english_prose():
    text = nietzsche.generate_standin()
    assert text == nietzsche.generate_standin()  # deterministic
    assert 200_000 < len(text) < 400_000
    assert text == text.lower()
    assert set(text) <= set("abcdefghijklmnopqrstuvwxyz0123456789 \n.,;:!?'\"()-/%+")
    words = text.split()
    assert sum(word in {"the", "of", "and", "a", "is", "to"} for word in words) > 0.1 * len(words)
    assert not any(line.startswith("   ") for line in text.splitlines())  # no code blocks


def test_the_registry_says_why_no_checksum_is_pinned():
    (remote,) = nietzsche.FILES
    assert remote.file_hash is None and remote.size_bytes is None
    assert "600,893" in remote.describe_check()
    assert "No trustworthy checksum" in remote.note
