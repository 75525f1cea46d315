"""Use case: take a resident-ID-card application in the village (module 14, 身份证办理).

The workflow, as the officer does it at a kitchen table:
1. the applicant — read their old card (`applicant_from_card`: the same person is entered once,
   found by ID number, created only when new) or pick/type a resident;
2. the reason (first card, expiry, loss, damage, details changed — the form's choices);
3. the photo — `store_photo(result)` keeps the processed GA 461 JPEG encrypted as an attachment
   and writes what the checks said into the record (`photo_check`) and the checks JSON beside it;
4. two prints — `capture_print` asks the `FingerPlanner` which finger is next (right thumb, left
   thumb, falling back through index/middle/ring/little), enrolls it on the reader, rejects a poor
   print with its reason, and stores the PNG + libfprint template encrypted;
5. `save_application` validates against the form and creates the record; then the status moves
   captured → submitted → produced → delivered (or submitted → returned → captured) through
   `set_status`, which refuses any other move. `export_package` (id_application_export.py) writes
   what the station's processing system takes.
The appointment register (module 13) points at the application in its `application` field.

Threading: services run on the thread that owns the workspace (the UI's worker); the device
calls here block (a print waits for the finger) — same thread, never the GUI. Nothing here starts
threads. `PrintSession` and `ApplicationDraft` are plain objects owned by one caller at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldkit.devices.fingerprint import Finger, FingerPlanner, capture_checked, enroll_checked
from fieldkit.devices.fingerprint.planner import UNUSABLE_REASONS
from fieldkit.domain.errors import DeviceUnavailable, NotFound, UserFacingError
from fieldkit.domain.validators import check_id_number
from fieldkit.imaging.idphoto import spec as photo_spec
from fieldkit.services import door, records
from fieldkit.services.workspace import Workspace

MODULE = "id_applications"
APPOINTMENTS = "appointments"
RESIDENTS = "residents"
REASONS = ("first", "expiry", "loss", "damage", "change")
# Which status may follow which. "returned" = the card office sent it back for recapture.
ProgressFn = Callable[[Any], None] | None
CancelFn = Callable[[], bool] | None

# GA 461 guides for the camera preview, as shares of the 358×441 photo (the UI draws them).
PHOTO_GUIDES = {
    "aspect": photo_spec.OUT_W / photo_spec.OUT_H,
    "crown_min": photo_spec.TOP_MIN / photo_spec.OUT_H,  # hair top between these two lines
    "crown_max": photo_spec.TOP_MAX / photo_spec.OUT_H,
    "eye_max": 1 - photo_spec.EYE_MIN_BOTTOM / photo_spec.OUT_H,  # eyes above this line
    "face_width": photo_spec.FACE_W / photo_spec.OUT_W,
}


def today() -> str:
    return dt.date.today().isoformat()


# -- the applicant ------------------------------------------------------------------------------
def find_resident(ws: Workspace, id_number: str) -> Any | None:
    """The live resident record with this ID number, or None (15-digit numbers are upgraded)."""
    c = check_id_number(str(id_number or ""))
    if not c.ok:
        raise UserFacingError(c.message, message_en=c.message_en, field="id_number", code="bad_id_number")
    hits = ws.store.search.exact("id", c.value, modules=[RESIDENTS])
    live = [r for r in ws.store.records.get_many([h.uuid for h in hits]) if r is not None and not r.deleted]
    return live[0] if live else None


@dataclass
class CardLookup:
    """What a card read means for the forms: the resident's values, and whether they exist."""

    values: dict[str, Any]  # residents-form values from the chip (+ "photo" sha when decoded)
    existing: Any | None  # the resident record already holding this ID number
    photo_message: str = ""


def card_lookup(ws: Workspace, info: Any) -> CardLookup:
    """Turn an `IdCardInfo` into residents-form values; store the chip photo when decoded."""
    values = dict(info.resident_values())
    if getattr(info, "photo_png", None):
        values["photo"] = ws.store.attachments.put(info.photo_png, kind="idcard_photo")
    existing = find_resident(ws, info.id_number)
    # Reading a card shows a person's data like opening their record does: audited the same way.
    ws.store.audit.log("read_idcard", module=RESIDENTS, target=existing.uuid if existing else None)
    return CardLookup(values, existing, getattr(info, "photo_message", ""))


