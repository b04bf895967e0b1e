"""``dlwp book site``: a static site of one run's executed notebooks.

Input: a folder written by ``dlwp book run`` (``notebooks/chNN/*.ipynb`` executed
by papermill, ``records/chNN/*.jsonl`` with the recorded metrics and data
sources).  Output:

* ``index.html``: chapters and sections, each notebook's status, data and figures;
* ``chNN/<notebook>.html``: every executed notebook, rendered by nbconvert's
  ``HTMLExporter`` (lab template) with its figures embedded as data URIs and the
  widgets' saved state; each listing heading carries an ``id="listing-N.M"``;
* ``listings.html``: every listing of the chapters that ran -> its page anchor,
  with Colab and Binder launch links for its notebook;
* ``results.html``: the reproduction table (the book's figure, ours, tolerance,
  verdict, data source), colour-coded.

nbconvert was chosen over a Jupyter Book / MyST build: it is already installed
(papermill and nbval bring it), works offline, and renders a notebook in well
under a second; see docs/architecture.md.
"""

from __future__ import annotations

import base64
import html
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from dlwp_widgets.book import sanitize

REPOSITORY = "dlwp-companion/dlwp-companion"
BRANCH = "main"
LISTING_HEADING = re.compile(r"^(#{1,6})\s+Listing\s+(\d+\.\d+)\b")
NOTEBOOK_STEM = re.compile(r"^(?P<chapter>\d+)\.(?P<section>\d+)-")

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;line-height:1.45}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}tr.within td{background:#e3f6e3}tr.outside td{background:#fbe0e0}
tr.standin td{background:#eef1f6}tr.failed td{background:#fbe0e0}.muted{color:#666}
img.thumb{max-height:6em;border:1px solid #ddd;vertical-align:middle}
"""
NAV_STYLE = """
nav.dlwp-nav{font-family:system-ui,sans-serif;padding:.6em 1em;background:#f5f5f5;border-bottom:1px solid #ddd}
nav.dlwp-nav a,nav.dlwp-nav span{margin-right:1em}
"""
VERDICT_CLASS = {"within": "within", "outside": "outside", "not comparable (stand-in data)": "standin"}


@dataclass
class Page:
    stem: str
    chapter: int
    section: str
    title: str
    path: str  # relative to the site root
    source_folder: str  # chapters/<folder> in the repository, for launch links
    status: str = "executed"
    data_sources: dict[str, str] = field(default_factory=dict)
    metrics: list[dict] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    images: int = 0
    last_image: bytes | None = None  # the notebook's last PNG output (its key figure)

    def launch_links(self) -> tuple[str, str]:
        notebook = f"chapters/{self.source_folder}/{self.stem}.ipynb"
        colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{quote(notebook)}"
        binder = f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?labpath={quote(notebook, safe='')}"
        return colab, binder


@dataclass
class Site:
    out_dir: Path
    pages: list[Page]
    seconds: float

    @property
    def index(self) -> Path:
        return self.out_dir / "index.html"


def read_records(path: Path) -> tuple[list[dict], dict[str, str]]:
    """Metrics and data sources a notebook recorded (unreadable lines are skipped)."""
    metrics, sources = [], {}
    if not path.exists():
        return metrics, sources
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        if "metric" in entry and isinstance(entry.get("value"), (int, float)):
            metrics.append(entry)
        elif "data_source" in entry and "source" in entry:
            sources[str(entry["data_source"])] = str(entry["source"])
    return metrics, sources


def _section_titles() -> dict[str, str]:
    from dlwp_widgets.book import catalog

    return {section["id"]: section["title"] for chapter in catalog.chapters() for section in chapter["sections"]}


def _chapter_titles() -> dict[int, str]:
    from dlwp_widgets.book import catalog

    return {chapter["number"]: chapter["title"] for chapter in catalog.chapters()}


def _source_folders() -> dict[str, str]:
    """Notebook stem -> its ``chapters/`` folder name (for launch links)."""
    try:
        from dlwp_widgets.book.notebooks import find_notebooks

        return {ref.stem: ref.source.parent.name for ref in find_notebooks()}
    except Exception:  # no notebooks found here: links fall back to chNN
        return {}


def _status(notebook) -> str:
    for cell in notebook.cells:
        state = cell.get("metadata", {}).get("papermill", {}).get("status")
        if cell.cell_type == "code" and state == "failed":
            return "failed"
        if any(out.get("output_type") == "error" for out in cell.get("outputs", [])):
            return "failed"
    return "executed"


def _add_listing_anchors(notebook) -> list[str]:
    """Put ``<a id="listing-N.M">`` before each listing heading; returns the listing ids."""
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        lines = []
        for line in cell.source.splitlines():
            match = LISTING_HEADING.match(line)
            if match and match[2] not in found:
                found.append(match[2])
                lines += [f'<a id="listing-{match[2]}" class="dlwp-listing"></a>', ""]
            lines.append(line)
        cell.source = "\n".join(lines)
    return found


def _images(notebook) -> list[bytes]:
    """Every PNG output, in order (widgets' saved outputs included)."""
    found = []

    def collect(outputs):
        for out in outputs:
            data = out.get("data", {}) if isinstance(out, dict) else {}
            png = data.get("image/png")
            if isinstance(png, str):
                try:
                    found.append(base64.b64decode(png))
                except ValueError:
                    pass

    for cell in notebook.cells:
        collect(cell.get("outputs", []))
    state = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model in state.get("state", {}).values() if isinstance(state, dict) else []:
        collect(model.get("state", {}).get("outputs", []) if isinstance(model, dict) else [])
    return found


def key_figure(executed: Path) -> bytes | None:
    """The last PNG figure of an executed notebook (its key figure), or None."""
    import nbformat

    try:
        images = _images(nbformat.read(executed, as_version=4))
    except (OSError, ValueError):
        return None
    return images[-1] if images else None


def build_run_site(run_dir: Path) -> str:
    """Build ``run_dir/site`` for ``dlwp book run`` and ``merge``; one line saying where it is or why it failed.

    Never raises: the run's report must still be written (and links to the site only if it exists).
    """
    try:
        site = build_site(run_dir, run_dir / "site")
    except Exception as error:  # noqa: BLE001 (any failure: the report goes on without a site)
        return f"The site could not be built ({type(error).__name__}: {error}); `dlwp book site {run_dir}` retries."
    return f"Site: {site.index} ({len(site.pages)} pages, {site.seconds:.1f} s)"


def page_path(executed: Path) -> str:
    """Where :func:`build_site` puts an executed notebook's page, relative to the site root."""
    return f"{executed.parent.name}/{executed.stem}.html"


def _href(path: str) -> str:
    """A site-relative path as an attribute value: percent-encoded (a file name is never markup or a scheme)."""
    return html.escape(quote(path))


def _nav(prefix: str, extra: str = "") -> str:
    return (
        f'<nav class="dlwp-nav"><a href="{prefix}index.html">Index</a><a href="{prefix}listings.html">Listings</a>'
        f'<a href="{prefix}results.html">Results against the book</a>{extra}</nav>'
    )


def _document(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{sanitize.csp_meta()}<title>{html.escape(title)}</title>"
        f"<style>{STYLE}{NAV_STYLE}</style></head><body>{_nav('')}{body}</body></html>"
    )


def _data_text(sources: dict[str, str]) -> str:
    from dlwp_widgets.book.comparison import data_kind

    kind = data_kind(sources)
    detail = ", ".join(f"{name}: {source}" for name, source in sorted(sources.items()))
    return f"{kind} ({detail})" if detail else kind


def _render_page(exporter, notebook, page: Page) -> str:
    sanitize.drop_script_outputs(notebook)
    document, _ = exporter.from_notebook_node(notebook)
    colab, binder = (html.escape(link) for link in page.launch_links())
    extra = (
        f'<a href="{colab}">Open in Colab</a><a href="{binder}">Launch Binder</a>'
        f'<span class="muted">{html.escape(page.status)} · data: {html.escape(_data_text(page.data_sources))}</span>'
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{sanitize.csp_meta()}"
        f"<title>{html.escape(page.title)}</title>{sanitize.page_styles(document)}<style>{NAV_STYLE}</style></head>"
        f"<body class='jp-Notebook' data-jp-theme-light='true' data-jp-theme-name='JupyterLab Light'>"
        f"{_nav('../', extra)}{sanitize.page_body(document)}</body></html>"
    )


def _unreadable_notebook(path: Path, error: Exception):
    """A one-cell notebook saying why ``path`` could not be read (its page shows that instead of the site failing)."""
    from nbformat.v4 import new_markdown_cell, new_notebook

    reason = html.escape(f"{type(error).__name__}: {error}"[:2000])
    return new_notebook(cells=[new_markdown_cell(
        f"# {html.escape(path.stem)}\n\n<p><strong>This executed notebook could not be read</strong> ({reason}); "
        "its run folder holds a damaged or foreign file.</p>")])


def build_site(run_dir: Path, out_dir: Path | None = None) -> Site:
    """Render ``run_dir``'s executed notebooks into a static site in ``out_dir`` (default ``run_dir/site``)."""
    import nbformat
    from nbconvert import HTMLExporter

    from dlwp_widgets.book.comparison import compare

    started = time.monotonic()
    run_dir = Path(run_dir)
    out_dir = Path(out_dir) if out_dir else run_dir / "site"
    notebooks = sorted((run_dir / "notebooks").glob("ch*/*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"{run_dir} holds no executed notebooks (notebooks/chNN/*.ipynb): run `dlwp book run` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    sections, folders = _section_titles(), _source_folders()
    pages = []
    for path in notebooks:
        match = NOTEBOOK_STEM.match(path.stem)
        if not match:
            continue
        chapter, section = int(match["chapter"]), f"{match['chapter']}.{match['section']}"
        try:
            notebook = nbformat.read(path, as_version=4)
            unreadable = False
        except Exception as error:  # noqa: BLE001 (not JSON, not a notebook, unreadable: that page fails, not the site)
            notebook, unreadable = _unreadable_notebook(path, error), True
        page = Page(
            stem=path.stem,
            chapter=chapter,
            section=section,
            title=sections.get(section, path.stem),
            path=page_path(path),
            source_folder=folders.get(path.stem, path.parent.name),
            status="failed" if unreadable else _status(notebook),
        )
        page.metrics, page.data_sources = read_records(run_dir / "records" / path.parent.name / f"{path.stem}.jsonl")
        page.listings = _add_listing_anchors(notebook)
        images = _images(notebook)
        page.images, page.last_image = len(images), (images[-1] if images else None)
        target = out_dir / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_render_page(exporter, notebook, page), encoding="utf-8")
        pages.append(page)
    pages.sort(key=lambda p: (p.chapter, int(p.section.split(".")[1]), p.stem))
    _write_index(out_dir, pages)
    _write_listings(out_dir, pages)
    _write_results(out_dir, pages, compare)
    return Site(out_dir, pages, time.monotonic() - started)


def _write_index(out_dir: Path, pages: list[Page]) -> None:
    chapters = _chapter_titles()
    parts = ["<h1>dlwp companion — executed notebooks</h1>",
             "<p>Every notebook of this run, executed, with its figures. "
             "<a href='listings.html'>Find a listing</a> · <a href='results.html'>this run against the book</a>.</p>"]
    for number in sorted({p.chapter for p in pages}):
        parts.append(f"<h2 id='chapter-{number}'>Chapter {number}: {html.escape(chapters.get(number, ''))}</h2>")
        parts.append("<table><thead><tr><th>Section</th><th>Status</th><th>Data</th><th>Figures</th></tr></thead><tbody>")
        for page in (p for p in pages if p.chapter == number):
            label = html.escape(f"{page.section} {page.title}") + (
                f" <span class='muted'>({html.escape(page.stem)})</span>"
                if sum(p.section == page.section for p in pages) > 1 else "")
            css = " class='failed'" if page.status == "failed" else ""
            parts.append(
                f"<tr{css}><td><a href='{_href(page.path)}'>{label}</a></td>"
                f"<td>{html.escape(page.status)}</td><td>{html.escape(_data_text(page.data_sources))}</td>"
                f"<td>{page.images}</td></tr>"
            )
        parts.append("</tbody></table>")
    (out_dir / "index.html").write_text(_document("dlwp companion — executed notebooks", "".join(parts)), encoding="utf-8")


def _write_listings(out_dir: Path, pages: list[Page]) -> None:
    from dlwp_widgets.book import catalog

    where = {listing: page for page in pages for listing in page.listings}
    by_section: dict[str, Page] = {}
    for page in pages:
        by_section.setdefault(page.section, page)
    rows = []
    for number in sorted({p.chapter for p in pages}):
        for item in catalog.listings(number):
            page = where.get(item.id)
            if page:
                link = f"<a href='{_href(page.path)}#listing-{html.escape(item.id)}'>{html.escape(item.id)}</a>"
            else:
                link = html.escape(item.id)
            owner = page or by_section.get(item.section)
            launch = ""
            if owner:
                colab, binder = owner.launch_links()
                launch = f"<a href='{html.escape(colab)}'>Colab</a> · <a href='{html.escape(binder)}'>Binder</a>"
            note = "" if page else "<span class='muted'>no cell in this run</span>"
            rows.append(f"<tr><td>{link}</td><td>{html.escape(item.title)} {note}</td><td>{item.kind}</td>"
                        f"<td>{html.escape(owner.stem if owner else '')}</td><td>{launch}</td></tr>")
    body = ("<h1>Listings</h1><p>Each listing of the chapters in this run, linked to its cell.</p>"
            "<table><thead><tr><th>Listing</th><th>Title</th><th>Kind</th><th>Notebook</th><th>Launch</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")
    (out_dir / "listings.html").write_text(_document("Listings", body), encoding="utf-8")


def _write_results(out_dir: Path, pages: list[Page], compare) -> None:
    rows = []
    for page in pages:
        for row in compare(page.metrics, page.data_sources):
            css = VERDICT_CLASS.get(row.verdict, "")
            rows.append(
                f"<tr class='{css}'><td><a href='{_href(page.path)}'>{html.escape(page.stem)}</a></td>"
                f"<td>{html.escape(row.metric)}</td><td>{html.escape(row.book)}</td><td>{row.value:.4f}</td>"
                f"<td>{html.escape(row.tolerance)}</td><td>{html.escape(row.verdict)}</td>"
                f"<td>{html.escape(_data_text(page.data_sources))}</td><td>{html.escape(row.baseline)}</td></tr>"
            )
    legend = ("<p><span class='muted'>Green: within the book's tolerance · red: outside · blue-grey: measured on "
              "stand-in data, which is never compared with the book (the baseline column says what it shows).</span></p>")
    table = ("<table><thead><tr><th>Notebook</th><th>Metric</th><th>Book</th><th>Ours</th><th>Tolerance</th>"
             f"<th>Verdict</th><th>Data</th><th>Trivial baseline</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
             if rows else "<p>No metric was recorded.</p>")
    (out_dir / "results.html").write_text(_document("This run against the book", "<h1>This run against the book</h1>"
                                                    + legend + table), encoding="utf-8")
