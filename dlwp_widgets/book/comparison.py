"""One run's numbers beside the book's: the rows of the report and of a notebook's last cell.

A metric measured on stand-in data is never compared with the book (the data
differ); what a stand-in run can claim is how the model did against its
trivial baseline, and the row says exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass

from dlwp_widgets import recording
from dlwp_widgets.book.catalog import Target, targets


@dataclass(frozen=True)
class ComparisonRow:
    metric: str
    value: float
    data: str  # real | stand-in | mixed | no dataset
    book: str
    tolerance: str
    verdict: str
    baseline: str


def data_kind(sources: dict[str, str]) -> str:
    """One word for the data a notebook used: real, stand-in, mixed or no dataset."""
    kinds = set(sources.values())
    if not kinds:
        return "no dataset"
    if kinds == {"real"}:
        return "real"
    if kinds == {"standin"}:
        return "stand-in"
    return "mixed"


def baseline_text(entry: dict, target: Target | None) -> str:
    """The trivial baseline and whether the model beat it, as the book expects or not."""
    if "baseline" not in entry:
        return ""
    value, baseline = entry["value"], entry["baseline"]
    higher = target.higher_is_better if target else True
    beaten = value > baseline if higher else value < baseline
    expected = target.baseline_beaten if target else True
    source = "the book" if target is None or target.listing else "the claim"
    if beaten == expected:
        outcome = "beaten" if beaten else f"not beaten, as {source} says"
    else:
        outcome = "NOT beaten" if expected else f"beaten, though {source} says it is NOT"
    return f"{baseline:.4g} ({outcome})"


def verdict(target: Target | None, value: float, data: str) -> str:
    if target is None or target.book is None:
        return "no book figure" if target is None or target.listing else "our experiment"
    if data != "real":
        return "not comparable (stand-in data)"
    return target.verdict(value)


def compare(entries: list[dict], sources: dict[str, str]) -> list[ComparisonRow]:
    """Rows for recorded metric ``entries`` of a notebook that used data ``sources``."""
    known = targets()
    data = data_kind(sources)
    rows = []
    for entry in entries:
        target = known.get(entry["metric"])
        book = ""
        if target is not None:
            book = f"{target.book:.4g}" if target.book is not None else target.book_text
        rows.append(
            ComparisonRow(
                metric=entry["metric"],
                value=entry["value"],
                data=data,
                book=book,
                tolerance=f"±{target.tolerance:g}" if target and target.tolerance is not None else "",
                verdict=verdict(target, entry["value"], data),
                baseline=baseline_text(entry, target),
            )
        )
    return rows


def text_table(head: list[str], rows: list[list[str]]) -> str:
    """A plain-text table with aligned columns (what a notebook prints)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(head, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip() for line in [head, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def against_the_book() -> list[ComparisonRow]:
    """Print this notebook's recorded numbers beside the book's; return the rows.

    Called once, in a notebook's final "This run against the book" cell, after
    the ``record(...)`` calls.
    """
    sources = recording.data_sources()
    rows = compare(recording.metrics(), sources)
    used = ", ".join(f"{name}: {source}" for name, source in sorted(sources.items())) or "no dataset"
    print(f"Data used by this run: {used}")
    if not rows:
        print("No headline number of the book belongs to this notebook.")
        return rows
    head = ["metric", "ours", "book", "tolerance", "verdict", "trivial baseline"]
    print(text_table(head, [[r.metric, f"{r.value:.4f}", r.book, r.tolerance, r.verdict, r.baseline] for r in rows]))
    return rows