def applicant_from_card(ws: Workspace, info: Any, *, village: str | None = None) -> tuple[Any, bool]:
    """The resident for this card: (record, created). Never a second record for one ID number.

    An existing resident keeps what the officer typed; only empty fields are filled from the chip.
    A new resident needs `village` (the form requires it; the chip does not say).
    """
    look = card_lookup(ws, info)
    if look.existing is not None:
        rec = look.existing
        blanks = {k: v for k, v in look.values.items() if rec.data.get(k) in (None, "", [])}
        if blanks:
            rec = door.save(ws, RESIDENTS, blanks, uuid=rec.uuid, partial=True)
        return rec, False
    if not village:
        raise UserFacingError("此人尚未登记，请先选择所属村（社区）再读卡建档",
                              message_en="This person is not registered yet: choose the village first",
                              field="village", code="village_needed")
    return door.save(ws, RESIDENTS, {**look.values, "village": village}), True


# -- the photo ----------------------------------------------------------------------------------
@dataclass
class PhotoRef:
    """A stored ID photo: the JPEG's sha, the checks, and the one-line summary for the record."""

    sha: str
    ok: bool
    summary: str
    checks: list[dict[str, Any]] = field(default_factory=list)
    checks_sha: str = ""


def photo_summary(result: Any, *, accepted_failed: bool = False) -> str:
    """'全部检查合格' or the failed checks' Chinese messages (what the record keeps)."""
    failed = [c.message for c in result.checks if c.ok is False]
    if not failed:
        return "全部检查合格"
    text = "未通过：" + "；".join(failed)
    return text + ("（民警确认采用）" if accepted_failed else "")


def store_photo(ws: Workspace, result: Any, *, accept_failed: bool = False, record_uuid: str | None = None) -> PhotoRef:
    """Keep a processed photo (`IdPhotoResult`) as an encrypted attachment, with its checks.

    A photo that failed a check is refused unless the officer confirmed it (`accept_failed`):
    the card office would reject it and the villager would have to come back.
    """
    if result.jpeg is None:
        raise UserFacingError("照片中没有找到合适的人脸，无法制作证件照",
                              message_en="No usable face in the picture: cannot make an ID photo", code="no_photo")
    if not result.ok and not accept_failed:
        failed = "；".join(c.message for c in result.checks if c.ok is False)
        raise UserFacingError(f"照片不符合要求：{failed}", message_en="The photo fails the checks", code="photo_failed")
    checks = [c.to_dict() for c in result.checks]
    with ws.store.transaction():
        sha = ws.store.attachments.put(result.jpeg, kind="idphoto", record_uuid=record_uuid, module=MODULE)
        report = json.dumps({"photo": sha, **result.to_dict()}, ensure_ascii=False, default=str).encode("utf-8")
        checks_sha = ws.store.attachments.put(report, kind="idphoto_checks", record_uuid=record_uuid,
                                               module=MODULE)
        if not result.ok:
            ws.store.audit.log("photo_override", module=MODULE, target=record_uuid,
                               detail={"photo": sha, "failed": [c.code for c in result.checks if c.ok is False]})
    return PhotoRef(sha, bool(result.ok), photo_summary(result, accepted_failed=not result.ok), checks, checks_sha)


# -- the prints ---------------------------------------------------------------------------------
@dataclass
class PrintRef:
    """One accepted print: finger code, PNG and template attachments, quality measurements."""

    finger: int
    image: str
    template: str | None
    metrics: dict[str, float] = field(default_factory=dict)
    driver: str = ""


@dataclass
class PrintOutcome:
    """What one capture attempt came to, for the dialog: accepted, or rejected and why."""

    finger: Finger
    ok: bool
    message: str  # Chinese: "指纹合格" or the quality reasons
    message_en: str
    ref: PrintRef | None = None
    gave_up: bool = False  # the finger was given up on (too many poor prints)
    next_finger: Finger | None = None
    seconds: float = 0.0  # first prompt to stored, wall clock


