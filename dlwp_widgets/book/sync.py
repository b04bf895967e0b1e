"""``dlwp book sync``: regenerate a notebook's ``.ipynb`` from its ``.py`` source.

The ``.ipynb`` keeps exactly the outputs nbval checks (cells tagged
``nbval-check-output``), produced by running the notebook in smoke mode on
stand-in data: those outputs are the same for every reader and data source.
Every other output and execution count is left out, so the committed
notebook never shows stand-in training numbers.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from dlwp_widgets.book.notebooks import is_checked

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _execute(notebook, cwd: Path):
    import nbformat
    import papermill

    env = {"DLWP_SMOKE": "1", "DLWP_DATA_SOURCE": "standin", "DLWP_STATIC_PLOTS": "1"}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            source, executed = Path(tmp) / "in.ipynb", Path(tmp) / "out.ipynb"
            nbformat.write(notebook, source)
            papermill.execute_notebook(
                str(source), str(executed), cwd=str(cwd), kernel_name="python3", progress_bar=False
            )
            return nbformat.read(executed, as_version=4)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def strip_unchecked(notebook, executed=None):
    """Keep outputs (and execution counts, which nbval requires) of checked cells only."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        cell.execution_count = None
        cell.outputs = []
        if executed is not None and is_checked(cell):
            cell.execution_count = executed.cells[index].get("execution_count")
            cell.outputs = executed.cells[index].get("outputs", [])
    return notebook


def stable_cell_ids(notebook):
    """Ids derived from each cell's content, so re-syncing an unchanged cell changes nothing."""
    seen: dict[str, int] = {}
    for cell in notebook.cells:
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        cell.id = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
    return notebook


class ChangedCheckedCell(ValueError):
    """A checked cell's source changed, so its stored output must be produced again by executing."""


def carry_checked_outputs(notebook, stored) -> None:
    """Give each checked cell the output stored for the same source (cell ids follow the source).

    What makes a markdown-only or unchecked-cell edit cheap to pair: nothing is
    executed, and a checked cell whose code changed is refused, never left empty.
    """
    by_id = {cell.get("id"): cell for cell in stored.cells}
    changed = []
    for cell in notebook.cells:
        if cell.cell_type == "code" and is_checked(cell):
            old = by_id.get(cell.id)
            if old is None:
                changed.append(cell.source.splitlines()[0] if cell.source else "(empty cell)")
                continue
            cell.execution_count, cell.outputs = old.get("execution_count"), old.get("outputs", [])
    if changed:
        raise ChangedCheckedCell(
            f"{len(changed)} checked cell(s) changed (first: {changed[0]!r}): sync without --keep-outputs "
            "to execute the notebook and store their new outputs"
        )


def sync(source: Path, execute: bool = True, keep_outputs: bool = False) -> Path:
    """Write ``source``'s ``.ipynb`` pair; returns its path.

    ``keep_outputs``: execute nothing, carry the stored outputs of unchanged checked cells.
    """
    import jupytext
    import nbformat

    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata.setdefault("jupytext", {})["formats"] = "ipynb,py:percent"
    executed = _execute(notebook, source.parent) if execute and not keep_outputs else None
    target = source.with_suffix(".ipynb")
    paired = stable_cell_ids(strip_unchecked(notebook, executed))
    if keep_outputs:
        carry_checked_outputs(paired, nbformat.read(target, as_version=4))
    jupytext.write(paired, target)
    return target
