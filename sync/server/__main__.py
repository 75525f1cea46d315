"""``fieldkit-server``: run the reference central platform and administer devices.

    fieldkit-server migrate [--db URL]     (every command also upgrades the schema first)
    fieldkit-server serve [--db URL] [--host 127.0.0.1] [--port 8443] [--plain] [--append-only visits]
                          [--workers N]   (N > 1: PostgreSQL only)
    fieldkit-server enroll-code --device-name NAME --scope v1,v2/g3 [--url URL] [--ttl-hours 72] [--qr]
    fieldkit-server devices | revoke --device-id N | fingerprint
    fieldkit-server publish --module watchlist|tasks|reference --scope v1|'*' --json '{…}' [--uuid U] [--delete]
    fieldkit-server publish-forms SET.json   (a form set signed by `fieldkit forms sign`)
    fieldkit-server user add --login L --name N --role township|county|admin --scope v1,v2
    fieldkit-server user list | disable --login L | enable --login L | passwd --login L
        (passwords from stdin, or $FIELDKIT_CONSOLE_PASSWORD; never on the command line)

Every command accepts ``--config PATH`` (or ``$FIELDKIT_SERVER_CONFIG``): a TOML file of the
same settings (sync/server/config.py; the package's /etc/fieldkit-server/config.toml); options
given on the command line win over it.
    fieldkit-server backup --to DIR          (SQLite online backup / pg_dump -Fc; never the key file)
    fieldkit-server replication setup-aggregate --county 350102 [--county-dsn DSN] | setup-county
        --county 350102 --aggregate-dsn DSN | status | merge  (PostgreSQL; docs/deployment.md)

Data directory: ``--data-dir`` or ``$FIELDKIT_SERVER_HOME`` or ``~/.local/share/fieldkit-server``;
it holds the default SQLite database and the TLS certificate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from sync import merge as m
from sync.protocol import PROTOCOL_VERSION, ProtocolError, load_json
from sync.server import config, sealing
from sync.server.backup import BackupFailed
from sync.server.config import SHIPPED_APPEND_ONLY as SHIPPED_APPEND_ONLY
from sync.server.replication import ReplicationError
from sync.server.schema import SchemaTooNew
from sync.server.storage import Storage, StorageError
from sync.server.tls import ensure_certificate, fingerprint


def _data_dir(args: argparse.Namespace) -> Path:
    if args.data_dir:
        return Path(args.data_dir)
    env = os.environ.get("FIELDKIT_SERVER_HOME")
    return Path(env) if env else Path.home() / ".local/share/fieldkit-server"


def _db_url(args: argparse.Namespace) -> str:
    if args.db:
        return args.db
    d = _data_dir(args)
    d.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{d / 'server.db'}"


ETC_KEY = Path("/etc/fieldkit-server") / sealing.KEY_FILE


def _key_file(args: argparse.Namespace) -> Path:
    """The attachment key: --key-file, $FIELDKIT_SERVER_KEY_FILE, /etc/fieldkit-server's (a
    packaged server), else beside a SQLite database, else the data directory's."""
    if getattr(args, "key_file", None):
        return Path(args.key_file)
    if os.environ.get("FIELDKIT_SERVER_KEY_FILE"):
        return Path(os.environ["FIELDKIT_SERVER_KEY_FILE"])
    if ETC_KEY.exists():
        return ETC_KEY
    url = _db_url(args)
    return sealing.default_path(url) if url.startswith("sqlite") else _data_dir(args) / sealing.KEY_FILE


def _open(args: argparse.Namespace, policy: m.Policy = m.DEFAULT_POLICY) -> Storage:
    return Storage(_db_url(args), policy, key_file=_key_file(args))