class PrintSession:
    """The two-print collection for one applicant: the planner plus the stored prints."""

    def __init__(self, planner: FingerPlanner | None = None, *, record_uuid: str | None = None) -> None:
        self.planner = planner or FingerPlanner()
        self.record_uuid = record_uuid

    def next_finger(self) -> Finger | None:
        return self.planner.next_finger()

    @property
    def complete(self) -> bool:
        return self.planner.complete

    @property
    def shortfall(self) -> bool:
        return self.planner.shortfall

    def prompt(self) -> tuple[str, str]:
        return self.planner.prompt()

    def prints(self) -> list[PrintRef]:
        return [p for p in self.planner.captured.values() if isinstance(p, PrintRef)]

    def mark_unusable(self, finger: Finger, reason: str = "other") -> None:
        """The officer says this finger is missing/injured: the planner moves on."""
        self.planner.mark_unusable(Finger(finger), reason)

    def retake(self, finger: Finger) -> None:
        self.planner.retake(Finger(finger))

    def note(self) -> str:
        """'右手拇指：受伤；…' for the record's finger_note (empty when both thumbs were taken)."""
        return "；".join(f"{f.label}：{UNUSABLE_REASONS[r][0]}" for f, r in self.planner.unusable.items())

    def form_values(self) -> dict[str, Any]:
        """The form's finger_N / fingerprint_N / template_N values and finger_note."""
        out: dict[str, Any] = {}
        for n, p in enumerate(self.prints()[:2], start=1):
            out[f"finger_{n}"] = str(p.finger)
            out[f"fingerprint_{n}"] = p.image
            if p.template:
                out[f"template_{n}"] = p.template
        note = self.note()
        if note:
            out["finger_note"] = note
        return out


def capture_print(
    ws: Workspace, session: PrintSession, reader: Any, *, finger: Finger | None = None, mode: str = "enroll",
    progress: ProgressFn = None, cancel: CancelFn = None, timeout: float = 60.0,
) -> PrintOutcome:
    """Capture the planner's next finger (or `finger`), judge it, store it when good.

    mode "enroll" takes the reader's enrollment presses (5 on image readers) and keeps the best
    image plus libfprint's template (needed to verify the person later); "capture" takes one press
    and no template. A poor print is counted against the finger (five and the planner moves on).
    Raises `DeviceUnavailable` (reader gone, timeout) or `Cancelled`. Blocks: worker thread.
    """
    finger = Finger(finger) if finger is not None else session.next_finger()
    if finger is None:
        raise UserFacingError("两枚指纹已采集完毕" if session.complete else "没有可采集的手指了",
                              message_en="Both prints are taken" if session.complete else "No finger left to try",
                              code="prints_done")
    t0 = time.monotonic()
    template = None
    driver = getattr(getattr(reader, "info", None), "driver", "")
    if mode == "enroll":
        enrolled, image, report = enroll_checked(reader, finger, progress=progress, cancel=cancel, timeout=timeout)
        template = enrolled.template
        if image is None:
            raise DeviceUnavailable("此指纹仪不输出指纹图像，不能用于身份证指纹采集",
                                    message_en="This reader gives no fingerprint image; it cannot be used for ID cards",
                                    code="fingerprint_no_image")
    elif mode == "capture":
        image, report = capture_checked(reader, finger, progress=progress, cancel=cancel, timeout=timeout)
    else:
        raise ValueError("mode must be 'enroll' or 'capture'")
    if report is None or not report.ok:
        gave_up = session.planner.record_poor(finger)
        msg = report.message if report is not None else "指纹质量不合格"
        msg_en = report.message_en if report is not None else "Poor print"
        if gave_up:
            msg += f"；{finger.label}多次不合格，改采下一根手指"
            msg_en += f"; {finger.label_en} given up after repeated poor prints"
        return PrintOutcome(finger, False, msg, msg_en, None, gave_up, session.next_finger(), time.monotonic() - t0)
    with ws.store.transaction():
        image_sha = ws.store.attachments.put(image.to_png(), kind="fingerprint_image", record_uuid=session.record_uuid,
                                            module=MODULE)
        template_sha = (ws.store.attachments.put(template, kind="fingerprint_template", record_uuid=session.record_uuid,
                                                     module=MODULE)
                        if template else None)
    ref = PrintRef(int(finger), image_sha, template_sha, dict(report.metrics), driver)
    session.planner.accept(finger, ref)
    return PrintOutcome(finger, True, f"{finger.label}指纹合格", f"{finger.label_en}: good print", ref,
                        False, session.next_finger(), time.monotonic() - t0)


