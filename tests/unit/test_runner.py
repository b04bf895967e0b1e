"""The papermill runner and its report, on small synthetic notebooks."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from dlwp_widgets.book import report
from dlwp_widgets.book.notebooks import NotebookRef
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
        # A malformed line in the record file (a crashed writer) must not lose the report.
        ("import os\nopen(os.environ['DLWP_RECORD_FILE'], 'a').write('{\"metric\": broken\\n')", None),
        ("assert SMOKE is True and run.smoke and run.epochs == 1\n"
         "record('mnist_dense_test_accuracy', 0.93, baseline=0.11)", "2.9"),
    )
    bad = _notebook(
        folder / "9.2-bad.ipynb",
        ("x = 1", None),
        ("raise RuntimeError('listing broke')", "9.7"),
        ("never = True", None),
    )
    hanging = _notebook(folder / "9.3-hangs.ipynb", (_hang(tmp_path / "timeout-kernel.pid"), "9.9"))
    return good, bad, hanging


def _hang(pid_file: Path) -> str:
    """A cell that writes its kernel's pid to ``pid_file``, makes a scratch folder in its temporary folder, and hangs."""
    return (f"import os, tempfile, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
            f"open({str(pid_file) + '.tmp'!r}, 'w').write(tempfile.mkdtemp())\ntime.sleep(600)")


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_runner_reports_pass_failure_and_timeout_and_goes_on(notebooks, tmp_path):
    options = RunOptions(smoke=True, data_source="standin", timeout_s=20, jobs=3, out_dir=tmp_path / "build")
    good, bad, hanging = run_notebooks(list(notebooks), options, progress=False)

    assert good.status == PASSED, good.error
    assert [{k: entry[k] for k in ("metric", "value", "baseline")} for entry in good.metrics] == [
        {"metric": "mnist_dense_test_accuracy", "value": 0.93, "baseline": 0.11}]
    assert good.data_sources == {"mnist": "standin"}
    assert good.notes and "skipped 1 malformed record line" in good.notes[0]
    assert good.output.exists() and good.log.exists()

    assert bad.status == FAILED
    assert bad.failing_listing == "9.7"
    # The reader's cell number: parameters (1), x = 1 (2), the raise (3); papermill's injected cell not counted.
    assert bad.failing_cell == 3
    assert "RuntimeError: listing broke" in bad.error

    assert hanging.status == TIMED_OUT
    assert hanging.failing_listing == "9.9"
    assert hanging.wall_s < 60
    assert "killed after 20 s" in hanging.error and "--timeout SECONDS" in hanging.error  # says how to raise it
    kernel_pid = int((tmp_path / "timeout-kernel.pid").read_text())
    assert _gone(kernel_pid), "the timed-out notebook's kernel survived"
    scratch = Path((tmp_path / "timeout-kernel.pid.tmp").read_text())
    assert scratch.parent.name.startswith("dlwp-kernel-9.3-") and not scratch.parent.exists(), "scratch files left behind"

    md_path, html_path = report.write_report([good, bad, hanging], options, wall_s=12.0)
    markdown = md_path.read_text()
    assert "1 of 3 passed" in markdown
    assert "| 9.2-bad | failed |" in markdown and "listing 9.7" in markdown
    assert "timed out" in markdown
    row = next(line for line in markdown.splitlines() if "mnist_dense_test_accuracy" in line)
    assert "0.9785" in row and "not compared with the book (stand-in data)" in row and "0.11 (beaten)" in row
    assert "<table>" in html_path.read_text() and "listing broke" in html_path.read_text()
    assert "malformed record line" in markdown


