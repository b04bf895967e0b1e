"""One run's numbers beside the book's: the verdict rows of the report and of a notebook's last cell.

A verdict is data, not text: each row says whether the value is within the
book's tolerance, whether the trivial baseline came out as the book (or our
claim) says, whether the target's claim holds, and one ``status`` that the tests
fail on.  What each check needs:

* the book's figure ± tolerance: the metric's own data were real and the run was
  at the book's settings (full mode); otherwise ``within_tolerance`` is None;
* the trivial baseline: any run (that is what a stand-in smoke run can claim);
* a claim (a relation with a margin, see :class:`~dlwp_widgets.book.catalog.Claim`):
  the runs its ``mode``/``data`` name, once its preconditions held.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from dlwp_widgets import recording
from dlwp_widgets.book.catalog import Relation, Target, targets

PASS, FAIL, UNMET, ILLUSTRATION, NOT_COMPARABLE, NO_CLAIM = (
    "pass", "fail", "unmet", "illustration", "not comparable", "no claim",
)  # fmt: skip
STATUSES = (PASS, FAIL, UNMET, ILLUSTRATION, NOT_COMPARABLE, NO_CLAIM)


@dataclass(frozen=True)
class ComparisonRow:
    metric: str
    value: float | None  # None: the notebook did not record it
    data: str  # real | stand-in | mixed | no dataset: this metric's own datasets
    mode: str  # smoke | full | "" (not known)
    book: str
    tolerance: str
    within_tolerance: bool | None
    baseline_as_claimed: bool | None
    claim_holds: bool | None
    status: str
    reason: str
    verdict: str  # the short word the tables show (within, outside, not comparable, ...)
    baseline: str

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    def value_text(self) -> str:
        return "not recorded" if self.value is None else f"{self.value:.4f}"


def data_kind(sources: dict[str, str]) -> str:
    """One word for the data an experiment used: real, stand-in, mixed or no dataset."""
    kinds = set(sources.values())
    if not kinds:
        return "no dataset"
    if kinds == {"real"}:
        return "real"
    if kinds == {"standin"}:
        return "stand-in"
    return "mixed"


def _baseline_check(entry: dict, target: Target | None) -> tuple[bool | None, str]:
    """Whether the trivial baseline came out as claimed, and the table's text for it."""
    if "baseline" not in entry or entry.get("value") is None:
        return None, ""
    value, baseline = entry["value"], entry["baseline"]
    higher = target.higher_is_better if target else True
    beaten = value > baseline if higher else value < baseline
    expected = target.baseline_beaten if target else True
    source = "the book" if target is None or target.listing else "the claim"
    if beaten == expected:
        outcome = "beaten" if beaten else f"not beaten, as {source} says"
    else:
        outcome = "NOT beaten" if expected else f"beaten, though {source} says it is not"
    return beaten == expected, f"{baseline:.4g} ({outcome})"


def _other_value(than: str | float, entry: dict, recorded: dict[str, float]) -> float | None:
    if not isinstance(than, str):
        return than
    if than == "baseline":
        return entry.get("baseline")
    return recorded.get(than)


def _relation_text(name: str, relation: Relation, value: float, other: float) -> str:
    return f"{name} = {value:.4g} {relation.relation} {relation.bound(other):.4g} (needed: {relation.text()})"


def _claim_check(entry: dict, target: Target, mode: str, data: str, recorded: dict[str, float]):
    """(claim_holds, precondition_met, reason) for the target's claim on this run."""
    claim = target.claim
    if claim is None:
        return None, None, ""
    if claim.mode == "full" and mode != "full":
        return None, None, "claim judged at the book's settings only (this run: smoke mode)"
    if claim.data == "real" and data not in ("real", "no dataset"):
        return None, None, f"claim judged on real data only (this metric's data: {data})"
    for pre in target.preconditions:
        value = recorded.get(pre.metric)
        other = _other_value(pre.than, entry, recorded)
        if value is None or other is None:
            return None, False, f"precondition not met: {pre.metric} {pre.text()} (not recorded)"
        if not pre.holds(value, other):
            return None, False, "precondition not met: " + _relation_text(pre.metric, pre, value, other)
    other = _other_value(claim.than, entry, recorded)
    if other is None:
        return False, True, f"claim {claim.text()} cannot be judged: {claim.than} was not recorded"
    holds = claim.holds(entry["value"], other)
    text = _relation_text(target.metric, claim, entry["value"], other)
    return holds, True, ("claim holds: " if holds else "claim FAILS: ") + text