def enrollment_payload(url: str, code: str, fp: str | None) -> str:
    """The QR code's text: what `sync.client.SyncClient.enroll_from_payload` reads."""
    return json.dumps({"fieldkit": PROTOCOL_VERSION, "url": url, "code": code, "fp": fp}, separators=(",", ":"))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import ENV_APPEND_ONLY, ENV_DB, ENV_ENROLL_URL, ENV_TLS_FP, create_app

    url = _db_url(args)
    if args.workers < 1:
        raise StorageError(400, "bad_workers", "--workers must be at least 1")
    if args.workers > 1 and not url.startswith("postgresql"):
        # SQLite takes one writer at a time: more processes would only queue on its file lock.
        raise StorageError(400, "workers_need_postgresql",
                           "--workers above 1 needs a PostgreSQL database (--db postgresql://…); "
                           "SQLite serves from one process")
    modules = frozenset(x.strip() for x in args.append_only.split(",") if x.strip())
    # Opened here first in any case: the schema upgrade and first-start rows are made once,
    # before worker processes race to make them.
    storage = _open(args, m.Policy(append_only=modules))
    ssl: dict[str, Any] = {}
    app = create_app(storage)
    # The console's enrollment QR carries the address laptops reach and the certificate's pin
    # (sync/server/console/routes_devices.py); without the pin a laptop refuses to enroll.
    app.state.enroll_url = args.enroll_url
    if not args.plain:
        cert, key = ensure_certificate(_data_dir(args), [args.host, "localhost", *args.san])
        ssl = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
        app.state.tls_fingerprint = fingerprint(cert)
        print(f"TLS certificate SHA-256: {fingerprint(cert)}", flush=True)
    common: dict[str, Any] = {"host": args.host, "port": args.port, "log_level": args.log_level,
                              "timeout_keep_alive": 30, "timeout_graceful_shutdown": 5, **ssl}
    if args.workers == 1:
        from sync.server import gc_tuning, replication

        replication.start_merging(storage)  # replicated tasks merged, as app_from_env does per worker
        gc_tuning.tune_for_serving()
        uvicorn.run(app, **common)
        return 0
    storage.close()
    os.environ[ENV_DB] = url  # read by each worker's `app_from_env`
    os.environ[ENV_APPEND_ONLY] = ",".join(sorted(modules))
    os.environ["FIELDKIT_SERVER_KEY_FILE"] = str(_key_file(args))  # every worker seals with the same key
    os.environ[ENV_ENROLL_URL] = args.enroll_url or ""
    os.environ[ENV_TLS_FP] = getattr(app.state, "tls_fingerprint", None) or ""
    uvicorn.run("sync.server.app:app_from_env", factory=True, workers=args.workers, **common)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    storage = _open(args)
    before, now = storage.revisions
    print(json.dumps({"from": before, "to": now, "upgraded": before != now}))
    storage.close()
    return 0


