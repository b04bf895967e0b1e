"""The static site of a run (`dlwp book site`) in headless Chromium: every page loads, every image
decodes (naturalWidth > 0), every internal link (and its #anchor) resolves.

The run is a small synthetic one (tiny executed notebooks with matplotlib figures, built by
tests/unit/test_site.py's ``make_run``); CI can point ``DLWP_SITE_RUN`` at a real run folder
(e.g. build/smoke) to check that one instead; the main job's own smoke-run site is crawled by
tests/notebooks/test_main_job_site.py with :func:`crawl_site`.  Pages are opened as file:// URLs; requests leaving
the machine (CDN scripts of the nbconvert template) are refused, so the check is offline.
Screenshots of the index and one chapter page go to build/browser/.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from urllib.parse import urldefrag, urlparse
from urllib.request import url2pathname

import pytest

from dlwp_widgets.book.site import build_site

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "browser"
CHROMIUM = os.environ.get("DLWP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"]

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


def _local_path(url: str) -> Path:
    return Path(url2pathname(urlparse(url).path))


def crawl_site(index: Path, screenshots: Path = SCREENSHOTS, prefix: str = "site") -> tuple[set, int, list]:
    """Visit every page reachable from ``index``: each loads and has a title, its own images decode, its
    internal links (and #anchors) resolve.  Screenshots ``{prefix}-index.png`` and ``{prefix}-chapter-page.png``.

    Returns (pages visited, images checked, anchors checked).  Used for the synthetic run here and for
    the main job's smoke run (tests/notebooks/test_main_job_site.py).
    """
    sync_playwright = _sync_playwright()
    screenshots.mkdir(parents=True, exist_ok=True)
    start = index.resolve().as_uri()
    chapter_shot = screenshots / f"{prefix}-chapter-page.png"
    chapter_shot.unlink(missing_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        to_visit, visited, anchors_wanted = [start], set(), []
        images_checked = 0
        while to_visit:
            url = to_visit.pop(0)
            if url in visited:
                continue
            visited.add(url)
            response = page.goto(url, wait_until="load", timeout=30_000)
            assert response is None or response.ok, f"{url} did not load"
            assert page.title(), f"{url} has no title"
            # The site's own images (data: URIs, files); remote badges (Colab, Binder) need the internet.
            local = "[...document.images].filter(i => /^(data|file):/.test(i.src))"
            broken = page.evaluate(
                f"() => {local}.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))"
            )
            assert not broken, f"{url}: images that do not decode: {broken}"
            images_checked += page.evaluate(f"() => {local}.length")
            if url == start:
                page.screenshot(path=str(screenshots / f"{prefix}-index.png"), full_page=True)
            elif "/ch0" in url and not chapter_shot.exists():
                page.screenshot(path=str(chapter_shot))
            for href in page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)"):
                if not href.startswith("file:"):
                    continue
                target, anchor = urldefrag(href)
                assert _local_path(target).exists(), f"{url}: broken link {href}"
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
        browser.close()
    assert (screenshots / f"{prefix}-index.png").exists() and chapter_shot.exists()
    return visited, images_checked, anchors_wanted


def test_site_pages_images_and_links_in_chromium(tmp_path):
    _sync_playwright()  # skips early without Chromium or Playwright
    run = Path(os.environ["DLWP_SITE_RUN"]) if os.environ.get("DLWP_SITE_RUN") else _make_run(tmp_path / "run")
    site = build_site(run, tmp_path / "site")
    visited, images_checked, anchors_wanted = crawl_site(site.index)
    assert len(visited) == 3 + len(site.pages), sorted(visited)
    assert images_checked >= 3 and anchors_wanted
