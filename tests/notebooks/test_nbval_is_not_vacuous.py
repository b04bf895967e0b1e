"""The stored-output check really compares: a tampered stored output must fail.

A tiny synthetic notebook (not a chapter: nothing here executes a chapter
notebook a second time) goes through the same path as the main job's: executed
by the runner, then compared with the stored outputs by nbval's rules.
"""

import nbformat

from dlwp_widgets.book.notebooks import CHECK_TAG, NotebookRef
from dlwp_widgets.book.runner import PASSED, RunOptions, run_notebooks
from output_comparison import checked_cell_differences, output_difference

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _stored_notebook(path, shape_text):
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": KERNELSPEC})
    notebook.cells = [
        nbformat.v4.new_code_cell("SMOKE = False", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("### Listing 9.1 — shapes"),
        nbformat.v4.new_code_cell("import numpy as np\nprint(np.zeros((60000, 28, 28)).shape)",
                                  metadata={"tags": [CHECK_TAG], "listing": "9.1"}),
        nbformat.v4.new_code_cell("print('unchecked', np.random.rand())"),
    ]
    notebook.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text=shape_text)]
    notebook.cells[2].execution_count = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return NotebookRef(path.with_suffix(".py"), 9, "9.1")


def test_a_wrong_stored_output_fails_and_the_right_one_passes(tmp_path):
    right = _stored_notebook(tmp_path / "right" / "9.1-shapes.ipynb", "(60000, 28, 28)\n")
    wrong = _stored_notebook(tmp_path / "wrong" / "9.1-shapes.ipynb", "(59999, 28, 28)\n")
    options = RunOptions(smoke=True, data_source="standin", timeout_s=120, out_dir=tmp_path / "run")
    (result,) = run_notebooks([right], options, progress=False)
    assert result.status == PASSED, result.error
    executed = nbformat.read(result.output, as_version=4)

    assert checked_cell_differences(executed, nbformat.read(right.ipynb, as_version=4)) == []
    problems = checked_cell_differences(executed, nbformat.read(wrong.ipynb, as_version=4))
    assert len(problems) == 1 and "listing 9.1" in problems[0] and "59999" in problems[0]


def test_nbval_rules_extra_missing_and_split_streams():
    out = nbformat.v4.new_output
    stored = [out("stream", name="stdout", text="a\nb\n")]
    assert output_difference([out("stream", name="stdout", text="a\n"), out("stream", name="stdout", text="b\n")], stored) is None
    assert "unexpected output fields" in output_difference(stored + [out("stream", name="stderr", text="warning\n")], stored)
    assert "missing output fields" in output_difference([], stored)
    result = out("execute_result", data={"text/plain": "3", "image/png": "x"}, execution_count=4)
    assert output_difference([result], [out("execute_result", data={"text/plain": "3", "image/png": "y"}, execution_count=1)]) is None
    assert "'text/plain' differs" in output_difference([result], [out("execute_result", data={"text/plain": "4"})])
