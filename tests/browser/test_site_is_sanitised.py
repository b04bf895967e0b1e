"""Issue 23, item 1, in Chromium: a site built from a hostile run folder runs nothing the notebook smuggled in.

The run (tests/unit/test_site_sanitised.py's ``make_hostile_run``) carries ``<script>`` outputs, a
``Javascript`` output, ``on*=`` handlers, ``javascript:`` links and a file name that tries to close its
``href``.  Every payload calls ``alert``; the test opens every page, hovers, clicks every link and button and
fails on any dialog.  It also checks the second line of defence: a page whose body holds raw script under the
site's Content-Security-Policy still runs none of it, while a script file served from the site itself (how
the widget renderer and the search are shipped) does run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from dlwp_widgets.book import sanitize
from dlwp_widgets.book.site import build_site

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


chromium_site = _load("chromium_site", ROOT / "browser" / "test_site_in_chromium.py")
hostile = _load("hostile_site", ROOT / "unit" / "test_site_sanitised.py")

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


def _open(playwright):
    browser = playwright.chromium.launch(executable_path=chromium_site.CHROMIUM, args=chromium_site.CHROMIUM_FLAGS)
    page = browser.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return browser, page, dialogs


def test_nothing_from_a_hostile_run_runs_in_chromium(tmp_path):
    sync_playwright = chromium_site._sync_playwright()
    site = build_site(hostile.make_hostile_run(tmp_path / "run"), tmp_path / "site")
    pages = sorted(site.out_dir.rglob("*.html"))
    with sync_playwright() as playwright:
        browser, page, dialogs = _open(playwright)
        for path in pages:
            page.goto(path.as_uri(), wait_until="load")
            for selector in ("a", "img", "b", "p", "summary", "div"):
                for element in page.query_selector_all(selector)[:40]:
                    if element.is_visible():
                        element.hover(timeout=2_000)
            hrefs = page.evaluate("() => [...document.querySelectorAll('a')].map(a => a.getAttribute('href') || '')")
            for number, href in enumerate(hrefs):
                if href.startswith(("http", "../", "index", "listings", "results", "ch0")):
                    continue  # real navigation: the other pages are visited in turn, the internet is refused
                if page.url.split("#")[0] != path.as_uri():
                    page.goto(path.as_uri(), wait_until="load")
                link = page.query_selector_all("a")[number]
                if link.is_visible():
                    link.click(timeout=2_000)
                    page.wait_for_timeout(50)
            for button in page.query_selector_all("button"):
                button.click(timeout=2_000)
            page.wait_for_timeout(200)
            assert page.evaluate("() => typeof window.alert") == "function"
            state = page.evaluate("""() => [...document.querySelectorAll(
                'script[type="application/vnd.jupyter.widget-state+json"]')].map(s => JSON.parse(s.textContent))""")
            if path.name.startswith("2.1-"):
                assert state[0]["state"][hostile.WIDGET_ID]["state"]["value"] == 3
        browser.close()
    assert dialogs == [], f"hostile code ran: {dialogs}"


def test_the_policy_blocks_inline_script_and_allows_the_sites_own_files(tmp_path):
    sync_playwright = chromium_site._sync_playwright()
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "own.js").write_text("document.body.dataset.own = 'ran';\n")
    page_path = tmp_path / "page.html"
    page_path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'>{sanitize.csp_meta()}<title>t</title></head><body>"
        "<script>alert('inline')</script><img src=x onerror=\"alert('handler')\">"
        "<a id='js' href=\"javascript:alert('link')\">link</a>"
        "<script src='assets/own.js'></script></body></html>", encoding="utf-8")
    with sync_playwright() as playwright:
        browser, page, dialogs = _open(playwright)
        page.goto(page_path.as_uri(), wait_until="load")
        page.click("#js")
        page.wait_for_timeout(200)
        own = page.evaluate("() => document.body.dataset.own")
        browser.close()
    assert dialogs == [], f"the policy let inline code run: {dialogs}"
    assert own == "ran", "the site's own script file was blocked: the widget renderer and search would not work"