def _row(entry: dict, target: Target | None, mode: str, recorded: dict[str, float]) -> ComparisonRow:
    value = entry.get("value")
    data = data_kind(entry["datasets"]) if "datasets" in entry else entry.get("_notebook_data", "no dataset")
    mode = entry.get("mode", mode)
    book = tolerance = ""
    if target is not None:
        book = f"{target.book:.4g}" if target.book is not None else target.book_text
        tolerance = f"±{target.tolerance:g}" if target.tolerance is not None else ""
    if value is None:
        if data in ("real", "no dataset"):
            status, reason = FAIL, "the notebook did not record this metric"
        else:  # e.g. 5.4's elephant numbers need the ImageNet weights
            status, reason = UNMET, f"not recorded: the notebook ran on {data} data, and this metric needs the real one"
        return ComparisonRow(entry["metric"], None, data, mode, book, tolerance, None, None, None, status,
                             reason, "not recorded", "")
    baseline_ok, baseline = _baseline_check(entry, target)
    if target is None:
        status = FAIL if baseline_ok is False else NO_CLAIM
        reason = "the trivial baseline is NOT beaten" if baseline_ok is False else "no book figure or claim"
        return ComparisonRow(entry["metric"], value, data, mode, book, tolerance, None, baseline_ok, None,
                             status, reason, "no book figure", baseline)

    within = None
    reasons = []
    if target.book is not None and target.tolerance is not None:
        if data != "real":
            reasons.append(f"not compared with the book ({data} data)")
        elif mode != "full":
            reasons.append("not compared with the book (smoke mode)")
        else:
            within = target.within_tolerance(value)
            reasons.append(f"{'within' if within else 'OUTSIDE'} the book's {target.book:.4g} ± {target.tolerance:g}")
    claim_ok, precondition_met, claim_reason = _claim_check(entry, target, mode, data, recorded)
    if claim_reason:
        reasons.append(claim_reason)
    if baseline_ok is False:
        reasons.append(f"baseline {baseline}")
    checks = [within, baseline_ok, claim_ok]
    if False in checks:
        status = FAIL
    elif precondition_met is False:
        status = UNMET
    elif True in checks:
        status = PASS
    elif target.illustration:
        status = ILLUSTRATION
        reasons.append(f"illustration: {target.illustration}")
    elif target.book is not None:
        status = NOT_COMPARABLE
    else:
        status = NO_CLAIM
    if target.book is None:
        word = "our experiment" if not target.listing else "no book figure"
        if status in (PASS, FAIL, UNMET, ILLUSTRATION):
            word = {PASS: "claim holds", FAIL: "FAILS", UNMET: "precondition not met",
                    ILLUSTRATION: "illustration"}[status]
    elif within is None:
        word = "not comparable (stand-in data)" if data != "real" else "not comparable (smoke mode)"
    else:
        word = "within" if within else "outside"
    return ComparisonRow(entry["metric"], value, data, mode, book, tolerance, within, baseline_ok, claim_ok,
                         status, "; ".join(reasons), word, baseline)


def compare(
    entries: list[dict], sources: dict[str, str], *, mode: str = "", notebook: str = ""
) -> list[ComparisonRow]:
    """Verdict rows for the metric ``entries`` a notebook recorded.

    ``sources`` are every dataset the notebook used (for entries recorded before
    metrics carried their own); ``mode`` is the run's mode where entries do not
    say it; with ``notebook`` (its stem), every target that notebook must record
    and did not is a failing "not recorded" row.
    """
    known = targets()
    notebook_data = data_kind(sources)
    recorded = {entry["metric"]: entry["value"] for entry in entries}
    rows = [_row({"_notebook_data": notebook_data, **entry}, known.get(entry["metric"]), mode, recorded)
            for entry in entries]
    if notebook:
        rows += [_row({"metric": name, "value": None, "_notebook_data": notebook_data}, target, mode, recorded)
                 for name, target in known.items() if name not in recorded and target.belongs_to(notebook)]
    return rows


