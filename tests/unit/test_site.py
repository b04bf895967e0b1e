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

from dlwp_widgets.book.site import build_site, read_records


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


def make_run(run: Path, failing: bool = False) -> Path:
    """A folder shaped like `dlwp book run`'s: notebooks/chNN/*.ipynb and records/chNN/*.jsonl."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    def notebook(stem: str, listings: list[str], colours: list[str], records: list[dict], error: bool = False):
        cells = [new_markdown_cell(f"# {stem}\n\nA tiny notebook.")]
        for listing, colour in zip(listings, colours):
            cells.append(new_markdown_cell(f"### Listing {listing} — a listing\n\nProse."))
            cell = new_code_cell("plot()", metadata={"listing": listing})
            cell.outputs = [new_output("display_data", data={"image/png": png_figure(colour), "text/plain": "<Figure>"})]
            cells.append(cell)
        if error:
            cell = new_code_cell("1/0")
            cell.outputs = [new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])]
            cells.append(cell)
        chapter = f"ch{int(stem.split('.')[0]):02d}"
        path = run / "notebooks" / chapter / f"{stem}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(new_notebook(cells=cells), path)
        record = run / "records" / chapter / f"{stem}.jsonl"
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text("".join(json.dumps(entry) + "\n" for entry in records) + "not json\n")

    notebook("2.1-a-first-look", ["2.1", "2.3"], ["tab:blue", "tab:red"],
             [{"data_source": "mnist", "source": "standin"},
              {"metric": "mnist_dense_test_accuracy", "value": 0.91, "baseline": 0.1}])
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
    assert [page.path for page in site.pages] == ["ch02/2.1-a-first-look.html", "ch05/5.4-visualizing.html"]
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


def test_bad_record_lines_are_skipped(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"metric": "m", "value": 1}\n[1]\n{"metric": "x", "value": "nan?"}\n')
    assert read_records(path) == ([{"metric": "m", "value": 1}], {})


def test_a_run_without_notebooks_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="dlwp book run"):
        build_site(tmp_path)
