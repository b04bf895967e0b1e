"""nbval's comparison of a checked cell's outputs, for notebooks the runner already executed.

nbval (``--nbval-lax``) executes every notebook a second time just to compare the
cells tagged ``nbval-check-output`` with their stored outputs.  The main job has
already executed each notebook once (``dlwp book run``), so the tests compare its
executed copies instead, with nbval's own rules:

* streams of the same name are merged and ``\\r`` / backspace edits applied
  (nbval's ``coalesce_streams``), and keyed by stream name
  (``transform_streams_for_comparison``);
* outputs are flattened to their fields and MIME types, skipping what nbval skips
  (metadata, traceback, execution counts, output types, widget model ids, and
  PNG/JPEG images);
* the two sides must have the same fields, the same number of values per field,
  and equal values, in order.

No sanitising patterns are configured (``--nbval-sanitize-with`` is not used).
"""

from __future__ import annotations

import copy
from collections import defaultdict

from nbval.plugin import coalesce_streams, transform_streams_for_comparison

from dlwp_widgets.book.notebooks import is_checked

# nbval's IPyNbFile.skip_compare without --nbdime
SKIP_COMPARE = (
    "metadata", "traceback", "prompt_number", "output_type", "name", "execution_count",
    "application/vnd.jupyter.widget-view+json", "image/png", "image/jpeg",
)  # fmt: skip
PAPERMILL_TAGS = ("injected-parameters", "papermill-error-cell-tag")


def _flatten(outputs) -> dict[str, list]:
    flat = defaultdict(list)
    for output in transform_streams_for_comparison(coalesce_streams(copy.deepcopy(list(outputs)))):
        for key, value in output.items():
            if key in SKIP_COMPARE:
                continue
            if key == "data":
                for mime, data in value.items():
                    if mime not in SKIP_COMPARE:
                        flat[mime].append(data)
            else:
                flat[key].append(value)
    return flat


def output_difference(executed, stored) -> str | None:
    """Why ``executed`` outputs differ from ``stored`` ones under nbval's rules (None when they agree)."""
    test, ref = _flatten(executed), _flatten(stored)
    if set(ref) - set(test):
        return f"missing output fields from running code: {sorted(set(ref) - set(test))}"
    if set(test) - set(ref):
        return f"unexpected output fields from running code: {sorted(set(test) - set(ref))}"
    for key, ref_values in ref.items():
        test_values = test[key]
        if len(test_values) != len(ref_values):
            return f"dissimilar number of outputs for {key!r}: stored {ref_values!r}, executed {test_values!r}"
        for ref_value, test_value in zip(ref_values, test_values):
            if ref_value != test_value:
                return f"{key!r} differs:\n--- stored\n{ref_value}\n+++ executed\n{test_value}"
    return None


def reader_cells(notebook) -> list:
    """The notebook's cells without those papermill added (injected parameters, error markers)."""
    return [
        cell for cell in notebook.cells
        if not any(tag in cell.get("metadata", {}).get("tags", []) for tag in PAPERMILL_TAGS)
    ]  # fmt: skip


def checked_cell_differences(executed_notebook, stored_notebook) -> list[str]:
    """One line per checked cell whose executed outputs differ from the stored ones."""
    executed, stored = reader_cells(executed_notebook), reader_cells(stored_notebook)
    if len(executed) != len(stored):
        return [f"the executed notebook has {len(executed)} cells, the stored one {len(stored)}"]
    problems = []
    for number, (ran, kept) in enumerate(zip(executed, stored), start=1):
        if kept.cell_type != "code" or not is_checked(kept):
            continue
        difference = output_difference(ran.get("outputs", []), kept.get("outputs", []))
        if difference:
            listing = kept.get("metadata", {}).get("listing")
            problems.append(f"cell {number}" + (f" (listing {listing})" if listing else "") + f": {difference}")
    return problems
