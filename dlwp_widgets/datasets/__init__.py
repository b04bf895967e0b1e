"""Dataset loaders: real files (checksummed, cached) and deterministic stand-ins.

Each module here that defines ``FILES`` and ``load_data`` is a dataset; see
:mod:`dlwp_widgets.datasets.core` for the switch between real and stand-in data.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def available() -> dict[str, ModuleType]:
    """All dataset modules, by name (``mnist``, ``imdb``, ...)."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "core":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "FILES") and hasattr(module, "load_data"):
            found[module.NAME] = module
    return dict(sorted(found.items()))


def get(name: str) -> ModuleType:
    datasets = available()
    if name not in datasets:
        raise KeyError(f"Unknown dataset {name!r}; known: {', '.join(datasets)}.")
    return datasets[name]