def collect_prints(
    ws: Workspace, uuid: str, reader: Any, *, unusable: tuple[tuple[int, str], ...] = (), mode: str = "enroll",
    say: Callable[[str, str], None] | None = None, progress: ProgressFn = None, cancel: CancelFn = None,
    timeout: float = 60.0,
) -> tuple[Any, list[PrintOutcome]]:
    """Both prints of application `uuid` by the finger rule (thumbs first, falling back finger by
    finger after five poor prints or a finger the officer marks unusable), saved into the record
    through the door. `say(zh, en)` hears each prompt and verdict. When too few fingers are
    usable nothing is saved and `UserFacingError(code="prints_short")` says to mark the applicant
    exempt or note why. Blocks: worker thread (or the CLI)."""
    _application(ws, uuid)
    session = PrintSession(record_uuid=uuid)
    for finger, reason in unusable:
        session.mark_unusable(Finger(finger), reason)
    outcomes: list[PrintOutcome] = []
    while not session.complete and session.next_finger() is not None:
        if say:
            say(*session.prompt())
        outcome = capture_print(ws, session, reader, mode=mode, progress=progress, cancel=cancel, timeout=timeout)
        outcomes.append(outcome)
        if say:
            say(outcome.message, outcome.message_en)
    if not session.complete:
        zh, en = session.prompt()
        raise UserFacingError(zh + "；如确实无法采集，请勾选“免采指纹”", message_en=en + "; tick 'fingerprints exempt' if none "
                              "can be taken", field="fingerprint_1", code="prints_short")
    return door.save(ws, MODULE, session.form_values(), uuid=uuid, partial=True), outcomes


def verify_applicant(
    ws: Workspace, uuid: str, reader: Any, *, which: int = 1,
    progress: ProgressFn = None, cancel: CancelFn = None, timeout: float = 60.0,
) -> tuple[bool, Finger]:
    """Is the person at the reader the applicant? Presses print `which` (1 or 2) and matches it
    against the enrolled template. Returns (matched, finger). Audited. Blocks: worker thread."""
    rec = _application(ws, uuid)
    tmpl_sha = rec.data.get(f"template_{which}")
    if not tmpl_sha:
        raise NotFound("这份申请没有保存指纹模板，无法核验", message_en="No fingerprint template stored for this application")
    finger = Finger(int(rec.data.get(f"finger_{which}") or 0))
    result = reader.verify(ws.store.attachments.get(tmpl_sha), progress=progress, cancel=cancel, timeout=timeout)
    ws.store.audit.log("verify_fingerprint", module=MODULE, target=uuid,
                       detail={"finger": int(finger), "matched": bool(result.matched)})
    return bool(result.matched), finger


# -- the application ----------------------------------------------------------------------------
@dataclass
class ApplicationDraft:
    """An application being taken. The record uuid is fixed up front so the photo and prints are
    filed under it as they are captured; nothing is a record until `save_application`."""

    uuid: str = field(default_factory=lambda: str(uuidlib.uuid4()))
    applicant: str | None = None
    reason: str | None = None
    photo: PhotoRef | None = None
    prints: PrintSession = field(default_factory=PrintSession)
    fingerprint_exempt: bool = False
    appointment: str | None = None
    values: dict[str, Any] = field(default_factory=dict)  # village, urgent, fee, delivery, remarks…
    saved: bool = False

    def __post_init__(self) -> None:
        self.prints.record_uuid = self.uuid


def start_application(
    ws: Workspace, *, applicant: str | None = None, card: Any = None, reason: str | None = None,
    village: str | None = None, **values: Any,
) -> ApplicationDraft:
    """Begin an application for a resident (uuid) or from a card read (found or created)."""
    if card is not None:
        rec, _created = applicant_from_card(ws, card, village=village)
        applicant = rec.uuid
    if reason is not None and reason not in REASONS:
        raise UserFacingError(f"未知的申领原因：{reason}", message_en=f"Unknown reason {reason!r}", field="reason")
    draft = ApplicationDraft(applicant=applicant, reason=reason, values=dict(values))
    if applicant:
        person = records.get(ws, applicant, audit=False)
        draft.values.setdefault("village", village or person.data.get("village"))
    elif village:
        draft.values.setdefault("village", village)
    return draft


def start_from_appointment(ws: Workspace, appointment_uuid: str, *, reason: str | None = None) -> ApplicationDraft:
    """An application for the person who booked it; saving links the appointment to it."""
    appt = records.get(ws, appointment_uuid, audit=False)
    if appt.module != APPOINTMENTS:
        raise UserFacingError("这不是一条警务预约记录", message_en="Not a police appointment", code="wrong_module")
    if not appt.data.get("person"):
        raise UserFacingError("预约人尚未关联到实有人口，请先读卡或选择人员",
                              message_en="The appointment has no resident yet: read the card or pick the person",
                              field="person", code="no_person")
    draft = start_application(ws, applicant=appt.data["person"], reason=reason,
                              village=appt.data.get("village"))
    draft.appointment = appointment_uuid
    return draft