def test_a_malformed_record_file_keeps_its_good_lines(tmp_path):
    from dlwp_widgets.book.runner import read_records

    path = tmp_path / "r.jsonl"
    path.write_text('{"metric": "a", "value": 1.5}\n{"metric": \n[1, 2]\n{"data_source": "mnist", "source": "real"}\n'
                    '{"metric": "b", "value": "x"}\n')
    metrics, sources, note = read_records(path)
    assert metrics == [{"metric": "a", "value": 1.5}] and sources == {"mnist": "real"}
    assert "skipped 3 malformed record line(s) (line 2, 3, 5)" in note


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_stops_every_process_and_writes_its_report(tmp_path, signum):
    """Ctrl-C (or SIGTERM) to a real `dlwp book run`: no papermill or kernel survives, the report says why."""
    folder = tmp_path / "chapters" / "ch09_test"
    pid_files = [tmp_path / f"kernel-{n}.pid" for n in (1, 2)]
    for number, pid_file in enumerate(pid_files, 1):
        _notebook(folder / f"9.{number}-hangs.ipynb", (_hang(pid_file), f"9.{number}"))
        (folder / f"9.{number}-hangs.py").write_text("# placeholder: the runner executes the .ipynb\n")
    _notebook(folder / "9.3-waits.ipynb", ("x = 1", None))
    (folder / "9.3-waits.py").write_text("# placeholder\n")
    out = tmp_path / "run"
    env = dict(os.environ, DLWP_ROOT=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-m", "dlwp_widgets.book.cli", "book", "run", "--smoke", "--data-source", "standin",
         "--jobs", "2", "--timeout", "300", "--quiet", "--out", str(out)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not all(p.exists() and p.read_text() for p in pid_files):
            assert process.poll() is None, process.communicate()[0]
            if time.monotonic() > deadline:  # say why: the runner's output and each notebook's log
                process.terminate()
                output = process.communicate(timeout=60)[0]
                logs = {log.name: log.read_text(errors="replace")[-1500:] for log in sorted(out.rglob("*.log"))}
                pytest.fail(f"the hanging notebooks never started within 120 s\nrunner: {output}\nlogs: {logs}")
            time.sleep(0.2)
        kernels = [int(p.read_text()) for p in pid_files]
        started = [child.pid for child in psutil.Process(process.pid).children(recursive=True)]
        assert len(started) >= 2  # the two papermill processes (the kernels run in sessions of their own)
        process.send_signal(signum)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + signum, output
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in kernels + started) and time.monotonic() < deadline:
        time.sleep(0.2)
    survivors = [pid for pid in kernels + started if not _gone(pid)]
    assert not survivors, f"processes left behind: {survivors}"
    name = signal.Signals(signum).name
    markdown = (out / "report.md").read_text()
    assert f"INTERRUPTED ({name})" in markdown and "(interrupted)" in markdown.splitlines()[0]
    results = json.loads((out / "results.json").read_text())
    assert results["interrupted"] == name
    assert [entry["status"] for entry in results["notebooks"]] == ["interrupted"] * 3
    assert "not started" in results["notebooks"][2]["error"]
    assert "running cell 2" in results["notebooks"][0]["error"]


def test_real_data_metrics_are_judged_against_the_book():
    from dlwp_widgets.book.catalog import targets

    target = targets()["mnist_dense_test_accuracy"]
    assert target.verdict(0.975) == "within"
    assert target.verdict(0.95) == "outside"


def test_default_jobs_is_one_per_core_as_memory_allows(monkeypatch):
    from types import SimpleNamespace

    from dlwp_widgets.book import runner

    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=64 * 2**30))
    jobs, reason = runner.default_jobs()
    assert jobs == 4 and reason.startswith("4 cores, 64.0 GiB")
    monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=int(2.5 * runner.NOTEBOOK_MEMORY_BYTES)))
    assert runner.default_jobs()[0] == 2  # memory for two notebooks only
    monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=2**20))
    assert runner.default_jobs()[0] == 1  # never fewer than one


def test_results_record_the_keras_backend(tmp_path, monkeypatch):
    from dlwp_widgets.book.runner import write_results

    monkeypatch.setenv("KERAS_BACKEND", "jax")
    options = RunOptions(out_dir=tmp_path)
    path = write_results([], options, 1.0)
    assert json.loads(path.read_text())["keras_backend"] == "jax"
