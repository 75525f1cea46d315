"""A county and the aggregate on two PostgreSQL clusters, joined by logical replication
(sync/server/replication.py): a record made on a laptop of the county reaches the aggregate, and a
watch-list entry published at the aggregate reaches the county's server and alerts its laptop."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from fieldkit.services import records as rsvc
from fieldkit.services import sync_service as sync
from fieldkit.services import workspace as wsvc
from sync.server import replication
from sync.server.__main__ import main
from sync.server.storage import Storage, records

from .conftest import fresh_pg_db
from .helpers import ServerThread, tls_certificate

PASS = "correct horse battery"
COUNTY = "350102"
VILLAGE = "350102001001"


def _dsn(url: str) -> str:
    """libpq keywords for a test URL: what a subscription's CONNECTION takes."""
    u = urlsplit(url)
    return f"host={u.hostname} port={u.port} user={u.username} dbname={u.path.lstrip('/')}"


def _id_number(seq: int) -> str:
    body = f"350102{'19900101'}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _eventually(what: str, probe: Callable[[], Any], deadline_s: float = 25.0) -> Any:
    """Poll ``probe`` until it returns something truthy; fail naming ``what`` at the deadline."""
    end = time.monotonic() + deadline_s
    while True:
        got = probe()
        if got:
            return got
        if time.monotonic() > end:
            pytest.fail(f"replication did not bring {what} within {deadline_s:.0f} s")
        time.sleep(0.1)


def _state(storage: Storage, uuid: str) -> tuple[int, str] | None:
    with storage.engine.connect() as c:
        row = c.execute(sa.select(records.c.seq, records.c.state).where(records.c.uuid == uuid)).first()
    return None if row is None else (int(row.seq), row.state)


@pytest.fixture
def province(pg_clusters, tmp_path):
    """The aggregate's storage, the county's server, and replication set up in the documented order."""
    agg_url = fresh_pg_db(pg_clusters.start())
    county_url = fresh_pg_db(pg_clusters.start())
    aggregate = Storage(agg_url)
    county = ServerThread(county_url, tls=tls_certificate())
    county.start()
    try:
        replication.setup_aggregate(aggregate.engine, COUNTY)
        replication.setup_county(county.storage.engine, COUNTY, _dsn(agg_url))
        replication.setup_aggregate(aggregate.engine, COUNTY, _dsn(county_url))
        yield aggregate, county
    finally:
        # Subscriptions first: a dropped database with a live apply worker would hang the stop.
        for st in (aggregate, county.storage):
            with st.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                for (name,) in c.execute(sa.text("SELECT subname FROM pg_subscription")).all():
                    c.exec_driver_sql(f"DROP SUBSCRIPTION {name}")
        county.stop()
        aggregate.close()


def test_a_county_laptop_record_goes_up_and_an_aggregate_watch_entry_comes_down_to_alert(province, tmp_path):
    aggregate, county = province
    ws, _ = wsvc.create(tmp_path / "laptop", "lin", PASS, display_name="林")
    try:
        _, code = county.storage.create_enrollment("林的电脑", [VILLAGE])
        sync.enroll(ws, county.qr(code))
        number = _id_number(7)
        rec = rsvc.save(ws, "residents", {"name": "李四", "id_number": number, "sex": "男",
                                          "birth_date": "1990-01-01", "village": VILLAGE})
        sync.sync_now(ws)

        _, up_state = _eventually("the laptop's record to the aggregate", lambda: _state(aggregate, rec.uuid))
        assert "李四" in up_state and up_state == _state(county.storage, rec.uuid)[1]

        local = county.storage.publish("reference", {"title": "县里的通知"}, "*")  # the laptop pulls it first
        sync.sync_now(ws)
        wid = aggregate.publish("watchlist", {"id_number": number, "reason": "网上在逃"}, "*")
        seq, _ = _eventually("the watch-list entry to the county", lambda: _state(county.storage, wid))
        # Numbered in the county's own "*" lane after what the laptop has already pulled, as a
        # local publish would be, so its cursor cannot have passed it.
        assert seq > _state(county.storage, local)[0]
        result = sync.sync_now(ws)
        assert result.alerts == [(rec.uuid, rsvc.title(ws, rec), "网上在逃")]
    finally:
        ws.lock()


def test_down_flow_is_filtered_by_county_and_setup_runs_again_harmlessly(province, capsys):
    aggregate, county = province
    mine = aggregate.publish("reference", {"title": "本县通知"}, VILLAGE)
    other = aggregate.publish("reference", {"title": "他县通知"}, "350203001001")
    _eventually("the county's own reference item", lambda: _state(county.storage, mine))
    # Running every step again changes nothing and duplicates nothing.
    again = replication.setup_aggregate(aggregate.engine, COUNTY, _dsn(county.storage.url))
    assert again["subscription_was"] == "refreshed"
    assert main(["--db", county.storage.url, "replication", "setup-county", "--county", COUNTY,
                 "--aggregate-dsn", _dsn(aggregate.url)]) == 0
    assert json.loads(capsys.readouterr().out)["subscription_was"] == "refreshed"
    last = aggregate.publish("reference", {"title": "最后一条"}, "*")
    _eventually("the last reference item", lambda: _state(county.storage, last))
    assert _state(county.storage, other) is None  # another county's item never reached this one
    # The item that came down was not sent back up: the aggregate holds it once, as published.
    with aggregate.engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM fk_repl.up_records")).scalar_one() == 0
    links = replication.status(county.storage.engine)
    assert [s["name"] for s in links["subscriptions"]] == [replication.down_publication(COUNTY)]
    assert [s["name"] for s in replication.status(aggregate.engine)["slots"]] == [replication.down_publication(COUNTY)]


def test_replication_on_sqlite_or_with_a_bad_county_code_is_a_clear_refusal(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    assert main(["--db", url, "replication", "status"]) == 2
    assert "needs the server on PostgreSQL" in capsys.readouterr().err
    with pytest.raises(replication.ReplicationError, match="letters and digits"):
        replication.check_code("350102'; DROP TABLE records; --")
