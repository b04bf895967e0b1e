"""Issue 23, items 7 and 9: every `dlwp` subcommand given bad paths, bad values and odd files answers with a
one-line message and its exit status (2 for bad input), never a traceback, and never writes through a link.

`dlwp doctor` takes no input; `dlwp book run`'s bad values are tests/unit/test_robustness_cli.py's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from dlwp_widgets.book.cli import main


def _one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    lines = [line for line in (captured.err or captured.out).splitlines() if line.strip()]
    assert lines, "no message"
    return lines[-1]


def _run_folder(folder: Path, entries: list | None = None) -> Path:
    """A folder shaped like `dlwp book run`'s, with one executed notebook."""
    notebook = folder / "notebooks" / "ch02" / "2.1-a.ipynb"
    notebook.parent.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 2.1")]), notebook)
    (folder / "logs" / "ch02").mkdir(parents=True)
    (folder / "logs" / "ch02" / "2.1-a.log").write_text("log\n")
    good = {"notebook": "2.1-a", "source": "chapters/ch02_x/2.1-a.py", "chapter": 2, "section": "2.1",
            "status": "passed", "wall_s": 1.0, "output": "notebooks/ch02/2.1-a.ipynb", "log": "logs/ch02/2.1-a.log"}
    payload = {"mode": "smoke", "data_source": "standin", "jobs": 1, "timeout_s": 60, "wall_s": 1.0,
               "notebooks": [good] + (entries or [])}
    (folder / "results.json").write_text(json.dumps(payload))
    return folder


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["book", "site", "{tmp}/missing"], "holds no executed notebooks"),
        (["book", "sync", "{tmp}"], "no such notebook source"),
        (["book", "sync", "{tmp}/missing.py"], "no such notebook source"),
        (["book", "get", "{tmp}/a-file"], "is a file, not a folder"),
        (["book", "get", "{tmp}/a-file/under"], "Not a directory"),
        (["book", "merge", "{tmp}/missing", "--out", "{tmp}/merged"], "has no results.json"),
        (["book", "merge", "{tmp}/run", "--out", "{tmp}/run/merged"], "copy the folder into itself"),
        (["book", "listings", "--chapter", "42"], "no listings for chapter 42"),
        (["data", "fetch", "no-such-dataset"], "no-such-dataset"),
        (["lab", "{tmp}"], "has no chapters/ folder"),
    ],
)
def test_bad_paths_and_values_are_one_line_and_exit_2(tmp_path, capsys, arguments, message):
    (tmp_path / "a-file").write_text("x")
    _run_folder(tmp_path / "run")
    code = main([argument.replace("{tmp}", str(tmp_path)) for argument in arguments])
    assert code == 2
    assert message in _one_line_error(capsys)


@pytest.mark.parametrize(
    "arguments",
    [
        ["book", "site", "{tmp}/run", "--out", "{tmp}/a-file"],
        ["book", "merge", "{tmp}/run", "--out", "{tmp}/a-file"],
        ["book", "listings", "--chapter", "two"],
        ["book", "sync", "--chapters", "x"],
        ["data", "nothing"],
    ],
)
def test_bad_option_values_exit_2_with_usage(tmp_path, capsys, arguments):
    (tmp_path / "a-file").write_text("x")
    _run_folder(tmp_path / "run")
    with pytest.raises(SystemExit) as exit_info:
        main([argument.replace("{tmp}", str(tmp_path)) for argument in arguments])
    assert exit_info.value.code == 2
    assert "error:" in _one_line_error(capsys)


def test_book_site_with_an_unreadable_notebook_still_builds_the_site(tmp_path, capsys):
    run = _run_folder(tmp_path / "run")
    (run / "notebooks" / "ch02" / "2.2-broken.ipynb").write_text("{ not json")
    assert main(["book", "site", str(run), "--out", str(tmp_path / "site")]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert (tmp_path / "site" / "ch02" / "2.2-broken.html").exists() and (tmp_path / "site" / "index.html").exists()


def test_book_sync_of_a_failing_notebook_is_a_message(tmp_path, capsys):
    source = tmp_path / "2.1-fails.py"
    source.write_text("# %%\nraise ValueError('this notebook fails')\n")
    assert main(["book", "sync", str(source)]) == 1
    line = _one_line_error(capsys)
    assert "could not be synced" in line and "this notebook fails" in line
    assert not source.with_suffix(".ipynb").exists()


def test_book_get_never_writes_through_a_planted_partial_link(tmp_path, capsys):
    assert main(["book", "get", str(tmp_path / "book")]) == 0
    name = next((tmp_path / "book" / "chapters").glob("ch02*/2.1-*.py"))
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    name.write_text("edited by the reader")  # kept without --force: get would otherwise skip it
    partial = name.with_name(name.name + ".partial")
    partial.symlink_to(outside)
    assert main(["book", "get", str(tmp_path / "book"), "--force"]) == 0
    assert outside.read_text() == "precious" and not partial.exists()
    assert name.read_text() != "edited by the reader"
    link = next((tmp_path / "book" / "chapters").glob("ch03*/3.*.py"))
    link.unlink()
    link.symlink_to(outside)
    assert main(["book", "get", str(tmp_path / "book")]) == 0
    assert "a symbolic link: not followed" in capsys.readouterr().out and outside.read_text() == "precious"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_book_get_into_a_read_only_folder_is_a_message(tmp_path, capsys):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert main(["book", "get", str(folder)]) == 2
        assert "cannot write the notebooks" in _one_line_error(capsys)
    finally:
        folder.chmod(0o700)


def test_lab_dir_dry_run_only_prints_the_command(tmp_path, capsys, monkeypatch):
    import subprocess

    (tmp_path / "chapters").mkdir()
    monkeypatch.setattr(subprocess, "call", lambda *a, **k: pytest.fail("JupyterLab was started"))
    assert main(["lab", str(tmp_path), "--dry-run"]) == 0
    assert "jupyter" in capsys.readouterr().out.lower()


def test_merge_skips_bad_entries_and_links_and_names_them(tmp_path, capsys):
    bad = [{"notebook": "x"}, {"source": "s.py", "chapter": "two", "section": "2.2", "status": "passed", "wall_s": 1,
                               "output": "o", "log": "l"},
           {"source": "s.py", "chapter": 2, "section": "2.3", "status": "passed", "wall_s": 1,
            "output": "../../etc/passwd", "log": "l"}, "not an object"]
    run = _run_folder(tmp_path / "run", bad)
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the run folder")
    (run / "logs" / "ch02" / "stolen.log").symlink_to(secret)
    assert main(["book", "merge", str(run), "--out", str(tmp_path / "merged"), "--no-site"]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert captured.err.count("notebook entry") == 4 and "lacks source" in captured.err
    assert "chapter 'two' is not a chapter number" in captured.err and "not a path inside" in captured.err
    assert "stolen.log: a link, not copied" in captured.err
    assert not (tmp_path / "merged" / "logs" / "ch02" / "stolen.log").exists()
    assert (tmp_path / "merged" / "logs" / "ch02" / "2.1-a.log").read_text() == "log\n"
