"""``dlwp lab [DIR]``: JupyterLab in the book's folder, ``.py`` notebooks opening as notebooks.

The reader's own JupyterLab configuration is left as it is: the settings this
command needs (``.py`` files open with the Jupytext notebook view, no news or
update pop-ups) go into a throw-away *application settings* folder for this run
only (``--LabApp.app_settings_dir``).  It starts as a copy of the installation's
own settings folder (its ``overrides.json`` and ``page_config.json`` still apply,
and the reader's user settings override ours as usual).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OVERRIDES = {
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": "Jupytext Notebook"}},
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"},
}


def default_app_settings_dir() -> Path | None:
    try:
        from jupyterlab.commands import get_app_dir
    except ImportError:
        return None
    return Path(get_app_dir()) / "settings"


def write_app_settings(folder: Path) -> Path:
    """A per-run application settings folder: the installation's settings + our overrides."""
    folder.mkdir(parents=True, exist_ok=True)
    original = default_app_settings_dir()
    if original and original.is_dir():
        shutil.copytree(original, folder, dirs_exist_ok=True)
    conf_d = folder / "overrides.d"
    conf_d.mkdir(exist_ok=True)
    # overrides.d/* come before the installation's overrides.json, which keeps the last word.
    (conf_d / "00-dlwp-companion.json").write_text(json.dumps(OVERRIDES, indent=1), encoding="utf-8")
    return folder


def lab_command(folder: Path, settings_dir: Path, extra: list[str] | None = None) -> list[str]:
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={folder}",
        f"--LabApp.app_settings_dir={settings_dir}",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses root otherwise (containers, CI)
    return command + list(extra or [])


def launch(folder: Path, extra: list[str] | None = None, dry_run: bool = False) -> int:
    """Start JupyterLab in ``folder`` (blocks until it stops); returns its exit status."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        print("JupyterLab is not installed here: pip install 'jupyterlab>=4.2,<5'")
        return 2
    with tempfile.TemporaryDirectory(prefix="dlwp-lab-settings-") as tmp:
        settings = write_app_settings(Path(tmp))
        command = lab_command(folder, settings, extra)
        print(f"JupyterLab in {folder}; .py notebooks open as notebooks (settings for this run only: {settings}).")
        if dry_run:
            print(" ".join(command))
            return 0
        try:
            return subprocess.call(command, cwd=folder)
        except KeyboardInterrupt:
            return 0
