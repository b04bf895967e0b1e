"""Every numeric tolerance of the book's chapters 2-8 says where it came from (issue #18)."""

import dataclasses
import numbers

from dlwp_widgets.book import catalog


def _chapter(target: catalog.Target) -> int:
    """The chapter a target belongs to: its listing's, or its notebook stem's leading number."""
    if target.listing:
        return catalog.listing(target.listing).chapter
    return int(target.notebook.split(".", 1)[0])


def _unsourced(targets) -> list[str]:
    """Metrics of chapters 2-8 with a numeric book figure and a tolerance but no ``tolerance_source``."""
    return sorted(
        t.metric
        for t in targets
        if isinstance(t.book, numbers.Real)
        and not isinstance(t.book, bool)
        and t.tolerance is not None
        and 2 <= _chapter(t) <= 8
        and not t.tolerance_source.strip()
    )


def test_every_numeric_tolerance_of_chapters_2_to_8_says_where_it_came_from():
    targets = list(catalog.targets().values())
    assert any(2 <= _chapter(t) <= 8 and t.tolerance is not None for t in targets)
    assert _unsourced(targets) == []


def test_a_blank_or_whitespace_source_is_caught():
    target = catalog.targets()["imdb_dense_test_accuracy"]
    for blank in ("", "  "):
        assert _unsourced([dataclasses.replace(target, tolerance_source=blank)]) == ["imdb_dense_test_accuracy"]
    # a target without a book figure or tolerance needs no source
    assert _unsourced([dataclasses.replace(target, book=None, tolerance_source="")]) == []
    assert _unsourced([dataclasses.replace(target, tolerance=None, tolerance_source="")]) == []
