"""Shared fixtures: job-local state, and a loopback HTTP server for the real-data paths."""

from __future__ import annotations

import http.server
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_data(tmp_path, monkeypatch):
    """Every test gets its own empty data cache and no pre-downloaded data folder."""
    monkeypatch.setenv("DLWP_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DLWP_DATA_DIR", raising=False)
    monkeypatch.delenv("DLWP_DATA_MIRROR", raising=False)
    monkeypatch.delenv("DLWP_RECORD_FILE", raising=False)
    for name in ("DLWP_SMOKE", "DLWP_EPOCHS", "DLWP_DATA_SOURCE", "DLWP_SEED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DLWP_DOWNLOAD_TIMEOUT", "5")


@dataclass
class Route:
    """What the loopback server answers for one path."""

    body: bytes = b""
    status: int = 200
    declared_length: int | None = None  # claim more bytes than sent: a truncated transfer


@dataclass
class FileServer:
    """A loopback HTTP server; ``routes`` maps a file name to its :class:`Route`."""

    base_url: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def serve(self, name: str, body: bytes, **kwargs) -> None:
        self.routes[name] = Route(body=body, **kwargs)


@pytest.fixture
def file_server(monkeypatch):
    """Serve files on 127.0.0.1 and point ``DLWP_DATA_MIRROR`` at the server."""
    state = FileServer(base_url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            name = self.path.lstrip("/")
            state.requests.append(name)
            route = state.routes.get(name)
            if route is None:
                self.send_error(404, "not found")
                return
            if route.status != 200:
                self.send_error(route.status, "server error")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(route.declared_length or len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)
            self.wfile.flush()
            if route.declared_length:
                self.close_connection = True

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
    monkeypatch.setenv("DLWP_DATA_MIRROR", state.base_url)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def offline_mirror(monkeypatch):
    """Point downloads at a loopback port where nothing listens: the machine looks offline."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("DLWP_DATA_MIRROR", f"http://127.0.0.1:{port}/")
    return port


STATE_DIR = ROOT / "build" / "test-state"

# Keras and TensorFlow are dependencies, but the package imports them only inside
# functions, so most of it works (and is tested) without them. Where they are not
# installed, a test that fails (or whose fixture fails) only because one of them is
# missing is reported as skipped, with the reason, instead of failing.
ML_MODULES = ("keras", "tensorflow")


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def _missing_ml_module(error: BaseException | None) -> str | None:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, ModuleNotFoundError) and (error.name or "").split(".")[0] in ML_MODULES:
            return error.name.split(".")[0]
        error = error.__cause__ or error.__context__
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.excinfo is not None and call.when in ("setup", "call"):
        missing = _missing_ml_module(call.excinfo.value)
        if missing and not _importable(missing):
            report.outcome = "skipped"
            report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: needs {missing}, which is not installed")


def pytest_configure(config):
    """Environment for the whole run, inherited by the kernels nbval and papermill start.

    Notebooks run in smoke mode on stand-in data; every tool keeps its state
    (Keras, Jupyter, IPython, Matplotlib, the data cache) inside the build tree.
    """
    defaults = {
        "DLWP_SMOKE": "1",
        "DLWP_DATA_SOURCE": "standin",
        "DLWP_STATIC_PLOTS": "1",
        "DLWP_CACHE_DIR": str(ROOT / "build" / "test-cache"),
        "KERAS_HOME": str(STATE_DIR / "keras"),
        "JUPYTER_CONFIG_DIR": str(STATE_DIR / "jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(STATE_DIR / "jupyter-runtime"),
        "IPYTHONDIR": str(STATE_DIR / "ipython"),
        "MPLCONFIGDIR": str(STATE_DIR / "matplotlib"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    for name in ("KERAS_HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        Path(os.environ[name]).mkdir(parents=True, exist_ok=True)
