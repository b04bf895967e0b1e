"""The run report: status and wall time per notebook, each recorded metric beside the book's figure.

A metric measured on stand-in data is never compared with the book (the data
differ); what a stand-in run can claim is that the model beat its trivial
baseline, and the report says exactly that.
"""

from __future__ import annotations

import html
import platform
import time
from pathlib import Path

from dlwp_widgets.book.catalog import Target, targets
from dlwp_widgets.book.comparison import ComparisonRow, compare
from dlwp_widgets.book.runner import PASSED, NotebookResult, RunOptions
from dlwp_widgets.config import configured_backend


def metric_rows(results: list[NotebookResult]) -> list[tuple[str, ComparisonRow]]:
    """(notebook, row) for every metric every notebook recorded."""
    return [
        (result.ref.stem, row)
        for result in results
        for row in compare(result.metrics, result.data_sources,
                           notebook=result.ref.stem if result.status == PASSED else "")
    ]


def unrecorded_targets(results: list[NotebookResult]) -> list[Target]:
    """Book figures of the chapters that ran, for which no notebook recorded a value."""
    chapters = {result.ref.chapter for result in results}
    recorded = {entry["metric"] for result in results for entry in result.metrics}
    return [
        target
        for target in targets().values()
        if target.metric not in recorded and target.listing and int(target.listing.split(".")[0]) in chapters
    ]


def data_source_summary(options: RunOptions, results: list[NotebookResult]) -> str:
    """What the notebooks actually used (not the policy): e.g. "stand-in for all 18 notebooks (policy: auto)"."""
    from dlwp_widgets.book.comparison import data_kind

    used: dict[str, list[str]] = {}
    for result in results:
        used.setdefault(data_kind(result.data_sources), []).append(result.ref.section)
    policy = f"(policy: {options.data_source})"
    if not used:
        return f"no notebook ran {policy}"
    if len(used) == 1:
        ((kind, sections),) = used.items()
        every = f"all {len(sections)} notebooks" if len(sections) > 1 else f"notebook {sections[0]}"
        return f"{kind} for {every} {policy}"
    order = ["real", "stand-in", "mixed", "no dataset"]
    parts = [f"{kind} for {', '.join(used[kind])}" for kind in sorted(used, key=lambda k: order.index(k) if k in order else 9)]
    return "; ".join(parts) + f" {policy}"


FIGURES_DIR = "figures"


def key_figures(results: list[NotebookResult], out_dir: Path) -> dict[str, str]:
    """Each executed notebook's last figure, written as ``figures/<notebook>.png``: notebook -> relative path."""
    from dlwp_widgets.book.site import key_figure

    found = {}
    for result in results:
        image = key_figure(result.output) if result.output and Path(result.output).exists() else None
        if image:
            target = Path(out_dir) / FIGURES_DIR / f"{result.ref.stem}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(image)
            found[result.ref.stem] = f"{FIGURES_DIR}/{target.name}"
    return found


def _site_links(results: list[NotebookResult], out_dir: Path) -> tuple[str | None, dict[str, str]]:
    """The run's site (``site/index.html``, written by ``dlwp book site``) and each notebook's page, if built."""
    from dlwp_widgets.book.site import page_path

    index = Path(out_dir) / "site" / "index.html"
    if not index.exists():
        return None, {}
    pages = {}
    for result in results:
        if result.output:
            relative = f"site/{page_path(Path(result.output))}"
            if (Path(out_dir) / relative).exists():
                pages[result.ref.stem] = relative
    return "site/index.html", pages


def _figures_html(figures: dict[str, str], pages: dict[str, str]) -> str:
    cells = []
    for stem, src in figures.items():
        image = f"<img src='{html.escape(src)}' alt='last figure of {html.escape(stem)}' loading='lazy'>"
        label = html.escape(stem)
        if stem in pages:
            image = f"<a href='{html.escape(pages[stem])}'>{image}</a>"
            label = f"<a href='{html.escape(pages[stem])}'>{label}</a>"
        cells.append(f"<figure>{image}<figcaption>{label}</figcaption></figure>")
    return "<div class='figures'>" + "".join(cells) + "</div>"


def _header(
    options: RunOptions, results: list[NotebookResult], wall_s: float, interrupted: str = ""
) -> list[tuple[str, str]]:
    passed = sum(result.status == PASSED for result in results)
    status = [("Status", f"INTERRUPTED ({interrupted}): the notebooks marked interrupted did not finish")] if interrupted else []
    return status + [
        ("Mode", options.mode),
        ("Keras backend", configured_backend()),
        ("Data source", data_source_summary(options, results)),
        ("Notebooks", f"{passed} of {len(results)} passed"),
        ("Wall time", f"{wall_s:.1f} s (jobs: {options.jobs})"),
        ("Machine", f"{platform.machine()}, {platform.system()}, Python {platform.python_version()}"),
        ("Date", time.strftime("%Y-%m-%d %H:%M:%S %Z")),
    ]