def failures(rows: list[ComparisonRow]) -> list[str]:
    """One line per failed row: what the test suite and ``dlwp book run``'s verdict fail on."""
    return [f"{row.metric} = {row.value_text()}: {row.reason or row.verdict}" for row in rows if row.failed]


def text_table(head: list[str], rows: list[list[str]]) -> str:
    """A plain-text table with aligned columns (the notebook's fallback when HTML cannot be shown)."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(head, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths)).rstrip() for line in [head, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


STATUS_COLOURS = {PASS: "#d9f2d9", FAIL: "#f8d0d0", UNMET: "#fbe8c8", ILLUSTRATION: "#e6e6f5",
                  NOT_COMPARABLE: "#e8eef2", NO_CLAIM: "#f4f4f4"}


class VerdictTable:
    """The rows as an HTML table that wraps inside JupyterLab's width, with a text fallback."""

    HEAD = ["metric", "ours", "book", "tolerance", "status", "why", "data", "trivial baseline"]

    def __init__(self, rows: list[ComparisonRow]):
        self.rows = rows

    def cells(self, row: ComparisonRow) -> list[str]:
        return [row.metric, row.value_text(), row.book, row.tolerance, row.status, row.reason,
                f"{row.data}, {row.mode or '?'}", row.baseline]

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(cell)}</th>" for cell in self.HEAD)
        body = []
        for row in self.rows:
            colour = STATUS_COLOURS.get(row.status, "")
            cells = "".join(f"<td style='text-align:left;vertical-align:top'>{html.escape(cell)}</td>"
                            for cell in self.cells(row))
            body.append(f"<tr style='background:{colour}'>{cells}</tr>")
        return (f"<table class='dlwp-verdicts' style='table-layout:auto;width:100%;font-size:90%'>"
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")

    def __repr__(self) -> str:
        return text_table(self.HEAD, [self.cells(row) for row in self.rows])


def _notebook_stem() -> str:
    """The running notebook's stem, known when the runner named its record file after it."""
    import os
    from pathlib import Path

    path = os.environ.get(recording.ENV_RECORD_FILE, "")
    return Path(path).stem if path else ""


def against_the_book() -> None:
    """Show this notebook's recorded numbers beside the book's (the rows: :func:`this_notebooks_rows`).

    Called once, as the last line of a notebook's final "This run against the book"
    cell, after the ``record(...)`` calls; it returns nothing, so no list of rows
    is echoed under the table.
    """
    sources = recording.data_sources()
    mode = str(recording.run_settings().get("mode", ""))
    rows = this_notebooks_rows()
    used = ", ".join(f"{name}: {source}" for name, source in sorted(sources.items())) or "no dataset"
    print(f"Data used by this run: {used}; mode: {mode or 'not set'}")
    if not rows:
        print("No headline number of the book belongs to this notebook.")
        return
    failed = sum(row.failed for row in rows)
    print(f"{len(rows)} rows: " + ", ".join(f"{sum(r.status == s for r in rows)} {s}" for s in STATUSES
                                           if any(r.status == s for r in rows))
          + (f" — {failed} FAILED" if failed else ""))
    try:
        from IPython.display import display

        display(VerdictTable(rows))
    except ImportError:
        print(repr(VerdictTable(rows)))


def this_notebooks_rows() -> list[ComparisonRow]:
    """The verdict rows of what this process recorded (what :func:`against_the_book` shows)."""
    mode = str(recording.run_settings().get("mode", ""))
    return compare(recording.metrics(), recording.data_sources(), mode=mode, notebook=_notebook_stem())
