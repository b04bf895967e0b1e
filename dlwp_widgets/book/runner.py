"""Execute chapter notebooks with papermill: in parallel, each under a timeout.

Each notebook runs in its own ``papermill`` process (and so its own kernel),
started in a new process group.  A failure or a timeout is recorded and the run
goes on.  Killing a notebook (timeout, Ctrl-C, SIGTERM) freezes papermill's
group, collects every descendant (the kernel runs in a session of its own),
and kills them all, so nothing outlives the run.  Each kernel gets a temporary
folder of its own (``TMPDIR``), removed when its notebook ends however it ends,
so a killed notebook leaves no scratch files behind either.

Ctrl-C or SIGTERM stops the whole run within a second or two: running notebooks
are killed, the ones not started are skipped, all are marked ``interrupted``,
and the report is still written (:class:`RunInterrupted` carries the results).

Every run folder gets ``results.json`` (one entry per notebook: status, wall
time, failing cell, error, records file), which ``dlwp book merge`` reads.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from pathlib import Path

from dlwp_widgets.book.notebooks import NotebookRef, cell_listing
from dlwp_widgets.config import configured_backend
from dlwp_widgets.recording import ENV_RECORD_FILE

PASSED, FAILED, TIMED_OUT, INTERRUPTED = "passed", "failed", "timed out", "interrupted"
RESULTS_FILE = "results.json"
INJECTED_TAGS = ("injected-parameters", "papermill-error-cell-tag")  # cells papermill adds
KILL_GRACE_S = 2.0
SMOKE_TIMEOUT_S = 900.0  # a smoke notebook takes a minute or two on 2 CPU cores; 900 s means it hangs
# Memory set aside per notebook (kernel + papermill) when the default --jobs is chosen:
# an allowance, not a measurement of each notebook's peak; --jobs overrides the choice.
NOTEBOOK_MEMORY_BYTES = 2 * 2**30


def default_jobs() -> tuple[int, str]:
    """How many notebooks to run at once on this machine, and why: one per core, as memory allows."""
    import psutil

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    available = psutil.virtual_memory().available
    by_memory = max(1, int(available // NOTEBOOK_MEMORY_BYTES))
    jobs = max(1, min(cores, by_memory))
    return jobs, (f"{cores} cores, {available / 2**30:.1f} GiB memory available "
                  f"at {NOTEBOOK_MEMORY_BYTES / 2**30:.0f} GiB per notebook")


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped the run; ``results`` holds every notebook's outcome so far."""

    def __init__(self, signum: int, results: list | None = None):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.results = results or []

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@dataclass(frozen=True)
class RunOptions:
    smoke: bool = True
    data_source: str = "auto"
    seed: int = 0
    epochs: int | None = None
    timeout_s: float | None = SMOKE_TIMEOUT_S  # None: no limit (full mode's default: the book's settings
    jobs: int = 1  # take from minutes on a GPU to days on a CPU, so no single budget fits them)
    out_dir: Path = Path("build")

    def __post_init__(self):
        if self.timeout_s is not None and not self.timeout_s > 0:
            raise ValueError(f"the timeout must be a positive number of seconds, got {self.timeout_s}")
        if self.jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {self.jobs}")

    @property
    def mode(self) -> str:
        return "smoke" if self.smoke else "full"

    @property
    def timeout_text(self) -> str:
        return "no timeout" if self.timeout_s is None else f"{self.timeout_s:.0f} s timeout each"

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
    failing_cell: int | None = None  # 1-based, counting the reader's cells (papermill's injected cell excluded)
    failing_listing: str | None = None
    error: str = ""
    metrics: list[dict] = field(default_factory=list)
    data_sources: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self, base: Path) -> dict:
        def rel(path: Path) -> str:
            try:
                return str(Path(path).relative_to(base))
            except ValueError:
                return str(path)

        return {
            "notebook": self.ref.stem,
            "source": str(self.ref.source),
            "chapter": self.ref.chapter,
            "section": self.ref.section,
            "status": self.status,
            "wall_s": round(self.wall_s, 3),
            "output": rel(self.output),
            "log": rel(self.log),
            "failing_cell": self.failing_cell,
            "failing_listing": self.failing_listing,
            "error": self.error,
            "notes": self.notes,
        }


