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
  verdict, data source), colour-coded;
* ``_static/``: the site's own scripts and styles: the widget renderer
  (``widgets.js``, ``widgets.css``, fonts: @jupyter-widgets/html-manager, pinned
  and bundled by scripts/widget_renderer/build.sh, licences and SHA-256 in
  ``renderer.json``), the search (``search.js`` over ``search-index.js``) and
  ``site.css``.

Every page works offline and under a Content-Security-Policy of
``script-src 'self'``: no CDN, no inline script (the widgets' saved state sits in
``application/vnd.jupyter.widget-*+json`` data blocks, which are never executed).
Every notebook page has the chapter's sections, previous / next section and the
search box; every page's HTML passes through :func:`sanitize_page` on its way to
disk.  Extra pages (beside the index) are the entries of :data:`EXTRA_PAGES`.

nbconvert was chosen over a Jupyter Book / MyST build: it is already installed
(papermill and nbval bring it), works offline, and renders a notebook in well
under a second; see docs/architecture.md.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from dlwp_widgets.book import sanitize
from dlwp_widgets.book.runner import read_records

REPOSITORY = "dlwp-companion/dlwp-companion"
BRANCH = "main"
LISTING_HEADING = re.compile(r"^(#{1,6})\s+Listing\s+(\d+\.\d+)\b")
NOTEBOOK_STEM = re.compile(r"^(?P<chapter>\d+)\.(?P<section>\d+)-")

