"""The QR pipeline on generated doorplate photos, the decoder factory, and the scanner-wedge parser."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import zxingcpp

from bench.qr_gen import bench_station_key, generate, negative
from fieldkit.devices import qr
from fieldkit.domain.doorplate_code import PayloadKind, parse_payload
from fieldkit.domain.errors import DeviceUnavailable
from fieldkit.imaging import qr_preprocess as pre

SEED = 2026  # fixed: the generator is deterministic, so these exact frames are checked every run


@pytest.fixture(scope="module")
def decoder() -> qr.QrDecoder:
    # No time budget: what these frames read must not depend on how loaded the machine is.
    return qr.create_decoder(budget_ms=float("inf"))


@pytest.mark.parametrize("tier", ["easy", "medium"])
def test_pipeline_reads_generated_doorplate_photos(decoder, tier):
    samples = [generate(tier, i, SEED) for i in range(6)]
    results = [decoder.decode(s.image) for s in samples]
    for s, codes in zip(samples, results, strict=True):
        assert [c.text for c in codes] == [s.payload], s.params
        # The plate verifies end to end: what the camera read is what the station signed.
        assert parse_payload(codes[0].text, [bench_station_key().public()]).kind is PayloadKind.DOORPLATE


def test_points_locate_the_code_in_the_frame(decoder):
    s = generate("medium", 0, SEED)
    (code,) = decoder.decode(s.image)
    assert len(code.points) == 4
    centre = np.mean(code.points, axis=0)
    assert np.linalg.norm(centre - s.qr_quad.mean(axis=0)) < 10  # px


def test_defocused_plate_reads_after_the_wiener_deblur():
    # Hard "blur" frames (every 7th, from index 2) that plain zxing misses: the deblurred crop reads one.
    wiener_only = qr.PipelineDecoder(steps=[s for s in qr.DEFAULT_STEPS if s.name == "roi-wiener"],
                                     budget_ms=float("inf"))
    for i in range(2, 2 + 7 * 10, 7):
        s = generate("hard", i, SEED)
        assert s.factor == "blur"
        if not qr.ZxingDecoder().decode(s.image):
            codes = wiener_only.decode(s.image)
            if codes:
                assert [c.text for c in codes] == [s.payload]
                assert codes[0].decoder.endswith(":roi-wiener")
                return
    pytest.fail("no blurred frame that zxing misses was read after deblurring")


def test_scene_without_a_code_reads_nothing(decoder):
    for i in range(3):
        assert decoder.decode(negative(i, SEED)) == []


def test_grey_and_rotated_frames(decoder):
    s = generate("easy", 1, SEED)
    grey = cv2.cvtColor(s.image, cv2.COLOR_BGR2GRAY)
    for frame in (grey, cv2.rotate(s.image, cv2.ROTATE_180), cv2.rotate(grey, cv2.ROTATE_90_CLOCKWISE)):
        assert [c.text for c in decoder.decode(frame)] == [s.payload]


def test_micro_qr_without_error_correction_is_never_reported(decoder):
    # Micro QR M1 has no error correction: noise decodes into digits, so it is not accepted.
    micro = zxingcpp.create_barcode("12345", zxingcpp.BarcodeFormat.MicroQRCode).to_image(scale=8, add_quiet_zones=True)
    image = np.asarray(micro)
    assert zxingcpp.read_barcodes(image)  # it is a readable Micro QR…
    assert decoder.decode(image) == []  # …that a doorplate scan ignores


def test_opencv_backends_read_an_easy_plate():
    s = generate("easy", 2, SEED)
    for backend in ("opencv", "opencv-aruco"):
        assert s.payload in [c.text for c in qr.create_decoder(backend).decode(s.image)]


def test_candidates_find_the_code_region():
    s = generate("hard", 3, SEED)
    cx, cy = s.qr_quad.mean(axis=0)
    boxes = pre.code_candidates(pre.to_gray(s.image))
    assert any(x <= cx <= x + w and y <= cy <= y + h for x, y, w, h in boxes)


def test_without_zxing_auto_falls_back_to_opencv_and_zxing_is_unavailable(monkeypatch):
    monkeypatch.setattr(qr, "zxingcpp", None)
    assert isinstance(qr.create_decoder(), qr.OpenCvDecoder)
    with pytest.raises(DeviceUnavailable) as e:
        qr.create_decoder("zxing")
    assert "zxing-cpp" in e.value.message
    with pytest.raises(DeviceUnavailable):
        qr.create_decoder("pipeline")


def test_budget_stops_escalating_on_a_hopeless_frame():
    # A zero budget: the fast path still runs, the enlarged crops are skipped.
    d = qr.PipelineDecoder(budget_ms=0.0)
    s = generate("easy", 0, SEED)
    assert [c.text for c in d.decode(s.image)] == [s.payload]
    assert d.decode(negative(0, SEED)) == []


def test_image_bytes_decode_and_reject():
    _, png = cv2.imencode(".png", np.full((20, 30, 3), 200, np.uint8))
    assert pre.decode_image_bytes(png.tobytes()).shape == (20, 30, 3)
    assert pre.decode_image_bytes(b"not an image") is None
    assert pre.decode_image_bytes(b"") is None


# -- USB barcode scanner (keyboard wedge) ------------------------------------------------------
def test_wedge_assembles_keystrokes_until_enter():
    w = qr.KeyboardWedge()
    assert [w.feed(k) for k in ["Shift", "F", "K", "D", "1", ":", "3"]] == [None] * 7
    assert w.pending == "FKD1:3"
    assert w.feed("Enter") == "FKD1:3"
    assert w.pending == ""


def test_wedge_folds_full_width_ime_output_and_handles_backspace_and_tab():
    w = qr.KeyboardWedge()
    assert w.feed_text("ＦＫＤ１：35x") == []
    w.feed("Backspace")
    assert w.feed("Tab") == "FKD1:35"
    assert w.feed_text("abc\r\n") == ["abc"]  # CR LF: one payload, the empty one is dropped


def test_wedge_with_enter_only_keeps_tabs_out():
    w = qr.KeyboardWedge(terminators=("Enter",))
    assert w.feed_text("a\tb\n") == ["ab"]
