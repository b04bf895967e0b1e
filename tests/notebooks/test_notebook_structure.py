"""Every chapter notebook: listings present, pairs in sync, checked outputs stored and nothing else."""

import jupytext
import nbformat
import pytest

from dlwp_widgets.book import catalog
from dlwp_widgets.book.notebooks import (
    PARAMETERS_TAG,
    cell_tags,
    find_notebooks,
    is_checked,
    listing_cells,
    listing_headings,
    pair_differences,
)

NOTEBOOKS = find_notebooks()
ids = [ref.stem for ref in NOTEBOOKS]


def test_chapter_2_is_there():
    assert {ref.section for ref in NOTEBOOKS if ref.chapter == 2} == {"2.1", "2.2", "2.3", "2.4", "2.5"}


# Chapters whose every section with runnable listings has its notebook.
COMPLETE_CHAPTERS = [2, 3, 4, 5, 6, 7, 8]
SECTIONS = sorted({ref.section for ref in NOTEBOOKS}, key=lambda s: tuple(map(int, s.split("."))))


def _listing_cells_and_headings(refs):
    cells, headings = {}, set()
    for ref in refs:
        notebook = jupytext.read(ref.source)
        for listing in listing_cells(notebook):
            cells.setdefault(listing, ref.stem)
        headings |= listing_headings(notebook)
    return cells, headings


@pytest.mark.parametrize("section", SECTIONS)
def test_every_runnable_listing_of_a_section_has_its_headed_cell(section):
    cells, headings = _listing_cells_and_headings(ref for ref in NOTEBOOKS if ref.section == section)
    expected = [item for item in catalog.listings(int(section.split(".")[0])) if item.section == section]
    missing_cells = [item.id for item in expected if item.runnable and item.id not in cells]
    missing_headings = [item.heading for item in expected if item.id in cells and item.heading not in headings]
    assert not missing_cells, f"section {section}: runnable listings without a cell: {missing_cells}"
    assert not missing_headings, f"section {section}: listing cells without their heading: {missing_headings}"


@pytest.mark.parametrize("chapter", COMPLETE_CHAPTERS)
def test_complete_chapters_have_every_listing(chapter):
    """Every listing, runnable or not: pseudo-code, schematics and shell commands run as cells too."""
    cells, _ = _listing_cells_and_headings(ref for ref in NOTEBOOKS if ref.chapter == chapter)
    missing = [f"{item.id} ({item.kind})" for item in catalog.listings(chapter) if item.id not in cells]
    assert not missing, f"chapter {chapter}: listings without a cell: {missing}"


@pytest.mark.parametrize("ref", NOTEBOOKS, ids=ids)
def test_pair_is_in_sync(ref):
    differences = pair_differences(ref)
    assert not differences, f"run `dlwp book sync {ref.source}`: " + "; ".join(differences)


@pytest.mark.parametrize("ref", NOTEBOOKS, ids=ids)
def test_notebook_conventions(ref):
    notebook = nbformat.read(ref.ipynb, as_version=4)
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3", "papermill needs a kernelspec"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert PARAMETERS_TAG in cell_tags(code[0]), "the first code cell must be tagged `parameters`"
    for name in ("SMOKE", "EPOCHS", "DATA_SOURCE", "SEED"):
        assert f"{name} =" in code[0].source
    assert "config.setup(" in code[1].source and "google.colab" in code[1].source


@pytest.mark.parametrize("ref", NOTEBOOKS, ids=ids)
def test_checked_cells_keep_outputs_and_others_keep_none(ref):
    notebook = nbformat.read(ref.ipynb, as_version=4)
    checked = [cell for cell in notebook.cells if is_checked(cell)]
    assert checked, "each notebook needs outputs that nbval checks"
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if is_checked(cell):
            assert cell.outputs, f"cell {index} is checked but has no stored output: nbval would pass vacuously"
            assert cell.execution_count is not None
            for output in cell.outputs:
                assert output.get("name") != "stderr", f"cell {index} stores stderr: {output.get('text')!r}"
        else:
            assert not cell.outputs, f"cell {index} stores unchecked output (training results must not be committed)"


def test_chapter_2_has_at_least_ten_checked_cells():
    count = sum(
        is_checked(cell)
        for ref in NOTEBOOKS
        if ref.chapter == 2
        for cell in nbformat.read(ref.ipynb, as_version=4).cells
    )
    assert count >= 10
