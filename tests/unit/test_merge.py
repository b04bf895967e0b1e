"""`dlwp book merge`: one report from run folders of different chapters (the nightly's per-chapter jobs)."""

import json
import os
from pathlib import Path

import nbformat

from dlwp_widgets.book.cli import main

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _pair(root: Path, chapter_folder: str, stem: str, *cells: str) -> None:
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": KERNELSPEC})
    notebook.cells.append(
        nbformat.v4.new_code_cell('SMOKE = False\nDATA_SOURCE = "auto"\nSEED = 0', metadata={"tags": ["parameters"]})
    )
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    folder = root / "chapters" / chapter_folder
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{stem}.ipynb")
    (folder / f"{stem}.py").write_text("# placeholder: the runner executes the .ipynb\n")


def test_two_chapter_runs_merge_into_one_report(tmp_path, monkeypatch, capsys):
    root = tmp_path / "book"
    _pair(root, "ch02_test", "2.1-good", "from dlwp_widgets.book import record\nrecord('mnist_dense_test_accuracy', 0.9, baseline=0.1)")
    _pair(root, "ch03_test", "3.1-bad", "raise ValueError('chapter 3 broke')")
    monkeypatch.setenv("DLWP_ROOT", str(root))
    common = ["book", "run", "--smoke", "--data-source", "standin", "--quiet", "--timeout", "120"]
    assert main(common + ["--chapters", "2", "--out", str(tmp_path / "run-ch02")]) == 0
    assert main(common + ["--chapters", "3", "--out", str(tmp_path / "run-ch03")]) == 1
    for run in ("run-ch02", "run-ch03"):
        results = json.loads((tmp_path / run / "results.json").read_text())
        assert results["mode"] == "smoke" and len(results["notebooks"]) == 1
    capsys.readouterr()

    merged = tmp_path / "merged"
    code = main(["book", "merge", str(tmp_path / "run-ch02"), str(tmp_path / "run-ch03"), "--out", str(merged)])
    out = capsys.readouterr().out
    assert code == 1 and "1 of 2 notebooks passed" in out
    markdown = (merged / "report.md").read_text()
    assert "1 of 2 passed" in markdown
    assert "| 2.1-good | passed |" in markdown and "| 3.1-bad | failed |" in markdown
    assert "ValueError: chapter 3 broke" in markdown and "cell 2" in markdown
    row = next(line for line in markdown.splitlines() if "mnist_dense_test_accuracy" in line)
    assert "0.1 (beaten)" in row
    assert (merged / "report.html").exists()
    assert "Site: " in out and (merged / "site" / "ch02" / "2.1-good.html").exists()
    assert (merged / "site" / "ch03" / "3.1-bad.html").exists()
    assert "site/index.html" in markdown  # the merged report links to the merged site
    assert (merged / "notebooks" / "ch02" / "2.1-good.ipynb").exists()
    assert (merged / "logs" / "ch03" / "3.1-bad.log").exists()
    assert [n["notebook"] for n in json.loads((merged / "results.json").read_text())["notebooks"]] == ["2.1-good", "3.1-bad"]


def test_merge_names_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["book", "merge", str(tmp_path), "--out", str(tmp_path / "merged")]) == 2
    assert "has no results.json" in capsys.readouterr().err
