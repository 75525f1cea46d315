"""`fieldkit-server --config FILE` (the package's /etc/fieldkit-server/config.toml): the file
chooses the data directory, database and listener; command-line options win over it; a bad file
is one line naming the key and exit 65, never a traceback. And what the access log would show."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from sync.server import config
from sync.server.__main__ import main, parse_args
from sync.server.storage import make_engine

from .helpers import ServerThread, enrolled, tls_certificate

SHIPPED = Path(__file__).resolve().parents[2] / "packaging/deb-server/config.toml"


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_commands_use_the_database_the_config_file_names(tmp_path, capsys) -> None:
    data = tmp_path / "var-lib"
    cfg = _write(tmp_path, f'data_dir = "{data}"\ndatabase = "sqlite"\n')
    assert main(["enroll-code", "--config", str(cfg), "--device-name", "所里笔记本", "--scope", "v1"]) == 0
    assert (data / "server.db").is_file() and (data / "server-cert.pem").is_file()
    capsys.readouterr()
    assert main(["--config", str(cfg), "devices"]) == 0
    [device] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert device["name"] == "所里笔记本"
    # A command-line option wins over the file: another data directory is another database.
    assert main(["devices", "--config", str(cfg), "--data-dir", str(tmp_path / "other")]) == 0
    assert capsys.readouterr().out == ""


def test_serve_takes_its_listener_from_the_file_and_options_override_it(tmp_path, monkeypatch) -> None:
    cfg = _write(tmp_path, 'host = "0.0.0.0"\nport = 18143\ntls = false\nappend_only = ["visits", "patrols"]\n'
                           'log_level = "info"\ndatabase = "postgresql://fieldkit@/fieldkit"\n')
    args = parse_args(["serve", "--config", str(cfg)])
    assert (args.host, args.port, args.plain, args.append_only, args.log_level, args.db) == (
        "0.0.0.0", 18143, True, "visits,patrols", "info", "postgresql://fieldkit@/fieldkit")
    args = parse_args(["serve", "--config", str(cfg), "--port", "18144", "--host", "127.0.0.1", "--db", "sqlite:///x.db"])
    assert (args.host, args.port, args.db) == ("127.0.0.1", 18144, "sqlite:///x.db")
    # /usr/bin/fieldkit-server points $FIELDKIT_SERVER_CONFIG at the packaged file.
    monkeypatch.setenv(config.ENV, str(cfg))
    assert parse_args(["serve"]).port == 18143
    monkeypatch.delenv(config.ENV)
    assert parse_args(["serve"]).port == 8443 and parse_args(["serve"]).plain is False


@pytest.mark.parametrize(("text", "key", "words"), [
    ('prot = 8443\n', "prot", "不认识这个配置项"),
    ('port = "8443"\n', "port", "1～65535"),
    ('port = 70000\n', "port", "1～65535"),
    ('tls = "yes"\n', "tls", "true 或 false"),
    ('database = "mysql://x"\n', "database", "postgresql://"),
    ('data_dir = "var/lib"\n', "data_dir", "绝对路径"),
    ('append_only = "visits"\n', "append_only", "字符串列表"),
    ('log_level = "loud"\n', "log_level", "warning"),
    ('port = \n', None, "TOML"),
])
def test_a_bad_config_file_is_one_line_naming_the_key_and_exit_65(tmp_path, capsys, text, key, words) -> None:
    cfg = _write(tmp_path, text)
    assert main(["--config", str(cfg), "migrate"]) == 65
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(cfg) in err and words in err
    if key:
        assert f"的 {key}：" in err and f"key {key!r}" in err
    assert not (tmp_path / "server.db").exists()


def test_a_missing_config_file_exits_2_as_the_installed_program_does(tmp_path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    r = subprocess.run([sys.executable, "-m", "sync.server", "serve", "--config", str(tmp_path / "nope.toml")],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "nope.toml" in r.stderr and "无法读取" in r.stderr and "Traceback" not in r.stderr


def test_the_shipped_config_file_sets_every_key_and_is_valid() -> None:
    # The packaged /etc/fieldkit-server/config.toml documents every key the server reads.
    values = config.load(SHIPPED)
    assert set(values) == set(config.DEFAULTS) == set(tomllib.loads(SHIPPED.read_text()))
    assert values["data_dir"] == "/var/lib/fieldkit-server" and values["database"] == "sqlite" and values["tls"]
    assert values["append_only"] == config.DEFAULTS["append_only"]


def test_the_access_log_carries_no_names_id_numbers_or_phones(tmp_path) -> None:
    """uvicorn's access log (log_level = "info", into the journal) prints each request's path and
    query: a whole sync round — enroll, hello, push, pull — must put no field value there."""
    srv = ServerThread(f"sqlite:///{tmp_path / 'server.db'}", tls=tls_certificate())
    srv.start()
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    access = logging.getLogger("uvicorn.access")
    handler, level = Keep(), access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        cli, rep = enrolled(srv, tmp_path, "所里笔记本", ["v1"], "00000000000000a1")
        rep.edit("11111111-1111-4111-8111-111111111111", "residents",
                 {"name": "李秀英", "id_number": "350924198511124563", "phone": "13912345678"}, scope="v1")
        cli.sync(rep)
        other, rep2 = enrolled(srv, tmp_path, "村警务室", ["v1"], "00000000000000a2")
        other.sync(rep2)
        assert rep2.get("11111111-1111-4111-8111-111111111111") is not None
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
        srv.stop()
    urls = [line for line in lines if "/v1/" in line]
    assert any("/v1/push" in u for u in urls) and any("/v1/pull" in u for u in urls)
    for secret in ("李秀英", "350924198511124563", "13912345678", "所里笔记本", "村警务室"):
        for form in (secret, quote(secret)):
            assert not any(form in u for u in urls), secret


def test_a_database_error_in_the_journal_quotes_no_field_values(db_url: str) -> None:
    # An unexpected database error reaches the journal as uvicorn's traceback: its text must
    # not carry the statement's values.
    engine = make_engine(db_url)
    try:
        with pytest.raises(sa.exc.DBAPIError) as err, engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO no_such_table (name, id_number) VALUES (:n, :i)"),
                         {"n": "李秀英", "i": "350924198511124563"})
    finally:
        engine.dispose()
    assert "no_such_table" in str(err.value)
    assert "李秀英" not in str(err.value) and "350924198511124563" not in str(err.value)
