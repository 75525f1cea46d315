"""Nothing hostile brings the platform down: oversized bodies are refused while they stream in,
error answers never echo the input, and a flooding device is told to wait while honest ones
carry on (issue 12).

Before: a 600 MiB POST to /v1/enroll was read whole (the server grew from 92 MiB to 1.9 GiB);
a 150 MiB one came back as a 450 MB 422 echoing it; pushes and attachment chunks were read whole
before their size checks; and nothing limited how often or how much one device could ask.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading

import pytest
import requests
from fastapi.testclient import TestClient

from sync.client import NetworkUnavailable
from sync.server.app import create_app
from sync.server.guard import Limits
from sync.server.storage import Storage

from .helpers import ServerThread, enrolled

NODE = "00000000000000e1"
TOKEN = "e" * 43
R1 = "11111111-1111-4111-8111-111111111111"
SHA = "a" * 64
CHUNK = 64 * 1024
HUGE = 600 * 1024 * 1024  # what the report sent


@pytest.fixture
def storage(tmp_path):
    s = Storage(f"sqlite:///{tmp_path / 'server.db'}")
    _, code = s.create_enrollment("laptop", ["v1"])
    s.enroll(code, NODE, TOKEN)
    yield s
    s.close()


@pytest.fixture
def sqlite_server(tmp_path):
    srv = ServerThread(f"sqlite:///{tmp_path / 'server.db'}")
    srv.start()
    yield srv
    srv.stop()


def _call(app, method: str, path: str, *, query: str = "", headers: dict[str, str] | None = None,
          body_size: int = HUGE, declare: bool = False) -> tuple[int, bytes, int]:
    """Drive the ASGI app with a body of ``body_size`` zero bytes handed over in 64 KiB pieces,
    as a socket would; returns (status, answer body, bytes the app pulled)."""
    hdrs = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    if declare:
        hdrs.append((b"content-length", str(body_size).encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "headers": hdrs, "client": ("127.0.0.9", 5000), "server": ("127.0.0.1", 80)}
    pulled = 0
    answer: dict = {"status": None, "body": b""}
    piece = b"\0" * CHUNK

    async def receive():
        nonlocal pulled
        if pulled >= body_size:
            await asyncio.sleep(3600)  # nothing more will come: a client that never finishes
        pulled += CHUNK
        return {"type": "http.request", "body": piece, "more_body": pulled < body_size}

    async def send(msg):
        if msg["type"] == "http.response.start":
            answer["status"] = msg["status"]
        elif msg["type"] == "http.response.body":
            answer["body"] += msg.get("body", b"")

    asyncio.run(asyncio.wait_for(app(scope, receive, send), 60))
    return answer["status"], answer["body"], pulled


AUTH = {"Authorization": f"Bearer {TOKEN}"}
ROUTES = [
    # (method, path, query, headers, the limit that applies)
    ("POST", "/v1/enroll", "", {"Content-Type": "application/json"}, Limits().enroll_body),
    ("POST", "/v1/push", "", {**AUTH, "Content-Type": "application/json"}, Limits().push_body),
    ("PUT", f"/v1/attachments/{SHA}", f"record={R1}&offset=0&total=5", AUTH, Limits().chunk_body),
    ("GET", "/v1/hello", "", AUTH, Limits().small_body),
]


@pytest.mark.parametrize(("method", "path", "query", "headers", "limit"), ROUTES[:3],
                         ids=[r[1].split("/")[2] for r in ROUTES[:3]])
def test_an_oversized_body_is_refused_after_reading_no_more_than_the_limit(storage, method, path, query,
                                                                           headers, limit):
    status, body, pulled = _call(create_app(storage), method, path, query=query, headers=headers)
    assert status == 413
    assert pulled <= limit + CHUNK  # not 600 MiB: memory stays bounded whatever is sent
    answer = json.loads(body)
    assert answer == {"error": "body_too_large", "message": f"request body over {limit} bytes"}


@pytest.mark.parametrize(("method", "path", "query", "headers", "limit"), ROUTES,
                         ids=[r[1].split("/")[2] for r in ROUTES])
def test_a_declared_oversized_body_is_refused_before_any_of_it_is_read(storage, method, path, query,
                                                                      headers, limit):
    status, _, pulled = _call(create_app(storage), method, path, query=query, headers=headers, declare=True)
    assert (status, pulled) == (413, 0)


def test_a_body_sent_where_none_is_wanted_is_not_read(storage):
    status, _, pulled = _call(create_app(storage), "GET", "/v1/hello", headers=AUTH)
    assert (status, pulled) == (200, 0)


def test_an_unauthenticated_push_is_answered_without_reading_its_body(storage):
    status, _, pulled = _call(create_app(storage), "POST", "/v1/push", headers={"Content-Type": "application/json"})
    assert (status, pulled) == (401, 0)


def test_a_streaming_client_is_answered_413_before_it_finishes_sending(sqlite_server):
    srv = sqlite_server
    sent = 0
    answer = b""
    if True:
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
            s.sendall(b"POST /v1/enroll HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n")
            got = threading.Event()

            def read():
                nonlocal answer
                try:
                    while b"\r\n\r\n" not in answer:
                        part = s.recv(4096)
                        if not part:
                            break
                        answer += part
                finally:
                    got.set()

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            chunk = b"%x\r\n%s\r\n" % (CHUNK, b" " * CHUNK)
            try:
                while sent < HUGE and not got.is_set():
                    s.sendall(chunk)
                    sent += CHUNK
            except OSError:
                pass  # the server closed the connection after answering: what it should do
            reader.join(30)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert sent < HUGE  # it was answered long before the 600 MiB were sent


def test_a_validation_error_does_not_echo_the_input(storage):
    client = TestClient(create_app(storage))
    marker = "ECHO" * 900  # within the 4 KiB enrolment limit, far over the code's 40 characters
    r = client.post("/v1/enroll", json={"code": marker, "node": NODE, "token": "x" * 40})
    assert r.status_code == 422 and r.json()["error"] == "bad_request"
    assert "ECHOECHO" not in r.text and len(r.content) < 1024
    assert r.json()["detail"][0]["loc"] == ["body", "code"]  # it still says where


@pytest.mark.parametrize("change", [
    {"uuid": "x" * 1_000_000, "module": "residents", "fields": {}},
    {"uuid": R1, "module": "residents", "fields": {"!" * 1_000_000: []}},
    {"uuid": R1, "module": "residents", "fields": {}, "k" * 1_000_000: 1},
])
def test_a_refused_push_does_not_echo_the_input(storage, change):
    client = TestClient(create_app(storage))
    body = {"protocol": 1, "batch": "abcdefgh", "device": NODE, "changes": [change]}
    r = client.post("/v1/push", json=body, headers=AUTH)
    assert r.status_code == 422 and r.json()["error"] == "bad_payload" and r.json()["change"] == 0
    assert len(r.content) < 1024


def test_a_flooding_device_gets_429_while_an_honest_one_syncs(sqlite_server, tmp_path):
    server = sqlite_server
    flood_cli, _flood_rep = enrolled(server, tmp_path, "flood", ["v1"], "00000000000000f1")
    honest_cli, honest = enrolled(server, tmp_path, "honest", ["v1"], "00000000000000f2")
    statuses: list[int] = []
    honest.db.execute("PRAGMA synchronous=OFF")
    honest_cli.session.hooks["response"].append(lambda r, *a, **kw: statuses.append(r.status_code))
    limited, honest_done, limited_after, done = (threading.Event() for _ in range(4))
    flood: list[tuple[int, str | None]] = []

    def hammer():
        with requests.Session() as s:
            s.headers["Authorization"] = f"Bearer {flood_cli.token}"
            s.verify = False  # a raw flood; the test server's certificate is self-signed
            for _ in range(20_000):  # bounded; stops as soon as the honest device is done
                if done.is_set():
                    return
                after = honest_done.is_set()  # asked once the honest device had finished
                r = s.get(server.url + "/v1/pull", params={"limit": 1}, verify=False)
                flood.append((r.status_code, r.headers.get("Retry-After")))
                if r.status_code == 429:
                    (limited_after if after else limited).set()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        assert limited.wait(60), "the flood was never limited"
        for i in range(3):
            honest.edit(f"0000000{i}-0000-4000-8000-000000000000", "residents", {"name": f"居民{i}"}, scope="v1")
            honest_cli.sync(honest)
        honest_done.set()
        # Limited before the honest device started and still limited after it finished: the
        # flood went on all along, and was refused, while the honest device synced.
        assert limited_after.wait(60)
    finally:
        done.set()
        for t in threads:
            t.join(60)
    assert statuses and all(s == 200 for s in statuses)  # never refused, never made to retry
    assert len(server.storage.all_records()) == 3
    assert all(ra is not None and ra.isdigit() and int(ra) >= 1 for s, ra in flood if s == 429)


def test_a_device_over_its_budget_is_told_when_to_come_back_and_loses_nothing(tmp_path):
    # The sliding-window counter weighs the previous window down as the clock moves into the
    # next one: crossing a window edge mid-test lets the sync through. An hour window, entered
    # well before its edge, keeps the budget spent for the whole test.
    import time
    if time.time() % 3600 > 3600 - 30:
        time.sleep(3600 - time.time() % 3600 + 0.1)
    srv = ServerThread(f"sqlite:///{tmp_path / 'server.db'}", limits=Limits(device_requests="3 per 1 hour"))
    srv.start()
    try:
        cli, rep = enrolled(srv, tmp_path, "a", ["v1"], "00000000000000f3", retries=1, backoff=0.001)
        rep.edit(R1, "residents", {"name": "张三"}, scope="v1")
        cli.hello()
        cli.hello()
        cli.hello()
        r = requests.get(srv.url + "/v1/hello", headers={"Authorization": f"Bearer {cli.token}"})
        assert r.status_code == 429 and r.json()["error"] == "rate_limited"
        assert 1 <= int(r.headers["Retry-After"]) <= 3600
        with pytest.raises(NetworkUnavailable):
            cli.sync(rep)
        assert rep.rejected() == [] and rep.pending_count() == 1  # nothing set aside
    finally:
        srv.stop()


def test_wrong_codes_and_tokens_from_one_address_are_limited_but_known_devices_are_not(storage, monkeypatch):
    client = TestClient(create_app(storage, Limits(address_requests="5 per 1 minute")))
    assert client.get("/v1/hello", headers=AUTH).status_code == 200  # a device seen to be good
    answers = [client.post("/v1/enroll", json={"code": "AAAA-BBBB-CCCC-DDDD", "node": NODE, "token": "y" * 40})
               .status_code for _ in range(6)]
    assert answers == [403] * 5 + [429]
    asked: list[str] = []
    real = storage.authenticate
    monkeypatch.setattr(storage, "authenticate", lambda token: asked.append(token) or real(token))
    r = client.get("/v1/hello", headers={"Authorization": "Bearer guessed-token-0000000000000000000000"})
    assert r.status_code == 429 and asked == []  # refused before the database was asked
    assert client.get("/v1/hello", headers=AUTH).status_code == 200


def test_a_batch_too_large_for_the_server_is_halved_and_only_the_oversized_entry_is_set_aside(tmp_path):
    import os

    srv = ServerThread(f"sqlite:///{tmp_path / 'server.db'}", limits=Limits(push_body=64 * 1024,
                                                                            push_decoded=256 * 1024))
    srv.start()
    try:
        cli, rep = enrolled(srv, tmp_path, "a", ["v1"], "00000000000000f4")
        uuids = [f"0000000{i}-0000-4000-8000-000000000000" for i in range(5)]
        for i, u in enumerate(uuids):
            note = os.urandom(150_000).hex() if i == 2 else f"居民{i}"  # ~150 KB on the wire even in zstd
            rep.edit(u, "residents", {"note": note}, scope="v1")
        big = rep.pending_changes(10)[2].id
        report = cli.sync(rep)
        assert [i for i, _ in report.rejected] == [big]
        assert report.rejected[0][1].startswith("too large for the server: request body over 65536 bytes")
        assert sorted(srv.storage.all_records()) == sorted(uuids[:2] + uuids[3:])
        assert rep.pending_count() == 0
    finally:
        srv.stop()


def test_the_counters_expiry_sweep_survives_a_key_popped_under_it():
    """The race the soak bench hit: a request pops a key between the sweep's listing of keys
    and its look-up. The sweep must not die with a traceback, and must still expire the rest."""
    import time

    from limits.storage import MemoryStorage

    from sync.server.guard import _Counters

    assert hasattr(MemoryStorage, "_MemoryStorage__expire_events"), "limits renamed its sweep: re-check _Counters"

    class Vanishing(dict):
        def __getitem__(self, key):
            if key == "gone":
                raise KeyError(key)  # popped by another thread after list(keys())
            return super().__getitem__(key)

    store = _Counters()
    store.storage["old"] = 3
    store.expirations = Vanishing({"gone": 0.0, "old": time.time() - 1})
    store._MemoryStorage__expire_events()
    store.expirations = Vanishing({"old": time.time() - 1})
    store._MemoryStorage__expire_events()
    assert "old" not in store.storage


def test_two_server_processes_on_postgresql_share_one_address_budget(pg_server):
    """`serve --workers 2`: wrong enrolment codes from one address count against one budget,
    whichever process answers (each process counting alone gave a flood twice the budget)."""
    from .conftest import fresh_pg_db

    url = fresh_pg_db(pg_server)
    first, second = Storage(url), Storage(url)
    try:
        limits = Limits(address_requests="5 per 1 hour")  # no window edge inside the test
        a, b = (TestClient(create_app(st, limits, shared_budgets=True)) for st in (first, second))
        wrong = {"code": "AAAA-BBBB-CCCC-DDDD", "node": NODE, "token": "y" * 40}
        answers = [(a if i % 2 else b).post("/v1/enroll", json=wrong).status_code for i in range(6)]
        assert answers == [403] * 5 + [429]
        assert a.post("/v1/enroll", json=wrong).status_code == 429
    finally:
        first.close()
        second.close()
