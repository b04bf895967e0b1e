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


RELATIONS = (">", ">=", "<", "<=")


@dataclass(frozen=True)
class Relation:
    """``value RELATION factor * other ± margin``: a claim a wrong result fails.

    ``than`` is another recorded metric, ``"baseline"`` (the entry's own trivial
    baseline) or a number.  For ``>``/``>=`` the margin is added (the value must
    clear the other by it), for ``<``/``<=`` subtracted.
    """

    relation: str
    than: str | float
    factor: float = 1.0
    margin: float = 0.0

    def bound(self, other: float) -> float:
        shift = self.margin if self.relation.startswith(">") else -self.margin
        return self.factor * other + shift

    def holds(self, value: float, other: float) -> bool:
        bound = self.bound(other)
        return {">": value > bound, ">=": value >= bound, "<": value < bound, "<=": value <= bound}[self.relation]

    def text(self) -> str:
        other = self.than if isinstance(self.than, str) else f"{self.than:g}"
        scaled = f"{self.factor:g} × {other}" if self.factor != 1 else str(other)
        if self.margin:
            scaled += f" {'+' if self.relation.startswith('>') else '−'} {self.margin:g}"
        return f"{self.relation} {scaled}"


@dataclass(frozen=True)
class Claim(Relation):
    """The relation a target's value must satisfy, and on which runs it is judged."""

    mode: str = "any"  # "full": only judged at the book's settings
    data: str = "any"  # "real": only judged when the metric's own data were real


@dataclass(frozen=True)
class Precondition(Relation):
    """What must hold of another metric before a claim is judged (e.g. in-distribution accuracy >= 0.97)."""

    metric: str = ""


@dataclass(frozen=True)
class Target:
    """A figure the book reports (or a claim of ours), keyed by the metric name notebooks record."""

    metric: str
    book: float | None
    book_text: str
    tolerance: float | None
    higher_is_better: bool
    listing: str  # empty for experiments of our own (chapter 9)
    result_row: int | None
    description: str
    baseline_beaten: bool = True  # False where the book says the model does NOT beat the baseline
    claim: Claim | None = None
    preconditions: tuple[Precondition, ...] = ()
    illustration: str = ""  # why no check a wrong result would fail exists (shown as "illustration")
    tolerance_source: str = ""  # where the tolerance came from (seeds, data, date, machine)
    notebook: str = ""  # the notebook stem, where the listing does not say it (chapter 9)

    def verdict(self, value: float) -> str:
        """``within``/``outside`` the book's figure ± tolerance, or ``no book figure``."""
        if self.book is None or self.tolerance is None:
            return "no book figure"
        return "within" if self.within_tolerance(value) else "outside"

    def within_tolerance(self, value: float) -> bool | None:
        if self.book is None or self.tolerance is None:
            return None
        return abs(value - self.book) <= self.tolerance + 1e-12

    def belongs_to(self, stem: str) -> bool:
        """Whether the notebook ``stem`` (e.g. ``2.1-a-first-look...``) must record this metric."""
        if self.notebook:
            return stem == self.notebook
        return bool(self.listing) and listing(self.listing).section == stem.split("-", 1)[0]


def _relation_fields(raw: dict, where: str) -> dict:
    relation = raw.get("relation")
    if relation not in RELATIONS:
        raise ValueError(f"{where}: relation {relation!r} is not one of {', '.join(RELATIONS)}")
    than = raw.get("than", raw.get("value"))
    if not isinstance(than, (str, int, float)) or isinstance(than, bool):
        raise ValueError(f"{where}: 'than' must be a metric name, 'baseline' or a number")
    return {
        "relation": relation,
        "than": than if isinstance(than, str) else float(than),
        "factor": float(raw.get("factor", 1.0)),
        "margin": float(raw.get("margin", 0.0)),
    }


def _claim(raw: dict | None, where: str) -> Claim | None:
    if raw is None:
        return None
    mode, data = raw.get("mode", "any"), raw.get("data", "any")
    if mode not in ("any", "full") or data not in ("any", "real"):
        raise ValueError(f"{where}: claim mode must be 'any' or 'full', data 'any' or 'real'")
    return Claim(**_relation_fields(raw, where), mode=mode, data=data)


def _preconditions(raw: list | None, where: str) -> tuple[Precondition, ...]:
    found = []
    for item in raw or []:
        if not isinstance(item, dict) or not isinstance(item.get("metric"), str):
            raise ValueError(f"{where}: each precondition needs a 'metric'")
        found.append(Precondition(**_relation_fields(item, where), metric=item["metric"]))
    return tuple(found)


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
                claim=_claim(raw.get("claim"), f"{path.name}: {raw['metric']}"),
                preconditions=_preconditions(raw.get("preconditions"), f"{path.name}: {raw['metric']}"),
                illustration=raw.get("illustration", ""),
                tolerance_source=raw.get("tolerance_source", ""),
                notebook=raw.get("notebook", ""),
            )
            if target.metric in found:
                raise ValueError(f"{path.name}: metric {target.metric!r} is defined twice.")
            found[target.metric] = target
    return found
