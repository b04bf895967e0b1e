"""The chapter widgets in a real JupyterLab, driven by headless Chromium.

One JupyterLab server (free port on 127.0.0.1, token, throw-away config/data/
runtime and settings folders, smoke mode on stand-in data) serves a temporary
copy of ``chapters/`` for the whole module; one Chromium drives it.  Each of the
18 widgets has its test: its notebook is opened and run once (the tests of the
widgets of one notebook share that run; one kernel at a time), a control is moved
the way a reader would (keyboard on a slider, a typed word or number, a click on
a checkbox or button, a dropdown choice, a file chosen for an upload) and the test
checks that what the widget displays changed and that it shows no error:

* 3.5 curve board: unticking a run redraws the curves;
* 4.4: unticking a run in the overfitting explorer redraws the plot, and a bad
  dropout rate is reported inside the widget (which proves the error check
  can fail);
* 5.4: the activation browser's channel slider, the filter browser's filter
  slider and every Grad-CAM viewer's opacity slider change the picture;
* 6.1: a typed neighbour count lists more neighbours (embedding explorer); a typed
  review and Score give new scores (review scorer);
* 6.3: the forecast viewer's window slider redraws the forecast;
* 7.3: the tuner board's order toggle reverses the trials; an ensemble weight
  slider and "Equal weights" change the ensemble's result;
* 8.1: the temperature slider regenerates the text;
* 8.2 deep dream (an uploaded picture, then Dream), 8.3 style transfer (Run), 8.5 GAN
  timeline (Train more), 9.2 adversarial explorer (an iterative attack) and hull
  explorer (a new dimension): background work, whose progress bar must move and
  whose Stop button must be enabled while it runs, then the picture or table changes;
* 8.4: the latent explorer's z[0] slider decodes a new digit;
* 9.2: the extrapolation explorer's noise slider refits the curve.

"Changed" for a picture means the SHA-256 of the PNG bytes behind the
``<img>`` changed.  Screenshots go to ``build/browser/``.

Needs Debian's ``chromium`` (``/usr/bin/chromium``, or ``DLWP_CHROMIUM``) and the
``playwright`` Python package (its own browser download is never used);
without them the tests are skipped and say why.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEXT_GENERATION = "ch08_generative_deep_learning/8.1-text-generation-with-lstm.ipynb"
OVERFITTING = "ch04_fundamentals_of_machine_learning/4.4-overfitting-and-underfitting.ipynb"
CONVNET_VISUALS = "ch05_deep_learning_for_computer_vision/5.4-visualizing-what-convnets-learn.ipynb"
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
# On a loaded machine every wait can be stretched: DLWP_BROWSER_SLOWDOWN=4 multiplies them all.
SLOWDOWN = float(os.environ.get("DLWP_BROWSER_SLOWDOWN", "1"))
RUN_ALL_TIMEOUT_MS = int(240_000 * SLOWDOWN)
WIDGET_UPDATE_TIMEOUT_MS = int(60_000 * SLOWDOWN)
# Every widget shows its errors through `widgets.common.error_html`.
WIDGET_ERROR = ".dlwp-error"

pytestmark = [pytest.mark.browser, pytest.mark.timeout(int(420 * SLOWDOWN))]


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


def _write_settings(settings: Path, plugin: str, values: dict) -> None:
    path = settings / Path(plugin.replace(":", "/") + ".jupyterlab-settings")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values))


@dataclass
class Lab:
    base: str
    token: str

    def url(self, path: str, query: str = "") -> str:
        return f"{self.base}/{path}?{query}token={self.token}"

    def shut_down_kernels_of(self, notebook: str) -> None:
        """Close the notebook's session (and its kernel), so the next notebook gets the CPU and memory."""
        with urllib.request.urlopen(self.url("api/sessions"), timeout=10) as response:
            sessions = json.load(response)
        for session in sessions:
            if session.get("path") == notebook:
                request = urllib.request.Request(self.url(f"api/sessions/{session['id']}"), method="DELETE")
                urllib.request.urlopen(request, timeout=30).close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab server on a copy of the chapters for all tests of the module."""
    _requirements()
    workdir = tmp_path_factory.mktemp("lab")
    served = workdir / "served"
    shutil.copytree(ROOT / "chapters", served, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    home = workdir / "home"
    settings = home / "lab-settings"
    _write_settings(settings, "@jupyterlab/apputils-extension:notification", {"checkForUpdates": False, "fetchNews": "false"})
    # Every cell in the DOM, whatever Lab's default windowing becomes.
    _write_settings(settings, "@jupyterlab/notebook-extension:tracker", {"windowingMode": "none"})
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
    log = workdir / "lab.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=served)
    server = Lab(f"http://127.0.0.1:{port}", token)
    try:
        _wait_until_up(server.url("api/status"), process, log)
        yield server
    finally:
        try:  # a clean shutdown also stops the notebooks' kernels
            request = urllib.request.Request(server.url("api/shutdown"), method="POST")
            urllib.request.urlopen(request, timeout=5).close()
            process.wait(timeout=20)
        except Exception:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(lab):
    """One headless Chromium for the module (after `lab`, so a missing requirement skips first)."""
    sync_playwright = _requirements()
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


KERNEL_IDLE = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return Boolean(kernel) && kernel.status === "idle";
}"""

