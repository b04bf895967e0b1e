"""Issue 23, item 1: a site built from someone else's run folder runs nothing that a notebook smuggles in.

``make_hostile_run`` is shared with tests/browser/test_site_is_sanitised.py, which checks the same site in
Chromium; here the built HTML is parsed and searched for anything executable.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dlwp_widgets.book import sanitize
from dlwp_widgets.book.site import build_site

HOSTILE_MARKUP = (
    "<script>alert('script')</script>"
    "<img src=x onerror=\"alert('onerror')\">"
    "<a id='js-link' href='javascript:alert(\"link\")'>click me</a>"
    "<a id='js-link-obfuscated' href='java&#x09;script:alert(\"link2\")'>and me</a>"
    "<a id='data-link' href='data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;'>data</a>"
    "<iframe src=\"javascript:alert('iframe')\"></iframe>"
    "<svg onload=\"alert('svg')\"><script>alert('svg-script')</script></svg>"
    "<details open ontoggle=\"alert('toggle')\"><summary>s</summary></details>"
    "<meta http-equiv='refresh' content='0;url=javascript:alert(1)'>"
    "<object data='javascript:alert(1)'></object><embed src='javascript:alert(1)'>"
    "<form action='javascript:alert(1)'><button id='hostile-button'>go</button></form>"
    "<p style=\"background:url('javascript:alert(1)')\">styled</p>"
    "<base href='http://evil.example/'>"
    "<a title='<script type=\"application/vnd.jupyter.widget-view+json\">{}</script>'>attribute</a>"
)
HOSTILE_NAME = "2.1-x'><img src=x onerror=alert('name')>\""
WIDGET_ID = "0123456789abcdef"


def make_hostile_run(run: Path) -> Path:
    """A run folder whose executed notebook tries every way to run code in the site (see HOSTILE_MARKUP)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    cells = [new_markdown_cell("# Hostile\n\n[a markdown link](javascript:alert('md'))\n\n" + HOSTILE_MARKUP)]
    cell = new_code_cell("show()")
    cell.outputs = [
        new_output("display_data", data={"text/html": HOSTILE_MARKUP, "text/plain": "html"}),
        new_output("display_data", data={"application/javascript": "alert('javascript output')",
                                         "text/plain": "a Javascript output"}),
        new_output("display_data", data={"application/vnd.jupyter.widget-view+json": {
            "model_id": WIDGET_ID, "version_major": 2, "version_minor": 0}, "text/plain": "IntSlider()"}),
        new_output("execute_result", execution_count=1,
                   data={"text/html": "<b onmouseover=\"alert('hover')\">bold</b>", "text/plain": "b"}),
    ]
    cells.append(cell)
    notebook = new_notebook(cells=cells)
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "version_major": 2, "version_minor": 0,
        "state": {WIDGET_ID: {"model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls",
                              "model_module_version": "2.0.0",
                              "state": {"value": 3, "description": "</script><script>alert('state')</script>"}}},
    }}
    folder = run / "notebooks" / "ch02"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{HOSTILE_NAME}.ipynb")
    nbformat.write(new_notebook(cells=[new_markdown_cell("# A plain page")]), folder / "2.2-plain.ipynb")
    (folder / "2.3-unreadable.ipynb").write_text("{ not a notebook")
    return run


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def elements(path: Path) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.elements


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    run = make_hostile_run(tmp_path_factory.mktemp("hostile") / "run")
    return build_site(run, run / "site")


def test_no_page_holds_anything_executable(hostile_site):
    pages = sorted(hostile_site.out_dir.rglob("*.html"))
    from dlwp_widgets.book.site import EXTRA_PAGES, STATIC

    assert len(pages) == 1 + len(EXTRA_PAGES) + 3  # index, the extra pages + three notebooks (one unreadable)
    for path in pages:
        found = elements(path)
        assert ("meta", {"http-equiv": "Content-Security-Policy", "content": sanitize.CONTENT_SECURITY_POLICY}) in found
        for tag, attrs in found:
            assert tag not in {"iframe", "object", "embed", "svg", "base", "button"}, (path.name, tag)
            if tag == "form":  # the site's own search box: no action, nothing is sent anywhere
                assert attrs.get("class") == "dlwp-search" and "action" not in attrs, (path.name, attrs)
            if tag == "script":  # widget data, or one of the site's own script files
                own = re.fullmatch(rf"(\.\./)?{STATIC}/[\w.-]+\.js", attrs.get("src") or "")
                assert attrs.get("type") in sanitize.WIDGET_DATA_TYPES or own, (path.name, attrs)
            if tag == "meta":
                assert attrs.get("http-equiv") != "refresh"
            assert not [name for name in attrs if name.startswith("on")], (path.name, tag, attrs)
            for name in ("href", "src", "action", "data", "formaction"):
                value = re.sub(r"\s+", "", attrs.get(name) or "").lower()
                assert not value.startswith(("javascript:", "data:text")), (path.name, tag, attrs)
            assert "javascript" not in (attrs.get("style") or ""), (path.name, attrs)


def test_widget_state_and_views_survive_as_data(hostile_site):
    page = next(hostile_site.out_dir.glob("ch02/2.1-*.html"))
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="(application/vnd\.jupyter\.widget-(?:state|view)\+json)">(.*?)</script>', text, re.S)
    kinds = [kind for kind, _ in blocks]
    assert kinds.count(sanitize.WIDGET_DATA_TYPES[0]) == 1 and kinds.count(sanitize.WIDGET_DATA_TYPES[1]) == 1
    state = json.loads(dict(blocks)[sanitize.WIDGET_DATA_TYPES[0]])
    assert state["state"][WIDGET_ID]["state"]["description"] == "</script><script>alert('state')</script>"
    assert json.loads(dict(blocks)[sanitize.WIDGET_DATA_TYPES[1]])["model_id"] == WIDGET_ID
    assert "a Javascript output" in text  # the Javascript output's text is shown instead
    assert "click me" in text and "bold" in text  # harmless content is kept


def test_file_names_are_escaped_in_the_index(hostile_site):
    index = hostile_site.index.read_text(encoding="utf-8")
    assert "<img src=x" not in index
    links = [attrs["href"] for tag, attrs in elements(hostile_site.index) if tag == "a"]
    hostile = [href for href in links if href.startswith("ch02/2.1-")]
    assert hostile and (hostile_site.out_dir / re.sub(r"%([0-9A-F]{2})", lambda m: chr(int(m[1], 16)), hostile[0])).is_file()


def test_an_unreadable_notebook_is_a_failed_page_not_a_lost_site(hostile_site):
    page = next(p for p in hostile_site.pages if p.stem == "2.3-unreadable")
    assert page.status == "failed"
    assert "could not be read" in (hostile_site.out_dir / page.path).read_text(encoding="utf-8")


def test_fragment_keeps_pictures_and_links_but_not_code():
    clean = sanitize.fragment("<img src='data:image/png;base64,AAAA' alt='a'><a href='https://x.org/'>x</a>"
                              "<img src='data:image/svg+xml;base64,AAAA'><a href=' JaVaScRiPt:x'>y</a>")
    assert "data:image/png;base64,AAAA" in clean and "https://x.org/" in clean
    assert "svg+xml" not in clean and "javascript" not in clean.lower()
