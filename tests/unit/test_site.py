"""`dlwp book site`: a static site from a small synthetic run (tiny executed notebooks with a matplotlib figure)."""

from __future__ import annotations

import base64
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest

from dlwp_widgets.book.site import build_site


def png_figure(colour: str = "tab:blue") -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(2, 1.5), dpi=50)
    axes.plot([0, 1, 2], [2, 1, 3], color=colour)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


STANDIN_NOTICE = "\n".join(["!" * 78, "!! STAND-IN DATA for MNIST: not the real dataset.", "!! Generated digits.",
                             "!! Results below measure the code, not the book's numbers.", "!" * 78]) + "\n"
BADGE = "[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/x)"


def widget_cell_and_state():
    """A code cell displaying a real widget (a slider at 7 and a picture), and the notebook's saved widget state."""
    import ipywidgets as widgets
    from ipywidgets.embed import embed_data
    from nbformat.v4 import new_code_cell, new_output

    slider = widgets.IntSlider(value=7, min=0, max=10, description="epochs")
    picture = widgets.Image(value=base64.b64decode(png_figure("tab:orange")), format="png")
    box = widgets.VBox([slider, picture])
    data = embed_data(views=[box])
    cell = new_code_cell("box")
    cell.outputs = [new_output("display_data", data={"application/vnd.jupyter.widget-view+json": data["view_specs"][0],
                                                     "text/plain": "VBox(...)"})]
    state = {"application/vnd.jupyter.widget-state+json": data["manager_state"]}
    for widget in (slider, picture, box):
        widget.close()
    return cell, state


