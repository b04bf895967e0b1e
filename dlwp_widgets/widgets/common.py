"""What every widget shares: one look for errors, one way to read an upload, one way to run long work."""

from __future__ import annotations

import html
import threading
from contextlib import contextmanager

ERROR_CLASS = "dlwp-error"


def error_html(message: str) -> str:
    """An error shown inside a widget; the CSS class lets browser tests find it."""
    return f'<div class="{ERROR_CLASS}" style="color:#b00020">&#9888; {html.escape(message)}</div>'


class ShowsErrors:
    """Mixin for widgets with an ``error`` HTML area: errors are shown there, never raised.

    ``last_error`` keeps the message on display (None when all went well) for tests.
    """

    last_error: str | None = None

    def show_error(self, message: str) -> None:
        self.last_error = message
        self.error.value = error_html(message)

    def clear_error(self) -> None:
        self.last_error = None
        self.error.value = ""


def uploaded_bytes(value) -> bytes | None:
    """The content of the newest file in a ``FileUpload`` value (ipywidgets 7 or 8)."""
    if not value:
        return None
    entries = list(value.values()) if isinstance(value, dict) else list(value)
    content = entries[-1]["content"]
    return content.tobytes() if isinstance(content, memoryview) else bytes(content)


class RunsInBackground:
    """Mixin for widgets with long work: one run at a time, in a daemon thread, stoppable between steps.

    :meth:`run_work` starts the work in a background thread (in the caller's
    thread when ``self.background`` is False, as tests do) so that the Stop
    button stays clickable; Stop calls :meth:`request_stop`, and the work passes
    :meth:`stop_requested` on as its ``should_stop``, so it ends after the
    current step.  :meth:`busy` greys the start button and enables Stop for the
    run; :meth:`show_progress` drives ``self.progress``; :meth:`wait` joins the
    thread.  The work shows its own errors (:class:`ShowsErrors`): nothing is
    raised out of a background thread.  :meth:`run_latest` is for work started
    by a control: a move during a run stops it, and the newest values are
    computed after it.
    """

    background: bool = True
    _thread: threading.Thread | None = None
    _stop_requested: bool = False
    _latest_active: bool = False  # a run_latest loop is going
    _rerun: bool = False  # a newer choice waits behind it
    _latest_lock = threading.Lock()  # guards the two flags above (shared: the critical sections are tiny)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def run_work(self, work, *args) -> bool:
        """Run ``work(*args)`` with the stop flag cleared; False (nothing done) while a run is going."""
        if self.running:
            return False
        self._stop_requested = False
        if self.background:
            self._thread = threading.Thread(target=work, args=args, daemon=True)
            self._thread.start()
        else:
            work(*args)
        return True

    def run_latest(self, work) -> bool:
        """Run ``work()`` for the controls' current values; during a run, stop it and run ``work()`` once more after it.

        Moves made during a run collapse into one rerun with the newest values, so a
        slider dragged across ten values costs at most two runs.  True if a run
        started now, False if the newest values wait behind the current run.
        """
        with self._latest_lock:
            if self._latest_active:
                self._rerun = True
                self._stop_requested = True
                return False
            self._latest_active = True
        self.wait()  # a finished loop's thread may still be on its way out
        self.run_work(self._until_latest, work)
        return True

    def _until_latest(self, work) -> None:
        try:
            while True:
                work()
                with self._latest_lock:
                    if not self._rerun:
                        return
                    self._rerun = False
                    self._stop_requested = False
        finally:
            with self._latest_lock:
                self._latest_active = self._rerun = False

    @property
    def rerun_waiting(self) -> bool:
        """A newer choice waits behind the current run (so a stopped run need not say "stopped")."""
        return self._rerun

    def request_stop(self, *_) -> None:
        """What a Stop button does (usable as its ``on_click`` handler): end the run after the current step.

        A newer choice waiting behind the run (:meth:`run_latest`) is dropped too.
        """
        with self._latest_lock:
            self._rerun = False
        self._stop_requested = True

    def stop_requested(self) -> bool:
        return self._stop_requested

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background run to finish."""
        if self._thread is not None:
            self._thread.join(timeout)

    def show_progress(self, done: int, total: int, *_) -> None:
        self.progress.max = max(total, 1)
        self.progress.value = done

    @contextmanager
    def busy(self, start_button, stop_button):
        """During the block: ``start_button`` (may be None) disabled, ``stop_button`` enabled; restored after."""
        buttons = [button for button in (start_button,) if button is not None]
        for button in buttons:
            button.disabled = True
        stop_button.disabled = False
        try:
            yield
        finally:
            for button in buttons:
                button.disabled = False
            stop_button.disabled = True
