"""Reading untrusted tar and zip archives safely into a staging folder, and publishing it atomically.

A downloaded or reader-provided archive is never trusted.  Before a member is
written, :func:`tar_member_problem` / :func:`zip_member_problem` say why it
must not be: an absolute path, a ``..`` component, a link, a device or other
special file.  Size caps belong to each dataset (its cap, named in its error):
:func:`read_capped` and :func:`copy_capped` stream a member in blocks and stop
one block past the cap, so a member whose header lies about its size is never
read whole.  Everything is written into :func:`staging_folder` (removed on
every way out, Ctrl-C included), and :func:`publish` moves the finished folder
into place with one rename, a :data:`COMPLETE_MARKER` inside: a half-written
folder is never used.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from dlwp_widgets.datasets import core

COMPLETE_MARKER = ".complete"
BLOCK = 1 << 20  # bytes read at a time


class UnsafeArchive(core.DataUnavailable):
    """An archive member is absolute, climbs out with ``..``, is a link or device, or is too large."""


def path_problem(name: str) -> str | None:
    """Why the member name ``name`` would land outside the target folder (None when it stays inside)."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return f"member {name!r} has an absolute path, which would be written outside the target folder"
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return f"member {name!r} would be written outside the target folder ('..')"
    return None


def tar_member_problem(member: tarfile.TarInfo) -> str | None:
    """Why the tar ``member`` must not be extracted, size aside (None when it may)."""
    problem = path_problem(member.name)
    if problem:
        return problem
    if member.issym() or member.islnk():
        return f"member {member.name!r} is a link"
    if not (member.isfile() or member.isdir()):
        return f"member {member.name!r} is a device or other special file"
    return None


def zip_member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why the zip member ``info`` must not be extracted, size aside (None when it may)."""
    problem = path_problem(info.filename)
    if problem:
        return problem
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return f"member {info.filename!r} is a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return f"member {info.filename!r} is a device or other special file"
    return None


def unreadable_zip(error: Exception) -> str:
    """The problem text for a file that ``zipfile`` cannot open."""
    return f"not a readable zip ({error}): the transfer was cut short or the server sent something else"


def _blocks(stream, cap: int, refuse: Callable[[int], Exception]) -> Iterator[bytes]:
    size = 0
    while True:
        block = stream.read(min(BLOCK, cap + 1 - size))
        if not block:
            return
        size += len(block)
        if size > cap:
            raise refuse(size)
        yield block


def read_capped(stream, cap: int, refuse: Callable[[int], Exception]) -> bytes:
    """All of binary ``stream`` if it holds at most ``cap`` bytes; else ``refuse(bytes read)`` is raised.

    At most ``cap + 1`` bytes are read, whatever the member's header declared.
    """
    return b"".join(_blocks(stream, cap, refuse))


def copy_capped(stream, target: Path, cap: int, refuse: Callable[[int], Exception]) -> None:
    """Like :func:`read_capped`, but written block by block to the file ``target``."""
    with open(target, "wb") as sink:
        for block in _blocks(stream, cap, refuse):
            sink.write(block)


@contextmanager
def staging_folder(destination: Path) -> Iterator[Path]:
    """A fresh ``.partial-*`` folder beside ``destination``, removed if the block does not finish.

    Pass it to :func:`publish` inside the block; after a successful publish
    there is nothing left to remove.
    """
    parent = Path(destination).parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def publish(staging: Path, final: Path, marker: str = "ok\n") -> Path:
    """Move a fully written folder into place, :data:`COMPLETE_MARKER` (holding ``marker``) inside.

    Two processes may build the same folder at once (the main job runs two
    notebooks at a time, and 5.2 and 5.3 share a stand-in): whichever publishes first
    wins, and a later publish with the same marker discards its own copy rather
    than delete a folder another kernel is reading.  A folder with a different
    marker (or none) is stale and is replaced.
    """
    final = Path(final)
    (staging / COMPLETE_MARKER).write_text(marker)
    final.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        if _published(final, marker):
            shutil.rmtree(staging, ignore_errors=True)
            return final
        if final.exists():
            shutil.rmtree(final, ignore_errors=True)
        try:
            os.replace(staging, final)
            return final
        except OSError:  # another process put a folder there since the check: look again
            continue
    raise OSError(f"Could not publish {staging} as {final}: another process keeps replacing it. Run again.")


def _published(final: Path, marker: str) -> bool:
    try:
        return (final / COMPLETE_MARKER).read_text() == marker
    except OSError:
        return False
