"""The site the main job built from its smoke run (`dlwp book run` writes RUN/site): one page per executed
notebook, every page loads in headless Chromium (offline, under the CSP script-src 'self', no console error),
every image decodes, every internal link resolves, every saved widget renders from its state, the search
finds a listing by its number.

The screenshots (build/browser/smoke-site-*.png, a widget page among them) are kept as CI artifacts.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from dlwp_widgets.book.site import EXTRA_PAGES

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.notebooks, pytest.mark.browser, pytest.mark.timeout(900)]


def _crawl_site():
    spec = importlib.util.spec_from_file_location("site_crawl", ROOT / "tests" / "browser" / "test_site_in_chromium.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.crawl_site


def test_the_smoke_run_site_has_every_notebook_and_the_report_links_to_it(main_job):
    site = main_job.out_dir / "site"
    results = main_job.results["notebooks"]
    assert (site / "index.html").exists(), main_job.output
    pages = sorted(site.glob("ch*/*.html"))
    assert len(pages) == len(results), [p.name for p in pages]
    report = (main_job.out_dir / "report.html").read_text(encoding="utf-8")
    assert "href='site/index.html'" in report


def test_the_smoke_run_site_in_chromium(main_job):
    crawl_site = _crawl_site()
    visited, images_checked, anchors, widgets = crawl_site(main_job.out_dir / "site" / "index.html", prefix="smoke-site")
    results = main_job.results["notebooks"]
    assert len(visited) == 1 + len(EXTRA_PAGES) + len(results), sorted(visited)  # the index, extra pages, notebooks
    assert images_checked >= len(results) and anchors  # a key figure per notebook at least, and listing anchors
    # crawl_site checked that every saved widget view rendered; the chapters hold 18 widgets in 14 notebooks
    if len(results) >= 30:  # the whole main job, not a -k selection
        assert widgets >= 18, widgets
        assert (ROOT / "build" / "browser" / "smoke-site-widget-page.png").exists()
