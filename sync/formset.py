"""A form set on the wire: the forms folder as one signed JSON envelope.

The platform (the county) publishes the forms every device should run — module files,
``lists.toml``, ``permissions.toml`` — with a set version and the merge policy derived from
them. The county signs the *body* (a JSON text) with its Ed25519 key; the server only stores
and serves the envelope (it holds no signing key), and each device verifies the signature
against the county keys it trusts before it shows the chief what would change.

Envelope (``GET /v1/forms``)::

    {"format": "fieldkit-forms/1", "signer": "<county code>", "signature": "<base32>",
     "body": "<JSON text: {version, files: {name: toml text}, modules: {id: form version},
              merge_policy: sync.merge.Policy.to_json()}>"}

The body travels as a string so the bytes signed are the bytes verified (no re-serialising);
``sha256`` (of the body's UTF-8) names a set in ``/v1/hello``. Pure: no I/O, no keys.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sync import merge as m
from sync.codec import ProtocolError

FORMAT = "fieldkit-forms/1"
SIGNED_PREFIX = b"FKFORMS1\n"  # domain separation: a doorplate signature is never a form-set one
MAX_FORM_SET = 4 * 1024 * 1024  # bytes of envelope: today's 22 files are ~250 KB
MAX_FILES = 200
# A bare file name: no folders, so installing a set can never write outside its forms folder.
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}\.toml$")
_SIGNER = re.compile(r"^[0-9A-Z]{1,16}$")
_MODULE = re.compile(r"^[a-z_][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class FormSet:
    """A parsed envelope; nothing here says whether the signature holds (the device checks)."""

    version: int
    signer: str
    signature: str
    body: str
    files: dict[str, str] = field(repr=False)
    modules: dict[str, int]
    policy: m.Policy = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body.encode()).hexdigest()

    @property
    def signed_bytes(self) -> bytes:
        return signed_message(self.body)

    def announcement(self, policy: m.Policy | None = None) -> dict[str, Any]:
        """What ``/v1/hello`` says of it (``policy``: the one the server merges with)."""
        return {"version": self.version, "sha256": self.sha256, "signer": self.signer,
                "modules": dict(self.modules), "merge_policy": (policy or self.policy).to_json()}

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "signer": self.signer, "signature": self.signature, "body": self.body}

    def to_text(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))


def signed_message(body: str) -> bytes:
    return SIGNED_PREFIX + body.encode()


def make_body(version: int, files: dict[str, str], modules: dict[str, int], policy: m.Policy) -> str:
    """The body text to sign (sorted keys: the same folder always gives the same sha256)."""
    obj = {"version": version, "files": files, "modules": modules, "merge_policy": policy.to_json()}
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    _check_body(json.loads(text))
    return text


def envelope(body: str, signer: str, signature: str) -> FormSet:
    return parse({"format": FORMAT, "signer": signer, "signature": signature, "body": body})


def parse(raw: str | bytes | dict[str, Any]) -> FormSet:
    """An envelope read back; `ProtocolError` naming the part that is wrong."""
    if isinstance(raw, (str, bytes)):
        if len(raw) > MAX_FORM_SET:
            raise ProtocolError(f"form set: over {MAX_FORM_SET} bytes")
        try:
            raw = json.loads(raw)
        except ValueError as e:
            raise ProtocolError(f"form set: not JSON ({e})") from None
    if not isinstance(raw, dict) or set(raw) != {"format", "signer", "signature", "body"}:
        raise ProtocolError("form set: expected format, signer, signature and body")
    if raw["format"] != FORMAT:
        raise ProtocolError(f"form set: unknown format {str(raw['format'])[:40]!r}")
    signer, signature, body = raw["signer"], raw["signature"], raw["body"]
    if not isinstance(signer, str) or not _SIGNER.match(signer):
        raise ProtocolError("form set.signer: expected a county code (1-16 digits or capitals)")
    if not isinstance(signature, str) or not 0 < len(signature) <= 200:
        raise ProtocolError("form set.signature: expected a base32 string")
    if not isinstance(body, str) or len(body) > MAX_FORM_SET:
        raise ProtocolError("form set.body: expected a JSON text")
    try:
        obj = json.loads(body)
    except ValueError as e:
        raise ProtocolError(f"form set.body: not JSON ({e})") from None
    version, files, modules, policy = _check_body(obj)
    return FormSet(version, signer, signature, body, files, modules, policy)


def _check_body(obj: Any) -> tuple[int, dict[str, str], dict[str, int], m.Policy]:
    if not isinstance(obj, dict) or set(obj) != {"version", "files", "modules", "merge_policy"}:
        raise ProtocolError("form set.body: expected version, files, modules and merge_policy")
    version = obj["version"]
    if type(version) is not int or not 1 <= version <= 1_000_000:
        raise ProtocolError("form set.version: expected an integer 1..1000000")
    files = obj["files"]
    if not isinstance(files, dict) or not 0 < len(files) <= MAX_FILES:
        raise ProtocolError(f"form set.files: expected 1..{MAX_FILES} files")
    for name, text in files.items():
        if not FILE_NAME.match(name) or not isinstance(text, str):
            raise ProtocolError(f"form set.files: {name[:60]!r} is not a bare .toml file name with text")
    modules = obj["modules"]
    if not isinstance(modules, dict) or not all(
            isinstance(k, str) and _MODULE.match(k) and type(v) is int and v >= 1 for k, v in modules.items()):
        raise ProtocolError("form set.modules: expected {module id: form version}")
    try:
        policy = m.Policy.from_json(obj["merge_policy"])
    except ValueError as e:
        raise ProtocolError(f"form set.{e}") from None
    return version, dict(files), dict(modules), policy
