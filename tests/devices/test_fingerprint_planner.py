"""The ID-card two-finger rule, the capture quality checks and the demo reader (no libfprint)."""

from __future__ import annotations

import threading

import cv2
import pytest

from fieldkit.devices.fingerprint import FakeFingerprintReader, Finger, FingerPlanner, capture_checked
from fieldkit.devices.fingerprint.synthetic import PATTERNS, SyntheticFinger, render
from fieldkit.domain.errors import Cancelled, DeviceUnavailable
from fieldkit.imaging.fingerprint_quality import assess

pytestmark = pytest.mark.timeout(60)


def test_finger_codes_follow_the_position_code_table():
    assert [int(f) for f in Finger][:10] == list(range(11, 21))
    assert Finger.RIGHT_THUMB.label == "右手拇指" and Finger.LEFT_LITTLE.label == "左手小指"
    assert Finger(16).hand == "left" and Finger(15).hand == "right"
    # libfprint numbers fingers differently (1 = left thumb … 10 = right little).
    assert Finger.LEFT_THUMB.libfprint == 1 and Finger.RIGHT_THUMB.libfprint == 6
    assert Finger.RIGHT_LITTLE.libfprint == 10


def test_normal_case_is_right_thumb_then_left_thumb():
    p = FingerPlanner()
    assert p.next_finger() is Finger.RIGHT_THUMB
    assert p.prompt()[0] == "请采集第1枚指纹：右手拇指"
    p.accept(Finger.RIGHT_THUMB)
    assert p.next_finger() is Finger.LEFT_THUMB
    p.accept(Finger.LEFT_THUMB)
    assert p.next_finger() is None and p.complete
    assert p.prompt()[0] == "指纹采集完成"


def test_falls_back_through_the_same_hand_in_order():
    p = FingerPlanner()
    p.mark_unusable(Finger.RIGHT_THUMB, "missing")
    p.mark_unusable(Finger.RIGHT_INDEX, "injured")
    assert p.next_finger() is Finger.RIGHT_MIDDLE
    p.accept(Finger.RIGHT_MIDDLE)
    p.mark_unusable(Finger.LEFT_THUMB, "injured")
    assert p.next_finger() is Finger.LEFT_INDEX


def test_repeated_poor_captures_give_up_on_a_finger():
    p = FingerPlanner(max_poor=5)
    for _ in range(4):
        assert p.record_poor(Finger.RIGHT_THUMB) is False
        assert p.next_finger() is Finger.RIGHT_THUMB
    assert p.record_poor(Finger.RIGHT_THUMB) is True
    assert p.next_finger() is Finger.RIGHT_INDEX


def test_one_hand_unusable_takes_both_prints_from_the_other():
    p = FingerPlanner()
    for f in (Finger.RIGHT_THUMB, Finger.RIGHT_INDEX, Finger.RIGHT_MIDDLE, Finger.RIGHT_RING, Finger.RIGHT_LITTLE):
        p.mark_unusable(f, "missing")
    assert p.next_finger() is Finger.LEFT_THUMB
    p.accept(Finger.LEFT_THUMB)
    assert p.next_finger() is Finger.LEFT_INDEX
    p.accept(Finger.LEFT_INDEX)
    assert p.complete and p.fingers() == [Finger.LEFT_THUMB, Finger.LEFT_INDEX]


def test_shortfall_when_no_finger_is_left():
    p = FingerPlanner()
    for f in Finger:
        if f.hand and int(f) < 90 and f is not Finger.LEFT_RING:
            p.mark_unusable(f, "missing")
    p.accept(Finger.LEFT_RING)
    assert p.next_finger() is None and p.shortfall and not p.complete
    assert "可采集的手指不足" in p.prompt()[0]


def test_state_survives_a_draft_round_trip():
    p = FingerPlanner()
    p.record_poor(Finger.RIGHT_THUMB)
    p.mark_unusable(Finger.RIGHT_THUMB, "injured")
    p.accept(Finger.RIGHT_INDEX)
    q = FingerPlanner.from_dict(p.to_dict())
    assert q.next_finger() is Finger.LEFT_THUMB
    assert q.unusable == {Finger.RIGHT_THUMB: "injured"} and q.fingers() == [Finger.RIGHT_INDEX]


def test_accepting_an_unusable_finger_is_refused():
    p = FingerPlanner()
    p.mark_unusable(Finger.RIGHT_THUMB, "injured")
    with pytest.raises(ValueError):
        p.accept(Finger.RIGHT_THUMB)
    p.mark_usable(Finger.RIGHT_THUMB)
    assert p.next_finger() is Finger.RIGHT_THUMB


@pytest.mark.parametrize("pattern", PATTERNS)
def test_good_prints_of_every_pattern_pass(pattern):
    for seed in (1, 2):
        report = assess(render(SyntheticFinger(pattern, seed), capture=seed))
        assert report.ok, report.metrics


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (lambda g, f: render(f, capture=1, area=0.45), "too_small", "面积太小"),
        (lambda g, f: render(f, capture=1, brightness=-0.8), "too_dark", "过暗"),
        (lambda g, f: render(f, capture=1, brightness=0.3, contrast=0.35), "too_light", "过浅"),
        (lambda g, f: cv2.GaussianBlur(g, (0, 0), 2.5), "smudged", "模糊"),
        (lambda g, f: cv2.blur(g, (1, 25)), "smudged", "拖影"),
        (lambda g, f: g * 0 + 235, "too_small", "面积太小"),
    ],
    ids=["small", "dark", "light", "blurred", "smeared", "empty"],
)
def test_poor_prints_are_rejected_with_the_reason(make, code, words):
    finger = SyntheticFinger("loop", 5)
    report = assess(make(render(finger, capture=1), finger))
    assert report.codes == [code]
    assert words in report.message


def test_fake_reader_capture_checked_and_cancel():
    reader = FakeFingerprintReader(delay=0.01)
    kinds = []
    image, report = capture_checked(reader, Finger.LEFT_THUMB, progress=lambda e: kinds.append(e.kind))
    assert report.ok and image.finger is Finger.LEFT_THUMB
    assert kinds == ["place_finger", "finger_present", "lift"]

    slow = FakeFingerprintReader(delay=30)
    threading.Timer(0.1, slow.cancel).start()
    with pytest.raises(Cancelled):
        slow.capture()
    slow.fail_next("removed")
    slow.delay = 0.01
    with pytest.raises(DeviceUnavailable):
        slow.capture()


def test_fake_reader_enroll_and_verify():
    reader = FakeFingerprintReader(delay=0.0, finger=SyntheticFinger("whorl", 3))
    enrolled = reader.enroll(Finger.RIGHT_THUMB)
    assert len(enrolled.images) == 5
    assert reader.verify(enrolled.template).matched
    reader.finger = SyntheticFinger("whorl", 4)
    assert not reader.verify(enrolled.template).matched
