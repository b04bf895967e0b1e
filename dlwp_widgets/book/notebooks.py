"""Finding and reading the chapter notebooks: listings, checked cells, Jupytext pairs."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

CHECK_TAG = "nbval-check-output"
PARAMETERS_TAG = "parameters"
NOTEBOOK_NAME = re.compile(r"^(?P<chapter>\d+)\.(?P<section>\d+)-[a-z0-9-]+$")


ENV_ROOT = "DLWP_ROOT"
# Where a built wheel keeps its copy of chapters/ (see setup.py): <package>/book/shipped/chapters/.
SHIPPED_ROOT = Path(__file__).resolve().parent / "shipped"


@dataclass(frozen=True)
class BookRoot:
    """A folder holding ``chapters/``, and how it was found."""

    path: Path
    origin: str  # "DLWP_ROOT", "current folder", "repository checkout", "shipped copy", "none"

    @property
    def writable_copy(self) -> bool:
        """False for the copy inside the installed package (never run or edited in place)."""
        return self.origin != "shipped copy"


def _has_chapters(folder: Path) -> bool:
    """A ``chapters/`` folder holding at least one chapter notebook (not just any folder of that name)."""
    return (folder / "chapters").is_dir() and any(
        NOTEBOOK_NAME.match(path.stem) for path in (folder / "chapters").glob("ch*/*.py")
    )


def repository_root() -> Path | None:
    """The checkout this package was imported from (an editable install), if any."""
    candidate = Path(__file__).resolve().parents[2]
    if _has_chapters(candidate) and (candidate / "pyproject.toml").is_file():
        return candidate
    return None


def find_root() -> BookRoot:
    """Where the notebooks are: ``DLWP_ROOT``, else the current folder if it has
    ``chapters/`` (a ``dlwp book get`` folder), else the repository checkout, else the
    copy shipped inside the package."""
    configured = os.environ.get(ENV_ROOT)
    if configured:
        return BookRoot(Path(configured).expanduser().resolve(), ENV_ROOT)
    here = Path.cwd()
    if _has_chapters(here):
        return BookRoot(here.resolve(), "current folder")
    checkout = repository_root()
    if checkout is not None:
        return BookRoot(checkout, "repository checkout")
    if _has_chapters(SHIPPED_ROOT):
        return BookRoot(SHIPPED_ROOT, "shipped copy")
    return BookRoot(here.resolve(), "none")


def project_root() -> Path:
    """The folder holding ``chapters/`` (see :func:`find_root` for the order)."""
    return find_root().path


def shipped_chapters() -> Path | None:
    """The package's own copy of the notebooks: the wheel's, or the checkout's ``chapters/``."""
    if _has_chapters(SHIPPED_ROOT):
        return SHIPPED_ROOT / "chapters"
    checkout = repository_root()
    return checkout / "chapters" if checkout else None


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


class SelectionError(ValueError):
    """A ``--notebooks`` item that names no notebook."""


def select_notebooks(spec: str | list[str], root: Path | None = None) -> list[NotebookRef]:
    """The notebooks named by ``spec``: section numbers (``5.4``), listing numbers
    (``5.24`` finds its section's notebook through the catalog) or notebook names.

    Every notebook of a section is selected (a section may have several). Raises
    :class:`SelectionError` naming what was not found.
    """
    from dlwp_widgets.book import catalog

    items = [part.strip() for part in (spec.split(",") if isinstance(spec, str) else spec)]
    items = [item for item in items if item]
    if not items:
        raise SelectionError("--notebooks needs section or listing numbers, e.g. 2.1,5.24")
    every = find_notebooks(root=root)
    by_section: dict[str, list[NotebookRef]] = {}
    for ref in every:
        by_section.setdefault(ref.section, []).append(ref)
    listing_sections = {item.id: item.section for item in catalog.listings()}
    chosen: list[NotebookRef] = []
    problems = []
    for item in items:
        if item in by_section:
            found = by_section[item]
        elif item in listing_sections and listing_sections[item] in by_section:
            found = by_section[listing_sections[item]]
        else:
            name = Path(item).stem if item.endswith((".py", ".ipynb")) else Path(item).name
            found = [ref for ref in every if ref.stem == name or ref.stem.startswith(name + "-")]
        if found:
            chosen += [ref for ref in found if ref not in chosen]
            continue
        if item in listing_sections:
            problems.append(f"listing {item} belongs to section {listing_sections[item]}, which has no notebook")
        elif any(section["id"] == item for chapter in catalog.chapters() for section in chapter["sections"]):
            problems.append(f"section {item} has no notebook (it has no runnable listing)")
        else:
            problems.append(f"{item!r} is neither a section, a listing nor a notebook name")
    if problems:
        sections = ", ".join(sorted(by_section, key=lambda s: tuple(int(x) for x in s.split(".")))) or "none"
        raise SelectionError(
            "; ".join(problems) + f". Notebooks found under {chapters_dir(root)}: {sections}."
        )
    return sorted(chosen, key=lambda ref: (ref.chapter, int(ref.section.split(".")[1]), ref.stem))


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
