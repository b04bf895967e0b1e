"""The papermill runner and its report, on small synthetic notebooks."""

from pathlib import Path

import nbformat
import pytest

from dlwp_widgets.book import report
from dlwp_widgets.book.notebooks import NotebookRef, find_notebooks
from dlwp_widgets.book.runner import FAILED, PASSED, TIMED_OUT, RunOptions, run_notebooks

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _notebook(path: Path, *cells) -> NotebookRef:
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": KERNELSPEC})
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            'SMOKE = False\nEPOCHS = 5\nDATA_SOURCE = "auto"\nSEED = 0', metadata={"tags": ["parameters"]}
        )
    )
    for source, listing in cells:
        metadata = {"listing": listing} if listing else {}
        notebook.cells.append(nbformat.v4.new_code_cell(source, metadata=metadata))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    chapter, section = path.stem.split("-")[0].split(".")
    return NotebookRef(path.with_suffix(".py"), int(chapter), f"{chapter}.{section}")


@pytest.fixture
def notebooks(tmp_path):
    folder = tmp_path / "chapters" / "ch09_test"
    good = _notebook(
        folder / "9.1-good.ipynb",
        ("from dlwp_widgets.book import record\nfrom dlwp_widgets import config\n"
         "run = config.resolve(smoke=SMOKE, epochs=EPOCHS, data_source=DATA_SOURCE, seed=SEED)", None),
        ("from dlwp_widgets.recording import record_data_source\nrecord_data_source('mnist', 'standin')", None),
        ("assert SMOKE is True and run.smoke and run.epochs == 1\n"
         "record('mnist_dense_test_accuracy', 0.93, baseline=0.11)", "2.9"),
    )
    bad = _notebook(
        folder / "9.2-bad.ipynb",
        ("x = 1", None),
        ("raise RuntimeError('listing broke')", "9.7"),
        ("never = True", None),
    )
    hanging = _notebook(folder / "9.3-hangs.ipynb", ("import time\ntime.sleep(600)", "9.9"))
    return good, bad, hanging


def test_runner_reports_pass_failure_and_timeout_and_goes_on(notebooks, tmp_path):
    options = RunOptions(smoke=True, data_source="standin", timeout_s=20, jobs=3, out_dir=tmp_path / "build")
    good, bad, hanging = run_notebooks(list(notebooks), options, progress=False)

    assert good.status == PASSED, good.error
    assert good.metrics == [{"metric": "mnist_dense_test_accuracy", "value": 0.93, "baseline": 0.11}]
    assert good.data_sources == {"mnist": "standin"}
    assert good.output.exists() and good.log.exists()

    assert bad.status == FAILED
    assert bad.failing_listing == "9.7"
    assert "RuntimeError: listing broke" in bad.error

    assert hanging.status == TIMED_OUT
    assert hanging.failing_listing == "9.9"
    assert hanging.wall_s < 60

    md_path, html_path = report.write_report([good, bad, hanging], options, wall_s=12.0)
    markdown = md_path.read_text()
    assert "1 of 3 passed" in markdown
    assert "| 9.2-bad | failed |" in markdown and "listing 9.7" in markdown
    assert "timed out" in markdown
    row = next(line for line in markdown.splitlines() if "mnist_dense_test_accuracy" in line)
    assert "0.9785" in row and "not comparable (stand-in data)" in row and "0.11 (beaten)" in row
    assert "<table>" in html_path.read_text() and "listing broke" in html_path.read_text()


def test_real_data_metrics_are_judged_against_the_book():
    from dlwp_widgets.book.catalog import targets

    target = targets()["mnist_dense_test_accuracy"]
    assert target.verdict(0.975) == "within"
    assert target.verdict(0.95) == "outside"


def test_main_job_runs_every_notebook_and_beats_every_claimed_baseline(tmp_path, monkeypatch, capsys):
    """The main job's command on real chapter notebooks, in smoke mode on stand-ins.

    Papermill parameters must reach the notebooks, every notebook must pass, and
    every model that records a trivial baseline must beat it: that is what a
    stand-in run can honestly claim.
    """
    from dlwp_widgets.book.cli import main

    monkeypatch.setenv("DLWP_CACHE_DIR", str(Path("build/test-cache").resolve()))
    out_dir = tmp_path / "run"
    code = main(["book", "run", "--smoke", "--data-source", "standin",
                 "--out", str(out_dir), "--quiet", "--timeout", "600", "--jobs", "2"])
    out = capsys.readouterr().out
    assert code == 0, out
    markdown = (out_dir / "report.md").read_text()
    count = len(find_notebooks())
    assert count >= 18 and f"{count} of {count} passed" in markdown
    baseline_rows = [line for line in markdown.splitlines() if "(beaten)" in line or "NOT beaten" in line]
    assert len(baseline_rows) >= 8, markdown
    assert not [row for row in baseline_rows if "NOT beaten" in row], markdown
    assert "mnist_dense_test_accuracy" in markdown and "imdb_dense_test_accuracy" in markdown
