"""The one error type shown to users, and its few subclasses.

A `UserFacingError` is something the user can act on (a wrong passphrase, an invalid ID number,
a missing camera). Its message is Chinese first, with an English translation; `field` names the
form field it concerns when there is one. Anything else that escapes is a bug: the UI shows it
with "copy details" and logs it, the CLI prints a traceback and exits with `ExitCode.BUG`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """CLI exit codes. Stable: scripts at stations depend on them."""

    OK = 0
    ERROR = 1  # a user-facing error with no more specific code
    USAGE = 2  # argparse's own code for bad arguments
    AUTH = 3  # wrong passphrase, locked out, unknown user, wrong recovery code
    INVALID = 4  # validation failed (ID number, required field, constraint)
    NOT_FOUND = 5
    DEVICE = 6  # camera / fingerprint reader / card reader unavailable
    INTEGRITY = 7  # audit chain or database integrity check failed
    CONFLICT = 8  # already exists, duplicate, concurrent change
    PERMISSION = 9  # role may not do this
    STORAGE = 10  # disk full, read-only, store missing or damaged
    NETWORK = 11  # sync could not reach the server
    DATA_CHANGE = 12  # `forms diff`: the new forms touch stored data (a migration is needed)
    BUG = 70  # an unexpected exception (EX_SOFTWARE)


class UserFacingError(Exception):
    """An error whose message is meant for the user.

    `message` is Chinese (the UI default), `message_en` its English translation, `field` the
    form field it concerns (or None), `code` a short machine-readable slug for scripts and tests.
    """

    exit_code: ExitCode = ExitCode.ERROR
    default_code: str = "error"

    def __init__(
        self,
        message: str,
        *,
        message_en: str = "",
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.field = field
        self.code = code or self.default_code

    def localized(self, lang: str = "zh") -> str:
        return self.message_en if lang.startswith("en") else self.message

    def to_dict(self) -> dict[str, object]:
        return {
            "error": self.code,
            "message": self.message,
            "message_en": self.message_en,
            "field": self.field,
        }


class AuthError(UserFacingError):
    """Wrong passphrase, unknown user, lockout delay in force, wrong recovery code."""

    exit_code = ExitCode.AUTH
    default_code = "auth"

    def __init__(self, message: str, *, retry_after: float = 0.0, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after  # seconds until another attempt is allowed


class ValidationFailed(UserFacingError):
    """A record did not pass its form's rules. `issues` lists every field that failed."""

    exit_code = ExitCode.INVALID
    default_code = "invalid"

    SHOWN = 10  # issues spelled out in the message; `issues` keeps them all

    def __init__(self, issues: list, **kw: object) -> None:  # list[formspec.FieldIssue]
        first = issues[0] if issues else None
        head, more = issues[: self.SHOWN], len(issues) - self.SHOWN
        message = "；".join(f"{i.label}：{i.message}" if i.label else i.message for i in head) if issues else "数据无效"
        message_en = "; ".join(f"{i.label_en}: {i.message_en}" if i.label_en else i.message_en for i in head) \
            if issues else "Invalid data"
        if more > 0:
            message += f"；……另有 {more} 处问题"
            message_en += f"; … and {more} more"
        super().__init__(
            message, message_en=message_en, field=getattr(first, "field", None), **kw  # type: ignore[arg-type]
        )
        self.issues = issues

    def to_dict(self) -> dict[str, object]:
        d = super().to_dict()
        d["issues"] = [
            {"field": i.field, "message": i.message, "message_en": i.message_en, "severity": i.severity}
            for i in self.issues
        ]
        return d


class NotFound(UserFacingError):
    exit_code = ExitCode.NOT_FOUND
    default_code = "not_found"


class DeviceUnavailable(UserFacingError):
    """A device (camera, fingerprint reader, ID-card reader) or its library is missing or gone."""

    exit_code = ExitCode.DEVICE
    default_code = "device_unavailable"


class IntegrityError(UserFacingError):
    exit_code = ExitCode.INTEGRITY
    default_code = "integrity"


class Conflict(UserFacingError):
    exit_code = ExitCode.CONFLICT
    default_code = "conflict"


class PermissionDenied(UserFacingError):
    exit_code = ExitCode.PERMISSION
    default_code = "permission"


class StorageError(UserFacingError):
    """Disk full, read-only medium, store missing or damaged. Nothing was written."""

    exit_code = ExitCode.STORAGE
    default_code = "storage"


class NetworkError(UserFacingError):
    exit_code = ExitCode.NETWORK
    default_code = "network"


class Cancelled(Exception):
    """Raised inside a long task when the user pressed cancel. Not an error to show."""
