"""The book: its catalog of listings and results, the notebook runner, the report and the CLI.

``from dlwp_widgets.book import record`` is what notebooks use.
"""

from dlwp_widgets.book.recording import record

__all__ = ["record"]
