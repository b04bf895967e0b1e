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


def metric_rows(results: list[NotebookResult]) -> list[tuple[str, ComparisonRow]]:
    """(notebook, row) for every metric every notebook recorded."""
    return [
        (result.ref.stem, row)
        for result in results
        for row in compare(result.metrics, result.data_sources)
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


def _header(
    options: RunOptions, results: list[NotebookResult], wall_s: float, interrupted: str = ""
) -> list[tuple[str, str]]:
    passed = sum(result.status == PASSED for result in results)
    status = [("Status", f"INTERRUPTED ({interrupted}): the notebooks marked interrupted did not finish")] if interrupted else []
    return status + [
        ("Mode", options.mode),
        ("Data source", options.data_source),
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
    head = ["Notebook", "Metric", "Ours", "Data", "Book", "Tolerance", "Verdict", "Trivial baseline"]
    rows = [
        [notebook, r.metric, f"{r.value:.4f}", r.data, r.book, r.tolerance, r.verdict, r.baseline]
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

    markdown = ["# dlwp companion — run report" + (" (interrupted)" if interrupted else ""), ""]
    markdown += [f"- **{key}:** {value}" for key, value in header]
    markdown += ["", "## Notebooks", "", _markdown_table(*notebooks), "", "## Results against the book", ""]
    markdown += [note, "", _markdown_table(*metrics) if metrics[1] else "No metric was recorded.", ""]
    if missing:
        markdown += ["## Book figures with no recorded value in this run", "", _markdown_table(missing_head, missing), ""]
    md_path = options.out_dir / "report.md"
    md_path.write_text("\n".join(markdown), encoding="utf-8")

    parts = [f"<!doctype html><meta charset='utf-8'><title>dlwp companion — run report</title><style>{STYLE}</style>"]
    parts.append(f"<h1>dlwp companion — run report{' (interrupted)' if interrupted else ''}</h1><ul>")
    parts += [f"<li><b>{html.escape(k)}:</b> {html.escape(v)}</li>" for k, v in header]
    parts += ["</ul><h2>Notebooks</h2>", _html_table(*notebooks), "<h2>Results against the book</h2>"]
    parts += [f"<p>{html.escape(note)}</p>", _html_table(*metrics) if metrics[1] else "<p>No metric was recorded.</p>"]
    if missing:
        parts += ["<h2>Book figures with no recorded value in this run</h2>", _html_table(missing_head, missing)]
    html_path = options.out_dir / "report.html"
    html_path.write_text("\n".join(parts), encoding="utf-8")
    return md_path, html_path
