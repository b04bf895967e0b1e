"""``dlwp book get [DIR]``: copy the notebooks shipped with the package into a reader's folder.

The package carries the chapter notebooks (``dlwp_widgets/book/shipped/chapters``
in a wheel; the checkout's ``chapters/`` in an editable install).  ``get`` writes
them to ``DIR/chapters/`` and a small manifest (``DIR/.dlwp-book.json``) with the
SHA-256 of every file as written.  On a later ``get`` (after upgrading the
package) a file is

* written when it is missing,
* left alone when it already equals the shipped version,
* updated when it still equals what ``get`` wrote last time (the reader did not
  touch it),
* **kept** otherwise (the reader edited it, or it predates the manifest),
  unless ``force`` is given; kept files are listed.

Nothing is written through a symbolic link: each file is staged in a fresh
``*.partial`` file (opened with ``O_EXCL | O_NOFOLLOW``, after removing whatever
was there: a planted link is removed, never followed) and renamed over the
destination, which replaces a link instead of writing into its target; a
``chapters/`` or chapter folder that is a link is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".dlwp-book.json"
NOTEBOOK_FILE = re.compile(r"^\d+\.\d+-[a-z0-9-]+\.(py|ipynb)$")


class NothingToGet(RuntimeError):
    """The package has no notebooks to copy (a broken install)."""


@dataclass
class GetResult:
    target: Path
    source: Path
    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by the reader, left as they are
    replaced: list[str] = field(default_factory=list)  # edited by the reader, overwritten (force)

    def summary(self) -> str:
        lines = [
            f"{len(self.written)} written, {len(self.updated)} updated, {len(self.unchanged)} already up to date, "
            f"{len(self.kept)} kept, {len(self.replaced)} replaced in {self.target / 'chapters'}"
        ]
        if self.kept:
            lines.append("Kept (they differ from the shipped version: your edits); `dlwp book get --force` replaces them:")
            lines += [f"  {name}" for name in self.kept]
        if self.replaced:
            lines.append("Replaced (your edits were discarded, --force):")
            lines += [f"  {name}" for name in self.replaced]
        return "\n".join(lines)


def _write_file(destination: Path, data: bytes) -> None:
    """Write ``data`` to ``destination`` through a staged file, never through a link (see the module docstring)."""
    partial = destination.with_name(destination.name + ".partial")
    if partial.is_symlink() or partial.is_file():
        partial.unlink()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(partial, flags, 0o644)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _real_folder(folder: Path) -> Path:
    """``folder``, created if missing; a link or a file there is refused (files would land elsewhere)."""
    if folder.is_symlink():
        raise ValueError(f"{folder} is a symbolic link: refusing to write the notebooks through it.")
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"{folder} exists and is not a folder.")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shipped_files(source: Path) -> dict[str, Path]:
    """``chNN_slug/N.M-name.ext`` -> file, for every notebook file under ``source``."""
    return {
        f"{path.parent.name}/{path.name}": path
        for path in sorted(source.glob("ch*/*"))
        if path.is_file() and NOTEBOOK_FILE.match(path.name)
    }


def _read_manifest(path: Path) -> dict[str, str]:
    if path.is_symlink() or not path.is_file():
        return {}  # missing, or not what `get` writes (a link, a FIFO): nothing is known about earlier copies
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.get("files", {}).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def get_book(target: Path, force: bool = False, source: Path | None = None) -> GetResult:
    """Copy the shipped notebooks into ``target/chapters`` (see the module docstring)."""
    from dlwp_widgets.book.notebooks import shipped_chapters

    source = source or shipped_chapters()
    files = shipped_files(source) if source else {}
    if not files:
        raise NothingToGet(
            "This installation carries no notebooks: reinstall the package "
            "(pip install --force-reinstall dlwp-companion) or clone the repository."
        )
    target = Path(target).expanduser().resolve()
    if target.exists() and not target.is_dir():
        raise ValueError(f"{target} is a file, not a folder: name a folder for the notebooks.")
    chapters = target / "chapters"
    if chapters.is_symlink():
        raise ValueError(f"{chapters} is a symbolic link: refusing to write the notebooks through it.")
    if source.resolve() == chapters.resolve():
        raise ValueError(f"{target} is where the notebooks come from; choose another folder.")
    manifest_path = target / MANIFEST
    written_before = _read_manifest(manifest_path)
    result = GetResult(target, source)
    manifest: dict[str, str] = {}
    for name, path in files.items():
        data = path.read_bytes()
        new_digest = _digest(data)
        destination = chapters / name
        if destination.is_symlink() and not force:
            result.kept.append(name + " (a symbolic link: not followed)")
            manifest[name] = written_before.get(name, "")
            continue
        if destination.is_file() and not destination.is_symlink():
            current = _digest(destination.read_bytes())
            if current == new_digest:
                result.unchanged.append(name)
                manifest[name] = new_digest
                continue
            untouched = written_before.get(name) == current
            if not untouched and not force:
                result.kept.append(name)
                manifest[name] = written_before.get(name, "")
                continue
            (result.updated if untouched else result.replaced).append(name)
        elif os.path.lexists(destination):
            if destination.is_dir() and not destination.is_symlink():
                raise ValueError(f"{destination} is a folder where a notebook belongs: move it away and run again.")
            result.replaced.append(name)  # a link (with --force) or a special file: replaced, never followed
        else:
            result.written.append(name)
        _real_folder(chapters)
        _real_folder(destination.parent)
        _write_file(destination, data)
        manifest[name] = new_digest
    _real_folder(manifest_path.parent)
    _write_file(manifest_path, (
        json.dumps({"about": "written by `dlwp book get`: the files as shipped, to tell your edits apart",
                    "files": manifest}, indent=1, sort_keys=True) + "\n").encode("utf-8"))
    return result
