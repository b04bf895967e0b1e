"""``dlwp doctor``: what this machine has, and a concrete fix for each problem found."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
from dataclasses import dataclass

from dlwp_widgets import config

REQUIREMENTS = {
    # distribution: (minimum version, why it matters)
    # The lowest versions CI tests (constraints/lowest.txt, .ci/lowest-versions).
    "tensorflow": ((2, 16), "the companion is tested from TensorFlow 2.16 (the first with Keras 3)"),
    "keras": ((3, 15), "the companion needs Keras 3.15.1 (its safe IMDB/Reuters npz reader)"),
    "ipywidgets": ((8, 1), "widgets need ipywidgets 8"),
    "papermill": ((2, 6), "`dlwp book run` executes notebooks with papermill"),
    "jupytext": ((1, 16), "the .py notebooks open through Jupytext"),
}
TENSORFLOW_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly")


@dataclass
class Check:
    name: str
    state: str
    problem: str = ""
    fix: str = ""
    hint: str = ""  # advice that is not a problem (e.g. no GPU on a laptop)


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _as_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def check_versions() -> list[Check]:
    checks = [Check("python", sys.version.split()[0])]
    if sys.version_info < (3, 11):
        checks[0].problem = "Python 3.11 or newer is required"
        checks[0].fix = "create the environment with python3.11 (or newer): python3.11 -m venv .venv"
    for distribution, (minimum, why) in REQUIREMENTS.items():
        names = TENSORFLOW_DISTRIBUTIONS if distribution == "tensorflow" else (distribution,)
        found = next(((name, v) for name in names if (v := _version(name))), None)
        if found is None:
            checks.append(Check(distribution, "missing", f"not installed: {why}", "pip install -e '.[test]'"))
            continue
        name, version = found
        check = Check(distribution, f"{version} ({name})" if name != distribution else version)
        if _as_tuple(version) < minimum:
            check.problem = f"version {version} is older than {'.'.join(map(str, minimum))}: {why}"
            check.fix = f"pip install -U '{distribution}>={'.'.join(map(str, minimum))}'"
        checks.append(check)
    return checks


def check_backend_and_device() -> list[Check]:
    checks = []
    try:
        import keras

        backend = keras.backend.backend()
        check = Check("keras backend", backend)
        if backend not in ("tensorflow", "jax", "torch"):
            check.problem = f"the companion runs on the tensorflow, jax and torch backends, not {backend}"
            check.fix = "export KERAS_BACKEND=tensorflow (or edit ~/.keras/keras.json)"
        elif backend != "tensorflow":
            check.hint = "TensorFlow stays installed: the input pipelines are tf.data, which feeds every backend"
        checks.append(check)
        with config.quiet_tensorflow_startup():
            accelerators = config.backend_accelerators(backend)
        check = Check("gpu", ", ".join(accelerators) if accelerators else "none")
        if not accelerators:
            check.hint = (
                "full runs of chapters 5, 6 and 8 take hours on a CPU: use smoke mode "
                "(`dlwp book run --smoke`), or a GPU machine with pip install -e '.[gpu]' "
                "(Colab: Runtime > Change runtime type > GPU)"
            )
        checks.append(check)
    except Exception as error:  # a broken TensorFlow install must not hide the rest of the report
        checks.append(Check("tensorflow import", "failed", str(error), "pip install --force-reinstall -e ."))
    return checks


def check_data() -> list[Check]:
    from dlwp_widgets import datasets
    from dlwp_widgets.datasets import core

    cache = core.cache_dir()
    checks = [Check("data cache", str(cache))]
    if cache.exists() and not os.access(cache, os.W_OK):
        checks[0].problem = "the cache folder is not writable"
        checks[0].fix = f"export {core.ENV_CACHE_DIR}=/a/writable/folder"
    data_dir = os.environ.get(core.ENV_DATA_DIR)
    if data_dir and not os.path.isdir(data_dir):
        checks.append(
            Check(core.ENV_DATA_DIR, data_dir, "the folder does not exist", f"unset {core.ENV_DATA_DIR} or fix the path")
        )
    for name, module in datasets.available().items():
        missing = []
        for remote in module.FILES:
            try:
                if core.cached_path(remote) is None:
                    missing.append(remote.filename)
            except core.DataUnavailable as error:
                checks.append(Check(f"data: {name}", "corrupt", str(error), "replace the file (see the message)"))
                break
        else:
            if missing:
                checks.append(
                    Check(
                        f"data: {name}",
                        f"not downloaded ({', '.join(missing)})",
                        hint=f"offline runs use the stand-in; `dlwp data fetch {name}` while online",
                    )
                )
            else:
                checks.append(Check(f"data: {name}", "cached, checksum verified"))
    return checks


# distribution: (import name, why it matters, the command that fixes it)
FRONT_END = {
    "jupyterlab": ("jupyterlab", "`dlwp lab` and reading the notebooks need JupyterLab", "pip install 'jupyterlab>=4.2,<5'"),
    "jupyterlab_widgets": (
        "jupyterlab_widgets", "the widget manager: without it widgets do not render in JupyterLab",
        "pip install 'jupyterlab_widgets>=3' 'ipywidgets>=8.1'",
    ),
}
COMPONENTS = {
    "tensorboard": ("tensorboard", "chapter 7's TensorBoard callback", "pip install 'tensorboard>=2.20'"),
    "keras-tuner": ("keras_tuner", "chapter 7's hyperparameter search", "pip install 'keras-tuner>=1.4.7'"),
    "pydot": ("pydot", "keras.utils.plot_model (chapter 7) draws through pydot", "pip install 'pydot>=3'"),
}


def check_components(components: dict[str, tuple[str, str, str]]) -> list[Check]:
    """Installed and importable (a present but broken package counts as missing)."""
    import importlib.util

    checks = []
    for distribution, (module, why, fix) in components.items():
        version = _version(distribution)
        found = version is not None and importlib.util.find_spec(module) is not None
        checks.append(Check(distribution, version) if found else Check(distribution, "missing", why, fix))
    return checks


def check_notebooks() -> list[Check]:
    from dlwp_widgets.book.notebooks import find_notebooks, find_root

    root = find_root()
    refs = find_notebooks(root=root.path) if root.origin != "none" else []
    if not refs:
        where = f"under {root.path / 'chapters'} ({root.origin})" if root.origin != "none" else "anywhere"
        return [Check("notebooks", "none found", f"no chapter notebooks {where}",
                      "dlwp book get DIR && cd DIR (or set DLWP_ROOT to a folder holding chapters/)")]
    check = Check("notebooks", f"{len(refs)} in {root.path / 'chapters'} ({root.origin})")
    if not root.writable_copy:
        check.hint = "this is the installed package's copy: `dlwp book get DIR` gives you your own to edit and run"
    return [check]


def check_front_end() -> list[Check]:
    where = "Colab" if config.in_colab() else "Binder" if config.in_binder() else "local"
    checks = [Check("environment", where)]
    if not config.in_colab():
        checks += check_components(FRONT_END)
    dot = shutil.which("dot")
    checks.append(
        Check("graphviz dot", dot)
        if dot
        else Check(
            "graphviz dot",
            "not on PATH",
            "keras.utils.plot_model (chapter 7) needs Graphviz's `dot` program",
            "apt-get install graphviz (Debian/Ubuntu) | brew install graphviz (macOS) | conda install graphviz",
        )
    )
    return checks


def run_checks(stream=None) -> int:
    """Print every check; returns 1 when any has a problem."""
    stream = stream or sys.stdout
    with config.quiet_tensorflow_startup():  # TensorFlow's start-up lines only with --verbose
        checks = check_versions() + check_backend_and_device() + check_data() + check_notebooks() + check_front_end()
        checks += check_components(COMPONENTS)
    width = max(len(check.name) for check in checks)
    problems = 0
    for check in checks:
        mark = "!!" if check.problem else "ok"
        print(f"{mark} {check.name:<{width}}  {check.state}", file=stream)
        if check.problem:
            problems += 1
            print(f"   {'':<{width}}  problem: {check.problem}\n   {'':<{width}}  fix: {check.fix}", file=stream)
        elif check.hint:
            print(f"   {'':<{width}}  note: {check.hint}", file=stream)
    print(f"\n{problems} problem(s) found." if problems else "\nAll good.", file=stream)
    return 1 if problems else 0