def _paths(ref: NotebookRef, out_dir: Path) -> tuple[Path, Path, Path]:
    rel = Path(f"ch{ref.chapter:02d}") / ref.ipynb.name
    return (
        out_dir / "notebooks" / rel,
        out_dir / "logs" / rel.with_suffix(".log"),
        out_dir / "records" / rel.with_suffix(".jsonl"),
    )


def result_from_json(entry: dict, base: Path) -> NotebookResult:
    """A result written by :func:`write_results` (records re-read from the run folder)."""
    ref = NotebookRef(Path(entry["source"]), int(entry["chapter"]), entry["section"])
    result = NotebookResult(
        ref,
        entry["status"],
        float(entry["wall_s"]),
        base / entry["output"],
        base / entry["log"],
        failing_cell=entry.get("failing_cell"),
        failing_listing=entry.get("failing_listing"),
        error=entry.get("error", ""),
        notes=list(entry.get("notes", [])),
    )
    records = _paths(ref, base)[2]
    result.metrics, result.data_sources, bad = read_records(records)
    if bad:
        result.notes.append(bad)
    return result


def run_environment() -> dict:
    """Versions and machine of this run (read without importing TensorFlow): what a reproduction record cites."""
    import platform
    from importlib import metadata

    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    return {
        "python": platform.python_version(),
        **{package: version(package) for package in ("tensorflow", "keras", "numpy")},
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }


def write_results(
    results: list[NotebookResult], options: RunOptions, wall_s: float, *, interrupted: str = "", environment=None
) -> Path:
    """``results.json`` in the run folder: what ``dlwp book merge`` and ``dlwp book record`` need besides the records."""
    path = options.out_dir / RESULTS_FILE
    payload = {
        "mode": options.mode,
        "data_source": options.data_source,
        "seed": options.seed,
        "epochs": options.epochs,
        "environment": environment if environment is not None else run_environment(),
        "jobs": options.jobs,
        "keras_backend": configured_backend(),
        "timeout_s": options.timeout_s,
        "wall_s": round(wall_s, 3),
        "interrupted": interrupted,
        "notebooks": [result.to_json(options.out_dir) for result in results],
    }
    tmp = path.with_suffix(".json.partial")
    tmp.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


def _papermill_command(ref: NotebookRef, output: Path, options: RunOptions) -> list[str]:
    command = [
        sys.executable, "-m", "papermill", str(ref.ipynb), str(output),
        "--cwd", str(ref.ipynb.parent), "--kernel", "python3",
        "--no-progress-bar", "--log-output", "--no-report-mode",
    ]  # fmt: skip
    return command + ["-y", json.dumps(options.parameters())]


def read_records(path: Path) -> tuple[list[dict], dict[str, str], str]:
    """Metrics and data sources of a record file; a malformed line is skipped and counted.

    Returns ``(metrics, sources, note)`` where ``note`` says how many lines were
    skipped (empty when none): one bad line never loses the rest of the report.
    """
    metrics, sources, bad = [], {}, []
    if not path.exists():
        return metrics, sources, ""
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise ValueError("not an object")
            if "metric" in entry:
                entry["value"] = float(entry["value"])
                if "baseline" in entry:
                    entry["baseline"] = float(entry["baseline"])
                metrics.append(entry)
            elif "data_source" in entry:
                sources[str(entry["data_source"])] = str(entry["source"])
        except (ValueError, TypeError, KeyError):
            bad.append(number)
    note = ""
    if bad:
        note = f"{path.name}: skipped {len(bad)} malformed record line(s) (line {', '.join(map(str, bad[:5]))})"
    return metrics, sources, note


def reader_cell_number(cells, index: int) -> int:
    """The 1-based number of ``cells[index]`` in the reader's notebook (cells papermill added not counted)."""
    injected = sum(
        any(tag in cell.get("metadata", {}).get("tags", []) for tag in INJECTED_TAGS) for cell in cells[:index]
    )
    return index - injected + 1


