"""docs/architecture.md's limits table matches the code: every `constant` = value it names is read and compared."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
NAMED_VALUE = re.compile(r"`(dlwp_widgets(?:\.\w+)+)((?:\.\w+|\[\d+\])*)` = ([\d,]+)")


def _limits_section() -> str:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    return text[text.index("## Limits\n"):text.index("\n## ", text.index("## Limits\n") + 1)]


def _resolve(dotted: str):
    """The object a dotted path names: the longest importable module prefix, then attributes and [index]es."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for piece in re.findall(r"\w+|\[\d+\]", ".".join(parts[cut:])):
            value = value[int(piece[1:-1])] if piece.startswith("[") else getattr(value, piece)
        return value
    raise ImportError(dotted)


def test_every_limit_in_the_table_is_the_codes_value():
    section = _limits_section()
    pairs = NAMED_VALUE.findall(section)
    assert len(pairs) >= 20, pairs
    for module_path, rest, value in pairs:
        assert _resolve(module_path + rest) == int(value.replace(",", "")), f"{module_path}{rest} is not {value}"


def test_the_table_has_a_test_for_every_row():
    rows = [line for line in _limits_section().splitlines() if line.startswith("| ") and not line.startswith("| Input")]
    assert len(rows) >= 14
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 4 and "test" in cells[3], row
