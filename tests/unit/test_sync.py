"""`dlwp book sync`: the .ipynb keeps checked outputs only, with stable cell ids."""

import jupytext
import nbformat

from dlwp_widgets.book.sync import sync

SOURCE = """# %% tags=["parameters"]
SMOKE = False

# %% tags=["nbval-check-output"]
print("checked", 2 + 2)

# %%
print("training noise")
"""


def test_sync_keeps_only_checked_outputs_and_stable_ids(tmp_path):
    source = tmp_path / "9.1-demo.py"
    source.write_text(SOURCE)
    first = nbformat.read(sync(source), as_version=4)
    checked, unchecked = first.cells[1], first.cells[2]
    assert checked.outputs[0]["text"] == "checked 4\n" and checked.execution_count is not None
    assert unchecked.outputs == [] and unchecked.execution_count is None
    assert first.metadata["kernelspec"]["name"] == "python3"

    again = nbformat.read(sync(source), as_version=4)
    assert [cell.id for cell in again.cells] == [cell.id for cell in first.cells]
    assert jupytext.read(source).cells[1].source == again.cells[1].source


def test_keep_outputs_pairs_an_edit_without_executing_and_refuses_a_changed_checked_cell(tmp_path):
    import pytest

    from dlwp_widgets.book.sync import ChangedCheckedCell

    source = tmp_path / "9.1-demo.py"
    source.write_text(SOURCE)
    sync(source)
    source.write_text(SOURCE.replace('print("training noise")', 'print("never executed")') + "\n# %% [markdown]\n# new\n")
    kept = nbformat.read(sync(source, keep_outputs=True), as_version=4)
    assert kept.cells[1].outputs[0]["text"] == "checked 4\n"
    assert kept.cells[2].source == 'print("never executed")' and kept.cells[2].outputs == []

    source.write_text(SOURCE.replace("2 + 2", "2 + 3"))
    with pytest.raises(ChangedCheckedCell, match="without --keep-outputs"):
        sync(source, keep_outputs=True)
    assert nbformat.read(source.with_suffix(".ipynb"), as_version=4).cells[1].outputs[0]["text"] == "checked 4\n"
