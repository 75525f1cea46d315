"""What the officer is told when the fingerprint reader fails: helper events -> UserFacingError.

Each error has a stable `code` for scripts and tests; messages are Chinese first, English second.
"""

from __future__ import annotations

from fieldkit.domain.errors import Cancelled, DeviceUnavailable, UserFacingError


class RetryScan(Exception):
    """libfprint rejected one scan (too short, off-centre…); the caller re-arms the capture."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def no_library(detail: str) -> DeviceUnavailable:
    return DeviceUnavailable(
        "未找到指纹仪驱动库 libfprint（请安装 libfprint-2-2）",
        message_en=f"The libfprint library is missing (install libfprint-2-2): {detail}",
        code="no_libfprint",
    )


def no_reader() -> DeviceUnavailable:
    return DeviceUnavailable(
        "未检测到指纹仪，请检查 USB 连接后重试",
        message_en="No fingerprint reader found; check the USB cable and try again",
        code="no_fingerprint_reader",
    )


def removed() -> DeviceUnavailable:
    return DeviceUnavailable(
        "指纹仪已断开连接，请重新插好后再试",
        message_en="The fingerprint reader was disconnected; plug it in again and retry",
        code="fingerprint_removed",
    )


def unresponsive(detail: str = "") -> DeviceUnavailable:
    return DeviceUnavailable(
        "指纹仪无响应，已停止本次采集；请重新插拔指纹仪后再试",
        message_en=f"The fingerprint reader stopped responding; reconnect it and retry. {detail}".strip(),
        code="fingerprint_unresponsive",
    )


def from_event(ev: dict, cancel_reason: str | None) -> Exception:
    kind, code = ev.get("kind"), int(ev.get("code") or 0)
    if kind == "cancelled":
        if cancel_reason == "timeout":
            return DeviceUnavailable(
                "长时间未检测到手指，已停止采集；请确认指纹仪已连接且手指放在采集窗口上",
                message_en="No finger was detected in time; check that the reader is connected and "
                "the finger is on the window",
                code="fingerprint_timeout",
            )
        return Cancelled()
    if kind == "retry":
        return RetryScan(code)
    if kind == "removed" or (kind == "device" and code == 0x100):
        return removed()
    if kind == "no_device":
        return no_reader()
    if kind == "open_failed":
        return DeviceUnavailable(
            "无法打开指纹仪：可能没有 USB 访问权限（见 docs/hardware.md 的 udev 规则），或指纹仪正被其他程序占用",
            message_en=f"Could not open the fingerprint reader (USB permissions or in use): {ev.get('message')}",
            code="fingerprint_open_failed",
        )
    if kind == "bad_template":
        return UserFacingError(
            "指纹模板已损坏或不属于此型号指纹仪，无法比对",
            message_en=f"The fingerprint template is damaged or from another reader model: {ev.get('message')}",
            code="fingerprint_bad_template",
        )
    if kind == "device":
        return DeviceUnavailable(
            f"指纹仪出错（代码 {code}），请拔下后重新插好再试",
            message_en=f"The fingerprint reader reported an error ({code}: {ev.get('message')}); reconnect it",
            code="fingerprint_device_error",
        )
    return DeviceUnavailable(
        "指纹仪程序出错，请重试",
        message_en=f"Fingerprint helper error: {kind} {ev.get('message')}",
        code="fingerprint_helper_error",
    )
