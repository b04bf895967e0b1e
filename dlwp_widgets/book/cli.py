"""The ``dlwp`` command: run the book, sync notebooks, fetch data, check the set-up."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def _chapters(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return sorted({int(part) for part in text.replace(" ", "").split(",") if part})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--chapters takes numbers like 2,3 (got {text!r})") from None


def _selected_notebooks(args):
    """The notebooks ``--notebooks``/``--chapters`` select, or None after printing why there are none."""
    from dlwp_widgets.book.notebooks import SelectionError, find_notebooks, find_root, select_notebooks

    root = find_root()
    if root.origin == "none":
        print("No notebooks found: run `dlwp book get` (writes chapters/ here), or set DLWP_ROOT to a folder "
              "holding chapters/.")
        return None
    if getattr(args, "notebooks", None):
        try:
            return select_notebooks(args.notebooks)
        except SelectionError as error:
            print(f"dlwp: {error}")
            return None
    refs = find_notebooks(args.chapters)
    if not refs:
        print(f"No notebooks found for chapters {args.chapters} under {root.path / 'chapters'} ({root.origin}).")
        return None
    return refs


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"needs a positive number of seconds (got {text!r})")
    return value


def _count(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"needs a whole number (got {text!r})") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"needs a whole number of at least {minimum} (got {value})")
        return value

    return parse


def _output_folder(text: str) -> str:
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} exists and is not a folder")
    return text


def _book_run(args) -> int:
    from dlwp_widgets.book.notebooks import find_root
    from dlwp_widgets.book.report import write_report
    from dlwp_widgets.book.runner import (
        PASSED,
        SMOKE_TIMEOUT_S,
        RunInterrupted,
        RunOptions,
        default_jobs,
        run_notebooks,
        write_results,
    )
    from dlwp_widgets.config import check_data_source, configured_backend

    refs = _selected_notebooks(args)
    if refs is None:
        return 2
    root = find_root()
    # Never write into the installed package: a run of the shipped copy goes to ./build.
    build_base = (root.path if root.writable_copy else Path.cwd()) / "build"
    smoke = not args.full
    timeout = args.timeout if args.timeout is not None else (SMOKE_TIMEOUT_S if smoke else None)
    jobs, jobs_reason = (args.jobs, "--jobs") if args.jobs else default_jobs()
    options = RunOptions(
        smoke=smoke,
        data_source=check_data_source(args.data_source),
        seed=args.seed,
        epochs=args.epochs,
        timeout_s=timeout,
        jobs=jobs,
        out_dir=Path(args.out or build_base / ("smoke" if smoke else "full")).resolve(),
    )
    try:
        options.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"dlwp: cannot use {options.out_dir} as the output folder: {error.strerror or error}")
        return 2
    print(f"Executing {len(refs)} notebooks ({options.mode} mode, data source {options.data_source}, "
          f"Keras backend {configured_backend()}, {options.jobs} at a time ({jobs_reason}), "
          f"{options.timeout_text}) into {options.out_dir}")
    start = time.monotonic()
    try:
        results = run_notebooks(refs, options, progress=not args.quiet)
    except RunInterrupted as stopped:
        wall = time.monotonic() - start
        write_results(stopped.results, options, wall, interrupted=str(stopped))
        md_path, html_path = write_report(stopped.results, options, wall, interrupted=str(stopped))
        print(f"Interrupted ({stopped}) after {wall:.1f} s: every notebook process was stopped.")
        print(f"Report: {md_path}\n        {html_path}")
        return stopped.exit_code
    wall = time.monotonic() - start
    write_results(results, options, wall)
    if not args.no_site:
        from dlwp_widgets.book.site import build_run_site

        print(build_run_site(options.out_dir))
    md_path, html_path = write_report(results, options, wall)
    failed = [r for r in results if r.status != PASSED]
    print(f"{len(results) - len(failed)} of {len(results)} notebooks passed in {wall:.1f} s.")
    print(f"Report: {md_path}\n        {html_path}")
    return 1 if failed else 0


def _book_site(args) -> int:
    from dlwp_widgets.book.notebooks import find_root
    from dlwp_widgets.book.site import build_site

    run_dir = Path(args.run_dir) if args.run_dir else find_root().path / "build" / "smoke"
    if not (run_dir / "notebooks").is_dir():
        print(f"{run_dir} holds no executed notebooks: run `dlwp book run` first, or name its --out folder.")
        return 2
    try:
        site = build_site(run_dir, Path(args.out) if args.out else run_dir / "site")
    except FileNotFoundError as error:
        print(f"dlwp: {error}", file=sys.stderr)
        return 2
    print(f"Site: {site.index} ({len(site.pages)} pages, {site.seconds:.1f} s)")
    return 0


def _book_sync(args) -> int:
    from dlwp_widgets.book.sync import ChangedCheckedCell, sync

    if args.paths:
        paths = [Path(p) for p in args.paths]
    else:
        from dlwp_widgets.book.notebooks import find_root

        if not find_root().writable_copy:
            print("These are the installed package's notebooks (read-only): `dlwp book get DIR`, then sync in DIR.")
            return 2
        refs = _selected_notebooks(args)
        if refs is None:
            return 2
        paths = [ref.source for ref in refs]
    for path in paths:
        if path.suffix == ".ipynb":
            path = path.with_suffix(".py")
        if not path.is_file() or path.suffix != ".py":
            print(f"{path}: no such notebook source (a .py file)", file=sys.stderr)
            return 2
        started = time.monotonic()
        try:
            target = sync(path, execute=not args.no_execute, keep_outputs=args.keep_outputs)
        except ChangedCheckedCell as error:
            print(f"{path}: {error}")
            return 2
        except Exception as error:  # noqa: BLE001 (a notebook that fails to execute or parse: say which, go no further)
            print(f"dlwp: {path} could not be synced ({type(error).__name__}: {_first_line(error)}); "
                  "its .ipynb was left as it was.", file=sys.stderr)
            return 1
        print(f"wrote {target} ({time.monotonic() - started:.1f} s)")
    return 0


def _first_line(error: Exception, limit: int = 300) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    text = lines[-1] if lines else ""
    return text[:limit]


def _book_get(args) -> int:
    from dlwp_widgets.book.get import NothingToGet, get_book

    try:
        result = get_book(Path(args.dir), force=args.force)
    except (NothingToGet, ValueError) as error:
        print(f"dlwp: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"dlwp: cannot write the notebooks into {args.dir}: {_os_error(error)}", file=sys.stderr)
        return 2
    print(result.summary())
    where = "" if Path(args.dir).resolve() == Path.cwd().resolve() else f"cd {args.dir} && "
    print(f"Next: {where}dlwp lab   (or: {where}dlwp book run --smoke --notebooks 2.1)")
    return 0


def _lab(args) -> int:
    from dlwp_widgets.book.lab import launch
    from dlwp_widgets.book.notebooks import find_root

    if args.dir and args.dir.startswith("-"):  # `dlwp lab -- --port 8899`: no folder given
        args.lab_args, args.dir = [args.dir, *args.lab_args], None
    ours = args.lab_args[: args.lab_args.index("--")] if "--" in args.lab_args else args.lab_args
    if "--dry-run" in ours:  # `dlwp lab DIR --dry-run`: after DIR, argparse hands the rest to JupyterLab
        args.dry_run = True
        args.lab_args = [arg for arg in ours if arg != "--dry-run"] + args.lab_args[len(ours):]
    if args.dir:
        folder = Path(args.dir).expanduser().resolve()
    else:
        root = find_root()
        if not root.writable_copy or root.origin == "none":
            print("No notebook folder here: `dlwp book get DIR` copies the notebooks into DIR, then `dlwp lab DIR`.")
            return 2
        folder = root.path
    if not (folder / "chapters").is_dir():
        print(f"{folder} has no chapters/ folder: `dlwp book get {folder}` writes it.")
        return 2
    extra = [arg for arg in args.lab_args if arg != "--"]
    return launch(folder, extra, dry_run=args.dry_run)


def _book_listings(args) -> int:
    from dlwp_widgets.book import catalog

    items = catalog.listings(args.chapter)
    if not items:
        known = sorted({int(item.id.split(".")[0]) for item in catalog.listings(None)})
        print(f"dlwp: the catalog has no listings for chapter {args.chapter} "
              f"(chapters with listings: {', '.join(map(str, known))}).", file=sys.stderr)
        return 2
    for item in items:
        print(f"{item.id:>6}  {item.kind:<11}  {item.title}")
    return 0


def _book_record(args) -> int:
    from dlwp_widgets.book import records

    default_out = records.records_folder()
    out = Path(args.out) if args.out else default_out
    if not args.run_dirs and out.resolve() != default_out.resolve():
        print("dlwp: name the run folders to record (without any, only the README's table is rewritten)",
              file=sys.stderr)
        return 2
    try:
        written = records.record_runs([Path(d) for d in args.run_dirs], out)
    except records.RecordRefused as error:
        print(f"dlwp: no record written: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    if out.resolve() == default_out.resolve():
        readme = default_out.parent / "README.md"
        if readme.exists() and records.update_readme(readme, records.latest_records(default_out)):
            print(f"{readme}: table of reproduction records updated")
    if args.tolerances:
        for path in written:
            print(records.tolerance_report(json.loads(path.read_text(encoding="utf-8")), args.machine))
    return 0


def _book_changes(args) -> int:
    from dlwp_widgets.book import changes
    from dlwp_widgets.book.notebooks import find_notebooks, find_root

    refs = find_notebooks()
    problems = [problem for ref in refs if changes._ported(ref) for problem in changes.problems(ref)]
    if problems:
        print("dlwp: fix these change notes first:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    found = changes.collect(refs)
    if args.check:
        path = changes.index_path()
        if not path.exists() or path.read_text(encoding="utf-8") != changes.index_markdown(found):
            print(f"dlwp: {changes.INDEX_PATH} is stale: run `dlwp book changes`", file=sys.stderr)
            return 1
        print(f"{changes.INDEX_PATH} is up to date ({len(found)} changes).")
        return 0
    if not find_root().writable_copy:
        print(changes.index_markdown(found))
        return 0
    print(f"wrote {changes.write_index()} ({len(found)} changes)")
    return 0


def _book_merge(args) -> int:
    from dlwp_widgets.book.merge import MergeError, merge_runs
    from dlwp_widgets.book.runner import PASSED

    try:
        merged = merge_runs([Path(d) for d in args.run_dirs], Path(args.out), site=not args.no_site)
    except MergeError as error:
        print(f"dlwp: {error}", file=sys.stderr)
        return 2
    for note in merged.skipped:
        print(f"skipped: {note}", file=sys.stderr)
    failed = [r for r in merged.results if r.status != PASSED]
    print(f"Merged {len(args.run_dirs)} run folders: {len(merged.results) - len(failed)} of {len(merged.results)} "
          "notebooks passed.")
    if merged.site_note:
        print(merged.site_note)
    print(f"Report: {merged.markdown}\n        {merged.html}")
    return 1 if failed else 0


def _data_list(args) -> int:
    from dlwp_widgets import datasets
    from dlwp_widgets.datasets import core

    print(f"cache: {core.cache_dir()}")
    if os.environ.get(core.ENV_DATA_DIR):
        print(f"{core.ENV_DATA_DIR}: {os.environ[core.ENV_DATA_DIR]}")
    for name, module in datasets.available().items():
        for remote in module.FILES:
            try:
                state = "cached" if core.cached_path(remote) else "not downloaded"
            except core.DataUnavailable as error:
                state = f"PROBLEM: {error}"
            print(f"{name:<16} {remote.filename:<28} {state}")
    return 0


def _data_fetch(args) -> int:
    from dlwp_widgets import datasets
    from dlwp_widgets.datasets import core

    names = list(datasets.available()) if args.names == ["all"] else args.names
    status = 0
    for name in names:
        try:
            module = datasets.get(name)
            module.fetch()
        except KeyError as error:
            print(error.args[0])
            status = 2
        except core.DataUnavailable as error:
            print(f"{name}: {error}")
            status = 1
        else:
            print(f"{name}: ready in {core.cache_dir()}")
    return status


def _doctor(args) -> int:
    from dlwp_widgets.book.doctor import run_checks

    return run_checks()


def _os_error(error: OSError) -> str:
    """One line for an OSError: the file it concerns and the system's reason."""
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dlwp", description=__doc__)
    parser.add_argument("--verbose", action="store_true",
                        help="show TensorFlow's start-up lines (hidden by default; also DLWP_VERBOSE=1)")
    commands = parser.add_subparsers(dest="command", required=True)

    book = commands.add_parser("book", help="execute, sync and list the chapter notebooks")
    book_commands = book.add_subparsers(dest="book_command", required=True)
    run = book_commands.add_parser("run", help="execute notebooks with papermill and write a report")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--smoke", action="store_true", help="short CPU run (the default)")
    mode.add_argument("--full", action="store_true", help="the book's settings (GPU recommended)")
    run.add_argument("--chapters", type=_chapters, help="e.g. 2,5 (default: all)")
    run.add_argument("--notebooks", help="section or listing numbers, e.g. 5.4,8.1 or 5.24 (overrides --chapters)")
    run.add_argument("--jobs", type=_count(1),
                     help="notebooks executed at the same time (default: one per core, as memory allows)")
    run.add_argument("--timeout", type=_positive_float,
                     help="seconds per notebook (default: 900 in smoke mode, no limit in full mode)")
    run.add_argument("--data-source", default="auto", choices=("auto", "real", "standin"), help="auto, real or standin")
    run.add_argument("--seed", type=_count(0), default=0)
    run.add_argument("--epochs", type=_count(1), help="override every notebook's EPOCHS")
    run.add_argument("--out", type=_output_folder, help="output folder (default build/smoke or build/full)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--no-site", action="store_true", help="skip the static site of executed notebooks")
    run.set_defaults(handler=_book_run)

    site = book_commands.add_parser("site", help="a static site of a run's executed notebooks")
    site.add_argument("run_dir", nargs="?", help="a `dlwp book run` output folder (default build/smoke)")
    site.add_argument("--out", type=_output_folder, help="site folder (default RUN_DIR/site)")
    site.set_defaults(handler=_book_site)

    sync = book_commands.add_parser("sync", help="regenerate .ipynb pairs with their checked outputs")
    sync.add_argument("paths", nargs="*", help="notebook sources (default: all)")
    sync.add_argument("--chapters", type=_chapters)
    sync.add_argument("--notebooks", help="section or listing numbers, e.g. 5.4,8.1")
    sync.add_argument("--no-execute", action="store_true", help="pair only, store no outputs")
    sync.add_argument("--keep-outputs", action="store_true",
                      help="execute nothing: keep the stored outputs of unchanged checked cells (markdown edits)")
    sync.set_defaults(handler=_book_sync)

    get = book_commands.add_parser("get", help="copy the notebooks shipped with the package into a folder")
    get.add_argument("dir", nargs="?", default=".", help="where chapters/ is written (default: here)")
    get.add_argument("--force", action="store_true", help="also replace notebooks you edited")
    get.set_defaults(handler=_book_get)

    listings = book_commands.add_parser("listings", help="list the book's listings")
    listings.add_argument("--chapter", type=int)
    listings.set_defaults(handler=_book_listings)

    changes = book_commands.add_parser("changes", help="regenerate docs/changes-from-the-book.md from the notebooks' markers")
    changes.add_argument("--check", action="store_true", help="only check that the file is up to date")
    changes.set_defaults(handler=_book_changes)

    merge = book_commands.add_parser("merge", help="merge run folders (e.g. one per chapter) into one report")
    merge.add_argument("run_dirs", nargs="+", metavar="RUN_DIR", help="folders written by `dlwp book run`")
    merge.add_argument("--out", required=True, type=_output_folder, help="folder for the merged report")
    merge.add_argument("--no-site", action="store_true", help="skip the merged run's static site")
    merge.set_defaults(handler=_book_merge)

    record = book_commands.add_parser("record", help="real-data full runs -> committed reproduction records")
    record.add_argument("run_dirs", nargs="*", metavar="RUN_DIR",
                        help="`dlwp book run --full --data-source real` folders (several seeds of a notebook: one "
                             "record); none: only rewrite the README's table from records/")
    record.add_argument("--out", type=_output_folder, help="records folder (default: records/ beside chapters/)")
    record.add_argument("--tolerances", action="store_true",
                        help="also print each metric's tolerance from the measured spread, with its source")
    record.add_argument("--machine", default="", help="the machine's name for --tolerances (e.g. '2-core CPU')")
    record.set_defaults(handler=_book_record)

    data = commands.add_parser("data", help="datasets: list the cache, prefetch files")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    data_commands.add_parser("list", help="datasets and their cache state").set_defaults(handler=_data_list)
    fetch = data_commands.add_parser("fetch", help="download and verify a dataset's files")
    fetch.add_argument("names", nargs="+", help="dataset names, or 'all'")
    fetch.set_defaults(handler=_data_fetch)

    doctor = commands.add_parser("doctor", help="check versions, GPU, data cache and front end")
    doctor.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="also show TensorFlow's own start-up lines")
    doctor.set_defaults(handler=_doctor)

    lab = commands.add_parser("lab", help="JupyterLab in the notebook folder (.py notebooks open as notebooks)")
    lab.add_argument("dir", nargs="?", help="a folder holding chapters/ (default: the one dlwp finds)")
    lab.add_argument("--dry-run", action="store_true", help="print the command instead of starting JupyterLab")
    lab.add_argument("lab_args", nargs=argparse.REMAINDER, help="after --: options passed to JupyterLab")
    lab.set_defaults(handler=_lab)
    return parser


def main(argv: list[str] | None = None) -> int:
    # TensorFlow's C++ start-up lines would bury the command's own output.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from dlwp_widgets.config import SettingsError

    args = build_parser().parse_args(argv)
    if getattr(args, "verbose", False):
        os.environ["DLWP_VERBOSE"] = "1"  # also reaches the notebooks' kernels
    try:
        code = args.handler(args)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except SettingsError as error:
        print(f"dlwp: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `dlwp book listings | head`: the reader has what they wanted; no traceback.
        # Point stdout at devnull so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as error:  # a folder that cannot be written, a file where a folder belongs, ...
        print(f"dlwp: {_os_error(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dlwp: interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
