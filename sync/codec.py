"""Strict JSON for the sync protocol: the value rules, the text codec and the body codec.

Standard JSON only (RFC 8259), in both directions: Python's `json` writes and reads ``NaN``
and ``Infinity`` unless told not to, and a peer that is not Python cannot read them. Every
body goes through `dump_json` / `load_json` (and `encode_body` / `decode_json` around them);
every field value through `check_value`. Re-exported by `sync.protocol`, which callers use.

Thread-safety: all functions are pure. Sizes are bytes.
"""

from __future__ import annotations

import gzip
import json
import math
from typing import Any

import zstandard

MAX_BODY_BYTES = 64 * 1024 * 1024  # after decompression: a guard against zip bombs
# Form values nest three deep at most (repeat group -> row -> list); 32 leaves room and keeps
# every walk over a value (merge's canonical form, the encoder) far from Python's recursion limit.
MAX_VALUE_DEPTH = 32


class ProtocolError(ValueError):
    """A payload that does not follow the protocol; the message names the offending part.

    ``change`` is the index, in its push batch, of the change at fault, when one is (the server
    sends it back so a client can tell "this change is bad" from "this request is bad").
    """

    def __init__(self, message: str, *, change: int | None = None) -> None:
        super().__init__(message)
        self.change = change


class TooLarge(ProtocolError):
    """A body over its size limit once decompressed (the server answers 413, not 422)."""


class _BadValue(Exception):
    def __init__(self, problem: str) -> None:
        self.problem = problem
        self.path: list[str] = []


def _walk_value(v: Any, depth: int) -> None:
    # Recursion is bounded by MAX_VALUE_DEPTH; the path is built only on the way out of a failure.
    if v is None or isinstance(v, (bool, int)):
        return
    if isinstance(v, float):
        if not math.isfinite(v):
            raise _BadValue(f"{v!r} is not a finite number (JSON has no NaN or Infinity)")
    elif isinstance(v, str):
        _check_text(v)
    elif isinstance(v, (list, tuple, dict)):
        if depth >= MAX_VALUE_DEPTH:
            raise _BadValue(f"nested more than {MAX_VALUE_DEPTH} levels deep")
        items = v.items() if isinstance(v, dict) else enumerate(v)
        for k, x in items:
            try:
                if isinstance(v, dict):
                    if not isinstance(k, str):
                        raise _BadValue(f"object key {k!r} is not a string")
                    _check_text(k)
                _walk_value(x, depth + 1)
            except _BadValue as bad:
                bad.path.append(f"[{k!r}]" if isinstance(v, dict) else f"[{k}]")
                raise
    else:
        raise _BadValue(f"a {type(v).__name__} is not a JSON value")


def _check_text(s: str) -> None:
    if not s.isascii():
        try:
            s.encode()
        except UnicodeEncodeError:
            raise _BadValue("text holds a lone UTF-16 surrogate (not valid Unicode)") from None


def check_value(value: Any, where: str = "value") -> Any:
    """Refuse a field value standard JSON cannot carry faithfully; returns it unchanged.

    Refused: non-finite floats (NaN, ±Infinity), lone surrogates in text, non-string object
    keys, nesting deeper than `MAX_VALUE_DEPTH`, and anything that is not a JSON type (tuples
    pass as arrays). The `ProtocolError` names the place, e.g. ``change.fields.members[2]['age']``.
    """
    kind = type(value)
    # The usual field values need no walk: ASCII text holds no lone surrogate, and an int, a
    # bool or null is always standard JSON (the server checks ~8 values per pushed record).
    if (kind is str and value.isascii()) or kind is int or kind is bool or value is None:
        return value
    try:
        _walk_value(value, 0)
    except _BadValue as bad:
        raise ProtocolError(f"{where}{''.join(reversed(bad.path))}: {bad.problem}") from None
    return value


# ---------------------------------------------------------------------------- text and bodies

# Level 1: on a 500-resident page (295 kB of JSON) it packs as small as level 6 (49.4 B/record)
# in 1.1 ms instead of 7 ms; the server compresses every pull page, so this was its CPU.
_ZSTD_LEVEL = 1


def dump_json(obj: Any) -> str:
    """Compact standard JSON text (Chinese kept as is). `ProtocolError` for NaN/±Infinity, lone
    surrogates, values nested too deep for the encoder, or objects JSON has no form for."""
    try:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        if not text.isascii():
            text.encode()  # a lone surrogate would only fail later, on the socket
        return text
    except (ValueError, TypeError, RecursionError) as exc:  # UnicodeEncodeError is a ValueError
        raise ProtocolError(f"not expressible as standard JSON: {exc}") from None


def _refuse_constant(name: str) -> Any:
    raise ProtocolError(f"{name} is not standard JSON (JSON has no NaN or Infinity)")


def _finite_float(text: str) -> float:
    f = float(text)
    if not math.isfinite(f):
        raise ProtocolError(f"number {text[:40]} is too large for a double")
    return f


def load_json(raw: bytes | str) -> Any:
    """Parse standard JSON; `ProtocolError` for anything else, including ``NaN``, ``Infinity``,
    ``-Infinity``, numbers that overflow a double and integers too long for Python to parse."""
    try:
        return json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ProtocolError:
        raise
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError: ValueErrors
        raise ProtocolError(f"body is not JSON: {exc}") from None


def encode_body(obj: Any, encoding: str = "zstd") -> bytes:
    """Serialise ``obj`` as compact standard JSON (`dump_json`) and compress it (``zstd``,
    ``gzip`` or ``identity``)."""
    return compress(dump_json(obj).encode(), encoding)


def compress(raw: bytes, encoding: str = "zstd") -> bytes:
    if encoding == "zstd":
        return zstandard.ZstdCompressor(level=_ZSTD_LEVEL).compress(raw)
    if encoding == "gzip":
        return gzip.compress(raw, compresslevel=6)
    if encoding in ("", "identity"):
        return raw
    raise ProtocolError(f"unsupported content encoding {encoding!r}")


def decompress(body: bytes, encoding: str | None, limit: int = MAX_BODY_BYTES) -> bytes:
    """Undo ``Content-Encoding``; refuses output above ``limit`` bytes (zip-bomb guard)."""
    enc = (encoding or "identity").strip().lower()
    try:
        if enc == "zstd":
            # stream_reader bounds the output, unlike decompress() on a frame without a size
            with zstandard.ZstdDecompressor().stream_reader(body) as reader:
                out = reader.read(limit + 1)
        elif enc in ("gzip", "x-gzip"):
            import zlib

            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out = d.decompress(body, limit + 1)
        elif enc == "identity":
            out = body
        else:
            raise ProtocolError(f"unsupported content encoding {enc!r}")
    except (zstandard.ZstdError, OSError, EOFError) as exc:
        raise ProtocolError(f"body does not decompress as {enc}: {exc}") from None
    except Exception as exc:  # zlib.error has no public base to name here
        if isinstance(exc, ProtocolError):
            raise
        raise ProtocolError(f"body does not decompress as {enc}: {exc}") from None
    if len(out) > limit:
        raise TooLarge(f"body larger than {limit} bytes once decompressed")
    return out


def decode_json(body: bytes, encoding: str | None) -> Any:
    """Decompress a request or answer body and parse it strictly (`load_json`)."""
    return load_json(decompress(body, encoding))
