"""Run settings shared by papermill, nbval and a reader.

Every notebook starts with a papermill ``parameters`` cell (``SMOKE``, ``EPOCHS``,
``DATA_SOURCE``, ``SEED``) and passes those values to :func:`setup`.  Environment
variables override the cell, so one switch drives all three ways of running a
notebook:

* papermill / ``dlwp book run`` inject new values into the parameters cell;
* nbval and a terminal session export ``DLWP_SMOKE=1`` and friends;
* a reader edits the cell.

This module must stay cheap to import: TensorFlow is only imported by
:func:`setup` (for seeding) and by :func:`describe_device`.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field

DATA_SOURCES = ("auto", "real", "standin")

ENV_SMOKE = "DLWP_SMOKE"
ENV_EPOCHS = "DLWP_EPOCHS"
ENV_DATA_SOURCE = "DLWP_DATA_SOURCE"
ENV_SEED = "DLWP_SEED"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A run setting has a value that cannot be used."""


def env_flag(name: str) -> bool | None:
    """A yes/no environment variable: True, False, or None when it is not set."""
    raw = os.environ.get(name)
    if raw is None:
        return None
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r} is not a yes/no value; use 1 or 0.")


def _env_int(name: str) -> int | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an integer.") from None


def check_data_source(source: str) -> str:
    """Validate a data-source name (``auto``, ``real`` or ``standin``)."""
    if source not in DATA_SOURCES:
        raise SettingsError(
            f"Unknown data source {source!r}: choose one of {', '.join(DATA_SOURCES)}."
        )
    return source


MAX_SEED = 2**32 - 1  # what NumPy and Keras' set_random_seed accept


def check_seed(seed, name: str = "SEED") -> int:
    """A seed every generator accepts: a whole number from 0 to 2**32 - 1."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        try:
            as_int = int(seed)
        except (TypeError, ValueError):
            raise SettingsError(f"{name}={seed!r} is not a whole number.") from None
        if as_int != seed:
            raise SettingsError(f"{name}={seed!r} is not a whole number.")
        seed = as_int
    if not 0 <= seed <= MAX_SEED:
        raise SettingsError(f"{name}={seed} is out of range: a seed is a whole number from 0 to {MAX_SEED}.")
    return seed


@dataclass(frozen=True)
class RunSettings:
    """The resolved switches of one notebook run."""

    smoke: bool
    epochs: int
    data_source: str
    seed: int
    book_epochs: int = field(default=0, compare=False)
    book: bool = field(default=True, compare=False)  # False: our own experiment (chapter 9), no book settings

    @property
    def mode(self) -> str:
        return "smoke" if self.smoke else "full"

    def pick(self, full, smoke):
        """The book's value in full mode, a CPU-sized one in smoke mode."""
        return smoke if self.smoke else full

    def epochs_for(self, book_epochs: int) -> int:
        """Another of the notebook's epoch settings (e.g. ``EPOCHS_REGULARIZED``) under this run's
        switches: ``DLWP_EPOCHS`` when set, else the book's value (one epoch in smoke mode)."""
        return resolve(smoke=self.smoke, epochs=book_epochs).epochs

    def describe(self) -> str:
        if self.book:
            settings = f"{self.epochs} epochs"
            if self.book_epochs and self.epochs != self.book_epochs:
                settings += f" (the book: {self.book_epochs})"
        else:
            settings = "our own experiment, not the book's (its sizes are in the parameters cell)"
        return f"run mode: {self.mode} | {settings} | data source: {self.data_source} | seed: {self.seed}"


def resolve(
    *,
    smoke: bool = False,
    epochs: int = 1,
    data_source: str = "auto",
    seed: int = 0,
    smoke_epochs: int = 1,
    book: bool = True,
) -> RunSettings:
    """Combine notebook values with ``DLWP_*`` environment overrides.

    ``epochs`` is the book's value; in smoke mode it becomes ``smoke_epochs``
    unless ``DLWP_EPOCHS`` (or an explicit papermill value) says otherwise.
    ``book=False`` marks a notebook whose experiments are our own (chapter 9).
    """
    env_smoke = env_flag(ENV_SMOKE)
    smoke = bool(smoke) if env_smoke is None else env_smoke
    book_epochs = int(epochs)
    env_epochs = _env_int(ENV_EPOCHS)
    if env_epochs is not None:
        run_epochs = env_epochs
    else:
        run_epochs = min(book_epochs, smoke_epochs) if smoke else book_epochs
    if run_epochs < 1:
        raise SettingsError(f"epochs must be at least 1, got {run_epochs}.")
    source = check_data_source(os.environ.get(ENV_DATA_SOURCE) or data_source)
    env_seed = _env_int(ENV_SEED)
    return RunSettings(
        smoke=smoke,
        epochs=run_epochs,
        data_source=source,
        seed=check_seed(seed if env_seed is None else env_seed, ENV_SEED if env_seed is not None else "SEED"),
        book_epochs=book_epochs,
        book=book,
    )


ENV_VERBOSE = "DLWP_VERBOSE"
# TensorFlow's native start-up lines (stderr, before absl logging is set up): not the reader's business.
# TF_CPP_MIN_LOG_LEVEL does not hide the oneDNN line in 2.21, and TF_ENABLE_ONEDNN_OPTS=0 would slow
# CPU convolutions, so these lines are filtered out of file descriptor 2 while TensorFlow starts.
TENSORFLOW_NOISE = (
    "oneDNN custom operations are on",
    "cudart_stub.cc",
    "Could not find cuda drivers",
    "failed call to cuInit",
    "All log messages before absl::InitializeLog() is called",
    "Unable to register cuDNN factory",
    "Unable to register cuFFT factory",
    "Unable to register cuBLAS factory",
    "computation placer already registered",
    "TF-TRT Warning: Could not find TensorRT",
    "This TensorFlow binary is optimized to use available CPU instructions",
    "To enable the following instructions",
    "absl::InitializeLog",
)


