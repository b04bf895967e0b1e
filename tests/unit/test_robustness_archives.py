"""Hostile dogs-vs-cats archives: a zip bomb, and a well-formed archive of undecodable images (cache poisoning)."""

import functools
import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from dlwp_widgets.datasets import cats_vs_dogs as cvd
from dlwp_widgets.datasets import core


def _bomb(path: Path, member_bytes: int) -> Path:
    """A small zip whose one member inflates to ``member_bytes`` zeros (written in blocks: no big buffer)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("train/cat.0.jpg", "w", force_zip64=True) as member:
            block = b"\xff\xd8" + bytes((1 << 20) - 2)
            for _ in range(member_bytes >> 20):
                member.write(block)
    return path


def test_a_member_declaring_more_than_the_cap_is_refused_before_reading(tmp_path, monkeypatch):
    bomb = _bomb(tmp_path / "train.zip", 64 << 20)  # 64 MB of zeros: a few dozen KB on disk
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(cvd.UnsafeArchive, match="declares 64 MB; the largest member accepted is 20 MB"):
        cvd.build_from_zip(bomb, tmp_path / "cache" / cvd.SUBSET_DIR)
    assert "declares 64 MB" in cvd.archive_problem(bomb)  # the download check refuses it too


def test_a_member_lying_about_its_size_is_stopped_while_streaming(tmp_path, monkeypatch):
    """The header says 1 KB; reading stops at the cap, not after inflating the whole member."""
    bomb = _bomb(tmp_path / "train.zip", 8 << 20)
    monkeypatch.setattr(cvd, "MAX_MEMBER_BYTES", 4 << 20)
    monkeypatch.setattr(cvd, "check_archive_members", lambda archive: None)  # as if the header lied
    with pytest.raises(cvd.UnsafeArchive, match="holds more than 4 MB, the largest image accepted"):
        cvd.build_from_zip(bomb, tmp_path / "cache" / cvd.SUBSET_DIR)
    assert not (tmp_path / "cache" / cvd.SUBSET_DIR).exists()


def test_the_total_extracted_size_is_capped(tmp_path, monkeypatch):
    import io

    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8)).save(buffer, "JPEG")
    path = tmp_path / "train.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(50):
            archive.writestr(f"train/cat.{number}.jpg", buffer.getvalue())
    monkeypatch.setattr(cvd, "MAX_EXTRACTED_BYTES", 20 * len(buffer.getvalue()))
    with pytest.raises(cvd.UnsafeArchive, match="would extract to more than .* the most accepted"):
        cvd.build_from_zip(path, tmp_path / "cache" / cvd.SUBSET_DIR)


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    requests = []
    original = handler.func.do_GET

    def counting(self):
        requests.append(self.path)
        return original(self)

    handler = functools.partial(type("Counting", (handler.func,), {"do_GET": counting}), directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv(core.ENV_MIRROR, f"http://127.0.0.1:{httpd.server_address[1]}/")
    yield served, requests
    httpd.shutdown()
    httpd.server_close()


def _undecodable_archive(path: Path) -> Path:
    """The right names and counts, intact zip CRCs: it passes the format check, but no image decodes."""
    with zipfile.ZipFile(path, "w") as archive:
        for folder in ("Cat", "Dog"):
            for number in range(cvd.PER_CLASS):
                archive.writestr(f"PetImages/{folder}/{number}.jpg", b"\xff\xd8 not really a jpeg")
    return path


def test_an_unusable_downloaded_archive_is_removed_and_named(mirror, monkeypatch):
    served, requests = mirror
    _undecodable_archive(served / cvd.ARCHIVE_NAME)
    cached = core.cache_dir() / cvd.ARCHIVE_NAME
    for attempt in (1, 2):
        with pytest.raises(core.DataUnavailable) as error:
            cvd.load_data("real")
        message = str(error.value)
        assert str(cached) in message and "removed from the cache" in message and "only 0 usable cats" in message
        assert not cached.exists(), "an archive that cannot be built stays out of the cache"
        assert len(requests) == attempt, "every run downloads again instead of failing on the poisoned copy"
    assert not list(core.cache_dir().glob(".partial-*"))
