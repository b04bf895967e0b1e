"""The main job, once per test session: every chapter notebook executed by `dlwp book run`.

The per-notebook tests (test_executed_notebooks.py) read its run folder; nothing
else executes a chapter notebook (nbval is not run over chapters/).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class MainJob:
    exit_code: int
    out_dir: Path
    output: str

    @property
    def results(self) -> dict:
        return json.loads((self.out_dir / "results.json").read_text())

    def entry(self, stem: str) -> dict:
        return next(entry for entry in self.results["notebooks"] if entry["notebook"] == stem)


def _selected_notebooks(session, fixture: str = "main_job") -> list[str] | None:
    """Names of the notebooks the selected tests using ``fixture`` look at; None when one needs them all."""
    names = set()
    for item in session.items:
        if fixture not in getattr(item, "fixturenames", ()):
            continue
        callspec = getattr(item, "callspec", None)
        ref = callspec.params.get("ref") if callspec else None
        if ref is None:
            return None
        names.add(ref.stem)
    return sorted(names)


@pytest.fixture(scope="session")
def main_job(request, tmp_path_factory) -> MainJob:
    """`dlwp book run --smoke --data-source standin --jobs 2` over every notebook, once per session.

    A targeted run (e.g. ``pytest tests/notebooks -k 5.4``) executes only the
    notebooks its selected tests look at (``--notebooks NAME,...``).
    """
    import contextlib
    import io

    from dlwp_widgets.book.cli import main

    out_dir = tmp_path_factory.mktemp("main-job")
    command = ["book", "run", "--smoke", "--data-source", "standin", "--out", str(out_dir),
               "--quiet", "--timeout", "600", "--jobs", "2"]  # fmt: skip
    selected = _selected_notebooks(request.session)
    if selected:
        command += ["--notebooks", ",".join(selected)]
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        code = main(command)
    return MainJob(code, out_dir, captured.getvalue())


@pytest.fixture(scope="session")
def jax_job(request, tmp_path_factory) -> MainJob:
    """The main job again under ``KERAS_BACKEND=jax``: every notebook executed once more, its own run folder and report.

    Skipped, with the reason, where JAX is not installed.  Targeted like ``main_job``.
    """
    import contextlib
    import io
    import os

    pytest.importorskip("jax", reason="JAX is not installed: pip install jax jaxlib (the test extra has it)")
    from dlwp_widgets.book.cli import main

    out_dir = tmp_path_factory.mktemp("jax-job")
    command = ["book", "run", "--smoke", "--data-source", "standin", "--out", str(out_dir),
               "--quiet", "--timeout", "600", "--jobs", "2"]  # fmt: skip
    selected = _selected_notebooks(request.session, "jax_job")
    if selected:
        command += ["--notebooks", ",".join(selected)]
    captured = io.StringIO()
    saved = os.environ.get("KERAS_BACKEND")
    os.environ["KERAS_BACKEND"] = "jax"  # the kernels inherit it; this process's Keras is not re-imported
    try:
        with contextlib.redirect_stdout(captured):
            code = main(command)
    finally:
        if saved is None:
            del os.environ["KERAS_BACKEND"]
        else:
            os.environ["KERAS_BACKEND"] = saved
    return MainJob(code, out_dir, captured.getvalue())
