"""``dlwp book merge``: one report from several run folders (e.g. one nightly job per chapter).

Each run folder written by ``dlwp book run`` holds ``results.json`` (status, wall
time, failing cell and error per notebook), ``records/`` (what the notebooks
recorded), ``notebooks/`` and ``logs/``.  Merging copies those trees into one
folder, re-reads every record file, builds the merged run's site (``site/``, as
``dlwp book run`` does) and writes one ``report.md`` / ``report.html`` linking to
it and a merged ``results.json``.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from dlwp_widgets.book.report import write_report
from dlwp_widgets.book.runner import RESULTS_FILE, NotebookResult, RunOptions, result_from_json, write_results

TREES = ("notebooks", "logs", "records")


class MergeError(ValueError):
    """A run folder cannot be merged; the message names it."""


def _read_run(run_dir: Path) -> dict:
    path = run_dir / RESULTS_FILE
    if not path.is_file():
        raise MergeError(f"{run_dir} is not a run folder: it has no {RESULTS_FILE} (written by `dlwp book run`).")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        payload["notebooks"] = list(payload["notebooks"])
    except (ValueError, KeyError, TypeError) as error:
        raise MergeError(f"{path} is not a readable results file ({error}).") from None
    return payload


class Merged(NamedTuple):
    markdown: Path
    html: Path
    results: list[NotebookResult]
    site_note: str | None  # where the site is, or why it could not be built; None without a site


def _longest_timeout(timeouts: list) -> float | None:
    """The merged run's limit: none when any run had none (``null`` in its results.json)."""
    if any(timeout is None for timeout in timeouts):
        return None
    return max(float(timeout) for timeout in timeouts)


def merge_runs(run_dirs: list[Path], out_dir: Path, *, site: bool = True) -> Merged:
    """Merge ``run_dirs`` into ``out_dir`` (with its site unless ``site=False``): the report paths and results."""
    run_dirs = [Path(d).resolve() for d in run_dirs]
    out_dir = Path(out_dir).resolve()
    if not run_dirs:
        raise MergeError("Name at least one run folder to merge.")
    if out_dir in run_dirs:
        raise MergeError(f"The output folder {out_dir} is one of the run folders; choose a new one.")
    runs = [(run_dir, _read_run(run_dir)) for run_dir in run_dirs]
    out_dir.mkdir(parents=True, exist_ok=True)
    by_notebook: dict[str, NotebookResult] = {}
    for run_dir, payload in runs:
        for tree in TREES:
            if (run_dir / tree).is_dir():
                shutil.copytree(run_dir / tree, out_dir / tree, dirs_exist_ok=True)
        for entry in payload["notebooks"]:
            result = result_from_json(entry, out_dir)
            if result.ref.stem in by_notebook:
                result.notes.append(f"also in an earlier run folder; this one ({run_dir.name}) is reported")
            by_notebook[result.ref.stem] = result
    results = sorted(by_notebook.values(), key=lambda r: (r.ref.chapter, int(r.ref.section.split(".")[1]), r.ref.stem))
    modes = sorted({payload.get("mode", "?") for _, payload in runs})
    sources = sorted({payload.get("data_source", "?") for _, payload in runs})
    seeds = {payload.get("seed") for _, payload in runs}
    environments = {run_dir.name: payload.get("environment") for run_dir, payload in runs}
    options = RunOptions(
        seed=seeds.pop() if len(seeds) == 1 and None not in seeds else 0,
        smoke=modes == ["smoke"],
        data_source=", ".join(sources),
        jobs=max(int(payload.get("jobs", 1)) for _, payload in runs),
        timeout_s=_longest_timeout([payload.get("timeout_s", 1) for _, payload in runs]),
        out_dir=out_dir,
    )
    interrupted = ", ".join(
        f"{run_dir.name}: {payload['interrupted']}" for run_dir, payload in runs if payload.get("interrupted")
    )
    wall = max(float(payload.get("wall_s", 0.0)) for _, payload in runs)
    site_note = None
    if site:
        from dlwp_widgets.book.site import build_run_site

        site_note = build_run_site(out_dir)
    md_path, html_path = write_report(results, options, wall, interrupted=interrupted)
    same = len({json.dumps(env, sort_keys=True) for env in environments.values()}) == 1
    environment = next(iter(environments.values())) if same else {"merged runs": environments}
    write_results(results, replace(options), wall, interrupted=interrupted, environment=environment or {})
    return Merged(md_path, html_path, results, site_note)
