"""One layering rule, enforced: the import-linter contract in pyproject.toml ([tool.importlinter]).

book > widgets > computation (viz | text | pipelines | limits | training | evaluation |
ensembling | tuning | monitoring, independent siblings) > plots > models > datasets >
config | recording.  Nothing imports upwards, imports inside functions included.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed (the test extra)")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(cwd))  # the package in ``cwd`` is the one analysed
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True)


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = config["contracts"]
    return contract["layers"]


def test_the_package_keeps_its_layers():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_every_top_level_module_has_a_layer():
    """A new top-level module or package must be placed in the rule (import-linter alone would ignore it)."""
    named = {part.strip() for layer in _layers() for part in re.split(r"[|:]", layer)}
    package = ROOT / "dlwp_widgets"
    found = {
        f"dlwp_widgets.{path.stem}"
        for path in package.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert not found - named, f"add these to [tool.importlinter] layers in pyproject.toml: {sorted(found - named)}"


@pytest.mark.parametrize(
    "module, upward_import",
    [
        ("datasets/core.py", "from dlwp_widgets.widgets import common"),
        ("recording.py", "import dlwp_widgets.book.catalog"),
        ("viz/images.py", "from dlwp_widgets.text import sampling"),  # a sibling, not a layer below
    ],
)
def test_an_upward_import_inside_a_function_breaks_the_rule(tmp_path, module, upward_import):
    """Prove the check bites: a copy of the package with one forbidden import (inside a function) fails."""
    shutil.copytree(ROOT / "dlwp_widgets", tmp_path / "dlwp_widgets", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "dlwp_widgets" / module
    target.write_text(target.read_text() + f"\n\ndef _sneaky():\n    {upward_import}\n")
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout[-3000:]
    importer = "dlwp_widgets." + module.removesuffix(".py").replace("/", ".")
    assert "BROKEN" in result.stdout and importer in result.stdout
