"""A county and the aggregate on two PostgreSQL clusters, joined by logical replication
(sync/server/replication.py): a record made on a laptop of the county reaches the aggregate, a
watch-list entry published at the aggregate reaches the county's server and alerts its laptop, a
form set published at the aggregate reaches the county's laptops, and tasks belong to the server
that published them: merged both ways, never overwritten, never edited or taken over elsewhere."""

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
from .helpers import ServerThread, enrolled, tls_certificate

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
        # What every `serve` process runs (app_from_env): replicated tasks are merged, not replaced.
        stops = [replication.start_merging(st, every_s=0.2) for st in (aggregate, county.storage)]
        yield aggregate, county
    finally:
        for stop in locals().get("stops", []):
            stop.set()
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


def test_a_form_set_published_at_the_aggregate_reaches_the_county_and_its_laptop(province, tmp_path):
    from fieldkit.domain.doorplate_code import generate_station_key
    from fieldkit.formspec import default_forms_dir
    from fieldkit.services import form_sets, installed_forms

    aggregate, county = province
    signer = generate_station_key(COUNTY)
    v1 = form_sets.sign(default_forms_dir(), 1, signer)
    aggregate.publish_form_set(v1.to_text())
    _eventually("the form set to the county",
                lambda: (county.storage.form_set_head() or {}).get("sha256") == v1.sha256)
    assert county.storage.form_set_envelope() == aggregate.form_set_envelope()
    ws, _ = wsvc.create(tmp_path / "laptop", "lin", PASS, display_name="林")
    try:
        form_sets.trust_county_key(ws, signer.public().to_string())
        _, code = county.storage.create_enrollment("林的电脑", [VILLAGE])
        sync.enroll(ws, county.qr(code))
        sync.sync_now(ws)
        waiting = form_sets.pending(ws)
        assert waiting is not None and (waiting.version, waiting.sha256) == (1, v1.sha256)
        form_sets.accept(ws)
        assert installed_forms.installed(ws.store).version == 1
    finally:
        ws.lock()


TASK = {"title": "走访独居老人", "kind": "visit", "description": "本周内入户一次", "points": 2}


def _up_link(aggregate: Storage, enabled: bool) -> None:
    """The county's link up, cut (the county offline) or restored."""
    with aggregate.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql(f"ALTER SUBSCRIPTION fk_up_{COUNTY} {'ENABLE' if enabled else 'DISABLE'}")


def _values(storage: Storage, uuid: str) -> dict[str, Any]:
    from sync import merge as m

    st = storage.get_record(uuid)
    return {} if st is None else m.current_values(st)


def test_an_aggregate_task_republished_keeps_the_county_laptops_step_and_stays_the_aggregates(province, tmp_path):
    from sync.server.console import tasks
    from sync.server.console.checks import Refused

    aggregate, county = province
    uid = tasks.publish_task(aggregate, dict(TASK), VILLAGE)
    _eventually("the task to the county", lambda: county.storage.get_record(uid))
    cli, rep = enrolled(county, tmp_path, "lin", [VILLAGE], "00000000000000c1")
    cli.sync(rep)
    _up_link(aggregate, enabled=False)  # the county goes offline before the laptop's step goes up
    rep.edit(uid, "tasks", {"status": "accepted", "accepted_by": "lin"})
    cli.sync(rep)
    tasks.publish_task(aggregate, {"description": "本周内入户一次，带上慰问品"}, VILLAGE, uuid=uid)
    # The republished task came down and was merged with the laptop's step, not written over it.
    both = _eventually("the republished task merged at the county", lambda: (
        lambda v: v if v.get("description", "").endswith("慰问品") else None)(_values(county.storage, uid)))
    assert (both["status"], both["accepted_by"]) == ("accepted", "lin")
    cli.sync(rep)
    assert m_values(rep, uid)["description"].endswith("慰问品") and m_values(rep, uid)["status"] == "accepted"
    _up_link(aggregate, enabled=True)
    at_top = _eventually("the laptop's step to the aggregate",
                         lambda: (lambda v: v if v.get("status") == "accepted" else None)(_values(aggregate, uid)))
    assert at_top["description"].endswith("慰问品")
    _eventually("both servers to agree", lambda: _state(aggregate, uid)[1] == _state(county.storage, uid)[1])

    # The county may not edit the aggregate's task: it is told where it can.
    with pytest.raises(Refused, match="上级汇聚平台") as refused:
        tasks.publish_task(county.storage, {"points": 5}, VILLAGE, uuid=uid)
    assert refused.value.field == "uuid" and "aggregate" in refused.value.message_en
    assert _values(county.storage, uid)["points"] == 2


def test_a_county_task_and_an_aggregate_task_under_one_id_never_replace_each_other(province):
    from sync.server.console import tasks
    from sync.server.console.checks import Refused

    aggregate, county = province
    uid = "44444444-4444-4444-8444-444444444444"  # an id given by hand on both sides
    _up_link(aggregate, enabled=False)
    tasks.publish_task(county.storage, {**TASK, "title": "县里的任务"}, VILLAGE, uuid=uid)
    tasks.publish_task(aggregate, {**TASK, "title": "市里的任务"}, VILLAGE, uuid=uid)
    _up_link(aggregate, enabled=True)

    def refused_on(storage: Storage) -> list[dict[str, Any]]:
        return [r for r in replication.status(storage.engine)["refused"] if r["uuid"] == uid]

    _eventually("the county to refuse the aggregate's task", lambda: refused_on(county.storage))
    _eventually("the aggregate to refuse the county's task", lambda: refused_on(aggregate))
    assert _values(county.storage, uid)["title"] == "县里的任务"
    assert _values(aggregate, uid)["title"] == "市里的任务"
    # A county task that did go up belongs to the county: the aggregate may not edit it.
    own = tasks.publish_task(county.storage, dict(TASK), VILLAGE)
    _eventually("the county's task to the aggregate", lambda: aggregate.get_record(own))
    with pytest.raises(Refused, match=f"区县平台 {COUNTY}"):
        tasks.publish_task(aggregate, {"points": 9}, VILLAGE, uuid=own)


def m_values(rep: Any, uuid: str) -> dict[str, Any]:
    from sync import merge as m

    return m.current_values(rep.get(uuid))
