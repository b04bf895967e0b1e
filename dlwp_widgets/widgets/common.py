"""What every widget shares: one look for errors, one way to read an upload."""

from __future__ import annotations

import html

ERROR_CLASS = "dlwp-error"


def error_html(message: str) -> str:
    """An error shown inside a widget; the CSS class lets browser tests find it."""
    return f'<div class="{ERROR_CLASS}" style="color:#b00020">&#9888; {html.escape(message)}</div>'


class ShowsErrors:
    """Mixin for widgets with an ``error`` HTML area: errors are shown there, never raised.

    ``last_error`` keeps the message on display (None when all went well) for tests.
    """

    last_error: str | None = None

    def show_error(self, message: str) -> None:
        self.last_error = message
        self.error.value = error_html(message)

    def clear_error(self) -> None:
        self.last_error = None
        self.error.value = ""


def uploaded_bytes(value) -> bytes | None:
    """The content of the newest file in a ``FileUpload`` value (ipywidgets 7 or 8)."""
    if not value:
        return None
    entries = list(value.values()) if isinstance(value, dict) else list(value)
    content = entries[-1]["content"]
    return content.tobytes() if isinstance(content, memoryview) else bytes(content)
