"""``record(name, value)``: how a notebook hands its headline numbers to the runner.

The runner (``dlwp book run``) sets ``DLWP_RECORD_FILE`` for each notebook; every
call appends one JSON line there.  Every call is also kept in this process, so
the notebook's last cell can print its own comparison with the book
(:func:`dlwp_widgets.book.against_the_book`) with or without a runner.

This module sits at the bottom of the package (beside ``config``): the dataset
loaders record which source they used, so nothing here may import upwards.
"""

from __future__ import annotations

import json
import math
import os
from numbers import Real

ENV_RECORD_FILE = "DLWP_RECORD_FILE"

_data_sources: dict[str, str] = {}
_metrics: dict[str, dict] = {}
_run: dict[str, object] = {}


def _append(entry: dict) -> None:
    path = os.environ.get(ENV_RECORD_FILE)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


def record(
    name: str, value: float, *, baseline: float | None = None, datasets: list[str] | tuple[str, ...] | None = None
) -> float:
    """Record a headline metric (e.g. ``record("test_accuracy", acc)``).

    ``baseline`` is the trivial baseline the model must beat (majority class,
    random guess, predicting the mean): the report shows whether it did, which is
    what a smoke run on stand-in data can honestly claim.

    ``datasets`` names the datasets this metric's own experiment used (as the
    loaders record them: ``"aclimdb"``, ``"glove"``, ...); by default, every dataset
    the notebook has loaded so far.  A metric is compared with the book only when
    all of its own datasets were real, so one stand-in experiment does not hide
    a real result beside it.
    """
    if not isinstance(value, Real) or isinstance(value, bool):
        try:
            value = float(value)  # numpy scalars, 0-d tensors
        except (TypeError, ValueError):
            raise TypeError(f"record({name!r}, ...) needs a number, got {type(value).__name__}") from None
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"record({name!r}, {value}) : the metric is not finite; training diverged?")
    entry = {"metric": name, "value": value}
    if baseline is not None:
        entry["baseline"] = float(baseline)
    if datasets is None:
        used = dict(_data_sources)
    else:
        unknown = [dataset for dataset in datasets if dataset not in _data_sources]
        if unknown:
            raise ValueError(
                f"record({name!r}, ..., datasets={list(datasets)!r}): {', '.join(unknown)} was not loaded by this "
                f"notebook (loaded: {', '.join(sorted(_data_sources)) or 'none'})"
            )
        used = {dataset: _data_sources[dataset] for dataset in datasets}
    entry["datasets"] = used
    if "mode" in _run:
        entry["mode"] = _run["mode"]
    _append(entry)
    _metrics[name] = entry
    return value


def record_data_source(dataset: str, source: str) -> None:
    """Called by the loaders: which data (real or stand-in) a notebook used."""
    _data_sources[dataset] = source
    _append({"data_source": dataset, "source": source})


def record_run(*, mode: str, seed: int, backend: str) -> None:
    """Called by ``config.setup``: the run's mode (smoke or full), seed and Keras backend.

    Every later metric carries the mode, so a smoke-mode number on real data is
    never judged against the book's figure.
    """
    _run.update(mode=mode, seed=int(seed), backend=backend)
    _append({"run": dict(_run)})


def run_settings() -> dict[str, object]:
    return dict(_run)


def data_sources() -> dict[str, str]:
    return dict(_data_sources)


def mixed_sources(datasets: list[str], experiment: str) -> str | None:
    """A loud notice when one experiment's datasets came from different sources (``auto``
    can find one file and fall back to the stand-in for another); ``None`` when they agree."""
    used = {name: _data_sources[name] for name in datasets if name in _data_sources}
    if len(set(used.values())) < 2:
        return None
    parts = ", ".join(f"{name}: {'real data' if source == 'real' else 'STAND-IN'}" for name, source in used.items())
    return (f"NOTE: {experiment} mixes real and stand-in data ({parts}); its result is not comparable "
            "with the book's. Use DATA_SOURCE = \"real\" (or \"standin\") to keep them together.")


def metrics() -> list[dict]:
    """The metrics recorded in this process (the latest value of each name), in order."""
    return list(_metrics.values())
