"""``ReasoningExplorer``: one SimpleLogic problem at a chosen depth, its proof, and every model's answer.

The per-depth table says how often a model is right; this shows one case at a time:
pick the sampler, the proof depth and the label, step through the problems of that
cell, and see what forward chaining proves (:func:`dlwp_widgets.limits.reasoning.proof`)
beside the answers of the network and of the baselines that do no chaining.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from dlwp_widgets.limits import reasoning
from dlwp_widgets.widgets.common import ShowsErrors

LABEL_STYLE = {"description_width": "initial"}


def _text(premises_and_conclusion, names: str = "abcdefghijklmnopqrstuvwxyz") -> str:
    premises, conclusion = premises_and_conclusion
    return " ∧ ".join(names[p] for p in premises) + " → " + names[conclusion]


class ReasoningExplorer(ShowsErrors, widgets.VBox):
    """``problems``: sampler -> test problems; ``answers``: model name -> sampler -> True/False per problem.

    Results for tests: ``last_problem`` (the :class:`~dlwp_widgets.limits.reasoning.Problem`
    shown), ``last_answers`` (model name -> its answer), ``last_error``.
    """

    def __init__(self, problems: dict, answers: dict, *, sampling: str = "rule-priority", depth: int = 0,
                 label: bool = True):
        super().__init__()
        for name, per_sampler in answers.items():
            for s, given in per_sampler.items():
                if len(given) != len(problems[s]):
                    raise ValueError(f"{name} answers {len(given)} problems of {s}, which has {len(problems[s])}.")
        self.problems, self.answers = problems, {n: {s: np.asarray(a, dtype=bool) for s, a in per.items()}
                                                 for n, per in answers.items()}
        max_depth = max(p.depth for ps in problems.values() for p in ps)
        self.sampling = widgets.Dropdown(options=list(problems), value=sampling, description="sampler")
        self.depth = widgets.IntSlider(value=depth, min=0, max=max_depth, description="proof depth",
                                       style=LABEL_STYLE, continuous_update=False)
        self.label = widgets.ToggleButtons(options=[("True", True), ("False", False)], value=label,
                                           description="label")
        self.index = widgets.BoundedIntText(value=0, min=0, max=0, description="problem", style=LABEL_STYLE)
        self.summary = widgets.HTML()
        self.view = widgets.HTML()
        self.error = widgets.HTML()
        self.last_problem: reasoning.Problem | None = None
        self.last_answers: dict[str, bool] = {}
        for control in (self.sampling, self.depth, self.label):
            control.observe(self._cell_changed, names="value")
        self.index.observe(lambda _: self.refresh(), names="value")
        self.children = [widgets.HBox([self.sampling, self.depth]), widgets.HBox([self.label, self.index]),
                         self.summary, self.view, self.error]
        self._cell_changed()

    def _rows(self) -> np.ndarray:
        ps = self.problems[self.sampling.value]
        return np.flatnonzero([p.depth == self.depth.value and p.label == self.label.value for p in ps])

    def _cell_changed(self, _=None) -> None:
        rows = self._rows()
        self.index.max = max(len(rows) - 1, 0)
        self.index.value = 0
        self.refresh()

    def refresh(self) -> None:
        rows = self._rows()
        if not len(rows):
            self.last_problem, self.last_answers = None, {}
            self.view.value = ""
            self.show_error(f"no {self.sampling.value} test problem has label {self.label.value} at depth "
                            f"{self.depth.value}: pick another cell.")
            return
        self.clear_error()
        row = int(rows[min(self.index.value, len(rows) - 1)])
        problem = self.problems[self.sampling.value][row]
        self.last_problem = problem
        self.last_answers = {name: bool(per[self.sampling.value][row]) for name, per in self.answers.items()}
        right = {name: np.mean(per[self.sampling.value][rows] == problem.label) for name, per in self.answers.items()}
        self.summary.value = (f"{len(rows)} problems in this cell; right in this cell: "
                              + ", ".join(f"{html.escape(n)} {r:.0%}" for n, r in right.items()))
        steps = reasoning.proof(problem)
        proof = "; ".join(_text(step) for step in steps) if steps else (
            "the query is a fact" if problem.label else "chaining stops without deriving the query")
        answers = "".join(
            f"<tr><td>{html.escape(n)}</td><td>{a}</td><td>{'right' if a == problem.label else '<b>wrong</b>'}</td></tr>"
            for n, a in self.last_answers.items())
        self.view.value = (f"<pre>{html.escape(problem.describe())}</pre><p>proof: {html.escape(proof)}</p>"
                           f"<table><tr><th>model</th><th>answer</th><th></th></tr>{answers}</table>")
