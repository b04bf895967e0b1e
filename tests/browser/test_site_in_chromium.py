"""The static site of a run (`dlwp book site`) in headless Chromium, offline and under the
Content-Security-Policy ``script-src 'self'``: every page loads without a console error, every image
decodes (naturalWidth > 0), every internal link (and its #anchor) resolves, every saved widget is
rendered from its saved state by the site's own renderer (no empty widget area), and the search box
finds a listing by its number.

The run is a small synthetic one (tiny executed notebooks with matplotlib figures and one real widget
state, built by tests/unit/test_site.py's ``make_run``); CI can point ``DLWP_SITE_RUN`` at a real run
folder (e.g. build/smoke) to check that one instead; the main job's own smoke-run site is crawled by
tests/notebooks/test_main_job_site.py with :func:`crawl_site`.  The site is served by a loopback HTTP
server that sends the CSP header; every other request is refused, so the check is offline.
Screenshots of the index, one chapter page and one widget page go to build/browser/.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import threading
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

from dlwp_widgets.book.site import EXTRA_PAGES, build_site

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "browser"
CHROMIUM = os.environ.get("DLWP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]
CSP = "script-src 'self'"
WIDGETS_TIMEOUT_MS = 60_000

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def _sync_playwright():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package (or set DLWP_CHROMIUM).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the `playwright` Python package is not installed (pip install playwright; no browser download needed).")
    return sync_playwright


def _make_run(folder: Path) -> Path:
    spec = importlib.util.spec_from_file_location("site_fixtures", ROOT / "tests" / "unit" / "test_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_run(folder, failing=True)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, *args):  # quiet
        pass


class _Server:
    """The site on a loopback HTTP server (a thread), sending the Content-Security-Policy header."""

    def __init__(self, root: Path):
        self.root = root
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def local(self, url: str) -> Path:
        return self.root / unquote(urlparse(url).path).lstrip("/")


# Rendered widgets of a page: every saved view got a non-empty widget area from the renderer.
WIDGETS = """() => {
    const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
    const areas = views.map((view) => view.previousElementSibling);
    return {
        views: views.length,
        rendered: areas.filter((area) => area && area.classList.contains("widget-subarea")
            && area.getBoundingClientRect().height > 10 && area.querySelector(".jupyter-widgets")).length,
        failed: [...document.querySelectorAll(".dlwp-widget-failed")].map((note) => note.innerText),
        sliders: [...document.querySelectorAll(".widget-slider .widget-readout")].map((r) => r.innerText.trim()),
        state: document.documentElement.dataset.dlwpWidgets || "",
    };
}"""


def _first_listing(site_root: Path) -> str:
    script = (site_root / "_static" / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(script.removeprefix("window.DLWP_SEARCH_INDEX = ").rstrip().rstrip(";"))
    return next(entry["number"] for entry in entries if entry["kind"] == "listing")


def crawl_site(index: Path, screenshots: Path = SCREENSHOTS, prefix: str = "site") -> tuple[set, int, list, int]:
    """Visit every page reachable from ``index`` (served with the CSP, offline): each loads with a title and no
    console error, its own images decode, its widgets render, its internal links (and #anchors) resolve; the
    search box finds the first listing by its number.  Screenshots ``{prefix}-index.png``,
    ``{prefix}-chapter-page.png`` and ``{prefix}-widget-page.png`` (the first page with widgets).

    Returns (pages visited, images checked, anchors checked, widgets rendered).  Used for the synthetic run
    here and for the main job's smoke run (tests/notebooks/test_main_job_site.py).
    """
    sync_playwright = _sync_playwright()
    screenshots.mkdir(parents=True, exist_ok=True)
    site_root = index.resolve().parent
    shots = {name: screenshots / f"{prefix}-{name}.png" for name in ("index", "chapter-page", "widget-page")}
    for shot in shots.values():
        shot.unlink(missing_ok=True)

    with _Server(site_root) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.base)
                   else route.abort())
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error"
                else None)

        start = server.base + "index.html"
        to_visit, visited, anchors_wanted = [start], set(), []
        images_checked = widgets_rendered = 0
        while to_visit:
            url = to_visit.pop(0)
            if url in visited:
                continue
            visited.add(url)
            response = page.goto(url, wait_until="load", timeout=30_000)
            assert response is None or response.ok, f"{url} did not load"
            assert page.title(), f"{url} has no title"
            widgets = page.evaluate(WIDGETS)
            if widgets["views"]:
                page.wait_for_function("() => document.documentElement.dataset.dlwpWidgets", timeout=WIDGETS_TIMEOUT_MS)
                widgets = page.evaluate(WIDGETS)
                assert widgets["state"] == "rendered" and not widgets["failed"], f"{url}: {widgets}"
                assert widgets["rendered"] == widgets["views"], f"{url}: empty widget areas: {widgets}"
                widgets_rendered += widgets["rendered"]
                if not shots["widget-page"].exists():
                    page.locator(".widget-subarea").first.scroll_into_view_if_needed()
                    page.screenshot(path=str(shots["widget-page"]))
            # The site's own images (data: and blob: URIs, files it serves), widgets' pictures included, as far
            # as the page shows them: a widget's hidden view (the latent explorer's grid before "grid" is chosen)
            # holds no picture yet, and a reader never sees it.
            local = (f"[...document.images].filter(i => (/^(data|blob):/.test(i.src) || i.src.startsWith('{server.base}'))"
                     " && i.getClientRects().length > 0)")
            broken = page.evaluate(
                f"() => {local}.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))"
            )
            assert not broken, f"{url}: images that do not decode: {broken}"
            images_checked += page.evaluate(f"() => {local}.length")
            if url == start:
                page.screenshot(path=str(shots["index"]), full_page=True)
            elif "/ch0" in url and not shots["chapter-page"].exists():
                page.screenshot(path=str(shots["chapter-page"]))
            for href in page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"):
                if not href.startswith(server.base):
                    continue
                target, anchor = urldefrag(href)
                assert server.local(target).exists(), f"{url}: broken link {href}"
                if anchor:
                    anchors_wanted.append((target, anchor, url))
                if target.endswith(".html") and target not in visited:
                    to_visit.append(target)

        by_target: dict[str, list[tuple[str, str]]] = {}
        for target, anchor, origin in anchors_wanted:
            by_target.setdefault(target, []).append((anchor, origin))
        for target, wanted in by_target.items():  # one load per page, however many anchors point into it
            page.goto(target, wait_until="domcontentloaded")
            ids = set(page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)"))
            missing = [f"{origin} -> #{anchor}" for anchor, origin in wanted if anchor not in ids]
            assert not missing, f"links to anchors that {target} does not have: {missing[:5]}"

        # The search box, as a reader uses it: type a listing number, the first result is that listing.
        listing = _first_listing(site_root)
        page.goto(start, wait_until="load")
        page.locator("form.dlwp-search input").fill(listing)
        first = page.locator("ol.dlwp-search-results a").first
        first.wait_for(timeout=10_000)
        assert first.get_attribute("href").endswith(f"#listing-{listing}"), first.get_attribute("href")
        page.locator("form.dlwp-search input").press("Enter")
        page.wait_for_url(f"**#listing-{listing}", timeout=10_000)
        browser.close()
    assert not errors, errors[:10]
    assert shots["index"].exists() and shots["chapter-page"].exists()
    return visited, images_checked, anchors_wanted, widgets_rendered


def test_site_pages_images_and_links_in_chromium(tmp_path):
    _sync_playwright()  # skips early without Chromium or Playwright
    run = Path(os.environ["DLWP_SITE_RUN"]) if os.environ.get("DLWP_SITE_RUN") else _make_run(tmp_path / "run")
    site = build_site(run, tmp_path / "site")
    visited, images_checked, anchors_wanted, widgets_rendered = crawl_site(site.index)
    assert len(visited) == 1 + len(EXTRA_PAGES) + len(site.pages), sorted(visited)  # the index, extra pages, notebooks
    assert images_checked >= 4 and anchors_wanted  # three figures and the widget's picture
    assert widgets_rendered >= 1 and (SCREENSHOTS / "site-widget-page.png").exists()
