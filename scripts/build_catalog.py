"""Regenerate dlwp_widgets/book/catalog.json from the book's fact inventory.

Usage: python scripts/build_catalog.py [path/to/book_inventory.yaml]

Only facts are carried over: chapter/section/listing numbers, titles, listing
kinds and the results the book reports.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INVENTORY = ROOT.parent / "shared" / "book" / "book_inventory.yaml"
RESULT_KEYS = ("name", "metric", "value", "split", "epochs", "listing")


def build(inventory: dict) -> dict:
    chapters = []
    for chapter in inventory["chapters"]:
        sections = []
        for section in chapter.get("sections", []):
            sections.append(
                {
                    "id": str(section["id"]),
                    "title": section["title"],
                    "results": [
                        {key: result.get(key) for key in RESULT_KEYS}
                        for result in section.get("results", [])
                    ],
                    "listings": [
                        {
                            "id": str(listing["id"]),
                            "title": listing["title"],
                            "kind": listing["kind"],
                            "subsection": listing.get("section", ""),
                        }
                        for listing in section.get("listings", [])
                    ],
                }
            )
        chapters.append({"number": chapter["number"], "title": chapter["title"], "sections": sections})
    book = inventory["book"]
    return {
        "book": {"title": book["title"], "author": book["author"], "edition": book["edition"]},
        "chapters": chapters,
    }


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_INVENTORY
    catalog = build(yaml.safe_load(source.read_text(encoding="utf-8")))
    target = ROOT / "dlwp_widgets" / "book" / "catalog.json"
    target.write_text(json.dumps(catalog, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    count = sum(len(s["listings"]) for c in catalog["chapters"] for s in c["sections"])
    print(f"wrote {target.relative_to(ROOT)}: {len(catalog['chapters'])} chapters, {count} listings")


if __name__ == "__main__":
    main()
