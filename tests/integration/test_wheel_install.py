"""A reader's install: build the wheel, install it into a fresh venv outside the repository, then in an
empty folder `dlwp book get` + `dlwp book run --smoke --data-source standin --notebooks 2.1`.

The new venv gets TensorFlow & co. from this environment's site-packages (a ``.pth`` line added after
the wheel is installed, so nothing is downloaded and pip never sees the checkout's editable install);
the package itself comes from the wheel, which the test proves through ``dlwp_widgets.__file__``.
Select with ``-m wheel``.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.wheel, pytest.mark.timeout(600)]


def _run(command: list, cwd: Path, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _build_wheel(out: Path, env: dict) -> Path:
    """``pip wheel . --no-deps``: in an isolated build environment (setuptools>=77 from the index),
    or, offline, with this environment's setuptools when it is new enough."""
    command = [sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", out]
    done = subprocess.run([str(c) for c in command], env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        done = subprocess.run([str(c) for c in command + ["--no-build-isolation"]], env=env, capture_output=True,
                              text=True, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"the wheel did not build:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    (wheel,) = out.glob("dlwp_companion-*.whl")
    return wheel


def test_wheel_gives_a_reader_the_book(tmp_path):
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DLWP_ROOT", "PYTHONPATH", "VIRTUAL_ENV"))}
    env.update({"JUPYTER_DATA_DIR": str(tmp_path / "jupyter-data"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"})

    wheel = _build_wheel(tmp_path / "dist", env)
    with zipfile.ZipFile(wheel) as archive:
        shipped = [n for n in archive.namelist() if n.startswith("dlwp_widgets/book/shipped/chapters/")]
    assert any(n.endswith("/2.1-a-first-look-at-a-neural-network.ipynb") for n in shipped), shipped[:5]
    assert len(shipped) == 2 * len(list((ROOT / "chapters").glob("ch*/*.py"))) or len(shipped) >= 36

    venv = tmp_path / "reader-venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path, env)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", wheel], tmp_path, env)
    # Dependencies from this environment, appended after the venv's own site-packages (the wheel wins).
    venv_site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path, env).stdout.strip())
    ours = [p for p in site.getsitepackages() + [sysconfig.get_path("purelib")] if Path(p).is_dir()]
    (venv_site / "zz-dlwp-test-deps.pth").write_text("\n".join(dict.fromkeys(ours)) + "\n")

    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    reader = tmp_path / "empty-folder"
    reader.mkdir()
    where = _run([python, "-c", "import dlwp_widgets; print(dlwp_widgets.__file__)"], reader, env).stdout.strip()
    assert Path(where).resolve().is_relative_to(venv.resolve()), where
    assert not Path(where).resolve().is_relative_to(ROOT), where

    got = _run([venv / "bin" / "dlwp", "book", "get"], reader, env)
    assert "written" in got.stdout
    assert (reader / "chapters" / "ch02_mathematical_building_blocks").is_dir()

    ran = _run(
        [venv / "bin" / "dlwp", "book", "run", "--smoke", "--data-source", "standin", "--notebooks", "2.1", "--quiet"],
        reader, env, timeout=400,
    )  # fmt: skip
    assert "1 of 1 notebooks passed" in ran.stdout, ran.stdout
    report = (reader / "build" / "smoke" / "report.md").read_text()
    assert "2.1-a-first-look-at-a-neural-network" in report and "passed" in report
    assert "oneDNN" not in ran.stdout + ran.stderr
    executed = json.loads((reader / "build/smoke/notebooks/ch02/2.1-a-first-look-at-a-neural-network.ipynb").read_text())
    assert executed["cells"], "the executed notebook is empty"
    print(f"wheel test: {time.monotonic() - started:.1f} s")
