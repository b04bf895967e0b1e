"""The 8.1 temperature widget in a real JupyterLab, driven by headless Chromium.

Starts JupyterLab on 127.0.0.1 (free port, token, throw-away config/data/runtime
and settings folders) serving a temporary copy of ``chapters/``, opens the 8.1
notebook, runs every cell in smoke mode on stand-in data, moves the temperature
slider with the keyboard and checks that the generated text changed and that
the widget shows no error.  A screenshot goes to ``build/browser/``.

Needs Debian's ``chromium`` (``/usr/bin/chromium``, or ``DLWP_CHROMIUM``) and the
``playwright`` Python package (its own browser download is never used);
without them the test is skipped and says why.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "ch08_generative_deep_learning/8.1-text-generation-with-lstm.ipynb"
SCREENSHOTS = ROOT / "build" / "browser"
CHROMIUM = os.environ.get("DLWP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
RUN_ALL_TIMEOUT_MS = 240_000

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]


def _requirements():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package (or set DLWP_CHROMIUM).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the `playwright` Python package is not installed (pip install playwright; no browser download needed).")
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        pytest.skip("JupyterLab is not installed (pip install 'dlwp-companion[lab]').")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on a copy of the chapters; yields its base URL, token and Playwright."""
    sync_playwright = _requirements()
    served = tmp_path / "served"
    shutil.copytree(ROOT / "chapters", served, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    home = tmp_path / "home"
    settings = home / "lab-settings"
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"checkForUpdates": False, "fetchNews": "false"}))
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
        "MPLCONFIGDIR": str(home / "matplotlib"),
        "KERAS_HOME": str(home / "keras"),
        "DLWP_CACHE_DIR": str(home / "dlwp-cache"),
        "DLWP_SMOKE": "1",
        "DLWP_DATA_SOURCE": "standin",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    env.pop("DLWP_RECORD_FILE", None)
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}",
        "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = tmp_path / "lab.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=served)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/api/status?token={token}", process, log)
        yield base, token, sync_playwright
    finally:
        try:  # a clean shutdown also stops the notebook's kernel
            request = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(request, timeout=5).close()
            process.wait(timeout=20)
        except Exception:
            process.terminate()
            process.wait(timeout=20)


KERNEL_IDLE = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return Boolean(kernel) && kernel.status === "idle";
}"""


def _wait_for_kernel(page, timeout: float = 120) -> None:
    """Until the notebook's kernel is idle, accepting the "Select Kernel" dialog if Lab shows one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(KERNEL_IDLE):
            return
        accept = page.locator(".jp-Dialog .jp-mod-accept")
        if accept.count():
            accept.first.click()
        page.wait_for_timeout(500)
    raise AssertionError(f"the notebook's kernel was not idle within {timeout:.0f} s")


def _generated_text(page) -> str:
    return page.locator(".dlwp-generated").last.inner_text()


def test_temperature_slider_regenerates_text_in_jupyterlab(lab):
    base, token, sync_playwright = lab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=30_000)
            _wait_for_kernel(page)
            # Fire and forget: the command's promise is not a reliable "finished" signal.
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")

            handle = page.locator(".widget-slider .noUi-handle").first
            try:
                handle.wait_for(timeout=RUN_ALL_TIMEOUT_MS)
                page.wait_for_selector(".dlwp-generated", timeout=30_000)
            except Exception:
                page.screenshot(path=str(SCREENSHOTS / "8.1-failed.png"), full_page=True)
                errors = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
                raise AssertionError(f"the widget never appeared; stderr outputs: {errors[-3:]}") from None
            assert page.locator(".dlwp-error").count() == 0
            before = _generated_text(page)
            assert len(before) > 60  # seed plus generated characters

            handle.scroll_into_view_if_needed()
            handle.focus()
            handle.press("ArrowRight")
            handle.press("ArrowRight")
            page.wait_for_function(
                "(old) => { const shown = document.querySelectorAll('.dlwp-generated');"
                " return shown.length && shown[shown.length - 1].innerText !== old; }",
                arg=before,
                timeout=30_000,
            )
            after = _generated_text(page)
            readout = page.locator(".widget-slider .widget-readout").first.inner_text()
            widget_errors = page.locator(".dlwp-error").count()
            _wait_for_kernel(page)  # the chart is drawn after the text
            page.locator(".dlwp-generated").last.scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / "8.1-temperature-widget.png"))
        finally:
            browser.close()
    assert after != before
    assert after[:60] == before[:60]  # same seed, new continuation
    assert readout.strip() == "0.60"  # two steps of 0.05 from 0.50
    assert widget_errors == 0
