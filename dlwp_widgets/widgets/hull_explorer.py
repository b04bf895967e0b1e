"""``HullExplorer``: how often is a new Gaussian sample inside the hull of the training set?

Dimension and sample-count sliders drive
:func:`dlwp_widgets.limits.hull.gaussian_membership_rate` (one HiGHS linear program per
test sample). Each result is kept, so the table below the sliders grows into the
picture of Balestriero, Pesenti & LeCun (2021): the rate falls with the dimension
unless the sample count grows very fast.  The linear programs run in the background
(:meth:`RunsInBackground.run_latest`): a slider answers at once, a progress bar counts
the test samples, Stop ends the computation, and a move during one restarts it with
the newest values.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from dlwp_widgets.limits import hull
from dlwp_widgets.widgets.common import RunsInBackground, ShowsErrors

LABEL_STYLE = {"description_width": "initial"}


class HullExplorer(RunsInBackground, ShowsErrors, widgets.VBox):
    """Results for tests: ``last_rate`` (fraction inside), ``results`` ({(dimension, count): rate}), ``last_error``;
    ``wait()`` waits for a background computation (``background = False`` computes in the caller's thread).
    """

    def __init__(self, dimension: int = 2, count: int = 100, *, test_count: int = 30, seed: int = 0):
        self.results: dict[tuple[int, int], float] = {}
        self.last_rate: float | None = None
        self.seed = seed
        self.dimension = widgets.IntSlider(value=dimension, min=0, max=16, description="dimension", continuous_update=False)
        self.count = widgets.IntSlider(value=count, min=1, max=5000, description="training samples",
                                       continuous_update=False, style=LABEL_STYLE)
        self.test_count = widgets.IntSlider(value=test_count, min=1, max=200, description="test samples",
                                            continuous_update=False, style=LABEL_STYLE)
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="test samples done", style=LABEL_STYLE)
        self.stop = widgets.Button(description="Stop", disabled=True, tooltip="interrupt the current computation")
        self.stop.on_click(self.request_stop)
        self.error = widgets.HTML()
        self.status = widgets.HTML()
        self.table = widgets.HTML()
        for control in (self.dimension, self.count, self.test_count):
            control.observe(self._on_change, names="value")
        super().__init__([
            widgets.HBox([self.dimension, self.count]),
            widgets.HBox([self.test_count, self.progress, self.stop]),
            self.error, self.status, self.table,
        ])
        self.update()  # the first rate before the widget is shown

    def _on_change(self, change) -> None:
        self.run_latest(self.update)

    def update(self) -> None:
        """Compute the rate for the sliders' values and show it (in this thread)."""
        self.progress.value = 0
        try:
            with self.busy(None, self.stop):
                dimension = hull.check_dimension(self.dimension.value)
                count = hull.check_count(self.count.value, dimension)
                self.status.value = (f"testing {self.test_count.value} new samples against the hull of {count} "
                                     f"training samples in {dimension} dimensions...")
                rate = hull.gaussian_membership_rate(dimension, count, test_count=self.test_count.value,
                                                     seed=self.seed, should_stop=self.stop_requested,
                                                     progress=self.show_progress)
        except InterruptedError:
            if not self.rerun_waiting:
                self.show_error("stopped: move a slider to compute again.")
                self.status.value = ""
            return
        except Exception as error:  # shown in the widget, which stays usable
            self.show_error(str(error) if isinstance(error, ValueError) else f"{type(error).__name__}: {error}")
            self.status.value = ""
            return
        self.clear_error()
        self.last_rate = rate
        self.results[(dimension, count)] = rate
        self.status.value = (f"{rate:.0%} of {self.test_count.value} new samples lie inside the convex hull of "
                             f"{count} training samples in {dimension} dimensions")
        self.table.value = self._table()

    def _table(self) -> str:
        dims = sorted({d for d, _ in self.results})
        counts = sorted({c for _, c in self.results})
        head = "".join(f"<th>{c}</th>" for c in counts)
        rows = "".join(
            f"<tr><th>{d}</th>" + "".join(
                f"<td>{self.results[(d, c)]:.0%}</td>" if (d, c) in self.results else "<td></td>" for c in counts
            ) + "</tr>"
            for d in dims
        )
        return (f'<table class="dlwp-hull"><tr><th>{html.escape("dim ＼ samples")}</th>{head}</tr>{rows}</table>')