def make_run(run: Path, failing: bool = False) -> Path:
    """A folder shaped like `dlwp book run`'s: notebooks/chNN/*.ipynb and records/chNN/*.jsonl."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    def notebook(stem: str, listings: list[str], colours: list[str], records: list[dict], error: bool = False,
                 widget: bool = False):
        cells = [new_markdown_cell(f"# {stem}\n\n{BADGE}\n\nA tiny notebook.")]
        loader = new_code_cell("load()")
        loader.outputs = [new_output("stream", name="stdout", text=STANDIN_NOTICE + "loaded\n")]
        cells.append(loader)
        for listing, colour in zip(listings, colours):
            cells.append(new_markdown_cell(f"### Listing {listing} — a listing\n\nProse."))
            cell = new_code_cell("plot()", metadata={"listing": listing})
            cell.outputs = [new_output("display_data", data={"image/png": png_figure(colour), "text/plain": "<Figure>"})]
            cells.append(cell)
        if error:
            cell = new_code_cell("1/0")
            cell.outputs = [new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]
            cells.append(cell)
        metadata = {}
        if widget:
            cell, metadata["widgets"] = widget_cell_and_state()
            cells.append(cell)
        chapter = f"ch{int(stem.split('.')[0]):02d}"
        path = run / "notebooks" / chapter / f"{stem}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(new_notebook(cells=cells, metadata=metadata), path)
        record = run / "records" / chapter / f"{stem}.jsonl"
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text("".join(json.dumps(entry) + "\n" for entry in records) + "not json\n")

    notebook("2.1-a-first-look", ["2.1", "2.3"], ["tab:blue", "tab:red"],
             [{"data_source": "mnist", "source": "standin"},
              {"metric": "mnist_dense_test_accuracy", "value": 0.91, "baseline": 0.1}], widget=True)
    notebook("2.4-gradient-based-optimization", ["2.4"], ["tab:purple"], [{"data_source": "mnist", "source": "standin"}])
    notebook("5.4-visualizing", ["5.25"], ["tab:green"], [{"data_source": "cats_vs_dogs", "source": "real"}],
             error=failing)
    return run


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    run = make_run(tmp_path_factory.mktemp("run"), failing=True)
    return build_site(run, run / "site")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids, self.images = [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))


def parse(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_notebook_becomes_a_page_with_its_figures(site):
    assert [page.path for page in site.pages] == ["ch02/2.1-a-first-look.html", "ch02/2.4-gradient-based-optimization.html",
                                                  "ch05/5.4-visualizing.html"]
    first = parse(site.out_dir / "ch02/2.1-a-first-look.html")
    assert sum(src.startswith("data:image/png;base64,") for src in first.images) == 2
    assert {"listing-2.1", "listing-2.3"} <= first.ids
    assert site.pages[0].last_image.startswith(b"\x89PNG")


def test_internal_links_resolve(site):
    pages = [site.out_dir / name for name in ("index.html", "listings.html", "results.html")]
    pages += [site.out_dir / page.path for page in site.pages]
    checked = 0
    for page in pages:
        for href in parse(page).hrefs:
            if re.match(r"^[a-z]+:", href):
                continue
            target, anchor = urldefrag(href)
            resolved = (page.parent / target).resolve() if target else page
            assert resolved.exists(), f"{page.name}: {href}"
            if anchor:
                assert anchor in parse(resolved).ids, f"{page.name}: {href} (no such anchor)"
            checked += 1
    assert checked > 10


def test_listing_index_links_each_cell_and_launchers(site):
    listings = (site.out_dir / "listings.html").read_text()
    assert "ch02/2.1-a-first-look.html#listing-2.3" in listings
    assert "colab.research.google.com/github/" in listings and "mybinder.org/v2/gh/" in listings
    assert "no cell in this run" in listings  # chapter 2 has listings the tiny notebook lacks


def test_results_table_is_colour_coded_with_the_data_source(site):
    results = (site.out_dir / "results.html").read_text()
    assert "mnist_dense_test_accuracy" in results and "class='standin'" in results
    assert "stand-in (mnist: standin)" in results


def test_index_by_chapter_and_section_shows_status_and_data(site):
    index = (site.out_dir / "index.html").read_text()
    assert "Chapter 2" in index and "Chapter 5" in index
    assert "class='failed'" in index and "real (cats_vs_dogs: real)" in index


def test_a_run_without_notebooks_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="dlwp book run"):
        build_site(tmp_path)


def _page(site, number: int) -> str:
    return (site.out_dir / site.pages[number].path).read_text(encoding="utf-8")


def test_every_page_has_previous_next_and_its_chapter_sections(site):
    first, second, third = (_page(site, n) for n in range(3))
    assert 'rel="next" class="dlwp-next" href="../ch02/2.4-gradient-based-optimization.html"' in first
    assert "rel=\"prev\"" not in first  # the first section goes back to the index
    assert 'rel="prev" class="dlwp-prev" href="../ch02/2.1-a-first-look.html"' in second
    assert 'rel="next" class="dlwp-next" href="../ch05/5.4-visualizing.html"' in second
    assert 'rel="prev" class="dlwp-prev" href="../ch02/2.4-gradient-based-optimization.html"' in third
    # chapter 2's sections on its pages, the current one marked; chapter 5's page lists only its own
    assert 'aria-current="page">2.4 ' in second and 'href="../ch02/2.1-a-first-look.html">2.1 ' in second
    assert "../ch02/" not in third.split('class="dlwp-toc"')[1].split("</span>")[0]


def test_pages_load_no_remote_script_and_no_inline_script(site):
    pages = [site.out_dir / "index.html", site.out_dir / "listings.html", site.out_dir / "results.html"]
    pages += [site.out_dir / page.path for page in site.pages]
    for path in pages:
        text = path.read_text(encoding="utf-8")
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S)
        assert scripts, path.name
        for attributes, body in scripts:
            typed = re.search(r'type="([^"]+)"', attributes)
            if typed and typed[1].startswith("application/vnd.jupyter.widget-"):
                continue  # data, never executed
            source = re.search(r'src="([^"]+)"', attributes)
            assert source and not re.match(r"^[a-z]+:", source[1]), f"{path.name}: {attributes} {body[:80]}"
            assert not body.strip(), f"{path.name}: inline script {body[:80]}"
        assert "unpkg.com" not in text and "cdnjs" not in text and "cdn.jsdelivr" not in text, path.name


def test_the_widget_renderer_is_shipped_pinned_with_its_licences(site):
    import hashlib

    static = site.out_dir / "_static"
    manifest = json.loads((static / "renderer.json").read_text())
    assert manifest["renderer"] == "@jupyter-widgets/html-manager@1.0.15"
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256((static / name).read_bytes()).hexdigest() == digest, name
    assert "==== @jupyter-widgets/html-manager@1.0.15 (BSD-3-Clause)" in (static / "LICENSES.txt").read_text()
    page = _page(site, 0)
    assert 'src="../_static/widgets.js"' in page and 'href="../_static/widgets.css"' in page
    assert 'application/vnd.jupyter.widget-state+json' in page
    assert "play with it in Colab" in page  # the saved widget says its controls need a kernel
    assert "widgets.js" not in _page(site, 1)  # a page without widgets does not load the renderer


def test_badges_are_plain_links_and_the_standin_notice_is_said_once(site):
    page = _page(site, 0)
    assert "colab-badge.svg" not in page and '<a href="https://colab.research.google.com/x">Open in Colab</a>' in page
    assert page.count('class="dlwp-standin"') == 1 and "Stand-in data</strong> on this page (mnist)" in page
    assert "STAND-IN DATA" not in page and "[stand-in data for MNIST: see the note at the top of the page]" in page
    assert 'class="dlwp-standin"' not in _page(site, 2)  # real data: no banner


def test_the_search_index_holds_sections_listings_and_headings(site):
    script = (site.out_dir / "_static" / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(script.removeprefix("window.DLWP_SEARCH_INDEX = ").rstrip().rstrip(";"))
    by_kind = {}
    for entry in entries:
        by_kind.setdefault(entry["kind"], []).append(entry)
    assert {"section", "listing", "heading", "page"} <= set(by_kind)
    listing = next(entry for entry in by_kind["listing"] if entry["number"] == "2.3")
    assert listing["url"] == "ch02/2.1-a-first-look.html#listing-2.3" and listing["title"].startswith("Listing 2.3 — ")
    assert any(entry["url"] == "listings.html" for entry in by_kind["page"])
    for entry in entries:  # every link of the index resolves, anchors included
        target, anchor = urldefrag(entry["url"])
        assert (site.out_dir / target).exists(), entry
        if anchor:
            assert anchor in parse(site.out_dir / target).ids, entry


def test_extra_pages_are_one_list(tmp_path, monkeypatch):
    from dlwp_widgets.book import site as site_module

    extra = site_module.ExtraPage("extra.html", "An extra page", lambda pages: f"<h1>{len(pages)} pages</h1>")
    monkeypatch.setattr(site_module, "EXTRA_PAGES", [*site_module.EXTRA_PAGES, extra])
    built = build_site(make_run(tmp_path / "run"), tmp_path / "site")
    assert "<h1>3 pages</h1>" in (built.out_dir / "extra.html").read_text()
    assert '<a href="../extra.html">An extra page</a>' in (built.out_dir / built.pages[0].path).read_text()


def test_the_change_index_is_the_sites_first_extra_page(tmp_path):
    built = build_site(make_run(tmp_path / "run"), tmp_path / "site")
    changes = (built.out_dir / "changes.html").read_text()
    assert "Changed:" in changes or "changed" in changes.lower()
    index = (built.out_dir / "index.html").read_text()
    assert index.index('href="changes.html"') < index.index('href="listings.html"')


def test_the_change_index_links_only_the_pages_the_run_has(tmp_path):
    built = build_site(make_run(tmp_path / "run"), tmp_path / "site")
    changes = (built.out_dir / "changes.html").read_text()
    have = {page.path for page in built.pages}
    import re

    linked = {href.split("#")[0] for href in re.findall(r"href='(ch\d\d/[^']+)'", changes)}
    assert linked <= have
