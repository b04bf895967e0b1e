"""The lowest-versions job (.ci/lowest-versions): installing the wheel kept the runtime's TensorFlow, Keras, NumPy.

It reads the ``pip install --report`` the job wrote (``DLWP_INSTALL_REPORT``) and the
versions installed in this environment; outside that job it is skipped, with the reason.
"""

from __future__ import annotations

import json
import os
from importlib.metadata import version
from pathlib import Path

import pytest

from dlwp_widgets.config import KEPT_AS_SHIPPED, install_summary

ROOT = Path(__file__).resolve().parents[2]
REPORT = os.environ.get("DLWP_INSTALL_REPORT")
pytestmark = pytest.mark.skipif(not REPORT, reason="only in the lowest-versions job (.ci/lowest-versions sets DLWP_INSTALL_REPORT)")


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints" / "lowest.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            pins[name.strip().lower()] = pinned.strip()
    return pins


def test_pip_kept_the_preinstalled_tensorflow_keras_and_numpy():
    report = json.loads(Path(REPORT).read_text())
    installed = {item["metadata"]["name"].lower() for item in report["install"]}
    assert "dlwp-companion" in installed, "the report is not the wheel's install"
    assert not installed & set(_constraints()), f"pip replaced {sorted(installed & set(_constraints()))}"
    assert "kept the runtime's" in install_summary(report)


@pytest.mark.parametrize("name", KEPT_AS_SHIPPED)
def test_this_environment_holds_the_lowest_versions(name):
    assert version(name) == _constraints()[name]
