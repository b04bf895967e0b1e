"""Execute chapter notebooks with papermill: in parallel, each under a timeout.

Each notebook runs in its own ``papermill`` process (and so its own kernel),
started in a new process group so that a hanging notebook can be killed with
its kernel.  A failure or a timeout is recorded and the run goes on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from dlwp_widgets.book.notebooks import NotebookRef, cell_listing
from dlwp_widgets.recording import ENV_RECORD_FILE

PASSED, FAILED, TIMED_OUT = "passed", "failed", "timed out"


@dataclass(frozen=True)
class RunOptions:
    smoke: bool = True
    data_source: str = "auto"
    seed: int = 0
    epochs: int | None = None
    timeout_s: float = 900.0
    jobs: int = 1
    out_dir: Path = Path("build")

    @property
    def mode(self) -> str:
        return "smoke" if self.smoke else "full"

    def parameters(self) -> dict:
        params = {"SMOKE": self.smoke, "DATA_SOURCE": self.data_source, "SEED": self.seed}
        if self.epochs is not None:
            params["EPOCHS"] = self.epochs
        return params

    def environment(self, record_file: Path) -> dict[str, str]:
        """The kernel's environment: the same switches as the parameters, so they agree."""
        env = dict(os.environ)
        env.update(
            {
                "DLWP_SMOKE": "1" if self.smoke else "0",
                "DLWP_DATA_SOURCE": self.data_source,
                "DLWP_SEED": str(self.seed),
                "DLWP_STATIC_PLOTS": "1",
                ENV_RECORD_FILE: str(record_file),
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.epochs is not None:
            env["DLWP_EPOCHS"] = str(self.epochs)
        else:
            env.pop("DLWP_EPOCHS", None)
        return env


@dataclass
class NotebookResult:
    ref: NotebookRef
    status: str
    wall_s: float
    output: Path
    log: Path
    failing_cell: int | None = None
    failing_listing: str | None = None
    error: str = ""
    metrics: list[dict] = field(default_factory=list)
    data_sources: dict[str, str] = field(default_factory=dict)


def _papermill_command(ref: NotebookRef, output: Path, options: RunOptions) -> list[str]:
    command = [
        sys.executable, "-m", "papermill", str(ref.ipynb), str(output),
        "--cwd", str(ref.ipynb.parent), "--kernel", "python3",
        "--no-progress-bar", "--log-output", "--no-report-mode",
    ]  # fmt: skip
    return command + ["-y", json.dumps(options.parameters())]


def _read_records(path: Path) -> tuple[list[dict], dict[str, str]]:
    metrics, sources = [], {}
    if not path.exists():
        return metrics, sources
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if "metric" in entry:
            metrics.append(entry)
        elif "data_source" in entry:
            sources[entry["data_source"]] = entry["source"]
    return metrics, sources


def _locate_failure(output: Path, status: str) -> tuple[int | None, str | None, str]:
    """The failing (or, after a timeout, still running) cell of an executed notebook."""
    import nbformat

    if not output.exists():
        return None, None, "papermill wrote no output notebook (see the log)"
    notebook = nbformat.read(output, as_version=4)
    wanted = {"failed"} if status == FAILED else {"running", "failed"}
    for index, cell in enumerate(notebook.cells):
        state = cell.get("metadata", {}).get("papermill", {}).get("status")
        if cell.cell_type == "code" and state in wanted:
            message = ""
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    message = f"{out.get('ename')}: {out.get('evalue')}"
            return index, cell_listing(cell), message
    return None, None, ""


def run_one(ref: NotebookRef, options: RunOptions) -> NotebookResult:
    rel = Path(f"ch{ref.chapter:02d}") / ref.ipynb.name
    output = options.out_dir / "notebooks" / rel
    log = options.out_dir / "logs" / rel.with_suffix(".log")
    records = options.out_dir / "records" / rel.with_suffix(".jsonl")
    for path in (output, log, records):
        path.parent.mkdir(parents=True, exist_ok=True)
    records.unlink(missing_ok=True)
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as log_handle:
        process = subprocess.Popen(
            _papermill_command(ref, output, options),
            stdout=log_handle,
            stderr=subprocess.STDOUT,
            env=options.environment(records),
            start_new_session=True,
        )
        try:
            code = process.wait(timeout=options.timeout_s)
            status = PASSED if code == 0 else FAILED
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            status = TIMED_OUT
    result = NotebookResult(ref, status, time.monotonic() - start, output, log)
    result.metrics, result.data_sources = _read_records(records)
    if status != PASSED:
        result.failing_cell, result.failing_listing, result.error = _locate_failure(output, status)
        if status == TIMED_OUT:
            result.error = f"killed after {options.timeout_s:.0f} s" + (
                f" while running cell {result.failing_cell}" if result.failing_cell is not None else ""
            )
        elif not result.error:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            result.error = tail[-1] if tail else f"papermill exited with {code}"
    return result


def run_notebooks(refs: list[NotebookRef], options: RunOptions, progress: bool = True) -> list[NotebookResult]:
    """Run ``refs``; results come back in the order of ``refs``."""
    from tqdm.auto import tqdm

    results: dict[Path, NotebookResult] = {}
    bar = tqdm(total=len(refs), desc=f"{options.mode} run", unit="notebook", disable=not progress)
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        futures = {pool.submit(run_one, ref, options): ref for ref in refs}
        for future in as_completed(futures):
            result = future.result()
            results[result.ref.source] = result
            line = f"{result.status:>9}  {result.wall_s:6.1f} s  {result.ref.ipynb.name}"
            if result.status != PASSED:
                where = f"cell {result.failing_cell}" if result.failing_cell is not None else "?"
                if result.failing_listing:
                    where += f" (listing {result.failing_listing})"
                line += f"  at {where}: {result.error}"
            bar.write(line)
            bar.update(1)
    bar.close()
    return [results[ref.source] for ref in refs]
