"""Finding and reading the chapter notebooks: listings, checked cells, Jupytext pairs."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

CHECK_TAG = "nbval-check-output"
PARAMETERS_TAG = "parameters"
NOTEBOOK_NAME = re.compile(r"^(?P<chapter>\d+)\.(?P<section>\d+)-[a-z0-9-]+$")


def project_root() -> Path:
    """The repository root: ``DLWP_ROOT``, else the folder above the package."""
    configured = os.environ.get("DLWP_ROOT")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parents[2]


def chapters_dir(root: Path | None = None) -> Path:
    return (root or project_root()) / "chapters"


@dataclass(frozen=True)
class NotebookRef:
    """One chapter notebook pair (``.py`` source and ``.ipynb``)."""

    source: Path  # the py:percent file
    chapter: int
    section: str

    @property
    def ipynb(self) -> Path:
        return self.source.with_suffix(".ipynb")

    @property
    def stem(self) -> str:
        return self.source.stem


def find_notebooks(chapters: list[int] | None = None, root: Path | None = None) -> list[NotebookRef]:
    """Every chapter notebook (sorted by section), optionally for some chapters only."""
    found = []
    for source in sorted(chapters_dir(root).glob("ch*/*.py")):
        match = NOTEBOOK_NAME.match(source.stem)
        if not match:
            continue
        chapter = int(match["chapter"])
        if chapters and chapter not in chapters:
            continue
        found.append(NotebookRef(source, chapter, f"{chapter}.{match['section']}"))
    return sorted(found, key=lambda ref: (ref.chapter, int(ref.section.split(".")[1])))


def cell_listing(cell) -> str | None:
    value = cell.get("metadata", {}).get("listing")
    return str(value) if value is not None else None


def cell_tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def is_checked(cell) -> bool:
    return cell.get("cell_type") == "code" and CHECK_TAG in cell_tags(cell)


def listing_cells(notebook) -> dict[str, list[int]]:
    """Listing id -> indexes of the code cells that carry it."""
    found: dict[str, list[int]] = {}
    for index, cell in enumerate(notebook.cells):
        listing = cell_listing(cell)
        if cell.cell_type == "code" and listing:
            found.setdefault(listing, []).append(index)
    return found


def listing_headings(notebook) -> set[str]:
    """The ``Listing N.M — title`` headings found in markdown cells."""
    headings = set()
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            stripped = line.lstrip("#").strip()
            if stripped.startswith("Listing "):
                headings.add(stripped)
    return headings


def pair_differences(ref: NotebookRef) -> list[str]:
    """How the ``.ipynb`` differs from its ``.py`` source (cell types, sources, tags, listings)."""
    import jupytext

    if not ref.ipynb.exists():
        return [f"{ref.ipynb.name} is missing"]
    source = jupytext.read(ref.source)
    paired = jupytext.read(ref.ipynb)

    def shape(notebook):
        return [
            (cell.cell_type, cell.source.strip(), tuple(cell_tags(cell)), cell_listing(cell))
            for cell in notebook.cells
        ]

    left, right = shape(source), shape(paired)
    if len(left) != len(right):
        return [f"{ref.source.name} has {len(left)} cells, {ref.ipynb.name} has {len(right)}"]
    return [
        f"cell {index}: {ref.source.name} and {ref.ipynb.name} differ"
        for index, (a, b) in enumerate(zip(left, right))
        if a != b
    ]
