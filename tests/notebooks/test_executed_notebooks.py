"""Every chapter notebook, executed ONCE by the main job (see conftest.py), checked per notebook.

* it passed;
* no verdict row failed (a trivial baseline that did not come out as the book or our claim
  says, in either direction; a claim that does not hold; a target the notebook did not record);
* every checked cell's executed output equals its stored output (nbval's rules,
  see output_comparison.py): the committed .ipynb is what a reader will see.
"""

from __future__ import annotations

import nbformat
import pytest
from output_comparison import checked_cell_differences

from dlwp_widgets.book.comparison import compare, failures
from dlwp_widgets.book.notebooks import find_notebooks
from dlwp_widgets.book.runner import PASSED, read_records

NOTEBOOKS = find_notebooks()
pytestmark = pytest.mark.notebooks


def test_the_main_job_ran_every_notebook(main_job):
    results = main_job.results["notebooks"]
    assert len(NOTEBOOKS) >= 18 and len(results) == len(NOTEBOOKS), main_job.output
    markdown = (main_job.out_dir / "report.md").read_text()
    for name in ("mnist_dense_test_accuracy", "imdb_dense_test_accuracy"):
        assert name in markdown


@pytest.mark.parametrize("ref", NOTEBOOKS, ids=[ref.stem for ref in NOTEBOOKS])
def test_notebook_passed(main_job, ref):
    entry = main_job.entry(ref.stem)
    assert entry["status"] == PASSED, (
        f"{entry['status']} at cell {entry['failing_cell']} (listing {entry['failing_listing']}): {entry['error']}; "
        f"log: {main_job.out_dir / entry['log']}"
    )


@pytest.mark.parametrize("ref", NOTEBOOKS, ids=[ref.stem for ref in NOTEBOOKS])
def test_no_verdict_row_failed(main_job, ref):
    records = main_job.out_dir / "records" / f"ch{ref.chapter:02d}" / f"{ref.stem}.jsonl"
    metrics, sources, note = read_records(records)
    assert not note, note
    wrong = failures(compare(metrics, sources, mode="smoke", notebook=ref.stem))
    assert not wrong, "; ".join(wrong)


@pytest.mark.parametrize("ref", NOTEBOOKS, ids=[ref.stem for ref in NOTEBOOKS])
def test_checked_outputs_equal_the_stored_ones(main_job, ref):
    entry = main_job.entry(ref.stem)
    if entry["status"] != PASSED:
        pytest.skip(f"the notebook {entry['status']} (test_notebook_passed reports it)")
    executed = nbformat.read(main_job.out_dir / entry["output"], as_version=4)
    stored = nbformat.read(ref.ipynb, as_version=4)
    problems = checked_cell_differences(executed, stored)
    assert not problems, f"run `dlwp book sync {ref.source}` if the change is intended:\n" + "\n".join(problems)
