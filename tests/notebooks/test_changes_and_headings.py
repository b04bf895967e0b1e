"""Every change from the book is marked, the index is generated from the markers, and the
notebooks' section headings carry the book's numbers (from catalog.json)."""

import re

import jupytext
import pytest

from dlwp_widgets.book import catalog, changes
from dlwp_widgets.book.notebooks import find_notebooks

PORTED = [ref for ref in find_notebooks() if changes.FIRST_CHAPTER <= ref.chapter <= changes.LAST_CHAPTER]
ids = [ref.stem for ref in PORTED]
SUBSECTION_HEADING = re.compile(r"^##+ (\d+\.\d+\.\d+) ")
LISTING_HEADING = re.compile(r"^#{2,4} Listing (\d+\.\d+) — ")


@pytest.mark.parametrize("ref", PORTED, ids=ids)
def test_every_change_note_is_a_marker_with_a_kind(ref):
    assert not changes.problems(ref)


def test_the_change_index_is_generated_from_the_notebooks():
    expected = changes.index_markdown(changes.collect())
    path = changes.index_path()
    assert path.exists(), f"{changes.INDEX_PATH} is missing: run `dlwp book changes`"
    assert path.read_text(encoding="utf-8") == expected, f"{changes.INDEX_PATH} is stale: run `dlwp book changes`"


def test_the_index_links_every_marked_listing_to_its_cell():
    found = changes.collect()
    assert len({(c.section, c.listing) for c in found}) > 50, "the markers are not being found"
    body = changes.index_html(found)
    for change in found:
        assert f"href='{change.page}'" in body
        assert catalog.listing(change.listing).section == change.section, f"{change.listing} is not in {change.section}"


def test_the_readme_links_the_index():
    assert "docs/changes-from-the-book.md" in (changes.index_path().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("ref", PORTED, ids=ids)
def test_headings_carry_the_book_section_numbers(ref):
    """A listing sits under the heading of its book subsection (where the section has several)."""
    book = {item.id: item.subsection.split()[0] for item in catalog.listings(ref.chapter) if item.section == ref.section}
    several = len(set(book.values())) > 1
    current, wrong = None, []
    for cell in jupytext.read(ref.source).cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if heading := SUBSECTION_HEADING.match(line):
                current = heading[1]
            elif listing := LISTING_HEADING.match(line):
                wanted = book[listing[1]]
                expected = None if wanted == ref.section else wanted
                if current != expected and (several or current is not None):
                    wrong.append(f"listing {listing[1]} is under {current or 'no subsection'}, the book's is {wanted}")
    assert not wrong, "\n".join(wrong)


UNMARKED = """Two layers.

> **Changed: Keras 3 / TF 2 API.** The input is a `keras.Input`.

Keras 3 counts steps where the book counted samples."""


def test_an_unmarked_change_note_fails():
    assert changes.unmarked_change_notes(UNMARKED) == ["Keras 3 counts steps where the book counted samples."]
    assert changes.split_markers(UNMARKED)[0] == [("Keras 3 / TF 2 API", "The input is a `keras.Input`.")]


@pytest.mark.parametrize("marker", [
    "> **Changed: faster.** We changed it.",
    "> **Changed: our addition.**",
    "> **Changed** the loss.",
])
def test_a_marker_without_a_known_kind_or_a_reason_fails(marker):
    with pytest.raises(changes.MarkerError):
        changes.split_markers(f"Text.\n\n{marker}")


def test_a_marker_may_span_lines_and_the_index_lists_it():
    text = "> **Changed: book bug fixed.** The book's loop\n> never ends."
    assert changes.split_markers(text)[0] == [("book bug fixed", "The book's loop never ends.")]
    change = changes.Change("6.2-x", "ch06_x", "6.2", "6.21", "book bug fixed", "The book's `a|b` loop.")
    page = changes.index_markdown([change])
    assert "| 6.21 | book bug fixed | The book's `a\\|b` loop. |" in page
    assert "<code>a|b</code>" in changes.index_html([change])
    assert change.page == "ch06/6.2-x.html#listing-6.21"  # where the site puts the page (site.page_path)


def test_a_notebook_with_an_unmarked_change_note_is_reported(tmp_path):
    from dlwp_widgets.book.notebooks import NotebookRef

    source = tmp_path / "6.9-x.py"
    source.write_text(
        "# %% [markdown]\n# # 6.9 X\n\n# %% [markdown]\n# ### Listing 6.9 — Tokenizing\n#\n"
        "# TextVectorization replaces the Tokenizer.\n\n# %% listing=\"6.9\"\nx = 1\n",
        encoding="utf-8",
    )
    found = changes.problems(NotebookRef(source, 6, "6.9"))
    assert found == ["6.9-x, listing 6.9: a change note without a marker: 'TextVectorization replaces the Tokenizer.'"]
    source.write_text(source.read_text(encoding="utf-8").replace(
        "# TextVectorization replaces", "# > **Changed: Keras 3 / TF 2 API.** TextVectorization replaces"), encoding="utf-8")
    assert changes.problems(NotebookRef(source, 6, "6.9")) == []
    assert [c.kind for c in changes.notebook_changes(NotebookRef(source, 6, "6.9"))] == ["Keras 3 / TF 2 API"]
