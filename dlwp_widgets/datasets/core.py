"""What every dataset shares: checksummed files, the cache, and the source switch.

A dataset module describes its files as :class:`RemoteFile` entries (with the
checksum Keras itself pins for them) and provides two functions: one that reads
the real files, one that generates the deterministic stand-in.  :func:`load`
picks between them according to the data source:

``real``     the real files, or a clear :class:`DataUnavailable` error;
``standin``  the stand-in, announced as such;
``auto``     the real files when they can be had, otherwise the stand-in with a
             loud notice that says why.

Downloads are streamed into a staging folder and moved into the cache only once
their checksum (or content check) passed, so a failed, truncated or corrupt
download never leaves a file behind that a later run would trust; the staging
folder is removed on every way out, Ctrl-C included.

Limits: every socket read waits at most ``DLWP_DOWNLOAD_TIMEOUT`` seconds
(default 60) and a whole download at most ``DLWP_DOWNLOAD_DEADLINE`` seconds
(default 3600, so a server that trickles bytes cannot hang a notebook forever).
A setting that is not a positive number is a :class:`DataUnavailable` error
naming the variable (so ``auto`` falls back to the stand-in and says why).
Every registry entry carries its download cap (its exact size, or
``max_bytes``): a ``Content-Length`` over it is refused before the first byte,
and a body that grows past it is cut off while streaming.

Files that are not regular files (a FIFO, a device, a folder, a link to
``/dev/zero``) are refused before they are opened, in ``DLWP_DATA_DIR`` and in
the cache alike; the per-user temporary fallback folder is used only when it is
private (created with mode 0700, owned by the user).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import stat
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

from dlwp_widgets.recording import record_data_source
from dlwp_widgets.config import check_data_source

ENV_CACHE_DIR = "DLWP_CACHE_DIR"
ENV_DATA_DIR = "DLWP_DATA_DIR"
ENV_MIRROR = "DLWP_DATA_MIRROR"
ENV_TIMEOUT = "DLWP_DOWNLOAD_TIMEOUT"
ENV_DEADLINE = "DLWP_DOWNLOAD_DEADLINE"
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_DEADLINE_S = 3600.0
STANDIN_DIR = "dlwp-standins"

T = TypeVar("T")


class DataUnavailable(RuntimeError):
    """The real data could not be had; the message says why and what to do."""


class DownloadFailed(DataUnavailable):
    """The server could not be reached, refused, or sent an incomplete file."""


class ChecksumMismatch(DataUnavailable):
    """A file's content is not the one whose checksum the registry pins."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a real dataset, as the registry knows it.

    ``file_hash`` is the checksum published with the loader (Keras pins sha256
    for most files, md5 for a few); ``hash_algorithm`` names which.  Where no
    trustworthy source publishes a checksum, ``file_hash`` is None, ``note`` says
    so, and the file is verified by its exact ``size_bytes`` or by ``verify``, a
    content check that returns what is wrong with a file (None when it is right),
    described for people by ``verify_description``.
    """

    filename: str
    url: str
    file_hash: str | None
    hash_algorithm: str = "sha256"
    size_bytes: int | None = None
    note: str = ""
    verify: Callable[[Path], str | None] | None = field(default=None, compare=False)
    verify_description: str = ""
    max_bytes: int | None = None  # the download cap where the exact size is not pinned

    def __post_init__(self):
        if self.file_hash is None and self.size_bytes is None and self.verify is None:
            raise ValueError(f"{self.filename}: a registry entry needs a checksum, an exact size or a content check.")
        if self.download_cap is None:
            raise ValueError(f"{self.filename}: a registry entry needs its download cap (size_bytes or max_bytes).")

    @property
    def download_cap(self) -> int | None:
        """The most bytes a download of this file may bring: its exact size, else ``max_bytes``."""
        return self.size_bytes if self.size_bytes is not None else self.max_bytes


    def describe_check(self) -> str:
        parts = []
        if self.file_hash is not None:
            parts.append(f"{self.hash_algorithm} {self.file_hash}")
        if self.size_bytes is not None:
            parts.append(f"size {self.size_bytes} bytes")
        if self.verify is not None:
            parts.append(self.verify_description or "a content check")
        if self.file_hash is None:
            parts.append("no published checksum")
        return ", ".join(parts)

    def problem_with(self, path: Path) -> str | None:
        """What is wrong with the local file ``path``, or None when it is this entry's file."""
        kind = not_a_regular_file(path)
        if kind:
            return kind
        size = path.stat().st_size
        if self.download_cap is not None and size > self.download_cap:
            return f"{size:,} bytes, over this file's cap of {self.download_cap:,} bytes (size_bytes / max_bytes)"
        if self.size_bytes is not None and size != self.size_bytes:
            return f"{size} bytes instead of {self.size_bytes}"
        if self.file_hash is not None:
            digest = file_digest(path, self.hash_algorithm)
            if digest != self.file_hash:
                return f"{self.hash_algorithm} {digest} instead of {self.file_hash}"
        return self.verify(path) if self.verify is not None else None

    def origin(self) -> str:
        """The URL to fetch, honouring a ``DLWP_DATA_MIRROR`` base URL."""
        mirror = os.environ.get(ENV_MIRROR)
        if mirror:
            return urllib.parse.urljoin(mirror.rstrip("/") + "/", self.filename)
        return self.url