# Tracebacks of the cells that raised, from the notebook model (Lab renders
# them like stderr, so the DOM cannot tell them apart).
CELL_ERRORS = """() => window.jupyterapp.shell.currentWidget.content.widgets
    .filter((cell) => cell.model.type === "code")
    .flatMap((cell) => cell.model.outputs.toJSON())
    .filter((output) => output.output_type === "error")
    .map((output) => (output.traceback || [`${output.ename}: ${output.evalue}`]).join("\\n"))"""

# Run-all is over when the last non-empty code cell got its execution count
# (outputs and counts are cleared first) or when a cell failed, which stops it.
RUN_ALL_DONE = f"""() => {{
    const cells = window.jupyterapp.shell.currentWidget.content.widgets
        .filter((cell) => cell.model.type === "code" && cell.model.sharedModel.getSource().trim());
    return cells[cells.length - 1].model.executionCount !== null || ({CELL_ERRORS})().length > 0;
}}"""

PICTURE = """async (img) => {
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    return {
        src: img.src,
        size: bytes.byteLength,
        sha256: Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join(""),
    };
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


def _open_and_run(lab: Lab, browser, notebook: str, screenshot: str):
    """A page with the notebook open and every cell run; fails with the notebook's errors if a cell failed."""
    page = browser.new_page(viewport={"width": 1400, "height": 1500})  # tall enough for a whole widget
    # `reset`: a fresh workspace, else Lab reopens (and restarts the kernels of) the notebooks of earlier tests.
    page.goto(lab.url(f"lab/tree/{notebook}", query="reset&"))
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=30_000)
    _wait_for_kernel(page)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    # Fire and forget: the command's promise is not a reliable "finished" signal.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    try:
        page.wait_for_function(RUN_ALL_DONE, timeout=RUN_ALL_TIMEOUT_MS, polling=500)
        _wait_for_kernel(page)
    except Exception:
        page.screenshot(path=str(SCREENSHOTS / f"{screenshot}-failed.png"), full_page=True)
        raise
    errors = page.evaluate(CELL_ERRORS)
    if errors:
        page.screenshot(path=str(SCREENSHOTS / f"{screenshot}-failed.png"), full_page=True)
        traceback = re.sub(r"\x1b\[[0-9;]*m", "", errors[0])  # no ANSI colours
        raise AssertionError(f"{notebook} failed in JupyterLab:\n{traceback[-3000:]}")
    return page


def _close(lab: Lab, page, notebook: str) -> None:
    page.close()
    lab.shut_down_kernels_of(notebook)


def _widget(page, slider_label: str | None = None, checkbox_label: str | None = None):
    """The output area of the widget that has a slider (or checkbox) with exactly this label."""
    if slider_label is not None:
        control = page.locator(".widget-slider > .widget-label", has_text=re.compile(rf"^{re.escape(slider_label)}$"))
    else:
        control = page.locator(".widget-checkbox span", has_text=re.compile(rf"^{re.escape(checkbox_label)}$"))
    return page.locator(".jp-OutputArea-output").filter(has=control)


def _slider(area, label: str):
    return area.locator(".widget-slider").filter(
        has=area.page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(label)}$"))
    )


def _picture(image) -> dict:
    return image.evaluate(PICTURE)