def _locate_failure(output: Path, status: str) -> tuple[int | None, str | None, str]:
    """The failing (or, after a timeout, still running) cell of an executed notebook."""
    import nbformat

    if not output.exists():
        return None, None, "papermill wrote no output notebook (see the log)"
    try:
        notebook = nbformat.read(output, as_version=4)
    except Exception as error:  # a notebook cut off mid-write by a kill
        return None, None, f"the output notebook is unreadable ({type(error).__name__})"
    wanted = {"failed"} if status == FAILED else {"running", "failed"}
    for index, cell in enumerate(notebook.cells):
        state = cell.get("metadata", {}).get("papermill", {}).get("status")
        if cell.cell_type == "code" and state in wanted:
            message = ""
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    message = f"{out.get('ename')}: {out.get('evalue')}"
            return reader_cell_number(notebook.cells, index), cell_listing(cell), message
    return None, None, ""


def kill_process_tree(process: subprocess.Popen, grace_s: float = KILL_GRACE_S) -> None:
    """Stop papermill, its kernel (own session) and everything they started; reap papermill.

    The papermill group is frozen first (SIGSTOP) so nothing new is spawned while
    the descendants are collected; then every group and process gets SIGTERM,
    and whatever is still alive after ``grace_s`` gets SIGKILL.
    """
    import psutil

    own_group = os.getpgrp()

    def signal_groups(groups, sig):
        for group in groups:
            if group != own_group:
                try:
                    os.killpg(group, sig)
                except (ProcessLookupError, PermissionError):
                    pass

    signal_groups([process.pid], signal.SIGSTOP)
    procs: dict[int, psutil.Process] = {}
    try:
        root = psutil.Process(process.pid)
        procs[root.pid] = root
        for _ in range(2):  # freeze, then look again for anything spawned meanwhile
            children = root.children(recursive=True)
            groups = set()
            for child in children:
                procs[child.pid] = child
                try:
                    groups.add(os.getpgid(child.pid))
                except ProcessLookupError:
                    pass
            signal_groups(groups, signal.SIGSTOP)
    except psutil.NoSuchProcess:
        pass
    groups = {process.pid}
    for proc in procs.values():
        try:
            groups.add(os.getpgid(proc.pid))
        except ProcessLookupError:
            pass
    signal_groups(groups, signal.SIGTERM)
    signal_groups(groups, signal.SIGCONT)  # a stopped process only acts on SIGTERM once continued
    alive = list(procs.values())
    _, alive = psutil.wait_procs([p for p in alive if p.pid != process.pid], timeout=grace_s)
    if process.poll() is None:
        try:
            process.wait(timeout=max(0.1, grace_s / 2))
        except subprocess.TimeoutExpired:
            pass
    signal_groups(groups, signal.SIGKILL)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    process.wait()


def _not_started(ref: NotebookRef, options: RunOptions, reason: str) -> NotebookResult:
    output, log, _ = _paths(ref, options.out_dir)
    return NotebookResult(ref, INTERRUPTED, 0.0, output, log, error=f"not started: {reason}")


