"""The book: its catalog of listings and results, the notebook runner, the report and the CLI.

Notebooks use ``from dlwp_widgets.book import record, against_the_book`` in their
final "This run against the book" cell.
"""

from dlwp_widgets.book.comparison import against_the_book
from dlwp_widgets.recording import record

__all__ = ["against_the_book", "record"]
