"""The shared safe-archive reader: member checks, capped reads, staging and atomic publishing."""

import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from dlwp_widgets.datasets import aclimdb, archives, cats_vs_dogs, cifar10


def test_every_dataset_raises_the_one_unsafe_archive_type():
    assert aclimdb.UnsafeArchive is cifar10.UnsafeArchive is cats_vs_dogs.UnsafeArchive is archives.UnsafeArchive


@pytest.mark.parametrize(
    "name, problem",
    [
        ("/etc/passwd", "absolute path"),
        ("\\windows\\evil", "absolute path"),
        ("C:/evil", "absolute path"),
        ("a/../../evil", "outside the target folder ('..')"),
        ("a\\..\\evil", "outside the target folder ('..')"),
    ],
)
def test_names_outside_the_target_folder(name, problem):
    assert problem in archives.path_problem(name) and repr(name) in archives.path_problem(name)


def test_safe_names_pass():
    assert archives.path_problem("a/b/c.txt") is None and archives.path_problem("a/..b/c") is None


def test_tar_links_and_devices():
    def member(kind):
        info = tarfile.TarInfo("a/x")
        info.type = kind
        return info

    assert "is a link" in archives.tar_member_problem(member(tarfile.SYMTYPE))
    assert "is a link" in archives.tar_member_problem(member(tarfile.LNKTYPE))
    assert "device" in archives.tar_member_problem(member(tarfile.CHRTYPE))
    assert "device" in archives.tar_member_problem(member(tarfile.FIFOTYPE))
    assert archives.tar_member_problem(member(tarfile.REGTYPE)) is None


def test_zip_links_and_devices():
    def member(mode):
        info = zipfile.ZipInfo("a/x")
        info.external_attr = mode << 16
        return info

    assert "symbolic link" in archives.zip_member_problem(member(stat.S_IFLNK | 0o777))
    assert "device" in archives.zip_member_problem(member(stat.S_IFCHR | 0o600))
    assert archives.zip_member_problem(member(stat.S_IFREG | 0o644)) is None


class _Counting(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size=-1):
        block = super().read(size)
        self.read_bytes += len(block)
        return block


def test_capped_reads_stop_one_byte_past_the_cap(tmp_path):
    assert archives.read_capped(io.BytesIO(b"x" * 10), 10, ValueError) == b"x" * 10
    stream = _Counting(b"x" * (5 << 20))
    with pytest.raises(ValueError, match="1025"):
        archives.read_capped(stream, 1024, lambda size: ValueError(size))
    assert stream.read_bytes == 1025  # never read whole
    with pytest.raises(ValueError):
        archives.copy_capped(io.BytesIO(b"x" * 11), tmp_path / "out", 10, lambda size: ValueError(size))
    archives.copy_capped(io.BytesIO(b"abc"), tmp_path / "ok", 10, ValueError)
    assert (tmp_path / "ok").read_bytes() == b"abc"


def test_a_failed_staging_leaves_nothing_and_a_publish_replaces_atomically(tmp_path):
    final = tmp_path / "cache" / "data"
    with pytest.raises(KeyboardInterrupt):
        with archives.staging_folder(final) as staging:
            (staging / "half.txt").write_text("half")
            raise KeyboardInterrupt
    assert list((tmp_path / "cache").iterdir()) == []
    for content, marker in (("old", "v1\n"), ("new", "v2\n")):
        with archives.staging_folder(final) as staging:
            (staging / "file.txt").write_text(content)
            archives.publish(staging, final, marker=marker)
    assert (final / "file.txt").read_text() == "new" and (final / archives.COMPLETE_MARKER).read_text() == "v2\n"
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["data"]


def test_a_second_publish_of_the_same_folder_keeps_the_first_that_a_reader_may_be_using(tmp_path, monkeypatch):
    """CI lost 5.2's stand-in images this way: two kernels built them at once and the later publish deleted the first."""
    final = tmp_path / "cache" / "data"
    with archives.staging_folder(final) as staging:
        (staging / "file.txt").write_text("first")
        archives.publish(staging, final)
    reader = (final / "file.txt").open()
    with archives.staging_folder(final) as staging:
        (staging / "file.txt").write_text("second")
        assert archives.publish(staging, final) == final
    assert (final / "file.txt").read_text() == "first" and reader.read() == "first"
    reader.close()

    # The other process publishes between this one's check and its rename: the rename fails, and the
    # folder now there (same marker) is kept.
    real_replace = archives.os.replace
    racing = tmp_path / "racing"

    def publish_first_elsewhere(source, target):
        if not Path(target).exists():
            racing.mkdir()
            (racing / "file.txt").write_text("other process")
            (racing / archives.COMPLETE_MARKER).write_text("ok\n")
            real_replace(racing, target)
        real_replace(source, target)

    monkeypatch.setattr(archives.os, "replace", publish_first_elsewhere)
    fresh = tmp_path / "cache" / "fresh"
    with archives.staging_folder(fresh) as staging:
        (staging / "file.txt").write_text("mine")
        archives.publish(staging, fresh)
    assert (fresh / "file.txt").read_text() == "other process"
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["data", "fresh"]
