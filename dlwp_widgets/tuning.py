"""Hyperparameter search (section 7.3.2, which has no listing): KerasTuner search spaces and trial tables.

A *trial* here is a plain dict: ``{"trial": "00", "score": 0.87, "status":
"COMPLETED", "units": 32, "dropout": 0.2, ...}``; ``trials_from_tuner`` reads
them from a finished KerasTuner search, and everything else (sorting, the
score-per-hyperparameter plot) works on the list, so a widget can be fed by a
tuner or by a test's hand-written list.  KerasTuner and Keras are imported only
inside the functions that need them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

FIXED_COLUMNS = ("trial", "score", "status")
MAX_TRIALS = 1_000
MAX_HYPERPARAMETERS = 16  # one chart panel each


class TrialsError(ValueError):
    """Trials that cannot be tabulated or plotted (the message says why)."""


def imdb_dense_hypermodel(input_dim: int = 10_000):
    """A KerasTuner ``build(hp)`` for chapter 3's IMDB dense net: units, dropout and learning rate searched.

    The book's network is ``Dense(16) -> Dense(16) -> Dense(1, sigmoid)`` on
    multi-hot vectors with RMSprop; the search varies the width of both hidden
    layers, a dropout rate after each and RMSprop's learning rate.
    """

    def build(hp):
        import keras

        units = hp.Choice("units", [8, 16, 32, 64])
        dropout = hp.Float("dropout", 0.0, 0.5, step=0.1)
        learning_rate = hp.Choice("learning_rate", [1e-2, 1e-3, 1e-4])
        model = keras.Sequential([keras.Input(shape=(input_dim,))])
        for _ in range(2):
            model.add(keras.layers.Dense(units, activation="relu"))
            model.add(keras.layers.Dropout(dropout))
        model.add(keras.layers.Dense(1, activation="sigmoid"))
        model.compile(
            optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
            loss="binary_crossentropy",
            metrics=["accuracy"],
        )
        return model

    return build


def trials_from_tuner(tuner) -> list[dict]:
    """One dict per trial of a KerasTuner tuner: id, score (the objective), status and hyperparameter values."""
    trials = []
    for trial_id, trial in sorted(tuner.oracle.trials.items()):
        status = getattr(trial.status, "name", None) or str(trial.status)
        entry = {"trial": str(trial_id), "score": trial.score, "status": status}
        entry.update(trial.hyperparameters.values)
        trials.append(entry)
    return trials


def check_trials(trials: Sequence[dict]) -> list[dict]:
    """The trials as dicts, each with a score; at most :data:`MAX_TRIALS` trials and :data:`MAX_HYPERPARAMETERS`
    hyperparameters (one chart panel each), so a table and its chart stay readable and quick to draw."""
    if trials is None or len(trials) == 0:
        raise TrialsError("No trials yet: run the search (tuner.search(...)) first.")
    if len(trials) > MAX_TRIALS:
        raise TrialsError(f"{len(trials):,} trials, over the cap of {MAX_TRIALS:,} (MAX_TRIALS): pass the best ones.")
    names: dict[str, None] = {}
    for index, trial in enumerate(trials):
        if not isinstance(trial, dict) or "score" not in trial:
            raise TrialsError(f"Trial {index} is not a dict with a 'score' entry: {str(trial)[:200]}.")
        names.update(dict.fromkeys(key for key in trial if key not in FIXED_COLUMNS))
        if len(names) > MAX_HYPERPARAMETERS:
            raise TrialsError(f"the trials have more than {MAX_HYPERPARAMETERS} hyperparameters (MAX_HYPERPARAMETERS, "
                              "one chart panel each): pass the ones the search varied.")
    return [dict(trial) for trial in trials]


def hyperparameter_names(trials: Sequence[dict]) -> list[str]:
    """The hyperparameter columns, in order of first appearance."""
    names: list[str] = []
    for trial in check_trials(trials):
        for key in trial:
            if key not in FIXED_COLUMNS and key not in names:
                names.append(key)
    return names


def columns(trials: Sequence[dict]) -> list[str]:
    return list(FIXED_COLUMNS) + hyperparameter_names(trials)


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def sort_trials(trials: Sequence[dict], by: str = "score", *, descending: bool = True) -> list[dict]:
    """The trials sorted by a column; trials without a value (failed, NaN score) always come last."""
    rows = check_trials(trials)
    if by not in columns(rows):
        raise TrialsError(f"No column {by!r}; choose one of {', '.join(columns(rows))}.")
    present = [row for row in rows if not is_missing(row.get(by))]
    missing = [row for row in rows if is_missing(row.get(by))]
    try:
        present.sort(key=lambda row: row[by], reverse=descending)
    except TypeError:  # mixed types in one column: compare as text
        present.sort(key=lambda row: str(row[by]), reverse=descending)
    return present + missing


def best_trial(trials: Sequence[dict], *, higher_is_better: bool = True) -> dict:
    rows = [row for row in check_trials(trials) if not is_missing(row["score"])]
    if not rows:
        raise TrialsError("No trial has a score (did every trial fail?).")
    return (max if higher_is_better else min)(rows, key=lambda row: row["score"])


def cell_text(value) -> str:
    if is_missing(value):
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def trial_table_text(trials: Sequence[dict], by: str = "score", *, descending: bool = True) -> str:
    """The sorted trials as an aligned plain-text table (what a notebook prints)."""
    rows = sort_trials(trials, by, descending=descending)
    head = columns(rows)
    cells = [[cell_text(row.get(name)) for name in head] for row in rows]
    widths = [max(len(text) for text in column) for column in zip(head, *cells)]
    lines = ["  ".join(text.ljust(width) for text, width in zip(line, widths)).rstrip() for line in [head, *cells]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def score_figure(trials: Sequence[dict], *, objective: str = "score"):
    """A matplotlib Figure: the score against each hyperparameter, one panel each (categorical values as text)."""
    from matplotlib.figure import Figure

    rows = check_trials(trials)
    names = hyperparameter_names(rows) or ["trial"]
    figure = Figure(figsize=(3.2 * len(names), 2.8), dpi=80)
    axes = figure.subplots(1, len(names), squeeze=False)[0]
    scored = [row for row in rows if not is_missing(row["score"])]
    for axis, name in zip(axes, names):
        values = [row.get(name) for row in scored]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) and not is_missing(v) for v in values)
        if numeric:
            positions = values
        else:
            labels = sorted({cell_text(v) for v in values})
            positions = [labels.index(cell_text(v)) for v in values]
            axis.set_xticks(range(len(labels)), labels)
        axis.scatter(positions, [row["score"] for row in scored], color="tab:blue")
        if numeric and len({float(v) for v in values}) > 1 and min(values) > 0 and max(values) / min(values) >= 100:
            axis.set_xscale("log")
        axis.set_xlabel(name)
        axis.set_ylabel(objective)
    figure.tight_layout()
    return figure
