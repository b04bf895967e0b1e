"""Hostile pictures: a decompression bomb, huge-but-acceptable images, 16-bit and transparent PNGs."""

import io
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from dlwp_widgets.viz import images as img


def _grey_png(width: int, height: int, value: int = 0) -> bytes:
    """A valid 8-bit grey PNG built row by row: 12000x12000 compresses to about 140 KB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    compressor = zlib.compressobj(9)
    row = b"\x00" + bytes([value]) * width
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_a_small_file_declaring_144_megapixels_is_refused_before_decoding():
    bomb = _grey_png(12000, 12000)
    assert len(bomb) < 300_000
    started = time.monotonic()
    with pytest.raises(img.ImageError, match="12000x12000 pixels.*largest accepted is 40 megapixels"):
        img.as_rgb_array(bomb)
    assert time.monotonic() - started < 1.0  # refused from the header: nothing was decoded


def test_the_gradcam_viewer_shows_the_refusal_and_stays_usable():
    keras = pytest.importorskip("keras")
    from dlwp_widgets.widgets.gradcam_viewer import GradCAMViewer

    inputs = keras.Input((16, 16, 3))
    features = keras.layers.Conv2D(2, 3, name="conv")(inputs)
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.GlobalAveragePooling2D()(features))
    viewer = GradCAMViewer(keras.Model(inputs, outputs))
    viewer.set_image(_grey_png(12000, 12000))
    assert "40 megapixels" in viewer.error.value
    viewer.set_image(np.full((20, 20, 3), 100, np.uint8))
    assert viewer.last_predictions


def test_big_but_acceptable_pictures_are_scaled_down_before_any_float_copy():
    picture = img.as_rgb_array(_grey_png(6000, 4000, value=90))  # 24 megapixels, accepted
    assert picture.shape == (683, 1024, 3) and picture.dtype == np.float32
    assert np.allclose(picture, 90)
    jpeg = io.BytesIO()
    Image.new("RGB", (5000, 3000), (10, 200, 30)).save(jpeg, format="JPEG")
    decoded = img.decode_image(jpeg.getvalue())
    assert max(decoded.shape[:2]) <= img.WORKING_SIDE
    assert np.abs(decoded[decoded.shape[0] // 2, decoded.shape[1] // 2].astype(int) - (10, 200, 30)).max() < 8
    array = img.as_rgb_array(np.zeros((5000, 3000, 3), np.uint8))
    assert max(array.shape[:2]) <= img.WORKING_SIDE
    assert max(img.as_rgb_array(np.zeros((4000, 4000), np.float64)).shape[:2]) <= img.WORKING_SIDE


def test_16_bit_pngs_are_rescaled_not_saturated():
    values = np.array([[0, 257 * 64, 257 * 128, 65535]] * 8, dtype=np.uint16)
    values = np.repeat(values, 2, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(values).save(buffer, format="PNG")
    decoded = img.decode_image(buffer.getvalue())
    assert decoded.shape == (8, 8, 3)
    assert list(decoded[0, ::2, 0]) == [0, 64, 128, 255]


def test_transparent_pixels_become_white_not_black():
    rgba = np.zeros((10, 10, 4), np.uint8)  # fully transparent black
    buffer = io.BytesIO()
    Image.fromarray(rgba, mode="RGBA").save(buffer, format="PNG")
    assert (img.decode_image(buffer.getvalue()) == 255).all()


def test_an_oversized_file_is_refused_with_the_limit(monkeypatch):
    monkeypatch.setattr(img, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(img.ImageError, match="largest accepted is 0 MB|largest accepted"):
        img.decode_image(b"\x89PNG" + b"\0" * 2000)