def cache_dir() -> Path:
    """Where downloads are kept: ``DLWP_CACHE_DIR``, else Keras' own dataset cache."""
    configured = os.environ.get(ENV_CACHE_DIR)
    if configured:
        return Path(configured).expanduser()
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(keras_home) / "datasets"


def cache_problem(folder: Path | None = None) -> str | None:
    """Why ``folder`` (default: the cache) cannot hold files, or None when it can."""
    folder = Path(folder or cache_dir())
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"the cache folder {folder} cannot be created ({error.strerror or error})"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the cache folder {folder} is not writable"
    return None


_announced_fallback: set[str] = set()


def not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` must not be opened as a data file (a FIFO would block, a device never end), or None.

    A symbolic link is followed (a reader's ``DLWP_DATA_DIR`` may link to their downloads), but its target
    must be a regular file too.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return f"{path} cannot be read ({error.strerror or error})"
    if stat.S_ISREG(mode):
        return None
    kind = "a folder" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a device or other special file"
    return f"{path} is {kind}, not a regular file"


def existing_file(path: Path, where: str) -> bool:
    """Whether a regular file is at ``path`` (False when nothing is); anything else there is a
    :class:`DataUnavailable` error naming it and ``where`` it was found, raised before it is opened."""
    if not os.path.lexists(path):
        return False
    problem = not_a_regular_file(path)
    if problem:
        raise DataUnavailable(f"Refusing {problem} (found in {where}); remove or replace it.")
    return True


def private_folder(folder: Path) -> Path:
    """``folder``, created with mode 0700 or checked to be a real folder owned by this user and closed to
    others; anything else (another user created it first, a link) is a :class:`DataUnavailable` error."""
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as error:
        raise DataUnavailable(f"the temporary folder {folder} cannot be created ({error.strerror or error})") from None
    info = os.lstat(folder)
    uid = os.getuid() if hasattr(os, "getuid") else info.st_uid
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid or info.st_mode & 0o077:
        raise DataUnavailable(
            f"Refusing the temporary folder {folder}: it is not a private folder of this user (a link, owned by "
            f"uid {info.st_uid}, or open to others: mode {stat.S_IMODE(info.st_mode):o}), so files in it may have "
            f"been planted. Set {ENV_CACHE_DIR} to a writable folder of your own."
        )
    return folder


def work_dir() -> Path:
    """A folder for generated files (stand-ins, subsets): the cache, else a temporary folder.

    Stand-ins must work even where the cache cannot be written (a read-only home,
    ``DLWP_CACHE_DIR`` naming a file): then they go to a per-user temporary
    folder, and a notice says so once.
    """
    problem = cache_problem()
    if problem is None:
        return cache_dir()
    fallback = private_folder(Path(tempfile.gettempdir()) / f"dlwp-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}")
    if problem not in _announced_fallback:
        _announced_fallback.add(problem)
        print(f"Note: {problem}; generated data goes to {fallback} instead (set {ENV_CACHE_DIR} to fix).", flush=True)
    return fallback


def env_seconds(name: str, default: float) -> float:
    """A positive number of seconds from the environment (``default`` when unset)."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise DataUnavailable(
            f"{name}={raw!r} is not a positive number of seconds; unset it (default {default:g}) or fix it."
        )
    return value


def data_dir() -> Path | None:
    """The reader's folder of pre-downloaded files (``DLWP_DATA_DIR``), which must exist when set."""
    configured = os.environ.get(ENV_DATA_DIR)
    if not configured:
        return None
    folder = Path(configured).expanduser()
    if not folder.is_dir():
        raise DataUnavailable(
            f"{ENV_DATA_DIR}={configured!r} is not a folder (it does not exist, or it is a file). "
            f"Point {ENV_DATA_DIR} at the folder holding the downloaded files, or unset it."
        )
    return folder


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _what_to_do(remote: RemoteFile) -> str:
    return (
        "What to do: check the internet connection and run again; or download "
        f"{remote.url} yourself and set {ENV_DATA_DIR} to the folder that holds "
        f"{remote.filename}; or run with DATA_SOURCE='standin' (or {'DLWP_DATA_SOURCE'}=standin) "
        "to use the labelled stand-in data."
    )


def cached_path(remote: RemoteFile) -> Path | None:
    """A verified local copy of ``remote``, if one exists (never downloads).

    A pre-downloaded file in ``DLWP_DATA_DIR`` that fails its checksum is an
    error (it is the reader's file: we neither use nor delete it); a cached
    file that fails is removed, because only this package writes there.
    """
    provided_dir = data_dir()
    if provided_dir is not None:
        provided = provided_dir / remote.filename
        if existing_file(provided, ENV_DATA_DIR):
            problem = remote.problem_with(provided)
            if problem:
                raise ChecksumMismatch(
                    f"{provided} (from {ENV_DATA_DIR}) does not match the registry's {remote.filename} "
                    f"({problem}; expected {remote.describe_check()}): it is a different or damaged "
                    f"copy. Replace it with a fresh download of {remote.url}, or unset {ENV_DATA_DIR}."
                )
            return provided
    cached = cache_dir() / remote.filename
    if os.path.islink(cached):
        cached.unlink()  # only this package writes the cache, and it writes no links
    elif existing_file(cached, f"the cache {cached.parent}"):
        if _checked_stamp(cached) == _read_stamp(remote):
            return cached  # its whole content was checked when it entered the cache, and it is unchanged
        problem = remote.problem_with(cached)
        if problem is None:
            _write_stamp(remote, cached)
            return cached
        forget_cached(remote, cached)
        print(f"Removed {cached} from the cache: {problem}. It is downloaded again.", flush=True)
    return None


def _stamp_path(remote: RemoteFile) -> Path:
    return cache_dir() / f".{remote.filename}.content-checked"


def _checked_stamp(path: Path) -> str:
    """What identifies this copy of a file (size, modification time, inode): a changed file has another stamp."""
    info = os.stat(path)
    return f"{info.st_size} {info.st_mtime_ns} {info.st_ino}\n"


def _read_stamp(remote: RemoteFile) -> str | None:
    """The stamp of the copy whose content check passed (content-checked entries only: checksums are fast)."""
    stamp = _stamp_path(remote)
    if remote.verify is None or remote.file_hash is not None or not usable_generated_file(stamp):
        return None
    return stamp.read_text()[:200]


def _write_stamp(remote: RemoteFile, path: Path) -> None:
    if remote.verify is not None and remote.file_hash is None:
        _stamp_path(remote).write_text(_checked_stamp(path))


def forget_cached(remote: RemoteFile, path: Path) -> bool:
    """Remove ``path`` if it is the cache's copy of ``remote`` (never a reader's file); whether it was."""
    cached = cache_dir() / remote.filename
    if Path(path).absolute() != cached.absolute():
        return False
    cached.unlink(missing_ok=True)
    _stamp_path(remote).unlink(missing_ok=True)
    return True


class _DeadlinePassed(Exception):
    pass


class _TooLarge(Exception):
    pass


def download(url: str, target: Path, *, timeout_s: float, deadline_s: float, max_bytes: int | None = None) -> None:
    """Stream ``url`` into ``target``: each read waits at most ``timeout_s``, the whole at most ``deadline_s``,
    and at most ``max_bytes`` are accepted (a larger ``Content-Length`` is refused before reading).

    A body shorter than its ``Content-Length`` is an error (a cut transfer).
    """
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"User-Agent": "dlwp-companion"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        declared = response.headers.get("Content-Length")
        if max_bytes is not None and declared is not None and declared.isdigit() and int(declared) > max_bytes:
            raise _TooLarge(f"the server announced {int(declared):,} bytes")
        received = 0
        with open(target, "wb") as out:
            while True:
                if time.monotonic() - started > deadline_s:
                    raise _DeadlinePassed(received)
                block = response.read1(1 << 16)
                if not block:
                    break
                received += len(block)
                if max_bytes is not None and received > max_bytes:
                    raise _TooLarge(f"the server sent more than {max_bytes:,} bytes")
                out.write(block)
        if declared is not None and declared.isdigit() and received < int(declared):
            raise http.client.IncompleteRead(b"", int(declared) - received)


def fetch(remote: RemoteFile) -> Path:
    """Return a verified local path for ``remote``, downloading it if needed."""
    local = cached_path(remote)
    if local is not None:
        return local
    target_dir = cache_dir()
    problem = cache_problem(target_dir)
    if problem:
        raise DataUnavailable(f"Cannot download {remote.filename}: {problem}. Set {ENV_CACHE_DIR} to a writable folder.")
    origin = remote.origin()
    timeout = env_seconds(ENV_TIMEOUT, DEFAULT_TIMEOUT_S)
    deadline = env_seconds(ENV_DEADLINE, DEFAULT_DEADLINE_S)
    staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=target_dir))
    try:
        downloaded = staging / remote.filename
        try:
            download(origin, downloaded, timeout_s=timeout, deadline_s=deadline, max_bytes=remote.download_cap)
        except _TooLarge as too_large:
            raise DownloadFailed(
                f"Refused the download of {remote.filename} from {origin}: {too_large.args[0]}, over its download "
                f"cap of {remote.download_cap:,} bytes (the registry's size_bytes / max_bytes for this file). "
                "Nothing was kept in the cache. " + _what_to_do(remote)
            ) from None
        except _DeadlinePassed as passed:
            raise DownloadFailed(
                f"Gave up downloading {remote.filename} from {origin}: it was not complete after "
                f"{deadline:g} s ({passed.args[0]:,} bytes received; the limit is {ENV_DEADLINE}={deadline:g}). "
                "The server is too slow; nothing was kept in the cache. " + _what_to_do(remote)
            ) from None
        except Exception as error:  # urllib, http.client and socket errors
            raise DownloadFailed(
                f"Could not download {remote.filename} from {origin}: {error}. "
                "The machine may be offline, the server may be down, or the transfer was cut "
                "short; nothing was kept in the cache. " + _what_to_do(remote)
            ) from None
        problem = remote.problem_with(downloaded)
        if problem:
            raise ChecksumMismatch(
                f"Downloaded {remote.filename} from {origin}, but it does not match the registry's file "
                f"({problem}; expected {remote.describe_check()}): the download is corrupt or the "
                "server sent a different copy. Nothing was kept in the cache. " + _what_to_do(remote)
            )
        final = target_dir / remote.filename
        os.replace(downloaded, final)
        _write_stamp(remote, final)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def standin_cache_path(key: str) -> Path:
    return work_dir() / STANDIN_DIR / key


def usable_generated_file(path: Path) -> bool:
    """Whether the generated file at ``path`` may be used: a regular file, not a link.  Anything else there
    (a link, a FIFO, a folder: not what this package writes) is removed, so the file is generated again."""
    if not os.path.lexists(path):
        return False
    if not os.path.islink(path) and not_a_regular_file(path) is None:
        return True
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)
    return False


def cached_standin(key: str, generate: Callable[[], dict], *, cache: bool = True) -> dict:
    """Arrays of a stand-in, generated once and kept as ``.npz`` in the cache.

    ``key`` must change whenever the generator's output would (it carries a
    version), so a cached file is always the generator's current output.
    """
    import numpy as np

    path = standin_cache_path(key + ".npz")
    if cache and usable_generated_file(path):
        try:
            with np.load(path, allow_pickle=False) as stored:
                return {name: stored[name] for name in stored.files}
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
    arrays = generate()
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".partial-", suffix=".npz", dir=path.parent)
        os.close(fd)
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    return arrays


def announce_standin(title: str, reason: str | None, description: str) -> None:
    """Print the stand-in notice: loud, and impossible to mistake for real data."""
    bar = "!" * 78
    lines = [bar, f"!! STAND-IN DATA for {title}: not the real dataset."]
    if reason:
        lines.append(f"!! The real data could not be used: {reason}")
    lines.append(f"!! {description}")
    lines.append("!! Results below measure the code, not the book's numbers.")
    lines.append(bar)
    print("\n".join(lines), flush=True)


def load(
    *,
    name: str,
    title: str,
    source: str,
    load_real: Callable[[], T],
    load_standin: Callable[[], T],
    standin_description: str,
    verified_by: str = "their pinned checksums",
) -> T:
    """Load dataset ``name`` from the chosen source and say where it came from."""
    check_data_source(source)
    if source in ("real", "auto"):
        try:
            data = load_real()
        except DataUnavailable as error:
            if source == "real":
                raise
            reason = str(error)
        else:
            print(f"{title}: real data (files verified by {verified_by}).", flush=True)
            record_data_source(name, "real")
            return data
    else:
        reason = None
    announce_standin(title, reason, standin_description)
    record_data_source(name, "standin")
    return load_standin()
