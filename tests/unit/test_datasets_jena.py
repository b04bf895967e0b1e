"""Jena climate: content-verified zip download (loopback server), safe extraction, the stand-in CSV."""

import io
import stat
import zipfile

import numpy as np
import pytest

from dlwp_widgets.datasets import core, jena_climate as jena

ROW = b"01.01.2009 00:10:00,996.52,-8.02,265.40,-8.90,93.3,3.33,3.11,0.22,1.94,3.12,1307.75,1.03,1.75,152.3\n"


def csv_bytes(rows=jena.ROWS, header=jena.HEADER, row=ROW):
    return header.encode() + b"\n" + row * rows


def zip_bytes(members: dict, *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def good_zip():
    return zip_bytes({jena.CSV_NAME: csv_bytes()})


def test_the_real_loader_verifies_extracts_and_caches(file_server, good_zip):
    file_server.serve(jena.ARCHIVE_NAME, good_zip)
    path = jena.load_data(source="real")
    assert path.name == jena.CSV_NAME
    lines = path.read_bytes().split(b"\n")
    assert lines[0].decode() == jena.HEADER and len([line for line in lines[1:] if line]) == jena.ROWS
    assert not list(path.parent.glob(".partial-*"))
    assert jena.load_data(source="real") == path
    assert file_server.requests == [jena.ARCHIVE_NAME]  # the second load used the cache


@pytest.mark.parametrize(
    "body, problem",
    [
        (zip_bytes({jena.CSV_NAME: csv_bytes(rows=420_000)}), "420,000 data rows instead of 420,551"),
        (zip_bytes({jena.CSV_NAME: csv_bytes(header='"Date Time","T (degC)"')}), "is not the 15 columns"),
        (zip_bytes({jena.CSV_NAME: csv_bytes(row=b"01.01.2009 00:10:00,1,2\n")}), "rows without exactly 15 fields"),
        (zip_bytes({"other.csv": b"x"}), "holds no jena_climate_2009_2016.csv"),
        (b"PK\x03\x04 not really a zip", "not a readable zip"),
    ],
)
def test_a_failed_content_check_is_refused_and_nothing_kept(file_server, body, problem):
    file_server.serve(jena.ARCHIVE_NAME, body)
    with pytest.raises(core.ChecksumMismatch, match=problem):
        jena.load_data(source="real")
    assert not (core.cache_dir() / jena.ARCHIVE_NAME).exists()
    assert not (core.cache_dir() / "jena_climate").exists()


@pytest.mark.parametrize(
    "members, symlink, problem",
    [
        ({"../" + jena.CSV_NAME: b"x"}, None, "outside the target folder"),
        ({"/tmp/" + jena.CSV_NAME: b"x"}, None, "outside the target folder"),
        ({}, jena.CSV_NAME, "link or a device"),
    ],
)
def test_unsafe_archives_are_refused(file_server, members, symlink, problem):
    file_server.serve(jena.ARCHIVE_NAME, zip_bytes(members, symlink=symlink))
    with pytest.raises(core.ChecksumMismatch, match=problem):
        jena.load_data(source="real")
    assert not (core.cache_dir() / "jena_climate").exists()


def test_the_size_cap_is_named(file_server, good_zip, monkeypatch):
    monkeypatch.setattr(jena, "MAX_CSV_BYTES", 1_000_000)
    file_server.serve(jena.ARCHIVE_NAME, good_zip)
    with pytest.raises(core.ChecksumMismatch, match=r"over the 1,000,000-byte cap \(MAX_CSV_BYTES\)"):
        jena.load_data(source="real")


def test_404_and_truncated_transfers_keep_nothing(file_server, good_zip):
    with pytest.raises(core.DownloadFailed, match="Could not download"):
        jena.load_data(source="real")
    file_server.serve(jena.ARCHIVE_NAME, good_zip[:1000], declared_length=len(good_zip))
    with pytest.raises(core.DataUnavailable):
        jena.load_data(source="real")
    assert not any(core.cache_dir().glob("**/*.zip"))


def test_a_wrong_csv_in_the_data_dir_is_reported_not_deleted(tmp_path, monkeypatch):
    provided = tmp_path / "provided"
    provided.mkdir()
    (provided / jena.CSV_NAME).write_bytes(csv_bytes(rows=10))
    monkeypatch.setenv("DLWP_DATA_DIR", str(provided))
    with pytest.raises(core.ChecksumMismatch, match="10 data rows instead of 420,551"):
        jena.load_data(source="real")
    assert (provided / jena.CSV_NAME).exists()


def test_offline_auto_falls_back_to_the_announced_standin(offline_mirror, capsys, monkeypatch):
    monkeypatch.setattr(jena, "STANDIN_ROWS", 3000)
    path = jena.load_data(source="auto")
    shown = capsys.readouterr().out
    assert "STAND-IN DATA for Jena climate 2009-2016" in shown
    assert "Could not download jena_climate_2009_2016.csv.zip" in shown
    assert path == jena.standin_path() and path.exists()


def test_offline_real_raises_a_clear_error(offline_mirror):
    with pytest.raises(core.DataUnavailable, match="DATA_SOURCE='standin'"):
        jena.load_data(source="real")


def test_the_standin_has_the_real_files_format(tmp_path):
    path = jena.write_standin_csv(tmp_path / jena.CSV_NAME, rows=3000)
    text = path.read_text()
    lines = text.split("\n")
    assert lines[0] == jena.HEADER
    assert lines[1].startswith("01.01.2009 00:10:00,") and lines[6].startswith("01.01.2009 01:00:00,")
    assert len(lines) == 3001 and lines[-1]  # no final newline, as in the real file (listing 6.34 counts 420,551)
    assert all(line.count(",") == 14 for line in lines[1:])
    again = jena.write_standin_csv(tmp_path / "again.csv", rows=3000)
    assert again.read_text() == text  # deterministic
    values = jena.read_float_data(path)
    assert values.shape == (3000, 14) and np.all(np.isfinite(values))


def test_the_standin_is_physically_consistent_and_forecastable():
    generated = jena.generate_standin_columns(rows=144 * 400)
    columns = generated["columns"]
    temperature, dew_point, rh = columns["T (degC)"], columns["Tdew (degC)"], columns["rh (%)"]
    assert np.all(dew_point <= temperature + 1e-9) and np.all((rh > 0) & (rh <= 100))
    np.testing.assert_allclose(columns["VPdef (mbar)"], columns["VPmax (mbar)"] - columns["VPact (mbar)"])
    assert 5 < temperature.std() < 12 and 960 < columns["p (mbar)"].mean() < 1020
    days = generated["days"]
    summer = (days % 365.25 > 170) & (days % 365.25 < 220)
    winter = (days % 365.25 < 30)
    assert temperature[summer].mean() - temperature[winter].mean() > 12  # yearly cycle
    hour = (days % 1) * 24
    assert temperature[(hour > 13) & (hour < 17)].mean() - temperature[(hour > 2) & (hour < 6)].mean() > 3
    # Tomorrow's temperature change is partly predictable from today's pressure trend.
    change = temperature[288:] - temperature[144:-144]
    trend = columns["p (mbar)"][144:-144] - columns["p (mbar)"][:-288]
    assert np.corrcoef(change, trend)[0, 1] < -0.2


def test_the_registry_says_why_no_checksum_is_pinned():
    (entry,) = jena.FILES
    assert entry.file_hash is None and entry.verify is jena.check_archive
    assert "420,551 data rows" in entry.note and "header" in entry.note
    assert "No checksum" in entry.note


def test_the_csv_is_published_with_a_marker_and_an_unmarked_cache_is_verified(file_server, good_zip):
    file_server.serve(jena.ARCHIVE_NAME, good_zip)
    path = jena.load_data(source="real")
    marker = path.parent / jena.COMPLETE_MARKER
    assert marker.exists() and not list(core.cache_dir().glob(".partial-*"))
    marker.unlink()  # an earlier version's cache: the CSV without the marker, verified before use
    assert jena.load_data(source="real") == path and not marker.exists()
    path.write_bytes(csv_bytes(rows=5))  # unmarked and wrong: extracted again
    assert jena.load_data(source="real") == path and marker.exists()
    assert len(path.read_bytes()) == len(csv_bytes())


def test_a_data_dir_that_is_not_a_folder_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("DLWP_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(core.DataUnavailable, match="is not a folder"):
        jena.load_real()