def run_one(ref: NotebookRef, options: RunOptions, stop: threading.Event | None = None) -> NotebookResult:
    """Execute one notebook; ``stop`` (set by Ctrl-C/SIGTERM) kills it and marks it interrupted."""
    stop = stop or threading.Event()
    if stop.is_set():
        return _not_started(ref, options, "the run was interrupted")
    output, log, records = _paths(ref, options.out_dir)
    for path in (output, log, records):
        path.parent.mkdir(parents=True, exist_ok=True)
    records.unlink(missing_ok=True)
    start = time.monotonic()
    code = None
    # The kernel's own temporary folder, removed on every way out (a failed start included).
    with tempfile.TemporaryDirectory(prefix=f"dlwp-kernel-{ref.section}-", ignore_cleanup_errors=True) as scratch:
        env = options.environment(records)
        env.update(TMPDIR=str(scratch), TEMP=str(scratch), TMP=str(scratch))
        with open(log, "w", encoding="utf-8") as log_handle:
            process = subprocess.Popen(
                _papermill_command(ref, output, options),
                stdout=log_handle,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
            try:
                while True:
                    try:
                        code = process.wait(timeout=0.25)
                        status = PASSED if code == 0 else FAILED
                        break
                    except subprocess.TimeoutExpired:
                        if stop.is_set():
                            status = INTERRUPTED
                        elif options.timeout_s is not None and time.monotonic() - start > options.timeout_s:
                            status = TIMED_OUT
                        else:
                            continue
                        kill_process_tree(process)
                        break
            except BaseException:
                kill_process_tree(process)
                raise
    if stop.is_set() and status == FAILED:
        status = INTERRUPTED  # killed from outside while we looked away
    result = NotebookResult(ref, status, time.monotonic() - start, output, log)
    result.metrics, result.data_sources, note = read_records(records)
    if note:
        result.notes.append(note)
    if status != PASSED:
        result.failing_cell, result.failing_listing, result.error = _locate_failure(output, status)
        where = f" while running cell {result.failing_cell}" if result.failing_cell is not None else ""
        if status == TIMED_OUT:
            result.error = (f"killed after {options.timeout_s:.0f} s{where}: the per-notebook limit "
                            "(raise it with `dlwp book run --timeout SECONDS`)")
        elif status == INTERRUPTED:
            result.error = f"interrupted after {result.wall_s:.0f} s{where}"
        elif not result.error:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            result.error = tail[-1] if tail else f"papermill exited with {code}"
    return result


def _progress_line(result: NotebookResult) -> str:
    line = f"{result.status:>11}  {result.wall_s:6.1f} s  {result.ref.ipynb.name}"
    if result.status != PASSED:
        where = f"cell {result.failing_cell}" if result.failing_cell is not None else "?"
        if result.failing_listing:
            where += f" (listing {result.failing_listing})"
        line += f"  at {where}: {result.error}"
    return line


class _Signals:
    """While active (main thread only): SIGINT and SIGTERM set ``stop`` and remember the signal."""

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self.signum: int | None = None
        self.previous: dict[int, object] = {}

    def _handle(self, signum, frame):
        if self.signum is None:
            self.signum = signum
        self.stop.set()

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        return False


def run_notebooks(refs: list[NotebookRef], options: RunOptions, progress: bool = True) -> list[NotebookResult]:
    """Run ``refs``; results come back in the order of ``refs``.

    Raises :class:`RunInterrupted` (with every result, the stopped ones marked
    ``interrupted``) after Ctrl-C or SIGTERM, once every process it started is gone.
    """
    from tqdm.auto import tqdm

    results: dict[Path, NotebookResult] = {}
    stop = threading.Event()
    bar = tqdm(total=len(refs), desc=f"{options.mode} run", unit="notebook", disable=not progress)
    pool = ThreadPoolExecutor(max_workers=max(1, options.jobs))
    with _Signals(stop) as signals:
        try:
            futures = {pool.submit(run_one, ref, options, stop): ref for ref in refs}
            pending = set(futures)
            while pending:
                done, pending = wait_futures(pending, timeout=0.25)
                for future in done:
                    result = future.result()
                    results[result.ref.source] = result
                    bar.write(_progress_line(result))
                    bar.update(1)
                if stop.is_set():
                    break
        except KeyboardInterrupt:  # Ctrl-C outside our handler (e.g. before it was installed)
            signals.signum = signals.signum or signal.SIGINT
            stop.set()
        finally:
            # Ignore further signals while the workers kill their processes (a few seconds at most).
            if signals.signum is not None and signals.previous:
                for sig in signals.previous:
                    signal.signal(sig, signal.SIG_IGN)
            pool.shutdown(wait=True, cancel_futures=True)
    bar.close()
    for future, ref in futures.items():
        if ref.source in results:
            continue
        if future.done() and not future.cancelled() and future.exception() is None:
            results[ref.source] = future.result()
        else:
            results[ref.source] = _not_started(ref, options, "the run was interrupted")
    ordered = [results[ref.source] for ref in refs]
    if signals.signum is not None:
        raise RunInterrupted(signals.signum, ordered)
    return ordered
