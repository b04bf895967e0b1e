"""``dlwp book merge``: one report from several run folders (e.g. one nightly job per chapter).

Each run folder written by ``dlwp book run`` holds ``results.json`` (status, wall
time, failing cell and error per notebook), ``records/`` (what the notebooks
recorded), ``notebooks/`` and ``logs/``.  Merging copies those trees into one
folder, re-reads every record file, builds the merged run's site (``site/``, as
``dlwp book run`` does) and writes one ``report.md`` / ``report.html`` linking to
it and a merged ``results.json``.

Run folders are untrusted input: ``--out`` may not be (or lie inside) one of
them, links and special files in their trees are not followed but skipped (a
link in ``logs/`` must not copy a file from elsewhere), and an entry of
``results.json`` without its keys, with bad values or pointing outside its run
folder is named and skipped; the rest is merged.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from dlwp_widgets.book.report import write_report
from dlwp_widgets.book.runner import (
    FAILED, INTERRUPTED, PASSED, RESULTS_FILE, TIMED_OUT, NotebookResult, RunOptions, result_from_json, write_results,
)

TREES = ("notebooks", "logs", "records")
STATUSES = (PASSED, FAILED, TIMED_OUT, INTERRUPTED)
SECTION = re.compile(r"^\d+\.\d+$")


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
    skipped: list[str] = []  # what was not merged, and why (bad results.json entries, links, special files)


def _inside(path: str, what: str) -> str:
    """``path`` if it is a relative path that stays inside its run folder; else a ValueError naming ``what``."""
    parts = Path(path).parts
    if not path or Path(path).is_absolute() or ".." in parts:
        raise ValueError(f"{what} {path!r} is not a path inside the run folder")
    return path


def _checked_entry(entry) -> dict:
    """A results.json entry with the keys and value types :func:`result_from_json` needs (ValueError saying which not)."""
    if not isinstance(entry, dict):
        raise ValueError(f"it is a {type(entry).__name__}, not an object")
    missing = [key for key in ("source", "chapter", "section", "status", "wall_s", "output", "log") if key not in entry]
    if missing:
        raise ValueError(f"it lacks {', '.join(missing)}")
    if not isinstance(entry["chapter"], int) or isinstance(entry["chapter"], bool) or not 0 < entry["chapter"] < 100:
        raise ValueError(f"chapter {entry['chapter']!r} is not a chapter number")
    if not isinstance(entry["section"], str) or not SECTION.match(entry["section"]):
        raise ValueError(f"section {entry['section']!r} is not like '5.2'")
    if entry["status"] not in STATUSES:
        raise ValueError(f"status {entry['status']!r} is not one of {', '.join(STATUSES)}")
    if not isinstance(entry["wall_s"], (int, float)) or not 0 <= entry["wall_s"] < float("inf"):
        raise ValueError(f"wall_s {entry['wall_s']!r} is not a number of seconds")
    for key in ("source", "output", "log"):
        if not isinstance(entry[key], str):
            raise ValueError(f"{key} {entry[key]!r} is not a path")
    _inside(entry["output"], "output")
    _inside(entry["log"], "log")
    if not isinstance(entry.get("notes", []), list):
        raise ValueError("notes is not a list")
    return entry


def _number(payload: dict, key: str, default: float) -> float:
    value = payload.get(key, default)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default


def _copy_tree(source: Path, target: Path, skipped: list[str]) -> None:
    """Copy ``source`` into ``target``: folders and regular files only (links and special files named in ``skipped``)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(os.scandir(source), key=lambda e: e.name):
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            _copy_tree(Path(entry.path), target / entry.name, skipped)
        elif stat.S_ISREG(info.st_mode):
            destination = target / entry.name
            if destination.is_symlink() or (destination.exists() and not destination.is_file()):
                skipped.append(f"{entry.path}: the merged folder has a link or folder at {destination}")
                continue
            shutil.copyfile(entry.path, destination, follow_symlinks=False)
        else:
            kind = "a link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
            skipped.append(f"{entry.path}: {kind}, not copied")


