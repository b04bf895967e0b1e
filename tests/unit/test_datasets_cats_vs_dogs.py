"""Dogs vs. cats: layout building, safe archives, downloads from a loopback server, stand-in."""

import functools
import http.server
import io
import stat
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from dlwp_widgets.datasets import cats_vs_dogs as cvd
from dlwp_widgets.datasets import core
from dlwp_widgets.pipelines import images as images_pipeline


def tiny_jpeg(value: int = 100) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.full((8, 8, 3), value, np.uint8)).save(buffer, format="JPEG")
    return buffer.getvalue()


def kaggle_zip(path: Path, per_class: int = cvd.PER_CLASS) -> Path:
    data = tiny_jpeg()
    with zipfile.ZipFile(path, "w") as archive:
        for prefix in ("cat", "dog"):
            for number in range(per_class):
                archive.writestr(f"train/{prefix}.{number}.jpg", data)
    return path


def petimages_zip(path: Path, broken: int = 5) -> Path:
    """Microsoft's layout, with one broken cat file that must be skipped."""
    data = tiny_jpeg()
    with zipfile.ZipFile(path, "w") as archive:
        for folder in ("Cat", "Dog"):
            for number in range(cvd.PER_CLASS + 1):
                content = b"\xff\xd8 truncated" if (folder == "Cat" and number == broken) else data
                archive.writestr(f"PetImages/{folder}/{number}.jpg", content)
    return path


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(core.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.delenv(core.ENV_DATA_DIR, raising=False)
    monkeypatch.delenv(core.ENV_MIRROR, raising=False)
    return tmp_path / "cache"


def test_build_from_kaggle_zip_gives_the_books_layout(tmp_path, cache):
    base = cvd.build_from_zip(kaggle_zip(tmp_path / "train.zip"), cache / cvd.SUBSET_DIR)
    assert cvd.count_images(base) == {
        "train": {"cats": 1000, "dogs": 1000},
        "validation": {"cats": 500, "dogs": 500},
        "test": {"cats": 500, "dogs": 500},
    }
    assert (base / "test" / "cats" / "cat.1700.jpg").exists()
    assert (base / "validation" / "dogs" / "dog.1000.jpg").exists()


def test_petimages_broken_files_are_skipped_and_numbering_stays_continuous(tmp_path, cache):
    base = cvd.build_from_zip(petimages_zip(tmp_path / cvd.ARCHIVE_NAME), cache / cvd.SUBSET_DIR)
    assert cvd._layout_is_complete(base)
    assert (base / "train" / "cats" / "cat.5.jpg").read_bytes() == tiny_jpeg()


def test_incomplete_source_is_reported_and_leaves_nothing(tmp_path, cache):
    with pytest.raises(core.DataUnavailable, match="only 10 usable cats"):
        cvd.build_from_zip(kaggle_zip(tmp_path / "train.zip", per_class=10), cache / cvd.SUBSET_DIR)
    assert not (cache / cvd.SUBSET_DIR).exists()
    assert not list(cache.glob(".partial-*"))


@pytest.mark.parametrize("name", ["../evil.jpg", "/tmp/evil.jpg", "train/../../evil.jpg", "C:/evil.jpg"])
def test_unsafe_member_names_reject_the_whole_archive(tmp_path, cache, name):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("train/cat.0.jpg", tiny_jpeg())
        archive.writestr(name, tiny_jpeg())
    with pytest.raises(cvd.UnsafeArchive, match="outside the target folder"):
        cvd.build_from_zip(path, cache / cvd.SUBSET_DIR)
    assert not (tmp_path / "evil.jpg").exists() and not (cache / cvd.SUBSET_DIR).exists()


def test_symlink_members_are_rejected(tmp_path, cache):
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("train/cat.0.jpg")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    with pytest.raises(cvd.UnsafeArchive, match="symbolic link"):
        cvd.build_from_zip(path, cache / cvd.SUBSET_DIR)


def test_corrupt_zip_is_a_clear_error(tmp_path, cache):
    path = tmp_path / "train.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(core.DataUnavailable, match="not a readable zip.*What to do: replace it"):
        cvd.build_from_zip(path, cache / cvd.SUBSET_DIR)


def test_reader_files_in_data_dir(tmp_path, cache, monkeypatch):
    provided = tmp_path / "provided"
    provided.mkdir()
    kaggle_zip(provided / cvd.KAGGLE_ARCHIVE_NAME)
    monkeypatch.setenv(core.ENV_DATA_DIR, str(provided))
    base = cvd.load_data("real")
    assert base == cache / cvd.SUBSET_DIR and cvd._layout_is_complete(base)
    (provided / cvd.SUBSET_DIR / "train" / "cats").mkdir(parents=True)
    with pytest.raises(core.DataUnavailable, match="does not hold the book's"):
        cvd.load_data("real")


class _Server:
    def __init__(self, folder: Path):
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *args: None
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    running = _Server(served)
    yield served, running.url
    running.close()


def test_download_from_mirror_then_build(cache, server, monkeypatch):
    served, url = server
    petimages_zip(served / cvd.ARCHIVE_NAME)
    monkeypatch.setenv(core.ENV_MIRROR, url)
    base = cvd.load_data("real")
    assert cvd._layout_is_complete(base) and (cache / cvd.ARCHIVE_NAME).exists()


def test_truncated_download_keeps_nothing(cache, server, monkeypatch, tmp_path):
    served, url = server
    full = petimages_zip(tmp_path / "full.zip").read_bytes()
    (served / cvd.ARCHIVE_NAME).write_bytes(full[: len(full) // 2])
    monkeypatch.setenv(core.ENV_MIRROR, url)
    with pytest.raises(core.ChecksumMismatch, match="not a readable zip.*Nothing was kept"):
        cvd.load_data("real")
    assert not (cache / cvd.ARCHIVE_NAME).exists() and not list(cache.glob(".partial-*"))


def test_offline_real_fails_clearly_and_auto_falls_back(cache, server, monkeypatch, capsys):
    _, url = server  # serves an empty folder: 404
    monkeypatch.setenv(core.ENV_MIRROR, url)
    with pytest.raises(core.DownloadFailed, match="DATA_SOURCE='standin'"):
        cvd.load_data("real")
    monkeypatch.setattr(cvd, "load_standin", lambda: Path("standin-folder"))
    assert cvd.load_data("auto") == Path("standin-folder")
    assert "STAND-IN DATA for Dogs vs. Cats" in capsys.readouterr().out


def test_standin_is_deterministic_varied_and_named_like_the_real_files(tmp_path):
    from PIL import Image

    first = cvd.generate_standin(tmp_path / "a", seed=0, per_class=6)
    second = cvd.generate_standin(tmp_path / "b", seed=0, per_class=6)
    names = sorted(p.name for p in (first / "train" / "cats").iterdir())
    assert names == [f"cat.{i}.jpg" for i in (0, 1, 2, 3, 4, 5)]
    for path in (first / "train" / "dogs").iterdir():
        assert path.read_bytes() == (second / "train" / "dogs" / path.name).read_bytes()
    sizes = {Image.open(p).size for p in (first / "train" / "cats").iterdir()}
    assert len(sizes) > 3 and all(150 <= min(size) and max(size) < 400 for size in sizes)
    third = cvd.generate_standin(tmp_path / "c", seed=1, per_class=1)
    assert (third / "train" / "cats" / "cat.0.jpg").read_bytes() != (first / "train" / "cats" / "cat.0.jpg").read_bytes()


def test_standin_classes_differ_in_texture_not_in_mean_colour():
    rng = np.random.default_rng(0)
    means = {label: [] for label in (0, 1)}
    for index in range(60):
        label = index % 2
        means[label].append(cvd.standin_image(label, rng).reshape(-1, 3).mean(axis=0))
    cat_mean, dog_mean = (np.mean(means[label], axis=0) for label in (0, 1))
    assert np.abs(cat_mean - dog_mean).max() < 15  # out of 255: colour says little


def test_subset_and_datasets(tmp_path, cache):
    base = cvd.build_from_zip(kaggle_zip(tmp_path / "train.zip"), cache / cvd.SUBSET_DIR)
    small = cvd.subset(base, 3, seed=0)
    assert cvd.count_images(small)["validation"] == {"cats": 3, "dogs": 3}
    assert cvd.subset(base, 3, seed=0) == small and cvd.subset(base, None) == base
    with pytest.raises(ValueError, match="at least 1"):
        cvd.subset(base, 0)
    pytest.importorskip("tensorflow")
    dataset = images_pipeline.image_dataset(small / "train", batch_size=6, image_size=(20, 20), shuffle=False)
    images, labels = next(iter(dataset))
    assert tuple(images.shape) == (6, 20, 20, 3) and tuple(labels.shape) == (6, 1)
    assert labels.numpy()[:, 0].tolist() == [0, 0, 0, 1, 1, 1]
    assert 0.0 <= float(images.numpy().min()) and float(images.numpy().max()) <= 1.0
    augmented = images_pipeline.training_pipeline(dataset, augment=images_pipeline.augmentation(seed=0))
    assert tuple(next(iter(augmented))[0].shape) == (6, 20, 20, 3)


def test_affine_augmentation_is_one_seeded_warp():
    pytest.importorskip("tensorflow")
    images = np.random.default_rng(0).random((4, 16, 16, 3)).astype("float32")
    flips_only = images_pipeline.AffineAugmentation(rotation_degrees=0, shift=0, shear=0, zoom=0, seed=0)
    for original, warped in zip(images, np.asarray(flips_only(images))):
        assert np.allclose(warped, original, atol=1e-5) or np.allclose(warped, original[:, ::-1], atol=1e-5)
    first = np.asarray(images_pipeline.augmentation(seed=3)(images))
    assert np.array_equal(first, np.asarray(images_pipeline.augmentation(seed=3)(images)))
    assert first.shape == images.shape and not np.allclose(first, images)
    assert images_pipeline.augmentation()(images, training=False) is images
    assert "40 degrees" in repr(images_pipeline.augmentation())
