"""nbval really compares the stored outputs: a tampered output must fail."""

import shutil
import subprocess
import sys

import nbformat

from dlwp_widgets.book.notebooks import chapters_dir, is_checked


def test_a_wrong_stored_output_fails_nbval(tmp_path):
    source = next(chapters_dir().glob("ch02_*/2.2-*.ipynb"))
    notebook = nbformat.read(source, as_version=4)
    cell = next(cell for cell in notebook.cells if is_checked(cell) and cell.metadata.get("listing") == "2.16")
    cell.outputs[0]["text"] = "(59999, 28, 28)\n"
    target = tmp_path / source.name
    nbformat.write(notebook, target)
    shutil.copy(source.with_suffix(".py"), tmp_path)  # keep the pair beside it, as in the repository

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         "--nbval-lax", "--nbval-current-env", str(target)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout and "59999" in result.stdout
