"""Which finger to ask for next: the resident-ID-card two-finger rule, as a pure object.

The rule the card office applies (GA/T 1012 practice, as described to applicants): two prints,
one per hand, right hand first; on each hand the thumb, and when a finger cannot give a good
print — missing, injured, or still poor after `max_poor` attempts (the offices allow five) — the
next finger of the same hand in the order index, middle, ring, little. When one hand has no usable
finger at all, both prints come from the other hand.

The planner decides nothing about images; the service tells it what happened (`accept`,
`record_poor`, `mark_unusable`) and asks `next_finger()`. It holds no device and no Qt, so the UI,
the service, drafts and tests share it. Not thread-safe: owned by whoever runs the workflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .types import Finger

RIGHT = (Finger.RIGHT_THUMB, Finger.RIGHT_INDEX, Finger.RIGHT_MIDDLE, Finger.RIGHT_RING, Finger.RIGHT_LITTLE)
LEFT = (Finger.LEFT_THUMB, Finger.LEFT_INDEX, Finger.LEFT_MIDDLE, Finger.LEFT_RING, Finger.LEFT_LITTLE)
HANDS = (RIGHT, LEFT)

UNUSABLE_REASONS = {
    "missing": ("缺指", "finger missing"),
    "injured": ("受伤", "finger injured"),
    "poor": ("多次采集不合格", "repeatedly poor captures"),
    "other": ("无法采集", "cannot be captured"),
}


@dataclass
class FingerPlanner:
    """State of one applicant's fingerprint collection.

    `required` prints (2 for the ID card); `max_poor` poor captures make a finger unusable.
    """

    required: int = 2
    max_poor: int = 5
    captured: dict[Finger, Any] = field(default_factory=dict)  # in capture order; value = caller's payload
    unusable: dict[Finger, str] = field(default_factory=dict)  # finger -> reason key
    poor: dict[Finger, int] = field(default_factory=dict)  # poor-capture counts

    # -- what the officer/service reports -------------------------------------------------------
    def mark_unusable(self, finger: Finger, reason: str = "other") -> None:
        """The officer marks a finger missing/injured (or the service gives up on it)."""
        if reason not in UNUSABLE_REASONS:
            raise ValueError(f"reason must be one of {sorted(UNUSABLE_REASONS)}")
        self.captured.pop(finger, None)
        self.unusable[finger] = reason

    def mark_usable(self, finger: Finger) -> None:
        """Undo `mark_unusable` (the officer tapped the wrong finger)."""
        self.unusable.pop(finger, None)
        self.poor.pop(finger, None)

    def record_poor(self, finger: Finger) -> bool:
        """Count a rejected capture. Returns True when the finger has now been given up on."""
        self.poor[finger] = self.poor.get(finger, 0) + 1
        if self.poor[finger] >= self.max_poor:
            self.mark_unusable(finger, "poor")
            return True
        return False

    def accept(self, finger: Finger, payload: Any = None) -> None:
        """A good print of `finger` was taken; `payload` is whatever the caller keeps with it."""
        if finger in self.unusable:
            raise ValueError(f"{finger.label} is marked unusable")
        if finger not in self.captured and len(self.captured) >= self.required:
            raise ValueError("all required prints are already taken")
        self.captured[finger] = payload

    def retake(self, finger: Finger) -> None:
        """Drop an accepted print so it is asked for again."""
        self.captured.pop(finger, None)

    # -- what to do next ------------------------------------------------------------------------
    def _usable(self, hand: tuple[Finger, ...]) -> list[Finger]:
        return [f for f in hand if f not in self.unusable and f not in self.captured]

    def next_finger(self) -> Finger | None:
        """The finger to ask for now, or None when done (`complete`) or impossible (`shortfall`)."""
        if len(self.captured) >= self.required:
            return None
        # First pass: one print per hand, right hand first.
        for hand in HANDS:
            if not any(f in self.captured for f in hand):
                options = self._usable(hand)
                if options:
                    return options[0]
        # A hand with nothing usable: the remaining prints come from wherever fingers remain.
        for hand in HANDS:
            options = self._usable(hand)
            if options:
                return options[0]
        return None

    @property
    def complete(self) -> bool:
        return len(self.captured) >= self.required

    @property
    def shortfall(self) -> bool:
        """True when no finger is left to try and fewer than `required` prints were taken."""
        return not self.complete and self.next_finger() is None

    def prompt(self) -> tuple[str, str]:
        """What the officer reads next (Chinese, English)."""
        f = self.next_finger()
        if f is not None:
            n = len(self.captured) + 1
            return (f"请采集第{n}枚指纹：{f.label}", f"Print {n}: {f.label_en}")
        if self.complete:
            return ("指纹采集完成", "Fingerprints complete")
        return (
            f"可采集的手指不足，仅采集到{len(self.captured)}枚指纹；请在备注中注明原因",
            f"Not enough usable fingers: only {len(self.captured)} print(s); note the reason",
        )

    def fingers(self) -> list[Finger]:
        """The captured fingers in capture order — record these codes with the prints."""
        return list(self.captured)

    # -- drafts ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-safe state without payloads (they are stored separately, e.g. as attachments)."""
        return {
            "required": self.required,
            "max_poor": self.max_poor,
            "captured": [int(f) for f in self.captured],
            "unusable": {str(int(f)): r for f, r in self.unusable.items()},
            "poor": {str(int(f)): n for f, n in self.poor.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FingerPlanner:
        p = cls(required=int(d.get("required", 2)), max_poor=int(d.get("max_poor", 5)))
        p.unusable = {Finger(int(k)): str(v) for k, v in d.get("unusable", {}).items()}
        p.poor = {Finger(int(k)): int(v) for k, v in d.get("poor", {}).items()}
        p.captured = {Finger(int(f)): None for f in d.get("captured", [])}
        return p
