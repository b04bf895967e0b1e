"""Every chapter notebook executed once under Keras' JAX backend (the ``jax_job`` fixture, conftest.py).

Each notebook must pass; the run folder records the backend.  Stored outputs are
checked by the TensorFlow main job only: JAX draws other random numbers from the
same seeds, so only passing (and the backend's own line) is asked of this run.
"""

from __future__ import annotations

import pytest

from dlwp_widgets.book.notebooks import find_notebooks
from dlwp_widgets.book.runner import PASSED

NOTEBOOKS = find_notebooks()
pytestmark = [pytest.mark.notebooks, pytest.mark.jax]


def test_the_jax_job_ran_every_notebook_under_jax(jax_job):
    assert jax_job.results["keras_backend"] == "jax", jax_job.output
    assert "Keras backend jax" in jax_job.output.splitlines()[0]
    assert (jax_job.out_dir / "report.md").exists()
    assert "- **Keras backend:** jax" in (jax_job.out_dir / "report.md").read_text()


@pytest.mark.parametrize("ref", NOTEBOOKS, ids=[ref.stem for ref in NOTEBOOKS])
def test_notebook_passed_under_jax(jax_job, ref):
    entry = jax_job.entry(ref.stem)
    assert entry["status"] == PASSED, (
        f"{entry['status']} under JAX at cell {entry['failing_cell']} (listing {entry['failing_listing']}): "
        f"{entry['error']}; log: {jax_job.out_dir / entry['log']}"
    )
