"""Pictures are measured from their header and refused by size before a pixel is decoded."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fieldkit.domain.errors import UserFacingError
from fieldkit.domain.limits import IMAGE_MAX_PIXELS, LimitExceeded
from fieldkit.imaging import probe
from fieldkit.imaging import qr_preprocess as pre
from fieldkit.imaging.idphoto import decode_image
from tests.imaging.bombs import blank_png


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return blank_png(tmp_path_factory.mktemp("bomb") / "bomb.png", 40000, 40000).read_bytes()


@pytest.fixture
def no_decoding(monkeypatch):
    """Decoding a bomb is the harm: any call to OpenCV's decoder fails the test."""

    def refuse(*_a, **_k):
        raise AssertionError("the picture was decoded")

    monkeypatch.setattr(probe.cv2, "imdecode", refuse)


def test_a_bomb_is_small_on_disk_and_measured_from_its_header(bomb):
    assert len(bomb) < 1_000_000
    assert probe.read_header(bomb) == probe.ImageHeader("PNG", 40000, 40000)


def test_the_qr_decoder_refuses_a_bomb_by_its_size_without_decoding_it(bomb, no_decoding):
    with pytest.raises(LimitExceeded) as e:
        pre.decode_image_bytes(bomb, name="plate.png")
    assert "图片过大（plate.png）：40000×40000 像素，最多 6000 万像素" in e.value.message
    assert "40000×40000 pixels; at most 60 megapixels" in e.value.message_en
    assert e.value.to_dict()["limit"] == "IMAGE_MAX_PIXELS"


def test_the_id_photo_decoder_refuses_a_bomb_too(bomb, no_decoding):
    with pytest.raises(LimitExceeded, match="40000×40000"):
        decode_image(bomb)


def test_a_picture_at_the_limit_is_decoded_and_one_pixel_more_is_not(tmp_path):
    width = 7500
    height = IMAGE_MAX_PIXELS // width  # width × height: as close to the limit as a rectangle gets
    assert (width + 1) * height > IMAGE_MAX_PIXELS
    ok = blank_png(tmp_path / "ok.png", width, height).read_bytes()
    over = blank_png(tmp_path / "over.png", width + 1, height).read_bytes()
    assert pre.decode_image_bytes(ok).shape == (height, width, 3)
    with pytest.raises(LimitExceeded, match=f"{width + 1}×{height}"):
        pre.decode_image_bytes(over)


@pytest.mark.parametrize("ext", [".jpg", ".png", ".bmp", ".tif", ".webp"])
def test_every_promised_format_is_measured_and_read(ext):
    ok, buf = cv2.imencode(ext, np.full((20, 30, 3), 200, np.uint8))
    assert ok
    data = buf.tobytes()
    header = probe.read_header(data)
    assert header is not None and (header.width, header.height) == (30, 20)
    assert pre.decode_image_bytes(data).shape == (20, 30, 3)


def test_a_truncated_or_unknown_picture_is_not_an_image():
    png = cv2.imencode(".png", np.zeros((20, 30, 3), np.uint8))[1].tobytes()
    assert pre.decode_image_bytes(png[:20]) is None  # header cut short: cannot be measured
    assert pre.decode_image_bytes(b"GIF89a" + bytes(30)) is None  # not a format FieldKit reads
    with pytest.raises(UserFacingError, match="无法读取"):
        decode_image(png[:20])
