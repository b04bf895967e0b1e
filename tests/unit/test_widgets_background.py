"""widgets.common.RunsInBackground: one run at a time, the Stop flag, busy buttons, progress."""

import threading

import ipywidgets as widgets
import pytest

from dlwp_widgets.widgets.common import RunsInBackground


class Worker(RunsInBackground):
    def __init__(self, background):
        self.background = background
        self.progress = widgets.IntProgress()
        self.go, self.halt = widgets.Button(), widgets.Button(disabled=True)
        self.steps = 0

    def work(self, steps, release=None):
        with self.busy(self.go, self.halt):
            assert self.go.disabled and not self.halt.disabled
            for step in range(steps):
                if self.stop_requested():
                    return
                if release is not None:
                    release.wait(10)
                self.steps += 1
                self.show_progress(step + 1, steps)


def test_in_the_callers_thread_with_progress():
    worker = Worker(background=False)
    assert worker.run_work(worker.work, 3) and worker.steps == 3
    assert (worker.progress.value, worker.progress.max) == (3, 3)
    assert not worker.go.disabled and worker.halt.disabled and not worker.running


def test_one_background_run_at_a_time_and_stop_ends_it():
    worker = Worker(background=True)
    release = threading.Event()
    assert worker.run_work(worker.work, 100, release)
    assert worker.running and not worker.run_work(worker.work, 1)  # refused while running
    worker.halt.on_click(worker.request_stop)
    worker.halt.click()
    release.set()
    worker.wait(10)
    assert not worker.running and worker.steps <= 1
    assert worker.run_work(worker.work, 0)  # a new run clears the stop flag
    worker.wait(10)
    assert not worker.stop_requested()


def test_busy_restores_the_buttons_after_an_error():
    worker = Worker(background=False)
    with pytest.raises(ZeroDivisionError):
        with worker.busy(worker.go, worker.halt):
            1 / 0
    assert not worker.go.disabled and worker.halt.disabled


def test_run_latest_collapses_moves_during_a_run_into_one_rerun_with_the_newest_values():
    worker = Worker(background=True)
    release, seen = threading.Event(), []
    choice = {"value": 0}

    def work():
        seen.append(choice["value"])
        if len(seen) == 1:
            release.wait(10)  # the first run is held until the moves are made

    assert worker.run_latest(work)
    for value in (1, 2, 3):  # three moves during the run
        choice["value"] = value
        assert not worker.run_latest(work) and worker.stop_requested() and worker.rerun_waiting
    release.set()
    worker.wait(10)
    assert seen == [0, 3] and not worker.rerun_waiting and not worker.stop_requested()
    assert worker.run_latest(work)  # a later move starts a run again
    worker.wait(10)
    assert seen == [0, 3, 3]


def test_stop_drops_the_rerun_waiting_behind_the_run():
    worker = Worker(background=True)
    release, seen = threading.Event(), []

    def work():
        seen.append(1)
        release.wait(10)

    worker.run_latest(work)
    worker.run_latest(work)
    worker.request_stop()
    release.set()
    worker.wait(10)
    assert seen == [1] and not worker.rerun_waiting