def draft_values(ws: Workspace, draft: ApplicationDraft) -> dict[str, Any]:
    """The module-14 form values the draft amounts to (what `save_application` validates).

    A new application starts as "captured" with the signed-in officer; a saved one keeps its
    status and officer (status moves only through `set_status`).
    """
    values: dict[str, Any] = {}
    if not draft.saved:
        values = {"status": "captured", "officer": ws.user.display_name or ws.user.login}
    values.update({k: v for k, v in draft.values.items() if v is not None})
    if draft.applicant:
        values["applicant"] = draft.applicant
    if draft.reason:
        values["reason"] = draft.reason
    if draft.photo is not None:
        values["photo"] = draft.photo.sha
        values["photo_check"] = draft.photo.summary
    values["fingerprint_exempt"] = bool(draft.fingerprint_exempt)
    if not draft.fingerprint_exempt:
        values.update(draft.prints.form_values())
    return values


def save_application(ws: Workspace, draft: ApplicationDraft) -> Any:
    """Validate against the form and create (or update) the record; link the appointment.

    Raises `ValidationFailed` with the form's messages (missing photo, second print …).
    """
    values = draft_values(ws, draft)
    if draft.saved:
        # An update writes every field it is given and clears the rest: start from the record.
        current = _application(ws, draft.uuid)
        rec = door.save(ws, MODULE, {**current.data, **values}, uuid=draft.uuid)
    else:
        # Under the draft's own uuid: the photo and prints are already filed under it.
        rec = door.save(ws, MODULE, values, new_uuid=draft.uuid)
        draft.saved = True
    if draft.appointment:
        link_appointment(ws, draft.appointment, rec.uuid)
    return rec


def _application(ws: Workspace, uuid: str) -> Any:
    rec = records.get(ws, uuid, audit=False)
    if rec.module != MODULE:
        raise UserFacingError("这不是一条身份证办理记录", message_en="Not an ID-card application", code="wrong_module")
    return rec


def status_label(ws: Workspace, status: str, lang: str = "zh") -> str:
    return ws.catalog[MODULE].field("status").choice_label(status, lang)


def allowed_statuses(ws: Workspace, uuid: str) -> list[str]:
    """The statuses the application may move to next (for the UI's buttons)."""
    rec = _application(ws, uuid)
    return [st.to for st in ws.catalog[MODULE].workflow.available(rec.data, ws.user.role) if st.to]


def set_status(ws: Workspace, uuid: str, status: str, *, on: str | None = None,
               receipt_no: str | None = None) -> Any:
    """Move the application along captured → submitted → produced → delivered (or returned).

    `on` is the delivery date for "delivered" (default today); `receipt_no` is the card office's
    receipt number, usually given on submission. The moves are the form's workflow
    (forms/14_id_applications.toml): any other is refused with the statuses it may go to."""
    _application(ws, uuid)
    inputs: dict[str, Any] = {}
    if status == "delivered" and on:
        inputs["delivered_date"] = on
    if status == "submitted" and receipt_no:
        inputs["receipt_no"] = receipt_no
    return door.move(ws, uuid, status, **inputs)


# -- the appointment register -------------------------------------------------------------------
def link_appointment(ws: Workspace, appointment_uuid: str, application_uuid: str, *, mark_done: bool = True) -> Any:
    """Point the appointment at the application; a booked ID-card appointment becomes done."""
    appt = records.get(ws, appointment_uuid, audit=False)
    if appt.module != APPOINTMENTS:
        raise UserFacingError("这不是一条警务预约记录", message_en="Not a police appointment", code="wrong_module")
    _application(ws, application_uuid)
    with ws.store.transaction():
        rec = door.save(ws, APPOINTMENTS, {"application": application_uuid, "service": "id_card"},
                        uuid=appointment_uuid, partial=True)
        if mark_done and rec.data.get("status") == "booked":
            rec = door.step(ws, appointment_uuid, "done", result=rec.data.get("result") or "已受理居民身份证申领")
    return rec


def appointments_for(ws: Workspace, application_uuid: str) -> list[Any]:
    """The appointments that point at this application."""
    return [r for r in ws.store.records.referencing(application_uuid, modules=[APPOINTMENTS])
            if r.data.get("application") == application_uuid]
