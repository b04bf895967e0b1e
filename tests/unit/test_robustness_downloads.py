"""Downloads and settings under hostile conditions: a trickling server, Ctrl-C, bad settings, an unusable cache."""

import http.server
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from dlwp_widgets.datasets import core

REMOTE = core.RemoteFile("slow.bin", url="http://example.invalid/slow.bin", file_hash=None, size_bytes=100_000)


@pytest.fixture
def trickle_server(monkeypatch):
    """A server that promises 100,000 bytes and sends one every 50 ms: each read succeeds, none finishes."""
    stop = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                while not stop.is_set():
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("DLWP_DATA_MIRROR", f"http://127.0.0.1:{server.server_address[1]}/")
    yield server
    stop.set()
    server.shutdown()
    server.server_close()


def _leftovers() -> list[Path]:
    return list(core.cache_dir().glob(".partial-*")) + list(core.cache_dir().glob("slow.bin"))


def test_a_trickling_server_hits_the_overall_deadline(trickle_server, monkeypatch):
    monkeypatch.setenv("DLWP_DOWNLOAD_DEADLINE", "1.5")
    started = time.monotonic()
    with pytest.raises(core.DownloadFailed, match=r"not complete after 1.5 s .*DLWP_DOWNLOAD_DEADLINE=1.5"):
        core.fetch(REMOTE)
    assert time.monotonic() - started < 10
    assert not _leftovers()


def test_ctrl_c_during_a_download_leaves_no_staging_folder(trickle_server, monkeypatch):
    real_download = core.download

    def interrupted(url, target, **kwargs):
        target.write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(core, "download", interrupted)
    with pytest.raises(KeyboardInterrupt):
        core.fetch(REMOTE)
    assert not _leftovers()
    assert real_download is not interrupted


@pytest.mark.parametrize("value", ["abc", "-1", "0", "inf"])
@pytest.mark.parametrize("variable", ["DLWP_DOWNLOAD_TIMEOUT", "DLWP_DOWNLOAD_DEADLINE"])
def test_a_bad_download_setting_names_itself_and_auto_falls_back(variable, value, monkeypatch, capsys, offline_mirror):
    monkeypatch.setenv(variable, value)
    with pytest.raises(core.DataUnavailable, match=f"{variable}='{value}' is not a positive number of seconds"):
        core.fetch(REMOTE)
    data = core.load(name="slow", title="Slow data", source="auto", load_real=lambda: core.fetch(REMOTE),
                     load_standin=lambda: "stand-in", standin_description="generated")
    assert data == "stand-in"
    assert f"{variable}='{value}'" in capsys.readouterr().out


def test_a_missing_data_dir_is_reported_not_ignored(tmp_path, monkeypatch, capsys, offline_mirror):
    monkeypatch.setenv("DLWP_DATA_DIR", str(tmp_path / "no-such-folder"))
    with pytest.raises(core.DataUnavailable, match="DLWP_DATA_DIR=.*no-such-folder.* is not a folder"):
        core.fetch(REMOTE)
    data = core.load(name="slow", title="Slow data", source="auto", load_real=lambda: core.fetch(REMOTE),
                     load_standin=lambda: "stand-in", standin_description="generated")
    assert data == "stand-in" and "is not a folder" in capsys.readouterr().out


def test_an_unusable_cache_still_gives_stand_ins(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DLWP_CACHE_DIR", str(blocker / "cache"))
    arrays = core.cached_standin("unit-test-v1", lambda: {"x": np.arange(3)})
    assert list(arrays["x"]) == [0, 1, 2]
    assert "cannot be created" in capsys.readouterr().out
    with pytest.raises(core.DataUnavailable, match="cannot be created"):
        core.fetch(REMOTE)
    from dlwp_widgets.datasets import mnist

    (x_train, _), _ = mnist.load_data(source="auto")  # the cache error is the reason, the stand-in the data
    assert len(x_train) > 0


def test_an_unusable_cache_still_gives_the_chapter_5_standin_subset(tmp_path, monkeypatch, capsys):
    from dlwp_widgets.datasets import cats_vs_dogs

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DLWP_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(cats_vs_dogs, "PER_CLASS", 4)
    monkeypatch.setattr(cats_vs_dogs, "load_standin", lambda seed=0: cats_vs_dogs.generate_standin(
        core.standin_cache_path(f"unit-{tmp_path.name}"), seed, per_class=4))
    base = cats_vs_dogs.load_data("standin")
    small = cats_vs_dogs.subset(base, 1)
    assert cats_vs_dogs.count_images(small)["train"] == {"cats": 1, "dogs": 1}
    assert str(blocker) not in str(small)
