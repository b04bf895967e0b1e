"""`--notebooks` selection and where the notebooks are looked for (DLWP_ROOT, current folder, checkout, shipped copy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlwp_widgets.book import catalog, notebooks
from dlwp_widgets.book.cli import main
from dlwp_widgets.book.notebooks import SelectionError, find_root, select_notebooks


def _fake_book(root: Path, stems: list[str]) -> Path:
    for stem in stems:
        chapter = int(stem.split(".")[0])
        folder = root / "chapters" / f"ch{chapter:02d}_x"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{stem}.py").write_text("# %%\nprint(1)\n")
    return root


@pytest.fixture
def book(tmp_path, monkeypatch):
    root = _fake_book(tmp_path, ["2.1-first", "5.4-visualizing", "8.1-text", "9.2-one", "9.2-two", "9.3-three"])
    monkeypatch.setenv("DLWP_ROOT", str(root))
    return root


def test_sections_select_their_notebooks_in_book_order(book):
    assert [ref.stem for ref in select_notebooks("8.1,5.4")] == ["5.4-visualizing", "8.1-text"]


def test_every_notebook_of_a_section_is_selected(book):
    assert [ref.stem for ref in select_notebooks("9.2")] == ["9.2-one", "9.2-two"]


def test_a_listing_number_finds_its_sections_notebook(book):
    listing = next(item for item in catalog.listings(5) if item.section == "5.4" and item.id != "5.4")
    assert [ref.stem for ref in select_notebooks(listing.id)] == ["5.4-visualizing"]


def test_a_notebook_name_selects_it(book):
    assert [ref.stem for ref in select_notebooks(["9.2-two"])] == ["9.2-two"]


def test_duplicates_are_selected_once(book):
    assert [ref.stem for ref in select_notebooks("2.1, 2.1,2.1-first")] == ["2.1-first"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [("7.99", "neither a section"), ("7.7", "section 7.1, which has no notebook"), ("4.4", "no notebook"), ("", "needs section"), ("nonsense", "neither")],
)
def test_unknown_items_are_clear_errors(book, spec, message):
    with pytest.raises(SelectionError, match=message):
        select_notebooks(spec)


def test_cli_exits_2_on_an_unknown_notebook(book, capsys):
    assert main(["book", "run", "--notebooks", "7.99"]) == 2
    out = capsys.readouterr().out
    assert "7.99" in out and "2.1, 5.4, 8.1, 9.2, 9.3" in out


def test_cli_sync_accepts_notebooks_too(book, capsys):
    assert main(["book", "sync", "--notebooks", "7.7"]) == 2


def test_root_order(tmp_path, monkeypatch):
    reader = _fake_book(tmp_path / "reader", ["2.1-first"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("DLWP_ROOT", str(elsewhere))
    monkeypatch.chdir(reader)
    assert find_root().origin == "DLWP_ROOT" and find_root().path == elsewhere.resolve()
    monkeypatch.delenv("DLWP_ROOT")
    assert find_root() == notebooks.BookRoot(reader.resolve(), "current folder")
    monkeypatch.chdir(elsewhere)
    found = find_root()
    assert found.origin in ("repository checkout", "shipped copy")
    assert (found.path / "chapters").is_dir()


def test_shipped_copy_is_last_and_never_written(tmp_path, monkeypatch):
    shipped = _fake_book(tmp_path / "shipped", ["2.1-first"])
    monkeypatch.delenv("DLWP_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(notebooks, "repository_root", lambda: None)
    monkeypatch.setattr(notebooks, "SHIPPED_ROOT", shipped)
    root = find_root()
    assert root.origin == "shipped copy" and not root.writable_copy
    monkeypatch.setattr(notebooks, "SHIPPED_ROOT", tmp_path / "nothing")
    assert find_root().origin == "none"
    assert main(["book", "run", "--notebooks", "2.1"]) == 2


def test_a_chapters_folder_without_notebooks_is_not_a_book(tmp_path, monkeypatch):
    monkeypatch.delenv("DLWP_ROOT", raising=False)
    (tmp_path / "chapters" / "intro").mkdir(parents=True)  # e.g. a LaTeX book's chapters/
    (tmp_path / "chapters" / "intro" / "make.py").write_text("")
    monkeypatch.chdir(tmp_path)
    assert find_root().origin != "current folder"
