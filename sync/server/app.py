"""The reference central platform's HTTP API (FastAPI). See docs/sync-protocol.md.

Every endpoint but ``/v1/enroll`` (where the one-time code is the credential) needs
``Authorization: Bearer <token>``. Request bodies may be zstd- or gzip-compressed
(``Content-Encoding``); JSON answers are compressed when ``Accept-Encoding`` allows.

`sync.server.guard.Guard` sits in front of every route: body limits while the body streams in,
per-device and per-address rates, per-device concurrency (429 with ``Retry-After``). Error
answers never repeat what the client sent beyond a short excerpt (a 150 MiB body once came back
as a 450 MB validation error).

Threading: handlers are async and hand database work, and the parsing of push bodies, to
Starlette's thread pool, so a large body never holds up the event loop; the `Storage` they
share is thread-safe.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from sync.protocol import (
    MAX_AUTHOR_LEN,
    MAX_BATCH,
    MAX_PAGE,
    PROTOCOL_VERSION,
    ProtocolError,
    PushBatch,
    TooLarge,
    compress,
    decompress,
    dump_json,
    load_json,
)
from sync.server import blobs, console, counters, logs, replication
from sync.server.guard import Budgets, Guard, Limits, RateLimited
from sync.server.lanes import MAX_CURSOR
from sync.server.storage import Device, Storage, StorageError

MAX_MESSAGE = 300  # characters of an error message: enough to name the place, never the payload
MAX_ISSUES = 10  # validation problems listed in a 422

SHA = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
_VERSION = {"type": "object", "required": ["v", "h"], "additionalProperties": False, "properties": {
    "v": {}, "h": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    "s": {"type": "array", "items": {"type": "string", "pattern": "^[0-9a-f]{32}$"}},
    "a": {"type": "string", "minLength": 1, "maxLength": MAX_AUTHOR_LEN, "description": "author's login"},
}}
CHANGE_SCHEMA = {"type": "object", "required": ["uuid", "module", "fields"], "properties": {
    "uuid": {"type": "string", "format": "uuid"},
    "module": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"},
    "schema": {"type": "integer", "minimum": 1},
    "origin": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
    "fields": {"type": "object", "additionalProperties": {"type": "array", "items": _VERSION, "minItems": 1}},
}}
PUSH_SCHEMA = {"type": "object", "required": ["protocol", "batch", "device", "changes"], "properties": {
    "protocol": {"type": "integer", "enum": [PROTOCOL_VERSION]},
    "batch": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,80}$"},
    "device": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
    "changes": {"type": "array", "items": CHANGE_SCHEMA, "maxItems": MAX_BATCH},
}}


class EnrollRequest(BaseModel):
    code: str = Field(min_length=4, max_length=40)
    node: str = Field(pattern=r"^[0-9a-f]{16}$", description="the device's HLC node id")
    token: str = Field(min_length=32, max_length=128, pattern=r"^[A-Za-z0-9_-]+$",
                       description="bearer token the device generated and keeps secret")


class AuditHead(BaseModel):
    seq: int = Field(ge=0, le=2**62, description="number of entries in the device's audit chain")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the chain's last entry")


class EnrollAnswer(BaseModel):
    device_id: int
    name: str
    scope: list[str]
    protocol: int


def _error(status: int, code: str, message: str, extra: dict[str, Any] | None = None,
           headers: dict[str, str] | None = None) -> JSONResponse:
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "…"
    return JSONResponse({"error": code, "message": message, **(extra or {})}, status_code=status,
                        headers=headers)


def _issues(errors: Any) -> list[dict[str, Any]]:
    """FastAPI's validation errors without what it would echo: the offending input (``input``,
    ``ctx``) is dropped, and locations and messages are cut short (a location can be a key the
    client chose)."""
    out = []
    for e in list(errors)[:MAX_ISSUES]:
        loc = [x if isinstance(x, int) else str(x)[:64] for x in list(e.get("loc", ()))[:8]]
        out.append({"loc": loc, "type": str(e.get("type", ""))[:64], "msg": str(e.get("msg", ""))[:200]})
    return out


def _compressed(request: Request, obj: Any = None, raw: bytes | None = None) -> Response:
    """JSON answer compressed per Accept-Encoding (zstd preferred: ~25 % smaller than gzip here)."""
    accept = request.headers.get("accept-encoding", "")
    enc = "zstd" if "zstd" in accept else "gzip" if "gzip" in accept else "identity"
    body = raw if raw is not None else dump_json(obj).encode()
    headers = {"Vary": "Accept-Encoding"}
    if enc != "identity" and len(body) > 256:
        body = compress(body, enc)
        headers["Content-Encoding"] = enc
    return Response(body, media_type="application/json", headers=headers)


def _page_answer(request: Request, states: list[str], cursor: str, more: bool) -> Response:
    raw = ('{"changes":[' + ",".join(states) + '],"cursor":' + json.dumps(cursor)
           + ',"more":' + ("true" if more else "false") + "}").encode()
    return _compressed(request, raw=raw)


_bearer = HTTPBearer(auto_error=False)


async def current_device(
    request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Device:
    if creds is None or creds.scheme.lower() != "bearer":
        raise StorageError(401, "auth_required", "enroll this device, then send its token")
    storage = request.app.state.storage
    dev = await run_in_threadpool(storage.authenticate, creds.credentials)
    guard: Budgets = request.app.state.guard
    await guard.run(guard.note_auth, request.scope, dev is not None)
    if dev is None:
        revoked = await run_in_threadpool(storage.revoked_at, creds.credentials)
        if revoked is not None:
            # The holder of a revoked token is told so: the laptop then locks itself (a stolen
            # laptop learns it at its next contact). Only that device's own token gets this.
            raise StorageError(403, "device_revoked", "this device was revoked by the platform",
                               revoked_at=revoked)
        raise StorageError(401, "bad_token", "token unknown or revoked")
    return dev


Dev = Annotated[Device, Depends(current_device)]


def _parse_push(body: bytes, encoding: str | None, limits: Limits, spend: Any) -> PushBatch:
    """Decompress (bounded), count and parse a push body. Runs in a worker thread."""
    try:
        raw = decompress(body, encoding, limit=limits.push_decoded)
    except TooLarge:
        raise StorageError(413, "body_too_large", f"push body over {limits.push_decoded} bytes once decompressed") from None
    spend(len(raw))
    if len(raw) <= limits.heavy_push:
        return PushBatch.from_json(load_json(raw))
    # One large body parsed at a time: parsing takes ~10 bytes of memory per byte of JSON.
    with _HEAVY:
        return PushBatch.from_json(load_json(raw))


_HEAVY = threading.Lock()


ENV_DB = "FIELDKIT_SERVER_DB"
ENV_APPEND_ONLY = "FIELDKIT_SERVER_APPEND_ONLY"
ENV_ENROLL_URL = "FIELDKIT_SERVER_ENROLL_URL"  # the console's enrollment QR: the address laptops reach
ENV_TLS_FP = "FIELDKIT_SERVER_TLS_FP"  # and the certificate pin it carries


def app_from_env() -> FastAPI:
    """The app for one of ``serve --workers N``'s processes (uvicorn's factory: each worker
    process imports this and calls it), with its own `Storage` and connection pool.
    Configured by ``$FIELDKIT_SERVER_DB`` and ``$FIELDKIT_SERVER_APPEND_ONLY`` (comma-separated)."""
    import os

    from sync import merge as m

    modules = frozenset(x.strip() for x in os.environ.get(ENV_APPEND_ONLY, "").split(",") if x.strip())
    storage = Storage(os.environ[ENV_DB], m.Policy(append_only=modules))
    app = create_app(storage, shared_budgets=True)  # one of several processes on one database
    # Tasks replicated from the aggregate (or up from counties) are merged, not replaced.
    app.state.merging = replication.start_merging(storage)
    app.state.enroll_url = os.environ.get(ENV_ENROLL_URL) or None
    app.state.tls_fingerprint = os.environ.get(ENV_TLS_FP) or None
    from sync.server import gc_tuning

    gc_tuning.tune_for_serving()  # this worker process is started: see gc_tuning
    return app


def create_app(storage: Storage, limits: Limits | None = None, *, shared_budgets: bool = False) -> FastAPI:
    """The API over ``storage``, behind a `Guard` enforcing ``limits`` (defaults: `Limits()`).
    ``shared_budgets``: the guard counts in the database (PostgreSQL), for `serve --workers N`
    whose processes must share one budget; one process counts in memory, a few µs a request
    instead of database round trips (bench/counters_bench.py). Console logins always count in
    the database."""
    limits = limits or Limits()
    logs.install()
    # No interactive docs pages on a police platform; the machine-readable spec stays public
    # (it holds no data) so clients and the schemathesis suite can read it.
    app = FastAPI(title="FieldKit central platform", version=f"{PROTOCOL_VERSION}.0", docs_url=None,
                  redoc_url=None)
    app.state.storage = storage
    app.state.guard = Budgets(limits, counters.for_processes(storage.engine) if shared_budgets else None)
    app.add_middleware(Guard, budgets=app.state.guard)

    @app.exception_handler(StorageError)
    async def _storage_error(_request: Request, exc: StorageError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return _error(exc.status, exc.code, str(exc), exc.extra, headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Unknown routes, wrong methods, unreadable bodies: the same error shape as the rest.
        codes = {404: "not_found", 405: "method_not_allowed"}
        return _error(exc.status_code, codes.get(exc.status_code, "bad_request"), str(exc.detail),
                      headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(ProtocolError)
    async def _protocol_error(_request: Request, exc: ProtocolError) -> JSONResponse:
        # "change" tells the client the fault is one change of its batch (it sets that one
        # aside and sends the rest), not the request as a whole.
        return _error(422, "bad_payload", str(exc), {"change": exc.change} if exc.change is not None else None)

    @app.exception_handler(ClientDisconnect)
    async def _gone(_request: Request, _exc: ClientDisconnect) -> Response:
        # The link dropped mid-upload (daily on 2G): nothing was applied, nobody to answer.
        return Response(status_code=400)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, "bad_request", "request does not match the API", {"detail": _issues(exc.errors())})

    @app.post("/v1/enroll", response_model=EnrollAnswer)
    async def enroll(req: EnrollRequest) -> EnrollAnswer:
        dev = await run_in_threadpool(storage.enroll, req.code, req.node, req.token)
        return EnrollAnswer(device_id=dev.id, name=dev.name, scope=list(dev.scope),
                            protocol=PROTOCOL_VERSION)

    @app.get("/v1/hello")
    async def hello(dev: Dev) -> dict:
        """Reachability probe and identity check; ``server_time`` is Unix seconds."""
        head = await run_in_threadpool(storage.audit_head, dev)
        forms = await run_in_threadpool(storage.form_set_head)
        # ``form_set``: the published set (version, sha256, signer, module versions) and the merge
        # policy the server merges with; without one, the policy alone (devices merge alike).
        form_set = forms if forms is not None else {"version": 0, "merge_policy": storage.policy.to_json()}
        return {"device_id": dev.id, "name": dev.name, "scope": list(dev.scope),
                "protocol": PROTOCOL_VERSION, "server_time": time.time(),
                "audit_head": None if head is None else {"seq": head["seq"], "hash": head["hash"]},
                "form_set": form_set}

    @app.get("/v1/forms")
    async def forms(request: Request, dev: Dev) -> Response:
        """The signed form set (`sync.formset` envelope); 404 ``no_form_set`` before one is published."""
        text = await run_in_threadpool(storage.form_set_envelope)
        if text is None:
            raise StorageError(404, "no_form_set", "the platform has published no form set")
        return _compressed(request, raw=text.encode())

    @app.put("/v1/audit-head")
    async def put_audit_head(dev: Dev, head: AuditHead) -> dict:
        """The device's audit chain head after a sync: the second anchor it checks next time."""
        stored = await run_in_threadpool(storage.set_audit_head, dev, head.seq, head.hash)
        return {"seq": stored["seq"], "hash": stored["hash"]}

    @app.post("/v1/push", openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": PUSH_SCHEMA}}}})
    async def push(request: Request, dev: Dev) -> Response:
        body = await request.body()  # the Guard stops reading at Limits.push_body
        batch = await run_in_threadpool(_parse_push, body, request.headers.get("content-encoding"), limits,
                                        lambda n: app.state.guard.spend(request.scope, n))
        if dev.node and batch.device != dev.node:
            raise StorageError(403, "wrong_device", "batch names another device")
        result = await run_in_threadpool(storage.push, dev, batch)
        return _compressed(request, result.to_json())

    @app.get("/v1/pull")
    async def pull(request: Request, dev: Dev, cursor: Annotated[str | None, Query(max_length=MAX_CURSOR)] = None,
                   limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500) -> Response:
        states, new_cursor, more = await run_in_threadpool(storage.pull, dev, cursor, limit)
        # The states are stored as JSON text already: splice them instead of parsing them again.
        # They are standard JSON: written by `dump_json`, older rows repaired at startup (storage).
        # Joined and compressed in a worker thread: a page is ~300 kB, which would hold up the event loop.
        return await run_in_threadpool(_page_answer, request, states, new_cursor, more)

    @app.put("/v1/attachments/{sha}", openapi_extra={"requestBody": {"required": True, "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}})
    async def put_attachment(request: Request, dev: Dev, sha: SHA,
                             record: Annotated[str, Query(pattern=r"^[0-9a-f-]{36}$")],
                             offset: Annotated[int, Query(ge=0)], total: Annotated[int, Query(ge=1)]) -> dict:
        data = await request.body()
        return await run_in_threadpool(blobs.put_chunk, storage, dev, sha, record, offset, total, data)

    @app.get("/v1/attachments/{sha}/status")
    async def attachment_status(dev: Dev, sha: SHA) -> dict:
        return await run_in_threadpool(blobs.status, storage, dev, sha)

    @app.get("/v1/attachments/{sha}")
    async def get_attachment(dev: Dev, sha: SHA, offset: Annotated[int, Query(ge=0)] = 0,
                             length: Annotated[int, Query(ge=1, le=blobs.MAX_CHUNK)] = blobs.MAX_CHUNK) -> Response:
        data = await run_in_threadpool(blobs.read, storage, dev, sha, offset, length)
        return Response(data, media_type="application/octet-stream")

    # The web console for township/county officers and admins, on the same app and port:
    # one process and one certificate to run at a county (sync/server/console).
    console.mount(app)
    return app
