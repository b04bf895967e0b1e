"""The ``dlwp`` command: run the book, sync notebooks, fetch data, check the set-up."""

from __future__ import annotations

import argparse
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


def _book_run(args) -> int:
    from dlwp_widgets.book.notebooks import find_notebooks, project_root
    from dlwp_widgets.book.report import write_report
    from dlwp_widgets.book.runner import PASSED, RunOptions, run_notebooks
    from dlwp_widgets.config import check_data_source

    refs = find_notebooks(args.chapters)
    if not refs:
        print(f"No notebooks found for chapters {args.chapters} under {project_root() / 'chapters'}.")
        return 2
    smoke = not args.full
    options = RunOptions(
        smoke=smoke,
        data_source=check_data_source(args.data_source),
        seed=args.seed,
        epochs=args.epochs,
        timeout_s=args.timeout,
        jobs=args.jobs,
        out_dir=Path(args.out or project_root() / "build" / ("smoke" if smoke else "full")).resolve(),
    )
    options.out_dir.mkdir(parents=True, exist_ok=True)
    print(f"Executing {len(refs)} notebooks ({options.mode} mode, data source {options.data_source}, "
          f"{options.jobs} at a time, {options.timeout_s:.0f} s timeout each) into {options.out_dir}")
    start = time.monotonic()
    results = run_notebooks(refs, options, progress=not args.quiet)
    wall = time.monotonic() - start
    md_path, html_path = write_report(results, options, wall)
    failed = [r for r in results if r.status != PASSED]
    print(f"{len(results) - len(failed)} of {len(results)} notebooks passed in {wall:.1f} s.")
    print(f"Report: {md_path}\n        {html_path}")
    return 1 if failed else 0


def _book_sync(args) -> int:
    from dlwp_widgets.book.notebooks import find_notebooks
    from dlwp_widgets.book.sync import sync

    paths = [Path(p) for p in args.paths] or [ref.source for ref in find_notebooks(args.chapters)]
    for path in paths:
        if path.suffix == ".ipynb":
            path = path.with_suffix(".py")
        if not path.exists():
            print(f"{path}: no such notebook source (.py)")
            return 2
        started = time.monotonic()
        target = sync(path, execute=not args.no_execute)
        print(f"wrote {target} ({time.monotonic() - started:.1f} s)")
    return 0


def _book_listings(args) -> int:
    from dlwp_widgets.book import catalog

    for item in catalog.listings(args.chapter):
        print(f"{item.id:>6}  {item.kind:<11}  {item.title}")
    return 0


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dlwp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    book = commands.add_parser("book", help="execute, sync and list the chapter notebooks")
    book_commands = book.add_subparsers(dest="book_command", required=True)
    run = book_commands.add_parser("run", help="execute notebooks with papermill and write a report")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--smoke", action="store_true", help="short CPU run (the default)")
    mode.add_argument("--full", action="store_true", help="the book's settings (GPU recommended)")
    run.add_argument("--chapters", type=_chapters, help="e.g. 2,5 (default: all)")
    run.add_argument("--jobs", type=int, default=1, help="notebooks executed at the same time")
    run.add_argument("--timeout", type=float, default=900.0, help="seconds per notebook")
    run.add_argument("--data-source", default="auto", help="auto, real or standin")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--epochs", type=int, help="override every notebook's EPOCHS")
    run.add_argument("--out", help="output folder (default build/smoke or build/full)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(handler=_book_run)

    sync = book_commands.add_parser("sync", help="regenerate .ipynb pairs with their checked outputs")
    sync.add_argument("paths", nargs="*", help="notebook sources (default: all)")
    sync.add_argument("--chapters", type=_chapters)
    sync.add_argument("--no-execute", action="store_true", help="pair only, store no outputs")
    sync.set_defaults(handler=_book_sync)

    listings = book_commands.add_parser("listings", help="list the book's listings")
    listings.add_argument("--chapter", type=int)
    listings.set_defaults(handler=_book_listings)

    data = commands.add_parser("data", help="datasets: list the cache, prefetch files")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    data_commands.add_parser("list", help="datasets and their cache state").set_defaults(handler=_data_list)
    fetch = data_commands.add_parser("fetch", help="download and verify a dataset's files")
    fetch.add_argument("names", nargs="+", help="dataset names, or 'all'")
    fetch.set_defaults(handler=_data_fetch)

    commands.add_parser("doctor", help="check versions, GPU, data cache and front end").set_defaults(handler=_doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    # TensorFlow's C++ start-up lines would bury the command's own output.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