def verbose_requested() -> bool:
    """``DLWP_VERBOSE=1`` (or ``--verbose``): show TensorFlow's own start-up lines."""
    try:
        return bool(env_flag(ENV_VERBOSE))
    except SettingsError:
        return True


@contextmanager
def quiet_tensorflow_startup():
    """Drop TensorFlow's start-up noise from stderr (file descriptor 2) while the block runs;
    every other line written meanwhile is passed on.  A no-op when verbosity was asked for,
    or when TensorFlow has already started (nothing to hide then)."""
    if verbose_requested() or _tensorflow_started():
        yield
        return
    import tempfile

    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 (some embedded interpreters)
        yield
        return
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [
                line
                for line in captured.read().decode("utf-8", errors="replace").splitlines(keepends=True)
                if line.strip() and not any(noise in line for noise in TENSORFLOW_NOISE)
            ]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


_started = False


def _tensorflow_started() -> bool:
    return _started


def start_tensorflow():
    """Import TensorFlow (and Keras) and look for GPUs once, without the start-up noise."""
    global _started
    with quiet_tensorflow_startup():
        import keras
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # cuInit's complaint comes here, not at import
    _started = True
    return tf, keras


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and the Keras backend in one call."""
    _, keras = start_tensorflow()
    keras.utils.set_random_seed(seed)


def in_colab() -> bool:
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def in_binder() -> bool:
    return "BINDER_SERVICE_HOST" in os.environ or "BINDER_LAUNCH_HOST" in os.environ


# The setup cell's `pip install --report` file on Colab: what pip installed, read by setup().
COLAB_INSTALL_REPORT = "/tmp/dlwp-install.json"
KEPT_AS_SHIPPED = ("tensorflow", "keras", "numpy")


def install_summary(report: dict) -> str:
    """One line on what a ``pip install --report`` installed, and whether Colab's TensorFlow, Keras, NumPy were kept."""
    installed = {
        item["metadata"]["name"].lower(): item["metadata"]["version"]
        for item in report.get("install", [])
        if isinstance(item, dict) and "metadata" in item
    }
    replaced = [f"{name} {installed[name]}" for name in KEPT_AS_SHIPPED if name in installed]
    others = len(installed) - len(replaced)
    kept = "replaced " + ", ".join(replaced) if replaced else "kept the runtime's " + ", ".join(KEPT_AS_SHIPPED)
    return f"pip installed {others} other package{'s' if others != 1 else ''} and {kept}"


def _print_install_summary() -> None:
    try:
        with open(COLAB_INSTALL_REPORT, encoding="utf-8") as handle:
            print(install_summary(json.load(handle)))
    except (OSError, ValueError, KeyError, TypeError):
        return  # no report (not installed by the setup cell this session): nothing to say


def configured_backend() -> str:
    """The Keras backend a new kernel will use, read without importing Keras.

    Keras' own order: ``KERAS_BACKEND``, then ``backend`` in ``$KERAS_HOME/keras.json``
    (default ``~/.keras/keras.json``), then TensorFlow.
    """
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        with open(os.path.join(home, "keras.json"), encoding="utf-8") as handle:
            return str(json.load(handle).get("backend") or "tensorflow")
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def describe_device() -> str:
    """One line naming the accelerator the Keras backend will use."""
    _, keras = start_tensorflow()
    backend = keras.backend.backend()
    accelerators = backend_accelerators(backend)
    if accelerators:
        return f"GPU: {len(accelerators)} found ({', '.join(accelerators)})"
    return "GPU: none found, running on the CPU"


def backend_accelerators(backend: str) -> list[str]:
    """Names of the GPUs (or Apple's MPS device) the backend sees: one small branch per backend."""
    if backend == "jax":
        import jax

        return [str(device) for device in jax.devices() if device.platform != "cpu"]
    if backend == "torch":
        import torch

        if torch.cuda.is_available():
            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        mps = getattr(torch.backends, "mps", None)
        return ["mps"] if mps is not None and mps.is_available() else []
    tf, _ = start_tensorflow()
    return [gpu.name for gpu in tf.config.list_physical_devices("GPU")]


def setup(
    *,
    smoke: bool = False,
    epochs: int = 1,
    data_source: str = "auto",
    seed: int = 0,
    smoke_epochs: int = 1,
    quiet: bool = False,
    book: bool = True,
) -> RunSettings:
    """Resolve the run settings, seed every generator and print a banner.

    The banner is the first thing a reader sees: the run mode, the data source
    policy and whether a GPU was found.
    """
    settings = resolve(
        smoke=smoke,
        epochs=epochs,
        data_source=data_source,
        seed=seed,
        smoke_epochs=smoke_epochs,
        book=book,
    )
    seed_everything(settings.seed)
    _record_run(settings)
    if not quiet:
        where = "Colab" if in_colab() else "Binder" if in_binder() else "local"
        if in_colab():
            _print_install_summary()
        print(settings.describe())
        tf, keras = start_tensorflow()
        print(f"{describe_device()} | TensorFlow {tf.__version__}, Keras {keras.__version__} "
              f"(backend: {keras.backend.backend()}) | environment: {where}")
        if settings.smoke:
            print("Smoke mode: shortened training for a quick CPU check; numbers are not the book's.")
    return settings


def _record_run(settings: RunSettings) -> None:
    """Hand the mode, seed and backend to the record stream (a verdict depends on the mode)."""
    import keras

    from dlwp_widgets import recording

    recording.record_run(mode="smoke" if settings.smoke else "full", seed=settings.seed,
                         backend=keras.backend.backend())