def _notebook_table(results: list[NotebookResult]) -> tuple[list[str], list[list[str]]]:
    head = ["Notebook", "Status", "Wall time (s)", "Data", "Failing cell", "Error"]
    rows = []
    for result in results:
        failing = ""
        if result.failing_cell is not None:
            failing = f"cell {result.failing_cell}"
            if result.failing_listing:
                failing += f" (listing {result.failing_listing})"
        rows.append(
            [
                result.ref.stem,
                result.status,
                f"{result.wall_s:.1f}",
                ", ".join(f"{k}: {v}" for k, v in sorted(result.data_sources.items())) or "—",
                failing,
                "; ".join(part for part in [result.error, *result.notes] if part),
            ]
        )
    return head, rows


def _metric_table(results: list[NotebookResult]) -> tuple[list[str], list[list[str]]]:
    head = ["Notebook", "Metric", "Ours", "Data", "Mode", "Book", "Tolerance", "Status", "Why", "Trivial baseline"]
    rows = [
        [notebook, r.metric, r.value_text(), r.data, r.mode, r.book, r.tolerance, r.status, r.reason, r.baseline]
        for notebook, r in metric_rows(results)
    ]
    return head, rows


def _markdown_table(head: list[str], rows: list[list[str]]) -> str:
    def clean(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(clean(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(head: list[str], rows: list[list[str]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;"
    "text-align:left;vertical-align:top}th{background:#f3f3f3}"
    ".figures{display:flex;flex-wrap:wrap;gap:1em}.figures figure{margin:0;max-width:22em}"
    ".figures img{max-width:22em;max-height:16em;border:1px solid #ddd}"
)


def write_report(
    results: list[NotebookResult], options: RunOptions, wall_s: float, *, interrupted: str = ""
) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` into the run's output folder.

    ``interrupted`` (e.g. ``"SIGINT"``) marks a run stopped before its end.
    """
    header = _header(options, results, wall_s, interrupted)
    notebooks = _notebook_table(results)
    metrics = _metric_table(results)
    missing = [
        [t.metric, t.listing, t.book_text or f"{t.book:g}", t.description] for t in unrecorded_targets(results)
    ]
    missing_head = ["Metric", "Listing", "Book", "Description"]
    note = (
        "Metrics measured on stand-in data are not compared with the book: the stand-ins have the real "
        "data's format and learnable signal, not its content. What they show is whether each model beat "
        "its trivial baseline."
    )

    figures = key_figures(results, options.out_dir)
    site_index, pages = _site_links(results, options.out_dir)
    if site_index:
        header.insert(1, ("Executed notebooks", f"{site_index} (every notebook with its figures)"))

    markdown = ["# dlwp companion — run report" + (" (interrupted)" if interrupted else ""), ""]
    markdown += [f"- **{key}:** {value}" for key, value in header]
    markdown += ["", "## Notebooks", "", _markdown_table(*notebooks), "", "## Results against the book", ""]
    markdown += [note, "", _markdown_table(*metrics) if metrics[1] else "No metric was recorded.", ""]
    if missing:
        markdown += ["## Book figures with no recorded value in this run", "", _markdown_table(missing_head, missing), ""]
    if figures:
        markdown += ["## Figures (each notebook's last)", ""]
        markdown += [f"![{stem}]({src})" + (f" [{stem}]({pages[stem]})" if stem in pages else f" {stem}")
                     for stem, src in figures.items()] + [""]
    md_path = options.out_dir / "report.md"
    md_path.write_text("\n".join(markdown), encoding="utf-8")

    parts = [f"<!doctype html><meta charset='utf-8'><title>dlwp companion — run report</title><style>{STYLE}</style>"]
    parts.append(f"<h1>dlwp companion — run report{' (interrupted)' if interrupted else ''}</h1><ul>")
    for key, value in header:
        shown = html.escape(value)
        if site_index and key == "Executed notebooks":
            shown = f"<a href='{site_index}'>{html.escape(site_index)}</a> (every notebook with its figures)"
        parts.append(f"<li><b>{html.escape(key)}:</b> {shown}</li>")
    table = _html_table(*notebooks)
    for stem, page in pages.items():  # notebook names link to their executed pages
        table = table.replace(f"<td>{html.escape(stem)}</td>", f"<td><a href='{html.escape(page)}'>{html.escape(stem)}</a></td>", 1)
    parts += ["</ul><h2>Notebooks</h2>", table, "<h2>Results against the book</h2>"]
    parts += [f"<p>{html.escape(note)}</p>", _html_table(*metrics) if metrics[1] else "<p>No metric was recorded.</p>"]
    if missing:
        parts += ["<h2>Book figures with no recorded value in this run</h2>", _html_table(missing_head, missing)]
    if figures:
        parts += ["<h2>Figures</h2><p>Each notebook's last figure" + (", linked to its page" if pages else "") + ".</p>",
                  _figures_html(figures, pages)]
    html_path = options.out_dir / "report.html"
    html_path.write_text("\n".join(parts), encoding="utf-8")
    return md_path, html_path