def _press_and_wait_for_new_picture(page, handle, image, presses: int = 1) -> tuple[dict, dict]:
    """Move a slider with the keyboard; the picture before and after the kernel redrew it."""
    before = _picture(image)
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(presses):
        handle.press("ArrowRight")
    page.wait_for_function("([img, old]) => img.src !== old", arg=[image.element_handle(), before["src"]],
                           timeout=WIDGET_UPDATE_TIMEOUT_MS)
    _wait_for_kernel(page)
    return before, _picture(image)


@pytest.fixture
def convnet_visuals(notebook_page):
    """The 5.4 notebook, run once, shared by the tests of its three widgets."""
    return notebook_page(CONVNET_VISUALS)


def test_temperature_slider_regenerates_text_in_jupyterlab(lab, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = _open_and_run(lab, browser, TEXT_GENERATION, "8.1")
    try:
        area = _widget(page, slider_label="temperature")
        generated = area.locator(".dlwp-generated")
        assert area.count() == 1 and generated.count() == 1
        assert area.locator(WIDGET_ERROR).count() == 0
        before = generated.inner_text()
        assert len(before) > 60  # seed plus generated characters

        handle = _slider(area, "temperature").locator(".noUi-handle")
        handle.scroll_into_view_if_needed()
        handle.focus()
        handle.press("ArrowRight")
        handle.press("ArrowRight")
        # The HTML widget replaces its content, so look the text up again each time.
        page.wait_for_function(
            "([widget, old]) => { const shown = widget.querySelector('.dlwp-generated');"
            " return shown !== null && shown.innerText !== old; }",
            arg=[area.element_handle(), before], timeout=WIDGET_UPDATE_TIMEOUT_MS,
        )
        _wait_for_kernel(page)  # the chart is drawn after the text
        after = generated.inner_text()
        readout = _slider(area, "temperature").locator(".widget-readout").inner_text()
        widget_errors = area.locator(WIDGET_ERROR).count()
        area.screenshot(path=str(SCREENSHOTS / "8.1-temperature-widget.png"))
    finally:
        _close(lab, page, TEXT_GENERATION)
    assert after != before
    assert after[:60] == before[:60]  # same seed, new continuation
    assert readout.strip() == "0.60"  # two steps of 0.05 from 0.50
    assert widget_errors == 0


def test_overfitting_explorer_redraws_when_a_run_is_unticked(lab, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = _open_and_run(lab, browser, OVERFITTING, "4.4")
    try:
        area = _widget(page, checkbox_label="reference")
        assert area.count() == 1
        image = area.locator("img.widget-image")
        # the five runs of the notebook plus the dropout-0.3 retraining it does as an example
        labels = area.locator(".widget-checkbox span").all_inner_texts()
        assert labels[:5] == ["reference", "smaller", "bigger", "L2(0.001)", "dropout(0.5)"]
        assert len(labels) == 6 and "dropout 0.3" in labels[5]
        assert area.locator(WIDGET_ERROR).count() == 0
        before = _picture(image)
        assert before["size"] > 1000

        checkbox = area.locator(".widget-checkbox").filter(
            has=page.locator("span", has_text=re.compile(r"^bigger$"))).locator("input")
        assert checkbox.is_checked()
        checkbox.scroll_into_view_if_needed()
        checkbox.click()
        page.wait_for_function("([img, old]) => img.src !== old", arg=[image.element_handle(), before["src"]],
                               timeout=WIDGET_UPDATE_TIMEOUT_MS)
        _wait_for_kernel(page)
        after = _picture(image)
        unticked = not checkbox.is_checked()
        errors_after_toggle = area.locator(WIDGET_ERROR).count()
        area.screenshot(path=str(SCREENSHOTS / "4.4-overfitting-explorer.png"))

        # A dropout rate of 1.5 must be refused inside the widget, which shows the check above can fail.
        dropout = area.locator(".widget-text").filter(has=page.locator(".widget-label", has_text="Dropout")).locator("input")
        dropout.fill("1.5")
        dropout.press("Enter")
        area.locator("button", has_text="Retrain").click()
        area.locator(WIDGET_ERROR).wait_for(timeout=WIDGET_UPDATE_TIMEOUT_MS)
        refusal = area.locator(WIDGET_ERROR).inner_text()
        picture_after_refusal = _picture(image)
        area.screenshot(path=str(SCREENSHOTS / "4.4-overfitting-explorer-refusal.png"))
    finally:
        _close(lab, page, OVERFITTING)
    assert unticked
    assert after["sha256"] != before["sha256"] and after["size"] > 1000
    assert errors_after_toggle == 0
    assert "Dropout rate must be at least 0 and below 1" in refusal and "1.5" in refusal
    assert picture_after_refusal["sha256"] == after["sha256"]  # the plot stays as it was


def test_activation_browser_channel_slider_changes_the_picture(convnet_visuals):
    page = convnet_visuals
    area = _widget(page, slider_label="channel")
    assert area.count() == 1
    info = area.locator(".widget-html-content").filter(has_text=re.compile(r"channel \d+ of \d+"))
    assert re.search(r": \d+x\d+, channel 7 of \d+$", info.inner_text())  # the notebook picked channel 7
    assert area.locator(WIDGET_ERROR).count() == 0
    handle = _slider(area, "channel").locator(".noUi-handle")
    before, after = _press_and_wait_for_new_picture(page, handle, area.locator("img.widget-image"))
    area.screenshot(path=str(SCREENSHOTS / "5.4-activation-browser.png"))
    assert re.search(r"channel 8 of \d+$", info.inner_text())
    assert after["sha256"] != before["sha256"] and after["size"] > 100
    assert area.locator(WIDGET_ERROR).count() == 0


def test_filter_browser_filter_slider_changes_the_pattern(convnet_visuals):
    page = convnet_visuals
    area = _widget(page, slider_label="filter")
    assert area.count() == 1
    info = area.locator(".widget-html-content").filter(has_text=re.compile(r"filter \d+ of \d+"))
    assert re.search(r"filter 0 of \d+", info.inner_text())
    assert area.locator(WIDGET_ERROR).count() == 0
    handle = _slider(area, "filter").locator(".noUi-handle")
    before, after = _press_and_wait_for_new_picture(page, handle, area.locator("img.widget-image"))
    area.screenshot(path=str(SCREENSHOTS / "5.4-filter-browser.png"))
    assert re.search(r"filter 1 of \d+", info.inner_text())
    assert after["sha256"] != before["sha256"] and after["size"] > 100
    assert area.locator(WIDGET_ERROR).count() == 0


def test_gradcam_opacity_slider_changes_the_overlay(convnet_visuals):
    page = convnet_visuals
    viewers = _widget(page, slider_label="opacity")
    assert viewers.count() == 2  # the VGG16 viewer and the cats-vs-dogs viewer
    for number in range(viewers.count()):
        area = viewers.nth(number)
        assert area.locator(WIDGET_ERROR).count() == 0
        slider = _slider(area, "opacity")
        assert slider.locator(".widget-readout").inner_text().strip() == "0.40"
        before, after = _press_and_wait_for_new_picture(page, slider.locator(".noUi-handle"),
                                                        area.locator("img.widget-image"), presses=2)
        area.screenshot(path=str(SCREENSHOTS / f"5.4-gradcam-viewer-{number + 1}.png"))
        assert slider.locator(".widget-readout").inner_text().strip() == "0.50"
        assert after["sha256"] != before["sha256"] and after["size"] > 100
        assert area.locator(WIDGET_ERROR).count() == 0


# ---------------------------------------------------------------------------
# The other thirteen widgets: one notebook run per notebook (shared by the
# widgets it holds), one test per widget.
# ---------------------------------------------------------------------------

NEWSWIRES = "ch03_getting_started_with_neural_networks/3.5-classifying-newswires.ipynb"
TEXT_DATA = "ch06_deep_learning_for_text_and_sequences/6.1-working-with-text-data.ipynb"
FORECASTS = "ch06_deep_learning_for_text_and_sequences/6.3-advanced-usage-of-recurrent-neural-networks.ipynb"
BEST_PRACTICES = "ch07_advanced_deep_learning_best_practices/7.3-getting-the-most-out-of-your-models.ipynb"
DEEP_DREAM = "ch08_generative_deep_learning/8.2-deep-dream.ipynb"
STYLE_TRANSFER = "ch08_generative_deep_learning/8.3-neural-style-transfer.ipynb"
VAE = "ch08_generative_deep_learning/8.4-generating-images-with-variational-autoencoders.ipynb"
GAN = "ch08_generative_deep_learning/8.5-introduction-to-generative-adversarial-networks.ipynb"
ADVERSARIAL = "ch09_conclusions/9.2-adversarial-examples.ipynb"
HULL = "ch09_conclusions/9.2-interpolation-in-high-dimension.ipynb"
EXTRAPOLATION = "ch09_conclusions/9.2-local-vs-extreme-generalization.ipynb"
BACKGROUND_TIMEOUT_MS = int(180_000 * SLOWDOWN)

# Watches a widget during background work: was its Stop button ever enabled, how far did its
# progress bar go (ipywidgets 8 draws an IntProgress as .widget-hprogress, a bar whose width is the percentage).
WATCH_BACKGROUND = """(area) => {
    const seen = {stopEnabled: false, progress: 0};
    const look = () => {
        for (const button of area.querySelectorAll("button")) {
            if (button.innerText.trim() === "Stop" && !button.disabled) seen.stopEnabled = true;
        }
        for (const bar of area.querySelectorAll(".widget-hprogress .progress-bar")) {
            seen.progress = Math.max(seen.progress, parseFloat(bar.style.width) || 0);
        }
    };
    new MutationObserver(look).observe(area, {subtree: true, childList: true, attributes: true, characterData: true});
    area.dlwpBackground = seen;
}"""
BACKGROUND_SEEN = "(area) => area.dlwpBackground"
STOP_DISABLED = """(area) => [...area.querySelectorAll("button")]
    .filter((button) => button.innerText.trim() === "Stop").every((button) => button.disabled)"""


def _area_with(page, selector: str, text: str):
    """The output area holding an element matching ``selector`` whose text is exactly ``text``."""
    return page.locator(".jp-OutputArea-output").filter(
        has=page.locator(selector, has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")))


def _control(area, kind: str, label: str):
    """A labelled control (``.widget-text``, ``.widget-dropdown``...) of a widget."""
    return area.locator(kind).filter(
        has=area.page.locator(".widget-label", has_text=re.compile(rf"^{re.escape(label)}$")))


def _button(area, text: str):
    return area.locator("button", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def _wait_for_change(page, element, script: str, old, timeout: int = WIDGET_UPDATE_TIMEOUT_MS) -> None:
    """Until ``script(element)`` differs from ``old`` (a widget replaces its content: look it up each time)."""
    page.wait_for_function(f"([element, old]) => ({script})(element) !== old", arg=[element.element_handle(), old],
                           timeout=timeout)


INNER_TEXT = "(element) => element.innerText"
IMAGE_SRC = "(element) => element.src"
TABLE_ROWS = "(element) => element.querySelectorAll('tr').length"


def _png_file(path: Path, size: int = 64) -> Path:
    """A small PNG a reader could upload: a colour gradient."""
    import numpy as np
    from PIL import Image

    ramp = np.linspace(0, 255, size, dtype=np.uint8)
    pixels = np.stack([np.tile(ramp, (size, 1)), np.tile(ramp[:, None], (1, size)), np.full((size, size), 128, np.uint8)], -1)
    Image.fromarray(pixels).save(path)
    return path


def _background_run_redraws(page, area, image, start, screenshot: str) -> tuple[dict, dict]:
    """Run ``start()``'s background work and check what a reader sees: progress, Stop, a new picture, no error.

    Returns the picture before and after the run (callers add their own checks of it).
    """
    before = _picture(image)
    seen = _run_in_background(page, area, start)
    assert seen["stopEnabled"] and seen["progress"] > 0
    # The widget releases Stop when the work ends and draws the result just after (the GAN timeline renders
    # its grid and loss chart then): a reader sees the new picture a moment later, and so does this check.
    _wait_for_change(page, image, IMAGE_SRC, before["src"])
    after = _picture(image)
    area.screenshot(path=str(SCREENSHOTS / screenshot))
    assert after["sha256"] != before["sha256"]
    assert area.locator(WIDGET_ERROR).count() == 0
    return before, after


def _run_in_background(page, area, start) -> dict:
    """Start background work with ``start()``; wait until it is over; what the progress bar and Stop showed."""
    area.evaluate(WATCH_BACKGROUND)
    start()
    page.wait_for_function("(area) => area.dlwpBackground.stopEnabled", arg=area.element_handle(),
                           timeout=WIDGET_UPDATE_TIMEOUT_MS)
    page.wait_for_function(STOP_DISABLED, arg=area.element_handle(), timeout=BACKGROUND_TIMEOUT_MS)
    _wait_for_kernel(page)
    return area.evaluate(BACKGROUND_SEEN)


@pytest.fixture(scope="module")
def notebook_page(lab, browser):
    """``open(notebook)``: the notebook run once in Lab, kept open for the tests of its widgets (closed at the end)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    opened: dict[str, object] = {}

    def open_(notebook: str):
        if notebook not in opened:
            for other in list(opened):  # one notebook (and kernel) at a time: 2 CPU cores
                _close(lab, opened.pop(other), other)
            opened[notebook] = _open_and_run(lab, browser, notebook, Path(notebook).stem.split("-")[0])
        return opened[notebook]

    yield open_
    for notebook, page in opened.items():
        _close(lab, page, notebook)


def test_curve_board_unticking_a_run_redraws_the_curves(notebook_page):
    page = notebook_page(NEWSWIRES)
    area = _widget(page, checkbox_label="64-4-46")
    assert area.count() == 1 and area.locator(WIDGET_ERROR).count() == 0
    image = area.locator("img.widget-image")
    before = _picture(image)
    checkbox = area.locator(".widget-checkbox").filter(
        has=page.locator("span", has_text=re.compile(r"^64-4-46$"))).locator("input")
    checkbox.scroll_into_view_if_needed()
    checkbox.click()
    page.wait_for_function("([img, old]) => img.src !== old", arg=[image.element_handle(), before["src"]],
                           timeout=WIDGET_UPDATE_TIMEOUT_MS)
    _wait_for_kernel(page)
    after = _picture(image)
    area.screenshot(path=str(SCREENSHOTS / "3.5-curve-board.png"))
    assert not checkbox.is_checked()
    assert after["sha256"] != before["sha256"] and after["size"] > 1000
    assert area.locator(WIDGET_ERROR).count() == 0


def test_embedding_explorer_lists_more_neighbours_when_a_count_is_typed(notebook_page):
    page = notebook_page(TEXT_DATA)
    explorers = _area_with(page, ".widget-label", "neighbours")
    assert explorers.count() == 2  # GloVe and the learned embedding
    area = explorers.first
    assert area.locator(WIDGET_ERROR).count() == 0
    table = area.locator("table").first
    rows = table.evaluate(TABLE_ROWS)
    count = _control(area, ".widget-text", "neighbours").locator("input")
    count.fill(str(int(count.input_value()) + 3))
    count.press("Enter")
    page.wait_for_function("([area, old]) => { const t = area.querySelector('table'); return t && t.querySelectorAll('tr').length !== old; }",
                           arg=[area.element_handle(), rows], timeout=WIDGET_UPDATE_TIMEOUT_MS)
    _wait_for_kernel(page)
    area.screenshot(path=str(SCREENSHOTS / "6.1-embedding-explorer.png"))
    assert area.locator("table").first.evaluate(TABLE_ROWS) == rows + 3
    assert area.locator(WIDGET_ERROR).count() == 0


def test_review_scorer_scores_a_typed_review(notebook_page):
    page = notebook_page(TEXT_DATA)
    area = _area_with(page, "button", "Score").first
    assert area.locator(WIDGET_ERROR).count() == 0
    scores = area.locator("table").first
    before = scores.inner_text()
    review = area.locator(".widget-textarea textarea")
    review.fill("a dull plot , wooden acting and a terrible waste of two hours")
    _button(area, "Score").click()
    _wait_for_change(page, area, "(area) => (area.querySelector('table') || {}).innerText", before)
    _wait_for_kernel(page)
    area.screenshot(path=str(SCREENSHOTS / "6.1-review-scorer.png"))
    after = area.locator("table").first.inner_text()
    assert after != before and len(area.locator("table").first.locator("tr").all()) >= 2
    assert area.locator(WIDGET_ERROR).count() == 0


def test_forecast_viewer_window_slider_redraws_the_forecast(notebook_page):
    page = notebook_page(FORECASTS)
    area = _widget(page, slider_label="validation window")
    assert area.count() == 1 and area.locator(WIDGET_ERROR).count() == 0
    handle = _slider(area, "validation window").locator(".noUi-handle")
    before, after = _press_and_wait_for_new_picture(page, handle, area.locator("img.widget-image"))
    area.screenshot(path=str(SCREENSHOTS / "6.3-forecast-viewer.png"))
    assert _slider(area, "validation window").locator(".widget-readout").inner_text().strip() == "1"
    assert after["sha256"] != before["sha256"] and after["size"] > 1000
    assert area.locator(WIDGET_ERROR).count() == 0


def test_tuner_board_sorts_the_trials_by_a_chosen_column_and_order(notebook_page):
    page = notebook_page(BEST_PRACTICES)
    area = _area_with(page, "button", "descending")
    assert area.count() == 1 and area.locator(WIDGET_ERROR).count() == 0
    table = area.locator("table").first
    by_score = table.locator("tr").all_inner_texts()
    assert len(by_score) >= 3  # a header and at least two trials
    # Sort by trial id (distinct, unlike smoke-mode scores, which can tie), then flip the order.
    _control(area, ".widget-dropdown", "sort by").locator("select").select_option(label="trial")
    page.wait_for_function("(area) => area.querySelector('select').value !== ''", arg=area.element_handle())
    _wait_for_kernel(page)
    by_trial = area.locator("table").first.locator("tr").all_inner_texts()
    shown = area.locator("table").first.inner_text()  # read before the click: the kernel may answer at once
    _button(area, "descending").click()
    _wait_for_change(page, area, "(area) => (area.querySelector('table') || {}).innerText", shown)
    _wait_for_kernel(page)
    area.screenshot(path=str(SCREENSHOTS / "7.3-tuner-board.png"))
    flipped = area.locator("table").first.locator("tr").all_inner_texts()
    assert sorted(by_trial[1:]) == sorted(by_score[1:])  # the same trials
    assert flipped[0] == by_trial[0] and flipped[1:] == by_trial[1:][::-1]
    assert area.locator(WIDGET_ERROR).count() == 0


def test_ensemble_mixer_weight_slider_changes_the_ensemble_result(notebook_page):
    page = notebook_page(BEST_PRACTICES)
    area = _area_with(page, "button", "Equal weights")
    assert area.count() == 1 and area.locator(WIDGET_ERROR).count() == 0
    result = area.locator(".widget-html-content").filter(has_text=re.compile(r"\d"))
    text = area.inner_text()
    handle = area.locator(".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(5):  # every weight starts at its maximum, 1.00: down to 0.95
        handle.press("ArrowLeft")
    _wait_for_change(page, area, INNER_TEXT, text)
    _wait_for_kernel(page)
    moved = area.inner_text()
    _button(area, "Equal weights").click()
    _wait_for_change(page, area, INNER_TEXT, moved)
    _wait_for_kernel(page)
    area.screenshot(path=str(SCREENSHOTS / "7.3-ensemble-mixer.png"))
    assert result.count() >= 1 and moved != text
    assert area.locator(".widget-slider .widget-readout").first.inner_text().strip() == "1.00"  # equal again
    assert area.locator(WIDGET_ERROR).count() == 0


def test_dream_controls_dream_an_uploaded_picture_with_progress_and_stop(notebook_page, tmp_path):
    page = notebook_page(DEEP_DREAM)
    area = _area_with(page, "button", "Dream")
    assert area.count() == 1 and area.locator(WIDGET_ERROR).count() == 0
    image = area.locator("img.widget-image").last
    notebook_picture = _picture(image)
    with page.expect_file_chooser() as chooser:  # the reader clicks the upload button and picks a file
        area.locator("button.widget-upload").click()
    chooser.value.set_files(str(_png_file(tmp_path / "mine.png", size=160)))  # above InceptionV3's 75-pixel minimum
    _wait_for_change(page, image, IMAGE_SRC, notebook_picture["src"])
    page.wait_for_function("(area) => /Press Dream/.test(area.innerText)", arg=area.element_handle(),
                           timeout=WIDGET_UPDATE_TIMEOUT_MS)
    before, after = _background_run_redraws(page, area, image, lambda: _button(area, "Dream").click(),
                                            "8.2-dream-controls.png")
    assert before["sha256"] != notebook_picture["sha256"]  # the dream started from the uploaded picture, fitted
    assert after["size"] > 500


def test_style_mixer_runs_with_progress_and_stop(notebook_page):
    page = notebook_page(STYLE_TRANSFER)
    area = _area_with(page, "button", "Run")
    assert area.count() == 1 and area.locator(WIDGET_ERROR).count() == 0
    image = area.locator("img.widget-image").last
    iterations = _slider(area, "iterations").locator(".noUi-handle")

    def more_iterations_then_run():
        iterations.focus()
        iterations.press("ArrowRight")
        _button(area, "Run").click()

    _, after = _background_run_redraws(page, area, image, more_iterations_then_run, "8.3-style-mixer.png")
    assert after["size"] > 500


def test_latent_explorer_z_slider_decodes_a_new_digit(notebook_page):
    page = notebook_page(VAE)
    area = _widget(page, slider_label="z[0]")
    assert area.count() == 1 and area.locator(WIDGET_ERROR).count() == 0
    handle = _slider(area, "z[0]").locator(".noUi-handle")
    before, after = _press_and_wait_for_new_picture(page, handle, area.locator("img.widget-image").first, presses=5)
    area.screenshot(path=str(SCREENSHOTS / "8.4-latent-explorer.png"))
    assert after["sha256"] != before["sha256"] and after["size"] > 100
    assert area.locator(WIDGET_ERROR).count() == 0


def test_gan_timeline_trains_more_with_progress_and_stop(notebook_page):
    page = notebook_page(GAN)
    area = _area_with(page, "button", "Train more")
    assert area.count() == 1 and area.locator(WIDGET_ERROR).count() == 0
    snapshot = _slider(area, "snapshot")
    steps_before = area.inner_text()
    samples = area.locator("img.widget-image").first
    _background_run_redraws(page, area, samples, lambda: _button(area, "Train more").click(), "8.5-gan-timeline.png")
    assert area.inner_text() != steps_before and snapshot.count() == 1


def test_adversarial_explorer_iterative_attack_with_progress_and_stop(notebook_page):
    page = notebook_page(ADVERSARIAL)
    area = _widget(page, slider_label="ε")
    assert area.count() == 1 and area.locator(WIDGET_ERROR).count() == 0
    image = area.locator("img.widget-image").first
    method = _control(area, ".widget-dropdown", "attack").locator("select")
    _, after = _background_run_redraws(page, area, image, lambda: method.select_option(label="iterative (BIM)"),
                                       "9.2-adversarial-explorer.png")
    assert after["size"] > 500


def test_hull_explorer_dimension_slider_recomputes_with_progress_and_stop(notebook_page):
    page = notebook_page(HULL)
    area = _widget(page, slider_label="dimension")
    assert area.count() == 1 and area.locator(WIDGET_ERROR).count() == 0
    table = area.locator("table").first.inner_text()
    handle = _slider(area, "dimension").locator(".noUi-handle")

    def move():
        handle.scroll_into_view_if_needed()
        handle.focus()
        handle.press("ArrowRight")

    seen = _run_in_background(page, area, move)
    area.screenshot(path=str(SCREENSHOTS / "9.2-hull-explorer.png"))
    assert seen["stopEnabled"] and seen["progress"] > 0
    assert _slider(area, "dimension").locator(".widget-readout").inner_text().strip() == "5"
    assert area.locator("table").first.inner_text() != table
    assert area.locator(WIDGET_ERROR).count() == 0


def test_extrapolation_explorer_noise_slider_refits_the_curve(notebook_page):
    page = notebook_page(EXTRAPOLATION)
    area = _widget(page, slider_label="noise")
    assert area.count() == 1 and area.locator(WIDGET_ERROR).count() == 0
    handle = _slider(area, "noise").locator(".noUi-handle")
    before, after = _press_and_wait_for_new_picture(page, handle, area.locator("img.widget-image"), presses=5)
    area.screenshot(path=str(SCREENSHOTS / "9.2-extrapolation-explorer.png"))
    assert _slider(area, "noise").locator(".widget-readout").inner_text().strip() == "0.05"
    assert after["sha256"] != before["sha256"] and after["size"] > 1000
    assert area.locator(WIDGET_ERROR).count() == 0