def _longest_timeout(payloads: list[dict]) -> float | None:
    """The merged run's limit: none when any run had none (``null`` in its results.json)."""
    if any(payload.get("timeout_s", 1) is None for payload in payloads):
        return None
    return max(_number(payload, "timeout_s", 1.0) for payload in payloads)


def merge_runs(run_dirs: list[Path], out_dir: Path, *, site: bool = True) -> Merged:
    """Merge ``run_dirs`` into ``out_dir`` (with its site unless ``site=False``): the report paths and results."""
    run_dirs = [Path(d).resolve() for d in run_dirs]
    out_dir = Path(out_dir).resolve()
    if not run_dirs:
        raise MergeError("Name at least one run folder to merge.")
    runs = [(run_dir, _read_run(run_dir)) for run_dir in run_dirs]
    for run_dir in run_dirs:
        if out_dir == run_dir or out_dir.is_relative_to(run_dir):
            raise MergeError(f"The output folder {out_dir} is (inside) the run folder {run_dir}: merging would "
                             "copy the folder into itself. Choose a folder outside every run folder.")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MergeError(f"Cannot create the output folder {out_dir}: {error.strerror or error}.") from None
    by_notebook: dict[str, NotebookResult] = {}
    skipped: list[str] = []
    for run_dir, payload in runs:
        for tree in TREES:
            source = run_dir / tree
            if source.is_symlink():
                skipped.append(f"{source}: a link, not copied")
            elif source.is_dir():
                _copy_tree(source, out_dir / tree, skipped)
        for number, entry in enumerate(payload["notebooks"]):
            try:
                result = result_from_json(_checked_entry(entry), out_dir)
            except (ValueError, KeyError, TypeError) as error:
                skipped.append(f"{run_dir / RESULTS_FILE}: notebook entry {number} skipped ({error})")
                continue
            if result.ref.stem in by_notebook:
                result.notes.append(f"also in an earlier run folder; this one ({run_dir.name}) is reported")
            by_notebook[result.ref.stem] = result
    results = sorted(by_notebook.values(), key=lambda r: (r.ref.chapter, int(r.ref.section.split(".")[1]), r.ref.stem))
    modes = sorted({str(payload.get("mode", "?")) for _, payload in runs})
    sources = sorted({str(payload.get("data_source", "?")) for _, payload in runs})
    seeds = {payload.get("seed") for _, payload in runs}
    environments = {run_dir.name: payload.get("environment") for run_dir, payload in runs}
    options = RunOptions(
        seed=seeds.pop() if len(seeds) == 1 and all(isinstance(seed, int) and seed >= 0 for seed in seeds) else 0,
        smoke=modes == ["smoke"],
        data_source=", ".join(sources),
        jobs=max(max(int(_number(payload, "jobs", 1)), 1) for _, payload in runs),
        timeout_s=_longest_timeout([payload for _, payload in runs]),
        out_dir=out_dir,
    )
    interrupted = ", ".join(
        f"{run_dir.name}: {str(payload['interrupted'])[:500]}" for run_dir, payload in runs if payload.get("interrupted")
    )
    wall = max(_number(payload, "wall_s", 0.0) for _, payload in runs)
    site_note = None
    if site:
        from dlwp_widgets.book.site import build_run_site

        site_note = build_run_site(out_dir)
    md_path, html_path = write_report(results, options, wall, interrupted=interrupted)
    same = len({json.dumps(env, sort_keys=True) for env in environments.values()}) == 1
    environment = next(iter(environments.values())) if same else {"merged runs": environments}
    write_results(results, replace(options), wall, interrupted=interrupted,
                  environment=environment if isinstance(environment, dict) else {})
    return Merged(md_path, html_path, results, site_note, skipped)
