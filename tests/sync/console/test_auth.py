"""Signing in to the console: passwords, sessions, CSRF, rate limits, idle timeout."""

from __future__ import annotations

import sqlalchemy as sa

from sync.server.console import auth, users
from sync.server.tables import console_sessions, console_users

from .conftest import PASSWORD, add_user, csrf_of, login


def test_bad_password_is_refused_and_the_right_one_opens_the_inbox(client, storage):
    add_user(storage, "lin")
    bad = login(client, "lin", "wrong password 123")
    assert bad.status_code == 401 and "账号或密码不正确" in bad.text
    assert auth.SESSION_COOKIE not in bad.cookies
    unknown = login(client, "nobody")
    assert unknown.status_code == 401 and "账号或密码不正确" in unknown.text  # same words: no account probing
    good = login(client, "lin")
    assert good.status_code == 303 and good.headers["location"] == "/console/inbox"
    cookie = good.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Path=/console" in cookie
    page = client.get("/console/inbox")
    assert page.status_code == 200 and "林乡长" in page.text and "乡镇（派出所）事件待办" in page.text


def test_the_session_cookie_is_secure_over_tls(storage):
    from fastapi.testclient import TestClient

    from sync.server.app import create_app

    add_user(storage, "lin")
    with TestClient(create_app(storage), base_url="https://testserver") as c:
        assert "Secure" in login(c, "lin").headers["set-cookie"]


def test_pages_need_a_session_and_the_right_role(client, storage):
    assert client.get("/console/inbox", follow_redirects=False).headers["location"] == "/console/login"
    add_user(storage, "lin")
    login(client, "lin")
    denied = client.get("/console/audit")
    assert denied.status_code == 403 and "无权" in denied.text


def test_a_post_without_the_sessions_csrf_token_is_refused(client, storage):
    add_user(storage, "lin")
    login(client, "lin")
    forged = client.post("/console/logout", data={"csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 403 and "页面已过期或来源不明" in forged.text
    assert client.get("/console/inbox").status_code == 200  # still signed in: the forged logout did nothing
    token = csrf_of(client.get("/console/inbox").text)
    assert client.post("/console/logout", headers={"X-CSRF-Token": token}, follow_redirects=False).status_code == 303
    assert client.get("/console/inbox", follow_redirects=False).status_code == 303


def test_a_login_form_posted_from_elsewhere_is_refused(client, storage):
    add_user(storage, "lin")
    r = client.post("/console/login", data={"login": "lin", "password": PASSWORD, "csrf": "guessed"},
                    follow_redirects=False)
    assert r.status_code == 403 and auth.SESSION_COOKIE not in r.cookies


def test_repeated_failures_lock_the_login_with_the_wait_in_words(client, storage):
    add_user(storage, "lin")
    for _ in range(5):
        assert login(client, "lin", "guess guess guess").status_code == 401
    locked = login(client, "lin")  # even the right password waits now
    assert locked.status_code == 429
    assert "登录尝试过多，请" in locked.text and "秒后再试" in locked.text
    assert auth.SESSION_COOKIE not in locked.cookies
    # Another account from the same machine is not held up by lin's guesser (the address budget is larger).
    add_user(storage, "wang", name="王县长", role="county")
    assert login(client, "wang").status_code == 303


def test_failures_on_two_server_processes_add_up_to_one_lock(db_url):
    """`serve --workers 2` on one database: five wrong passwords lock the login whichever
    process answered each (counted per process, a guesser had five per process)."""
    from fastapi.testclient import TestClient

    from sync.server.app import create_app
    from sync.server.storage import Storage

    first, second = Storage(db_url), Storage(db_url)
    try:
        add_user(first, "lin")
        with TestClient(create_app(first)) as a, TestClient(create_app(second)) as b:
            for c in (a, b, a, b, a):
                assert login(c, "lin", "guess guess guess").status_code == 401
            locked = login(b, "lin")  # the right password, on the process that saw two failures
            assert locked.status_code == 429 and "秒后再试" in locked.text
            assert login(a, "lin").status_code == 429
    finally:
        first.close()
        second.close()


def test_an_idle_session_ends_and_says_so(client, storage):
    add_user(storage, "lin")
    login(client, "lin")
    with storage.engine.begin() as c:
        c.execute(console_sessions.update().values(seen_at=sa.func.abs(console_sessions.c.seen_at) - auth.IDLE_S - 5))
    r = client.get("/console/inbox", follow_redirects=False)
    assert r.headers["location"] == "/console/login?expired=1"
    assert "长时间未操作" in client.get(r.headers["location"]).text


def test_disabling_a_user_ends_their_session_and_refuses_their_login(client, storage):
    add_user(storage, "lin")
    login(client, "lin")
    assert users.set_disabled(storage, "lin")
    assert client.get("/console/inbox", follow_redirects=False).status_code == 303
    r = login(client, "lin")
    assert r.status_code == 403 and "已停用" in r.text


def test_a_hash_with_old_parameters_is_replaced_at_login(client, storage, cheap_argon2):
    from argon2 import PasswordHasher

    add_user(storage, "lin")
    old = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1).hash(PASSWORD)
    with storage.engine.begin() as c:
        c.execute(console_users.update().values(password_hash=old))
    assert login(client, "lin").status_code == 303
    with storage.engine.connect() as c:
        new = c.execute(sa.select(console_users.c.password_hash)).scalar_one()
    assert new != old and not cheap_argon2.check_needs_rehash(new)
