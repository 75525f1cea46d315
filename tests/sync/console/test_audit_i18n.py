"""Every console action leaves an audit row without personal data; pages speak zh and en."""

from __future__ import annotations

import re

import sqlalchemy as sa

from sync.server.console import i18n
from sync.server.tables import console_audit

from .conftest import add_user, csrf_of, event, login

CJK = re.compile(r"[\u4e00-\u9fff]")


def _rows(storage):
    with storage.engine.connect() as c:
        return c.execute(sa.select(console_audit).order_by(console_audit.c.id)).all()


def test_actions_are_audited_by_id_never_by_name_or_text(client, storage):
    uuid = event(storage)
    lin = add_user(storage, "lin")
    login(client, "lin", "wrong password 123")
    login(client, "lin")
    csrf = csrf_of(client.get(f"/console/events/{uuid}").text)
    client.post(f"/console/events/{uuid}/handle", data={"csrf": csrf, "outcome": "handled", "action": "已组织转移"})
    client.post(f"/console/events/{uuid}/escalate", data={"csrf": csrf, "to_level": "county", "action": "再报"})
    rows = _rows(storage)
    got = [(r.user_id, r.action, r.target, r.outcome) for r in rows]
    assert got == [(None, "login", "", "refused:bad_password"), (lin.id, "login", f"user:{lin.id}", "ok"),
                   (lin.id, "event.view", uuid, "ok"), (lin.id, "event.resolve", uuid, "ok"),
                   (lin.id, "event.view", uuid, "ok"),  # the browser follows the answer's redirect
                   (lin.id, "event.escalate", uuid, "refused:workflow")]
    text = " ".join(str(v) for r in rows for v in r)
    assert not CJK.search(text) and "lin" not in text  # no names, no typed text, no login tried


def test_the_admin_reads_the_audit_log_and_others_may_not(client, storage):
    add_user(storage, "lin")
    add_user(storage, "root", role="admin", scope=(), name="平台管理员甲")
    login(client, "lin", "wrong password 123")
    login(client, "root")
    page = client.get("/console/audit").text
    assert "refused:bad_password" in page and "操作日志" in page
    users_page = client.get("/console/users").text
    assert "林乡长" in users_page and "乡镇干部" in users_page


def test_english_by_query_cookie_or_browser_language(client, storage):
    assert "登录" in client.get("/console/login").text
    assert "Sign in" in client.get("/console/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert "Sign in" in client.get("/console/login?lang=en").text
    assert "Sign in" in client.get("/console/login").text  # remembered in the cookie
    assert "登录" in client.get("/console/login?lang=zh").text


def test_english_pages_have_no_chinese_but_the_records_own_text(client, storage):
    uuid = event(storage, title="Crack", description="Crack above three houses", reporter="Li",
                 escalation_steps=[{"at": "2026-11-20T11:00", "to_level": "township", "handler": "Wang",
                                    "action": "needs survey", "outcome": "escalated"}])
    add_user(storage, "lin", name="Lin")
    client.get("/console/login?lang=en")
    login(client, "lin")
    for path in ("/console/inbox", f"/console/events/{uuid}"):
        page = client.get(path).text
        shown = re.sub(r'<a href="[^"]*" id="lang-switch">中文</a>', "", page)
        assert not CJK.search(shown), (path, CJK.findall(shown)[:10])


def test_every_catalogue_entry_has_both_languages_with_the_same_placeholders():
    for key, (zh, en) in i18n.CATALOGUE.items():
        assert zh and en and (CJK.search(zh) or key == "nav.lang_other"), key
        assert set(re.findall(r"{(\w+)}", zh)) == set(re.findall(r"{(\w+)}", en)), key
