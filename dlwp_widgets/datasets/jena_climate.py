"""Jena climate 2009-2016: 14 weather measurements every 10 minutes (chapters 6.3 and 6.4).

``load_data()`` returns the path of ``jena_climate_2009_2016.csv``, the file the
book's listings 6.33-6.35 open and parse themselves: a header of 15 quoted column
names (``"Date Time"`` and 14 measurements) and 420,551 data rows such as
``01.01.2009 00:10:00,996.52,-8.02,...``.

Real data: the zip archive on the Keras datasets bucket the book downloads.  No
checksum or byte size is published for it, so none is pinned; the archive is
verified by its whole content before it may enter the cache: a readable zip, no
unsafe member (absolute path, ``..``, link, device), the CSV inside no larger
than :data:`MAX_CSV_BYTES`, no line longer than :data:`LINE_CAP` (checked while
reading), its header exactly the 15 columns, exactly 420,551 data rows (empty
lines are not rows: a final newline is tolerated, though the real file has none),
each a ``dd.mm.yyyy hh:mm:ss`` time and 14 finite numbers.  The member checks, the capped streamed copy, the
staging folder and the atomic publish are :mod:`~dlwp_widgets.datasets.archives`'
(the CSV is extracted into a staging folder, which is renamed into the cache
with a completion marker).

Stand-in: a generated 10-minute series in the same file format, with the same
columns, units and length (420,551 rows from 01.01.2009 00:10), so the book's
split indices (200,000 / 300,000) and parsing code work unchanged.  Temperature
= a yearly cycle + a daily cycle whose amplitude depends on the season and on a
slowly varying cloud cover + "weather fronts" (smooth autoregressive anomalies
lasting days) + small noise.  Pressure falls ahead of a warm front (it follows
the same front process, half a day earlier), humidity rises with cloud cover
and at night, and the other columns are computed from temperature, pressure and
humidity with the physical formulas (Magnus vapour pressure, dew point, specific
humidity, air density, potential temperature).  Tomorrow's temperature is
therefore partly predictable from the past: the common-sense baseline works,
and a recurrent model reading pressure and trends can beat it.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from dlwp_widgets.datasets import archives, core

NAME = "jena_climate"
TITLE = "Jena climate 2009-2016"
CSV_NAME = "jena_climate_2009_2016.csv"
ARCHIVE_NAME = "jena_climate_2009_2016.csv.zip"
URL = "https://s3.amazonaws.com/keras-datasets/jena_climate_2009_2016.csv.zip"
COLUMNS = (
    "Date Time", "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)",
    "VPact (mbar)", "VPdef (mbar)", "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)",
    "max. wv (m/s)", "wd (deg)",
)
HEADER = ",".join(f'"{name}"' for name in COLUMNS)
ROWS = 420_551  # data rows of the real file (the book's listing 6.34 prints 420551)
MAX_CSV_BYTES = 100 * 1024 * 1024  # the real CSV is about 41 MB; refuse anything over 100 MiB
LINE_CAP = 4096  # bytes; a real row is about 100
CHECKED_ROWS_PER_BLOCK = 50_000  # rows parsed at a time by the content check
TIMESTAMP = re.compile(rb"^\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d,")
STANDIN_VERSION = 2  # 2: no newline after the last row, like the real file
STANDIN_ROWS = ROWS  # the stand-in is as long as the real file, so the book's split indices work
STANDIN_DESCRIPTION = (
    "a generated 10-minute weather series in the real file's format (same 15 columns, units and "
    "420,551 rows): yearly and daily temperature cycles, multi-day weather fronts announced by "
    "falling pressure, humidity, dew point and the other columns computed from them."
)


UnsafeArchive = archives.UnsafeArchive  # an unsafe member or one over the cap
COMPLETE_MARKER = archives.COMPLETE_MARKER
MARKER = "content-checked v2: every row a time and 14 finite numbers\n"  # older markers vouch for less
_MEMBER_RULE = "(an archive member may not be an absolute path, climb out with '..', or be a link or a device)"


# --------------------------------------------------------------------------- content check


def _values_problem(block: list[bytes], first_row: int) -> str | None:
    """Why the data rows ``block`` (row numbers from ``first_row``) are not a time and 14 finite numbers each."""
    import numpy as np

    for offset, line in enumerate(block):
        if not TIMESTAMP.match(line):
            return f"row {first_row + offset:,} does not start with a dd.mm.yyyy hh:mm:ss time: {line[:80]!r}"
    numbers = b"\n".join(line.partition(b",")[2] for line in block)
    try:
        values = np.loadtxt(io.BytesIO(numbers), delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as error:
        return f"rows {first_row:,}-{first_row + len(block) - 1:,} hold something that is not a number ({error})"
    finite = np.isfinite(values).all(axis=1)
    if not finite.all():
        return f"row {first_row + int(np.argmin(finite)):,} holds a value that is not finite (nan or inf)"
    return None


def check_csv_stream(handle, *, max_bytes: int | None = None) -> str | None:
    """What is wrong with the CSV read from binary ``handle`` (None when it is the real file's content).

    Lines are read at most :data:`LINE_CAP` bytes at a time (a longer line is refused before it is read
    whole), every row's fields are counted and its values parsed, and the total is held to ``max_bytes``.
    """
    max_bytes = MAX_CSV_BYTES if max_bytes is None else max_bytes
    header = handle.readline(LINE_CAP + 1).rstrip(b"\r\n")
    if header.decode("latin-1") != HEADER:
        return f"header {header[:200].decode('latin-1')!r} is not the 15 columns {HEADER!r}"
    rows = 0
    wrong_fields = 0
    total = len(header)
    block: list[bytes] = []
    for line in iter(lambda: handle.readline(LINE_CAP + 1), b""):
        total += len(line)
        if len(line) > LINE_CAP:
            return f"line {rows + 2:,} is longer than the {LINE_CAP:,}-byte line cap (LINE_CAP)"
        if total > max_bytes:
            return f"the CSV is larger than the {max_bytes:,}-byte cap (MAX_CSV_BYTES)"
        stripped = line.strip()
        if not stripped:
            continue
        rows += 1
        if stripped.count(b",") != len(COLUMNS) - 1:
            wrong_fields += 1
        elif not wrong_fields:
            block.append(stripped)
            if len(block) == CHECKED_ROWS_PER_BLOCK:
                problem = _values_problem(block, rows - len(block) + 1)
                if problem:
                    return problem
                block = []
    problems = []
    if rows != ROWS:
        problems.append(f"{rows:,} data rows instead of {ROWS:,}")
    if wrong_fields:
        problems.append(f"{wrong_fields:,} rows without exactly {len(COLUMNS)} fields")
    elif block:
        problems.append(_values_problem(block, rows - len(block) + 1) or "")
    return "; ".join(problem for problem in problems if problem) or None


def check_csv(path: Path) -> str | None:
    problem = core.not_a_regular_file(path)
    if problem:
        return problem
    with open(path, "rb") as handle:
        return check_csv_stream(handle)


def _csv_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The archive's CSV member after the safety checks (raises :class:`UnsafeArchive`)."""
    found = None
    for info in archive.infolist():
        problem = archives.zip_member_problem(info)
        if problem:
            raise UnsafeArchive(f"Refusing the archive: {problem} {_MEMBER_RULE}.")
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if parts and parts[-1] == CSV_NAME and not info.is_dir():
            found = info
    if found is None:
        raise core.ChecksumMismatch(f"the archive holds no {CSV_NAME}")
    if found.file_size > MAX_CSV_BYTES:
        raise UnsafeArchive(
            f"Refusing the archive: {found.filename} would unpack to {found.file_size:,} bytes, over the "
            f"{MAX_CSV_BYTES:,}-byte cap (MAX_CSV_BYTES) for this file."
        )
    return found


def check_archive(path: Path) -> str | None:
    """The registry's content check of the downloaded zip (see the module docstring)."""
    try:
        with zipfile.ZipFile(path) as archive:
            member = _csv_member(archive)
            with archive.open(member) as handle:
                return check_csv_stream(handle)
    except zipfile.BadZipFile as error:
        return archives.unreadable_zip(error)
    except core.DataUnavailable as error:
        return str(error)


FILES = (
    core.RemoteFile(
        filename=ARCHIVE_NAME,
        url=URL,
        file_hash=None,
        verify=check_archive,
        verify_description=(
            f"content: a safe zip holding {CSV_NAME} (at most {MAX_CSV_BYTES:,} bytes) whose header is the "
            f"15 columns and which has exactly {ROWS:,} data rows, each a time and 14 finite numbers"
        ),
        note=(
            "No checksum or byte size is published for this archive (neither by Keras nor by the Max "
            "Planck Institute's weather station page), so none is pinned. Verified by content instead: "
            "the header's 15 columns and exactly 420,551 data rows, the figures listing 6.34 prints."
        ),
        max_bytes=20_000_000,  # the archive is 13,568,290 bytes
    ),
)


# --------------------------------------------------------------------------- real data


def _too_large(name: str) -> UnsafeArchive:
    return UnsafeArchive(
        f"Refusing the archive: {name} unpacks to more than the {MAX_CSV_BYTES:,}-byte cap (MAX_CSV_BYTES)."
    )


def _extract(archive_path: Path, destination: Path) -> Path:
    """Extract the CSV into a staging folder (capped copy: the declared size may lie), then publish it."""
    with archives.staging_folder(destination) as staging:
        with zipfile.ZipFile(archive_path) as archive:
            member = _csv_member(archive)
            with archive.open(member) as source:
                archives.copy_capped(source, staging / CSV_NAME, MAX_CSV_BYTES, lambda _: _too_large(member.filename))
        archives.publish(staging, destination, marker=MARKER)
    return destination / CSV_NAME


def fetch() -> None:
    """Download (or find) the archive, verify it and extract the CSV into the cache."""
    load_real()


def load_real() -> Path:
    """Path of the verified real CSV (extracted once into the cache)."""
    data_dir = core.data_dir()
    if data_dir is not None:  # an unpacked CSV the reader downloaded, verified like the archive's
        provided = data_dir / CSV_NAME
        if core.existing_file(provided, core.ENV_DATA_DIR):
            problem = check_csv(provided)
            if problem:
                raise core.ChecksumMismatch(
                    f"{provided} (from {core.ENV_DATA_DIR}) is not the Jena climate CSV ({problem}). "
                    f"Replace it with a fresh download of {URL}, or unset {core.ENV_DATA_DIR}."
                )
            return provided
    destination = core.cache_dir() / "jena_climate"
    extracted = destination / CSV_NAME
    marked = core.usable_generated_file(destination / COMPLETE_MARKER)
    if core.usable_generated_file(extracted):
        if marked and (destination / COMPLETE_MARKER).read_text() == MARKER:
            return extracted  # only _extract publishes there, from an archive whose whole content was checked
        problem = check_csv(extracted)  # extracted by an earlier version, or under a weaker check
        if problem is None:
            return extracted
        extracted.unlink()
        print(f"Removed {extracted} from the cache: {problem}. It is extracted again.", flush=True)
    archive = core.fetch(FILES[0])
    return _extract(archive, destination)


# --------------------------------------------------------------------------- stand-in


def _ar1(rng, length: int, tau: float, std: float):
    """An AR(1) series with correlation time ``tau`` (in steps) and stationary deviation ``std``."""
    import numpy as np
    from scipy.signal import lfilter

    phi = float(np.exp(-1.0 / tau))
    warm_up = int(5 * tau)
    noise = rng.standard_normal(length + warm_up) * std * np.sqrt(1 - phi**2)
    return lfilter([1.0], [1.0, -phi], noise)[warm_up:]


def _smooth_ar(rng, length: int, tau: float, std: float):
    """Two cascaded AR(1) filters: a smooth process (fronts that build up and fade over days)."""
    import numpy as np
    from scipy.signal import lfilter

    phi = float(np.exp(-1.0 / tau))
    raw = lfilter([1.0], [1.0, -phi], lfilter([1.0], [1.0, -phi], rng.standard_normal(length + int(20 * tau))))
    raw = raw[int(20 * tau):]
    return (raw - raw.mean()) / raw.std() * std


def generate_standin_columns(rows: int = ROWS, seed: int = 0) -> dict:
    """The stand-in's 14 measurement columns (float arrays) and the time of each row in days."""
    import numpy as np

    rng = np.random.default_rng(seed)
    per_day = 144  # 10-minute steps
    lead = per_day // 2  # pressure leads the temperature fronts by 12 hours
    days = (np.arange(rows) + 1) / per_day  # from 01.01.2009 00:10
    hour = (days % 1.0) * 24
    season = -np.cos(2 * np.pi * (days - 15) / 365.25)  # -1 mid-January, +1 mid-July
    front = _smooth_ar(rng, rows + lead, tau=1.0 * per_day, std=4.2)
    cloud = 1 / (1 + np.exp(-_ar1(rng, rows, tau=0.8 * per_day, std=1.6)))
    daily_amplitude = (3.0 + 2.5 * (season + 1)) * (1.1 - 0.7 * cloud)
    temperature = (
        9.4 + 10.0 * season
        + daily_amplitude * np.cos(2 * np.pi * (hour - 15) / 24)
        + front[:-lead]
        + _ar1(rng, rows, tau=6, std=0.25)
    )
    pressure = (
        989.2 - 0.7 * front[lead:] + _smooth_ar(rng, rows, tau=2.0 * per_day, std=5.0)
        + _ar1(rng, rows, tau=12, std=0.3) - 1.5 * season
    )
    rh = np.clip(
        76 - 8 * season + 14 * (cloud - 0.5) - 12 * np.cos(2 * np.pi * (hour - 15) / 24) * (1.1 - 0.7 * cloud)
        + _ar1(rng, rows, tau=per_day / 3, std=6.0),
        12.0, 100.0,
    )
    vp_max = 6.1078 * np.exp(17.27 * temperature / (temperature + 237.3))
    vp_act = rh / 100 * vp_max
    log_ratio = np.log(vp_act / 6.1078)
    dew_point = 237.3 * log_ratio / (17.27 - log_ratio)
    wind = np.abs(_ar1(rng, rows, tau=per_day / 4, std=1.6) + 1.4 + 0.08 * np.abs(front[:-lead]))
    columns = {
        "p (mbar)": pressure,
        "T (degC)": temperature,
        "Tpot (K)": (temperature + 273.15) * (1000 / pressure) ** 0.2857,
        "Tdew (degC)": dew_point,
        "rh (%)": rh,
        "VPmax (mbar)": vp_max,
        "VPact (mbar)": vp_act,
        "VPdef (mbar)": vp_max - vp_act,
        "sh (g/kg)": 622 * vp_act / (pressure - 0.378 * vp_act),
        "H2OC (mmol/mol)": 1000 * vp_act / pressure,
        "rho (g/m**3)": pressure * 100 / (287.05 * (temperature + 273.15)) * 1000,
        "wv (m/s)": wind,
        "max. wv (m/s)": wind * (1.5 + 0.3 * rng.random(rows)) + 0.2,
        "wd (deg)": np.mod(np.cumsum(rng.standard_normal(rows) * 6.0) + 200, 360.0),
    }
    return {"days": days, "columns": columns}


_DECIMALS = (2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1)  # as in the real file


def _timestamps(rows: int) -> list[str]:
    import numpy as np

    start = np.datetime64("2009-01-01T00:10")
    stamps = np.datetime_as_string(start + np.arange(rows) * np.timedelta64(10, "m"), unit="s")
    # 2009-01-01T00:10:00 -> 01.01.2009 00:10:00 (the real file's format)
    return [f"{s[8:10]}.{s[5:7]}.{s[0:4]} {s[11:]}" for s in stamps]


def write_standin_csv(path: Path, rows: int = ROWS, seed: int = 0) -> Path:
    """Write the stand-in CSV to ``path`` (staged, then renamed: never half-written)."""
    import numpy as np

    generated = generate_standin_columns(rows, seed)
    values = np.column_stack([generated["columns"][name] for name in COLUMNS[1:]])
    buffer = io.StringIO()
    np.savetxt(buffer, values, fmt=[f"%.{d}f" for d in _DECIMALS], delimiter=",")
    lines = buffer.getvalue().splitlines()
    stamps = _timestamps(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".partial-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii", newline="\n") as handle:
            handle.write(HEADER + "\n")
            handle.write("\n".join(f"{stamp},{line}" for stamp, line in zip(stamps, lines)))  # no final newline, as in the real file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def standin_path() -> Path:
    return core.standin_cache_path(f"jena_climate-v{STANDIN_VERSION}") / CSV_NAME


def load_standin() -> Path:
    """Path of the cached stand-in CSV (generated on first use, about 10 seconds)."""
    path = standin_path()
    if not core.usable_generated_file(path):
        write_standin_csv(path, rows=STANDIN_ROWS)
    return path


def load_data(source: str = "auto") -> Path:
    """Path of ``jena_climate_2009_2016.csv`` (real, or the announced stand-in)."""
    return core.load(
        name=NAME,
        title=TITLE,
        source=source,
        load_real=load_real,
        load_standin=load_standin,
        standin_description=STANDIN_DESCRIPTION,
        verified_by="a check of their whole content (no checksum is published)",
    )


def read_float_data(path) -> "np.ndarray":  # noqa: F821 (numpy imported lazily)
    """The 14 measurement columns as a ``(rows, 14)`` float32 array (fast; same values as listing 6.35)."""
    import numpy as np

    return np.loadtxt(path, delimiter=",", skiprows=1, usecols=range(1, len(COLUMNS)), dtype=np.float32, ndmin=2)
