"""Server logs carry no personal data: a name and an ID number pushed, refused, malformed and
pulled never appear in what the server writes (uvicorn's access and error logs at info level)."""

from __future__ import annotations

import contextlib
import io
import logging

import pytest
import requests

from sync.client import SyncError

from .helpers import ServerThread, enrolled, tls_certificate

NAME = "欧阳娜娜"
ID_NUMBER = "350102199001011234"
R1 = "11111111-1111-4111-8111-111111111111"
R2 = "22222222-2222-4222-8222-222222222222"


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_a_pushed_name_and_id_number_never_reach_the_server_logs(tmp_path, capfd) -> None:
    srv = ServerThread(f"sqlite:///{tmp_path / 'server.db'}", tls=tls_certificate(), log_level="info")
    srv.start()
    seen = io.StringIO()
    handler = logging.StreamHandler(seen)
    loggers = [logging.getLogger(n) for n in ("", "uvicorn", "uvicorn.access", "uvicorn.error", "sqlalchemy")]
    for lg in loggers:
        lg.addHandler(handler)
    try:
        cli, rep = enrolled(srv, tmp_path, "officer", ["v1"], "00000000000000a1")
        rep.edit(R1, "residents", {"name": NAME, "id_number": ID_NUMBER}, scope="v1")
        rep.edit(R2, "residents", {"name": NAME, "id_number": ID_NUMBER}, scope="v9")  # refused: out of scope
        report = cli.sync(rep)
        assert report.rejected  # the refusal happened, and was answered
        other, rep2 = enrolled(srv, tmp_path, "other", ["v1"], "00000000000000a2")
        other.sync(rep2)  # pulled by a second device
        # A malformed push quoting the number, and a number in a URL's query: both refused.
        token = cli.token
        for body in (f'{{"batch": "x", "changes": [{{"id_number": "{ID_NUMBER}", "name": "{NAME}"'.encode(),):
            requests.post(f"{srv.url}/v1/push", data=body, verify=False, timeout=10,
                          headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with contextlib.suppress(SyncError):
            other._json("GET", "/v1/pull", params={"cursor": ID_NUMBER})
    finally:
        for lg in loggers:
            lg.removeHandler(handler)
        srv.stop()
    out, err = capfd.readouterr()
    logs = seen.getvalue() + out + err
    assert "/v1/push" in logs and "/v1/pull" in logs  # the access log was on and captured
    for secret in (NAME, ID_NUMBER, ID_NUMBER[-6:]):
        assert secret not in logs, secret