ASSETS = Path(__file__).with_name("site_assets")
STATIC = "_static"
# The widget renderer and the site's own files, copied into every site's _static/.
STATIC_FILES = ("widgets.js", "widgets.css", "LICENSES.txt", "renderer.json", "site.css", "search.js")
PAGE_TEMPLATE = "dlwp-page.html.j2"
# A Markdown badge (an image link to a remote SVG): on the site it becomes a plain link.
REMOTE_BADGE = re.compile(r"\[!\[([^\]]*)\]\(https?://[^)\s]+\)\]\(([^)\s]+)\)")
# The loud stand-in notice of datasets.core.announce_standin (a bar of 78 "!" above and below).
STANDIN_NOTICE = re.compile(r"!{78}\n!! STAND-IN DATA for (?P<title>[^\n]+?): not the real dataset\.\n(?:!![^\n]*\n)*?!{78}\n?")
HEADING = re.compile(r"<h([1-4]) id=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S)
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
    headings: list[tuple[str, str]] = field(default_factory=list)  # (anchor id, text) of its h1-h4

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


@dataclass(frozen=True)
class ExtraPage:
    """A site page beside the index and the notebooks: ``body(pages)`` returns its HTML body."""

    file: str
    title: str
    body: Callable[[list[Page]], str]


def _write_page(path: Path, document: str) -> None:
    """Every page is written here; its notebook content was sanitised where it was rendered (``_render_page``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")


def _href(path: str) -> str:
    """A site-relative path as an attribute value: percent-encoded (a file name is never markup or a scheme)."""
    return html.escape(quote(path))


def _search_box(root: str) -> str:
    return (f'<form class="dlwp-search" role="search" data-root="{root}">'
            '<input type="search" placeholder="Search: sections, listings (6.3), headings" '
            'aria-label="Search the site" autocomplete="off"><ol class="dlwp-search-results"></ol></form>')


def _scripts(root: str) -> str:
    return (f'<script src="{root}{STATIC}/search-index.js" defer></script>'
            f'<script src="{root}{STATIC}/search.js" defer></script>')


def _nav(root: str, extra: str = "") -> str:
    links = "".join(f'<a href="{root}{page.file}">{html.escape(page.title)}</a>' for page in EXTRA_PAGES)
    return f'<nav class="dlwp-nav"><a href="{root}index.html">Index</a>{links}{_search_box(root)}{extra}</nav>'


def _document(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{sanitize.csp_meta()}<title>{html.escape(title)}</title>"
        f"<link rel='icon' href='data:,'><link rel='stylesheet' href='{STATIC}/site.css'>{_scripts('')}</head><body>{_nav('')}{body}</body></html>"
    )


def _data_text(sources: dict[str, str]) -> str:
    from dlwp_widgets.book.comparison import data_kind

    kind = data_kind(sources)
    detail = ", ".join(f"{name}: {source}" for name, source in sorted(sources.items()))
    return f"{kind} ({detail})" if detail else kind


def _label(page: Page) -> str:
    return f"{page.section} {page.title}"


def _chapter_toc(page: Page, pages: list[Page], chapter_title: str) -> str:
    items = []
    for other in (p for p in pages if p.chapter == page.chapter):
        label = html.escape(_label(other))
        items.append(f'<span class="dlwp-current" aria-current="page">{label}</span>' if other is page
                     else f'<a href="../{_href(other.path)}">{label}</a>')
    heading = f'<a href="../index.html#chapter-{page.chapter}">Chapter {page.chapter}: {html.escape(chapter_title)}</a>'
    return f'<span class="dlwp-toc">{heading} — {" · ".join(items)}</span>'


def _pager(page: Page, pages: list[Page]) -> tuple[str, str]:
    """Previous / next section, in reading order."""
    where = pages.index(page)
    before = pages[where - 1] if where > 0 else None
    after = pages[where + 1] if where + 1 < len(pages) else None
    previous = (f'<a rel="prev" class="dlwp-prev" href="../{_href(before.path)}">← {html.escape(_label(before))}</a>'
                if before else '<span class="dlwp-prev">← <a href="../index.html">Index</a></span>')
    following = (f'<a rel="next" class="dlwp-next" href="../{_href(after.path)}">{html.escape(_label(after))} →</a>'
                 if after else '<span class="dlwp-next"><a href="../index.html">Index</a> →</span>')
    return previous, following


def _standin_banner(page: Page) -> str:
    standins = sorted(name for name, source in page.data_sources.items() if source == "standin")
    if not standins:
        return ""
    return (f'<p class="dlwp-standin"><strong>Stand-in data</strong> on this page ({html.escape(", ".join(standins))}):'
            " generated, not the real datasets; its numbers measure the code, not the book's results.</p>")


def _render_page(exporter, notebook, page: Page, pages: list[Page], chapter_title: str) -> str:
    """A notebook page: nbconvert's rendering, its body sanitised, inside a head and navigation of our own.

    Nothing of the notebook reaches the head (the title is escaped, the styles are the
    template's); the body goes through ``sanitize.page_body`` (widget data blocks kept);
    the page's own scripts are files of the site, allowed by the page's CSP.
    """
    sanitize.drop_script_outputs(notebook)
    colab, binder = page.launch_links()
    resources = {"dlwp_static": f"../{STATIC}/", "dlwp_colab": colab, "dlwp_binder": binder}
    document, _ = exporter.from_notebook_node(notebook, resources=resources)
    body = sanitize.page_body(document)
    page.headings = [(anchor, re.sub(r"<[^>]+>|¶", "", text).strip()) for _, anchor, text in HEADING.findall(body)]
    previous, following = _pager(page, pages)
    colab, binder = html.escape(colab), html.escape(binder)
    extra = (
        f'<a href="{colab}">Open in Colab</a><a href="{binder}">Launch Binder</a>'
        f'<span class="muted">{html.escape(page.status)} · data: {html.escape(_data_text(page.data_sources))}</span>'
        f'{_chapter_toc(page, pages, chapter_title)}<span class="dlwp-toc">{previous} {following}</span>'
    )
    top = _nav("../", extra) + _standin_banner(page)
    bottom = f'<nav class="dlwp-pager" aria-label="previous and next section">{previous}{following}</nav>'
    widgets = (f'<link rel="stylesheet" href="../{STATIC}/widgets.css"><script src="../{STATIC}/widgets.js"></script>'
               if "widgets" in notebook.metadata else "")
    head = (f"<meta charset='utf-8'>{sanitize.csp_meta()}<title>{html.escape(page.title)}</title>"
            f"{sanitize.page_styles(document)}<link rel='icon' href='data:,'>"
            f"<link rel='stylesheet' href='../{STATIC}/site.css'>{widgets}")
    return (f"<!doctype html><html lang='en'><head>{head}</head>"
            "<body class='jp-Notebook' data-jp-theme-light='true' data-jp-theme-name='JupyterLab Light'>"
            f"{top}{body}{bottom}{_scripts('../')}</body></html>")


def _plain_badges(notebook) -> None:
    """Launch badges are remote images: on the site each becomes a plain link."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = REMOTE_BADGE.sub(lambda m: f"[{m[1]}]({m[2]})", cell.source)


def _compact_standin_notices(notebook) -> None:
    """Each loader's loud stand-in notice shrinks to one line (the page says it once, at the top)."""
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and isinstance(output.get("text"), str):
                output["text"] = STANDIN_NOTICE.sub(
                    lambda m: f"[stand-in data for {m['title']}: see the note at the top of the page]\n", output["text"])


def _copy_static(out_dir: Path) -> None:
    static = out_dir / STATIC
    static.mkdir(parents=True, exist_ok=True)
    for name in STATIC_FILES:
        shutil.copyfile(ASSETS / name, static / name)
    shutil.copytree(ASSETS / "fonts", static / "fonts", dirs_exist_ok=True)


def _write_search_index(out_dir: Path, pages: list[Page]) -> None:
    """``_static/search-index.js``: sections, listings and headings, each with its URL (from the site root)."""
    from dlwp_widgets.book import catalog

    titles = {item.id: item.title for number in sorted({p.chapter for p in pages}) for item in catalog.listings(number)}
    entries = [{"kind": "page", "title": page.title, "url": page.file, "where": "site", "number": ""}
               for page in EXTRA_PAGES]
    for page in pages:
        where = _label(page)
        entries.append({"kind": "section", "title": where, "url": page.path, "where": f"chapter {page.chapter}",
                        "number": page.section})
        for listing in page.listings:
            entries.append({"kind": "listing", "title": f"Listing {listing} — {titles.get(listing, '')}".strip(" —"),
                            "url": f"{page.path}#listing-{listing}", "where": where, "number": listing})
        for anchor, text in page.headings:
            if not text.startswith("Listing "):  # a listing heading is already there, with its number
                entries.append({"kind": "heading", "title": text, "url": f"{page.path}#{anchor}", "where": where,
                                "number": ""})
    script = "window.DLWP_SEARCH_INDEX = " + json.dumps(entries, ensure_ascii=False).replace("</", "<\\/") + ";\n"
    (out_dir / STATIC / "search-index.js").write_text(script, encoding="utf-8")


def build_site(run_dir: Path, out_dir: Path | None = None) -> Site:
    """Render ``run_dir``'s executed notebooks into a static site in ``out_dir`` (default ``run_dir/site``)."""
    import nbformat
    from nbconvert import HTMLExporter

    started = time.monotonic()
    run_dir = Path(run_dir)
    out_dir = Path(out_dir) if out_dir else run_dir / "site"
    paths = sorted((run_dir / "notebooks").glob("ch*/*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"{run_dir} holds no executed notebooks (notebooks/chNN/*.ipynb): run `dlwp book run` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(ASSETS / "templates")],
                            template_file=PAGE_TEMPLATE)
    sections, chapters, folders = _section_titles(), _chapter_titles(), _source_folders()
    pages, notebooks = [], {}
    for path in paths:
        match = NOTEBOOK_STEM.match(path.stem)
        if not match:
            continue
        chapter, section = int(match["chapter"]), f"{match['chapter']}.{match['section']}"
        try:
            notebook, unreadable = nbformat.read(path, as_version=4), False
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
        page.metrics, page.data_sources, _ = read_records(run_dir / "records" / path.parent.name / f"{path.stem}.jsonl")
        page.listings = _add_listing_anchors(notebook)
        images = _images(notebook)
        page.images, page.last_image = len(images), (images[-1] if images else None)
        _plain_badges(notebook)
        _compact_standin_notices(notebook)
        pages.append(page)
        notebooks[page.path] = notebook
    pages.sort(key=lambda p: (p.chapter, int(p.section.split(".")[1]), p.stem))
    for page in pages:  # after sorting: each page links its neighbours
        _write_page(out_dir / page.path,
                    _render_page(exporter, notebooks[page.path], page, pages, chapters.get(page.chapter, "")))
    _copy_static(out_dir)
    _write_search_index(out_dir, pages)
    _write_page(out_dir / "index.html", _document("dlwp companion — executed notebooks", _index_body(pages)))
    for extra in EXTRA_PAGES:
        _write_page(out_dir / extra.file, _document(extra.title, extra.body(pages)))
    return Site(out_dir, pages, time.monotonic() - started)


def _unreadable_notebook(path: Path, error: Exception):
    """A one-cell notebook saying why ``path`` could not be read (its page shows that instead of the site failing)."""
    from nbformat.v4 import new_markdown_cell, new_notebook

    reason = html.escape(f"{type(error).__name__}: {error}"[:2000])
    return new_notebook(cells=[new_markdown_cell(
        f"# {html.escape(path.stem)}\n\n<p><strong>This executed notebook could not be read</strong> ({reason}); "
        "its run folder holds a damaged or foreign file.</p>")])


def _index_body(pages: list[Page]) -> str:
    chapters = _chapter_titles()
    parts = ["<h1>dlwp companion — executed notebooks</h1>",
             "<p>Every notebook of this run, executed, with its figures and its widgets as the run left them. "
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
    return "".join(parts)


def _listings_body(pages: list[Page]) -> str:
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
    return ("<h1>Listings</h1><p>Each listing of the chapters in this run, linked to its cell.</p>"
            "<table><thead><tr><th>Listing</th><th>Title</th><th>Kind</th><th>Notebook</th><th>Launch</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")


def _results_body(pages: list[Page]) -> str:
    from dlwp_widgets.book.comparison import compare

    rows = []
    for page in pages:
        for row in compare(page.metrics, page.data_sources):
            css = VERDICT_CLASS.get(row.verdict, "")
            rows.append(
                f"<tr class='{css}'><td><a href='{_href(page.path)}'>{html.escape(page.stem)}</a></td>"
                f"<td>{html.escape(row.metric)}</td><td>{html.escape(row.book)}</td><td>{row.value_text()}</td>"
                f"<td>{html.escape(row.tolerance)}</td><td>{html.escape(row.verdict)}: {html.escape(row.reason)}</td>"
                f"<td>{html.escape(_data_text(page.data_sources))}</td><td>{html.escape(row.baseline)}</td></tr>"
            )
    legend = ("<p><span class='muted'>Green: within the book's tolerance · red: outside · blue-grey: measured on "
              "stand-in data, which is never compared with the book (the baseline column says what it shows).</span></p>")
    table = ("<table><thead><tr><th>Notebook</th><th>Metric</th><th>Book</th><th>Ours</th><th>Tolerance</th>"
             f"<th>Verdict</th><th>Data</th><th>Trivial baseline</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
             if rows else "<p>No metric was recorded.</p>")
    from dlwp_widgets.book.records import latest_records, results_section

    return "<h1>This run against the book</h1>" + legend + table + results_section(latest_records())


# The site's pages beside the index and the notebooks, in the order of the navigation bar:
# another page is one more entry here.
def _changes_body(pages: list[Page]) -> str:
    from dlwp_widgets.book import changes

    return changes.site_page_body({page.path for page in pages})


EXTRA_PAGES: list[ExtraPage] = [
    ExtraPage("changes.html", "What changed since the book", _changes_body),
    ExtraPage("listings.html", "Listings", _listings_body),
    ExtraPage("results.html", "Results against the book", _results_body),
]
