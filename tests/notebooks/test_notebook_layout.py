"""The reader's view of every notebook: the book first, a short setup, listings without harness.

A notebook opens with its title, then the ``parameters`` cell and a setup cell of
at most four lines whose Colab install is pinned to this package's version;
listing cells hold the book's code only (no recording, timing or test
asserts); the last code cell prints "this run against the book".
"""

import re
import tomllib

import jupytext
import pytest

from dlwp_widgets.book.notebooks import PARAMETERS_TAG, cell_listing, cell_tags, find_notebooks, project_root

NOTEBOOKS = find_notebooks()
ids = [ref.stem for ref in NOTEBOOKS]
MAX_SETUP_LINES = 4
HARNESS = re.compile(r"\brecord\(|perf_counter|\btime\.time\(|^\s*assert\b", re.M)


def _code_lines(source: str) -> list[str]:
    return [line for line in source.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _package_version() -> str:
    with open(project_root() / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


@pytest.mark.parametrize("ref", NOTEBOOKS, ids=ids)
def test_first_screen_is_the_book_and_setup_is_short(ref):
    notebook = jupytext.read(ref.source)
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {ref.section} "), "the title comes first"
    assert "colab.research.google.com" in first.source and "mybinder.org" in first.source, "launch badges"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert PARAMETERS_TAG in cell_tags(code[0])
    setup = code[1]
    lines = _code_lines(setup.source)
    assert len(lines) <= MAX_SETUP_LINES, f"the setup cell has {len(lines)} lines of code:\n" + "\n".join(lines)
    assert "config.setup(" in setup.source
    pins = re.findall(r"dlwp-companion @ git\+\S+@v([0-9][^\"' ]*)", setup.source)
    assert pins == [_package_version()], f"the Colab install must pin v{_package_version()}, found {pins}"


@pytest.mark.parametrize("ref", NOTEBOOKS, ids=ids)
def test_listing_cells_hold_no_harness(ref):
    notebook = jupytext.read(ref.source)
    book_asserts = {"2.3"}  # the book's own naive tensor operations check their arguments with assert
    offending = [
        cell_listing(cell)
        for cell in notebook.cells
        if cell.cell_type == "code" and cell_listing(cell)
        and HARNESS.search(cell.source)
        and not (ref.section in book_asserts and not re.search(r"\brecord\(|perf_counter|time\.time\(", cell.source))
    ]
    assert not offending, f"listing cells that record, time or assert: {offending}"


@pytest.mark.parametrize("ref", NOTEBOOKS, ids=ids)
def test_notebook_ends_with_this_run_against_the_book(ref):
    notebook = jupytext.read(ref.source)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    headings = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert any(source.startswith("## This run against the book") for source in headings)
    assert "against_the_book()" in code[-1].source, "the last code cell prints this run against the book"
    recorded_elsewhere = [cell_listing(cell) or "unlabelled" for cell in code[:-1] if re.search(r"\brecord\(", cell.source)]
    assert not recorded_elsewhere, f"record() outside the final cell: {recorded_elsewhere}"
