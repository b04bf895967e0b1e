"""`dlwp book get` (never overwriting a reader's edits), `dlwp lab`'s per-run settings, doctor's
reader checks, and quiet TensorFlow start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dlwp_widgets.book import doctor, lab
from dlwp_widgets.book.cli import main
from dlwp_widgets.book.get import MANIFEST, NothingToGet, get_book


@pytest.fixture
def shipped(tmp_path) -> Path:
    source = tmp_path / "shipped" / "chapters"
    for name in ("ch02_a/2.1-first.py", "ch02_a/2.1-first.ipynb", "ch05_b/5.4-fifth.py"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(f"# {name} v1\n")
    (source / "ch02_a" / "notes.txt").write_text("not a notebook")
    return source


def test_get_writes_every_notebook_and_a_manifest(tmp_path, shipped):
    result = get_book(tmp_path / "reader", source=shipped)
    assert sorted(result.written) == ["ch02_a/2.1-first.ipynb", "ch02_a/2.1-first.py", "ch05_b/5.4-fifth.py"]
    assert (tmp_path / "reader/chapters/ch05_b/5.4-fifth.py").read_text() == "# ch05_b/5.4-fifth.py v1\n"
    assert not (tmp_path / "reader/chapters/ch02_a/notes.txt").exists()
    assert set(json.loads((tmp_path / "reader" / MANIFEST).read_text())["files"]) == set(result.written)


def test_get_keeps_edits_updates_untouched_files_and_force_replaces(tmp_path, shipped):
    reader = tmp_path / "reader"
    get_book(reader, source=shipped)
    edited = reader / "chapters/ch02_a/2.1-first.py"
    edited.write_text("# my notes\n")
    (shipped / "ch02_a/2.1-first.py").write_text("# v2\n")
    (shipped / "ch05_b/5.4-fifth.py").write_text("# v2\n")  # a new package version

    result = get_book(reader, source=shipped)
    assert result.kept == ["ch02_a/2.1-first.py"] and edited.read_text() == "# my notes\n"
    assert result.updated == ["ch05_b/5.4-fifth.py"] and result.unchanged == ["ch02_a/2.1-first.ipynb"]
    assert "ch02_a/2.1-first.py" in result.summary() and "--force" in result.summary()

    again = get_book(reader, source=shipped)  # still the reader's edit, still kept
    assert again.kept == ["ch02_a/2.1-first.py"]

    forced = get_book(reader, source=shipped, force=True)
    assert forced.replaced == ["ch02_a/2.1-first.py"] and edited.read_text() == "# v2\n"


def test_get_without_a_manifest_keeps_differing_files(tmp_path, shipped):
    reader = tmp_path / "reader"
    (reader / "chapters/ch02_a").mkdir(parents=True)
    (reader / "chapters/ch02_a/2.1-first.py").write_text("# someone's file\n")
    assert get_book(reader, source=shipped).kept == ["ch02_a/2.1-first.py"]


def test_get_refuses_an_empty_installation(tmp_path):
    with pytest.raises(NothingToGet, match="reinstall"):
        get_book(tmp_path / "reader", source=tmp_path / "nothing")


def test_cli_get_then_finds_the_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DLWP_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["book", "get"]) == 0
    assert "written" in capsys.readouterr().out
    from dlwp_widgets.book.notebooks import find_notebooks, find_root

    assert find_root().origin == "current folder"
    assert any(ref.section == "2.1" for ref in find_notebooks())


def test_lab_settings_are_per_run_and_open_py_as_notebooks(tmp_path):
    settings = lab.write_app_settings(tmp_path / "settings")
    overrides = json.loads((settings / "overrides.d" / "00-dlwp-companion.json").read_text())
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers == {"python": "Jupytext Notebook"}
    command = lab.lab_command(tmp_path, settings, ["--port", "9"])
    assert f"--LabApp.app_settings_dir={settings}" in command and command[-2:] == ["--port", "9"]


def test_cli_lab_without_a_folder_says_what_to_do(tmp_path, capsys):
    assert main(["lab", str(tmp_path)]) == 2
    assert "dlwp book get" in capsys.readouterr().out


def test_doctor_reports_missing_components_with_their_fix(monkeypatch):
    monkeypatch.setattr(doctor, "_version", lambda name: None)
    checks = doctor.check_components(doctor.COMPONENTS) + doctor.check_components(doctor.FRONT_END)
    assert {c.name for c in checks} >= {"tensorboard", "keras-tuner", "pydot", "jupyterlab", "jupyterlab_widgets"}
    assert all(c.problem and c.fix.startswith("pip install") for c in checks)


def test_doctor_says_when_no_notebooks_are_found(tmp_path, monkeypatch):
    from dlwp_widgets.book import notebooks

    monkeypatch.setenv("DLWP_ROOT", str(tmp_path))
    (check,) = doctor.check_notebooks()
    assert check.problem and "dlwp book get" in check.fix
    monkeypatch.delenv("DLWP_ROOT")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(notebooks, "repository_root", lambda: None)
    monkeypatch.setattr(notebooks, "SHIPPED_ROOT", tmp_path / "none")
    (check,) = doctor.check_notebooks()
    assert check.problem


QUIET_SCRIPT = """
import sys
from dlwp_widgets import config
config.describe_device()
print("kept line", file=sys.stderr)
"""


@pytest.mark.parametrize("verbose", ["0", "1"])
def test_tensorflow_start_up_lines_only_when_asked(verbose):
    env = {**__import__("os").environ, "DLWP_VERBOSE": verbose}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    done = subprocess.run([sys.executable, "-c", QUIET_SCRIPT], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "kept line" in done.stderr
    assert ("oneDNN" in done.stderr or "cuda" in done.stderr.lower()) == (verbose == "1")