def cmd_enroll_code(args: argparse.Namespace) -> int:
    storage = _open(args)
    did, code = storage.create_enrollment(args.device_name, args.scope.split(","), args.ttl_hours * 3600)
    # The certificate is made now if `serve` has not run yet, so the QR code can pin it.
    fp = fingerprint(ensure_certificate(_data_dir(args))[0]) if args.url.startswith("https:") else None
    payload = enrollment_payload(args.url, code, fp)
    print(json.dumps({"device_id": did, "code": code, "qr_payload": payload}, ensure_ascii=False))
    if fp is None:
        print("fieldkit-server: warning: a plain http:// URL carries no certificate pin; FieldKit laptops refuse "
              "to enroll with it (except `fieldkit enroll --insecure-test-server`, for tests)", file=sys.stderr)
    if args.qr:
        import qrcode

        qr = qrcode.QRCode(border=1)
        qr.add_data(payload)
        qr.print_ascii(invert=True)
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    for d in _open(args).list_devices():
        print(json.dumps(d, ensure_ascii=False))
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    ok = _open(args).revoke(args.device_id)
    print("revoked" if ok else "no such active device", file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def cmd_fingerprint(args: argparse.Namespace) -> int:
    cert, _ = ensure_certificate(_data_dir(args))
    print(fingerprint(cert))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    values = load_json(args.json)
    if not isinstance(values, dict):
        raise ProtocolError("--json must be an object of field values")
    # Checked as the console checks (the forms in force, the ID number's check digit): a value
    # no laptop can use is refused here, naming the field, instead of going down to every one.
    from sync.server.console import tasks, watchlist

    storage = _open(args)
    if args.delete:
        uid = storage.publish(args.module, {}, args.scope, args.uuid, True)
    elif args.module == tasks.MODULE:
        uid = tasks.publish_task(storage, values, args.scope, uuid=args.uuid)
    else:
        uid = watchlist.add(storage, args.module, values, args.scope, uuid=args.uuid)
    print(uid)
    return 0


def cmd_publish_forms(args: argparse.Namespace) -> int:
    # The county signs the set on its own machine (`fieldkit forms sign`): the server never
    # holds the signing key, so a broken-into server cannot make devices accept forms.
    try:
        text = Path(args.file).read_bytes()
    except OSError as exc:
        raise StorageError(400, "unreadable", f"cannot read {args.file}: {exc.strerror or exc}") from None
    print(json.dumps(_open(args).publish_form_set(text), ensure_ascii=False))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from sync.server.backup import backup

    _open(args).close()  # a database this server can open (schema current, key right) is backed up
    path = backup(_db_url(args), Path(args.to))
    print(json.dumps({"backup": str(path), "bytes": path.stat().st_size,
                      "key_file_not_included": str(_key_file(args))}, ensure_ascii=False))
    return 0


def cmd_replication(args: argparse.Namespace) -> int:
    from sync.server import replication

    storage = _open(args)  # opening upgrades the schema the triggers attach to
    engine = storage.engine
    if args.action == "setup-aggregate":
        out = replication.setup_aggregate(engine, args.county, args.county_dsn)
    elif args.action == "setup-county":
        if not args.aggregate_dsn:
            raise replication.ReplicationError("setup-county needs --aggregate-dsn (the aggregate database)")
        out = replication.setup_county(engine, args.county, args.aggregate_dsn)
    elif args.action == "merge":  # what every serving process does every few seconds, once now
        out = {"merged": replication.merge_pending(storage)}
    else:
        out = replication.status(engine)
    print(json.dumps(out, ensure_ascii=False, default=str))
    return 0


def _password() -> str:
    """The new password: $FIELDKIT_CONSOLE_PASSWORD, else the first line of stdin (a terminal
    is asked twice, without echo). Never an argument: argv is visible to every local user."""
    env = os.environ.get("FIELDKIT_CONSOLE_PASSWORD")
    if env:
        return env
    if sys.stdin.isatty():
        import getpass

        first, second = getpass.getpass("密码 / password: "), getpass.getpass("再输一次 / again: ")
        if first != second:
            raise StorageError(400, "password_mismatch", "两次输入的密码不一致 / the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_user(args: argparse.Namespace) -> int:
    from sync.server.console import users

    storage = _open(args)
    try:
        if args.action == "list":
            for u in users.all_users(storage):
                print(json.dumps({"id": u.id, "login": u.login, "name": u.display_name, "role": u.role,
                                  "scope": list(u.scope), "disabled": u.disabled}, ensure_ascii=False))
            return 0
        if not args.login:
            raise users.UserError("账号：请用 --login 指定", "Login: give it with --login", "login")
        if args.action == "add":
            if not args.name or not args.role:
                raise users.UserError("请同时给出 --name 和 --role", "Give --name and --role too", "name")
            u = users.add(storage, args.login, args.name, args.role, (args.scope or "").split(","), _password())
            print(json.dumps({"id": u.id, "login": u.login}))
            return 0
        if args.action == "passwd":
            ok = users.set_password(storage, args.login, _password())
        else:
            ok = users.set_disabled(storage, args.login, args.action == "disable")
        if not ok:
            print(f"fieldkit-server: 没有账号 {args.login} / no such login", file=sys.stderr)
            return 1
        print("ok")
        return 0
    except users.UserError as e:
        print(f"fieldkit-server: {e.message} / {e.message_en}", file=sys.stderr)
        return 2
    finally:
        storage.close()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="fieldkit-server", description="FieldKit reference central platform")
    p.add_argument("--config", help=f"settings file (TOML; default ${config.ENV}); options here win over it")
    p.add_argument("--data-dir", help="certificate and default database directory")
    p.add_argument("--db", help="sqlite:///path or postgresql://user@host/db (default: SQLite in data dir)")
    p.add_argument("--key-file", help="the attachment key (default: $FIELDKIT_SERVER_KEY_FILE, "
                                      "/etc/fieldkit-server/attachment.key, else the data directory's)")
    # The same two options are accepted after the command too (`serve --db …`); SUPPRESS keeps
    # a sub-command's absent option from overwriting one given before the command.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help="as above")
    common.add_argument("--data-dir", default=argparse.SUPPRESS, help="as above")
    common.add_argument("--db", default=argparse.SUPPRESS, help="as above")
    common.add_argument("--key-file", default=argparse.SUPPRESS, help="as above")
    sub = p.add_subparsers(dest="cmd", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[common])

    command("migrate", "upgrade the database schema to this version's (any command also does)").set_defaults(
        fn=cmd_migrate)
    s = command("serve", "run the HTTP(S) server")
    # Defaults None: filled from the config file, else config.DEFAULTS (config.apply).
    s.add_argument("--host", help="listen address (default 127.0.0.1)")
    s.add_argument("--port", type=int, help="default 8443")
    s.add_argument("--plain", action="store_const", const=True, help="HTTP without TLS (behind a TLS proxy, or tests)")
    s.add_argument("--san", action="append", default=[], help="extra certificate host name or IP")
    s.add_argument("--log-level", choices=config.LOG_LEVELS, help="default warning")
    s.add_argument("--enroll-url", help="address laptops reach, put in the console's enrollment QR codes "
                                        "(default: the address the admin's browser used)")
    s.add_argument("--workers", type=int, default=1,
                   help="server processes sharing the port (PostgreSQL only; each has its own pool)")
    s.add_argument("--append-only", metavar="MODULES",
                   help="modules merged append-only until a form set is published (comma-separated; "
                        f"default {SHIPPED_APPEND_ONLY!r}, as the shipped forms declare)")
    s.set_defaults(fn=cmd_serve)
    e = command("enroll-code", "issue a one-time enrollment code and QR payload")
    e.add_argument("--device-name", required=True)
    e.add_argument("--scope", required=True, help="comma-separated villages or village/grid")
    e.add_argument("--url", default="https://127.0.0.1:8443", help="address devices will reach")
    e.add_argument("--ttl-hours", type=float, default=72)
    e.add_argument("--qr", action="store_true", help="also print the QR code in the terminal")
    e.set_defaults(fn=cmd_enroll_code)
    command("devices", "list devices").set_defaults(fn=cmd_devices)
    r = command("revoke", "revoke a device's token")
    r.add_argument("--device-id", type=int, required=True)
    r.set_defaults(fn=cmd_revoke)
    command("fingerprint", "print the TLS certificate's SHA-256").set_defaults(fn=cmd_fingerprint)
    pb = command("publish", "send a watch-list entry, task package or reference item down")
    pb.add_argument("--module", required=True, choices=["watchlist", "tasks", "reference"])
    pb.add_argument("--scope", required=True, help="village, village/grid, or '*' for everyone")
    pb.add_argument("--json", required=True, help="field values as a JSON object")
    pb.add_argument("--uuid", help="update this item instead of creating one")
    pb.add_argument("--delete", action="store_true", help="withdraw the item")
    pb.set_defaults(fn=cmd_publish)
    pf = command("publish-forms", "publish a signed form set to every device (fieldkit forms sign makes one)")
    pf.add_argument("file", help="the signed form set (JSON)")
    pf.set_defaults(fn=cmd_publish_forms)
    u = command("user", "platform users of the web console (/console)")
    u.add_argument("action", choices=["add", "list", "disable", "enable", "passwd"])
    u.add_argument("--login")
    u.add_argument("--name", help="display name (add)")
    u.add_argument("--role", choices=["township", "county", "admin"], help="(add)")
    u.add_argument("--scope", help="comma-separated villages or village/grid, or '*' (add)")
    u.set_defaults(fn=cmd_user)
    bk = command("backup", "write a backup of the database into a folder (not the attachment key)")
    bk.add_argument("--to", required=True, help="folder for the backup file")
    bk.set_defaults(fn=cmd_backup)
    rp = command("replication", "county <-> aggregate logical replication (PostgreSQL), idempotent")
    rp.add_argument("action", choices=["setup-aggregate", "setup-county", "status", "merge"])
    rp.add_argument("--county", default="", help="the county's code, the prefix of its village scopes")
    rp.add_argument("--county-dsn", help="setup-aggregate: the county database (libpq keywords) to subscribe to")
    rp.add_argument("--aggregate-dsn", help="setup-county: the aggregate database (libpq keywords)")
    rp.set_defaults(fn=cmd_replication)
    return p


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line, completed from the config file and the defaults (`config.apply`)."""
    return config.apply(build_parser().parse_args(argv))


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
    except config.ConfigError as exc:
        print(f"fieldkit-server: {exc}", file=sys.stderr)
        return exc.exit_code
    try:
        return args.fn(args)
    except (StorageError, SchemaTooNew, ProtocolError, json.JSONDecodeError, ReplicationError,
            sealing.KeyProblem, BackupFailed) as exc:
        print(f"fieldkit-server: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"fieldkit-server: cannot use database {args.db or '(default)'}: {getattr(exc, 'orig', None) or exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
