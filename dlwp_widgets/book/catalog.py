"""The book as data: chapters, sections, listings and the results it reports.

``catalog.json`` is generated from the fact inventory by
``scripts/build_catalog.py``; ``targets/chNN.json`` map the metric names that
notebooks record to the book's figure and a tolerance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Listing:
    id: str
    title: str
    kind: str  # runnable | pseudo-code | shell | schematic
    chapter: int
    section: str
    subsection: str

    @property
    def runnable(self) -> bool:
        return self.kind == "runnable"

    @property
    def heading(self) -> str:
        """The markdown heading a notebook gives this listing's cell."""
        return f"Listing {self.id} — {self.title}"


@dataclass(frozen=True)
class Target:
    """A figure the book reports, keyed by the metric name notebooks record."""

    metric: str
    book: float | None
    book_text: str
    tolerance: float | None
    higher_is_better: bool
    listing: str  # empty for experiments of our own (chapter 9)
    result_row: int | None
    description: str
    baseline_beaten: bool = True  # False where the book says the model does NOT beat the baseline

    def verdict(self, value: float) -> str:
        """``within``/``outside`` the book's figure ± tolerance, or ``no book figure``."""
        if self.book is None or self.tolerance is None:
            return "no book figure"
        return "within" if abs(value - self.book) <= self.tolerance else "outside"


@lru_cache(maxsize=1)
def _catalog() -> dict:
    return json.loads(resources.files(__package__).joinpath("catalog.json").read_text(encoding="utf-8"))


def chapters() -> list[dict]:
    return _catalog()["chapters"]


def listings(chapter_number: int | None = None) -> list[Listing]:
    found = []
    for entry in chapters():
        if chapter_number is not None and entry["number"] != chapter_number:
            continue
        for section in entry["sections"]:
            for item in section["listings"]:
                found.append(
                    Listing(
                        id=item["id"],
                        title=item["title"],
                        kind=item["kind"],
                        chapter=entry["number"],
                        section=section["id"],
                        subsection=item["subsection"],
                    )
                )
    return found


def listing(listing_id: str) -> Listing:
    for item in listings():
        if item.id == listing_id:
            return item
    raise KeyError(f"The book has no listing {listing_id}.")


@lru_cache(maxsize=1)
def targets() -> dict[str, Target]:
    """Every metric with a book figure, from all ``targets/chNN.json`` files."""
    found: dict[str, Target] = {}
    folder = resources.files(__package__).joinpath("targets")
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".json"):
            continue
        for raw in json.loads(path.read_text(encoding="utf-8")):
            target = Target(
                metric=raw["metric"],
                book=raw.get("book"),
                book_text=raw.get("book_text", ""),
                tolerance=raw.get("tolerance"),
                higher_is_better=raw.get("higher_is_better", True),
                listing=raw.get("listing", ""),
                result_row=raw.get("result_row"),
                description=raw.get("description", ""),
                baseline_beaten=raw.get("baseline_beaten", True),
            )
            if target.metric in found:
                raise ValueError(f"{path.name}: metric {target.metric!r} is defined twice.")
            found[target.metric] = target
    return found
