"""The server API: auth on every endpoint, malformed payloads never give a 5xx (schemathesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from sync.protocol import encode_body
from sync.server.app import create_app
from sync.server.guard import Limits
from sync.server.storage import Storage

_DIR = Path(tempfile.mkdtemp(prefix="fk-api-"))
STORAGE = Storage(f"sqlite:///{_DIR / 'server.db'}")
# No pause before a 429 (the guard's defence against floods): the fuzzer is a flood from one
# address, and waiting half a second per refusal would only make this test slow.
APP = create_app(STORAGE, Limits(refusal_pause=0.0))
_, _CODE = STORAGE.create_enrollment("fuzz", ["v1"])
TOKEN = "t" * 43
assert TestClient(APP).post("/v1/enroll", json={"code": _CODE, "node": "00000000000000f1", "token": TOKEN}).is_success
AUTH = {"Authorization": f"Bearer {TOKEN}"}
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)

OPEN = {("POST", "/v1/enroll")}  # the one-time code is the credential there


def _operations():
    for path, item in APP.openapi()["paths"].items():
        for method in item:
            yield method.upper(), path.replace("{sha}", "a" * 64)


@pytest.mark.parametrize(("method", "path"), sorted(set(_operations()) - OPEN))
def test_every_endpoint_requires_a_valid_token(method, path):
    client = TestClient(APP)
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
        r = client.request(method, path, headers=headers, params={"record": "0" * 36, "offset": 0, "total": 1})
        assert r.status_code == 401, (method, path, headers, r.text)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"protocol": 1}',
        b'{"protocol": 1, "batch": "abcdefgh", "device": "00000000000000f1", "changes": [{"uuid": 5}]}',
        b'{"protocol": 1, "batch": "abcdefgh", "device": "00000000000000f1", "changes": '
        b'[{"uuid": "11111111-1111-4111-8111-111111111111", "module": "m", "fields": {"x": [{"v": 1, "h": "zz"}]}}]}',
        b"[" * 100_000,
    ],
)
def test_malformed_push_is_a_422_naming_the_problem(body):
    r = TestClient(APP).post("/v1/push", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"] == "bad_payload"


def test_zip_bomb_is_refused():
    bomb = encode_body({"protocol": 1, "pad": "0" * (80 * 1024 * 1024)}, "zstd")
    r = TestClient(APP).post("/v1/push", content=bomb, headers={**AUTH, "Content-Encoding": "zstd"})
    # A refused body is a 413 (the client halves its batch), whatever encoding brought it.
    assert r.status_code == 413 and r.json()["error"] == "body_too_large"
    assert "once decompressed" in r.json()["message"]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_server_fail(case):
    case.call_and_validate(headers=AUTH, checks=[not_a_server_error])
