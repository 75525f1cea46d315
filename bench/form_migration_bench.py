"""Form migration bench: a form release (v1 → v3: rename occupation → job, then sex codes 男/女 → M/F)
over N encrypted records, killed midway and resumed, beside a plain-SQLite anchor.

    python -m bench.form_migration_bench [--records 1000000] [--dir PATH] [--kill-at 0.5]

Prints: records/s of the upgrade's two steps (each record rewritten twice: values, index terms,
history lines "表单升级 vN→vN+1", checkpoint per batch), the upgrading process's peak RSS, and
the anchor measured in the same run — the same rename as one `UPDATE … json_set` over the same
number of rows in plain SQLite (no encryption, no history, no terms). Then the resume check:
a second upgrade run is SIGKILLed at `--kill-at` of its progress, a third run finishes it, and
the counts are verified (every record has `job` and M/F, none kept `occupation`, and no record
was rewritten twice by one step).

Each phase runs in its own process (`--phase`), so RSS is the upgrade's own and the kill is real.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PASS = "bench passphrase horse 7"
PERMS = '[station]\nchief = ["*"]\nofficer = []\ngrid_worker = []\n\n[modules.people]\nchief = ["*"]\nofficer = []\ngrid_worker = []\n'
FORM = '''{head}
id = "people"
number = 1
label = { zh = "人员", en = "People" }
group = "people_places"
title = "{name}"

[[fields]]
name = "name"
type = "text"
label = { zh = "姓名", en = "Name" }
required = true
search = "name"

[[fields]]
name = "sex"
type = "choice"
label = { zh = "性别", en = "Sex" }
choices = [{ value = "{male}", zh = "男", en = "Male" }, { value = "{female}", zh = "女", en = "Female" }]

[[fields]]
name = "{job}"
type = "text"
label = { zh = "职业", en = "Occupation" }

[ledger]
title = { zh = "人员台账", en = "People" }
columns = ["name", "sex"]
{tail}
'''
V3_STEPS = ('[[migrations]]\nto = 2\nrename = { occupation = "job" }\n\n'
            '[[migrations]]\nto = 3\nchoices = { field = "sex", map = { "男" = "M", "女" = "F" } }\n')
NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平"
JOBS = ("教师", "农民", "司机", "个体", "学生", "退休", "务工")


def forms(folder: Path, v3: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = FORM.replace("{head}", "version = 3" if v3 else "").replace("{tail}", V3_STEPS if v3 else "")
    text = text.replace("{job}", "job" if v3 else "occupation")
    text = text.replace("{male}", "M" if v3 else "男").replace("{female}", "F" if v3 else "女")
    (folder / "01_people.toml").write_text(text, "utf-8")
    (folder / "permissions.toml").write_text(PERMS, "utf-8")
    return folder


def values(rng: random.Random) -> dict[str, str]:
    return {"name": rng.choice(NAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), "sex": rng.choice("男女"),
            "occupation": rng.choice(JOBS)}


# -- phases (each in its own process) -------------------------------------------------------------
def build(home: Path, n: int) -> None:
    from fieldkit.formspec import index_terms
    from fieldkit.services import workspace as wsvc

    ws, _ = wsvc.create(home, "chief", PASS)
    spec, rng = ws.catalog["people"], random.Random(15)
    t0 = time.perf_counter()
    for start in range(0, n, 5000):
        batch = [values(rng) for _ in range(min(5000, n - start))]
        ws.store.records.create_many([("people", v, index_terms(spec, v)) for v in batch])
    print(json.dumps({"built": n, "s": round(time.perf_counter() - t0, 1)}), flush=True)
    ws.lock()


def migrate(home: Path) -> None:
    from fieldkit.formspec import load_modules
    from fieldkit.services import form_upgrade
    from fieldkit.services.workspace import Workspace
    from fieldkit.store import Store

    # What `workspace.unlock` does, with the upgrade timed apart from the key derivation.
    ws = Workspace(Store.open(home, user="chief", passphrase=PASS), load_modules(os.environ["BENCH_NEW_FORMS"]), home)
    cp = ws.store.settings.get(form_upgrade.CHECKPOINT_KEY)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 0.5 or done == total:
            last[0] = now
            print(json.dumps({"done": done, "total": total}), flush=True)

    t0 = time.perf_counter()
    steps = form_upgrade.at_unlock(ws, progress=progress)
    s = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"steps": steps, "s": round(s, 2), "rss_mib": round(rss, 1), "resumed_from": cp}), flush=True)
    ws.lock()


def verify(home: Path, n: int) -> None:
    from fieldkit.formspec import load_modules
    from fieldkit.services import workspace as wsvc

    wsvc._catalog_cache = load_modules(os.environ["BENCH_NEW_FORMS"])
    ws = wsvc.unlock(home, "chief", PASS)
    r = ws.store.records
    out = {"records": r.count("people"), "with_job": n - r.count("people", where={"job": None}),
           "kept_occupation": n - r.count("people", where={"occupation": None}),
           "M_or_F": r.count("people", where={"sex": "M"}) + r.count("people", where={"sex": "F"})}
    rng = random.Random(3)  # a sample: no record rewritten twice by one step
    sample = r.rows(rng.sample(r.ids("people"), min(n, 2000)))
    out["sampled_twice"] = sum(
        1 for rec in sample
        if len([c for c in r.history(rec.uuid) if c.op == "upgrade" and c.field == "sex"]) != 1)
    print(json.dumps(out), flush=True)
    ws.lock()


# -- the anchor -------------------------------------------------------------------------------------
def anchor(folder: Path, n: int) -> float:
    """The same rename in plain SQLite: one UPDATE over n JSON rows, WAL and synchronous=FULL."""
    path = folder / "plain.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE records(id INTEGER PRIMARY KEY, module TEXT, data TEXT)")
    rng = random.Random(15)
    db.execute("BEGIN")
    db.executemany("INSERT INTO records(module, data) VALUES ('people', ?)",
                   ((json.dumps(values(rng), ensure_ascii=False),) for _ in range(n)))
    db.execute("COMMIT")
    t0 = time.perf_counter()
    db.execute("BEGIN")
    db.execute("UPDATE records SET data = json_set(json_remove(data, '$.occupation'), '$.job', "
               "json_extract(data, '$.occupation')) WHERE module = 'people'")
    db.execute("COMMIT")
    s = time.perf_counter() - t0
    db.close()
    return s


# -- the driver -------------------------------------------------------------------------------------
def _phase(args: list[str], env: dict[str, str]) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "bench.form_migration_bench", *args], env=env, check=True,
                         capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _killed_midway(args: list[str], env: dict[str, str], at: float) -> int:
    """Run the upgrade and SIGKILL it once its progress passes `at`; returns the last done count."""
    p = subprocess.Popen([sys.executable, "-m", "bench.form_migration_bench", *args], env=env,
                         stdout=subprocess.PIPE, text=True)
    done = 0
    assert p.stdout is not None
    for line in p.stdout:
        obj = json.loads(line)
        if "done" in obj:
            done = obj["done"]
            if done >= at * obj["total"]:
                os.kill(p.pid, signal.SIGKILL)
                break
    p.wait()
    return done


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--kill-at", type=float, default=0.5)
    ap.add_argument("--phase", choices=("build", "migrate", "verify"))
    ap.add_argument("--home", type=Path)
    a = ap.parse_args()
    if a.phase == "build":
        return build(a.home, a.records)
    if a.phase == "migrate":
        return migrate(a.home)
    if a.phase == "verify":
        return verify(a.home, a.records)
    root = Path(tempfile.mkdtemp(prefix="fk-mig-", dir=a.dir))
    try:
        env = {**os.environ, "FIELDKIT_FORMS_DIR": str(forms(root / "v1", False)),
               "BENCH_NEW_FORMS": str(forms(root / "v3", True))}
        n = a.records
        print(f"form migration bench: {n:,} records, v1 → v3 (rename, then choice codes)")
        built = _phase(["--phase", "build", "--home", str(root / "a"), "--records", str(n)], env)[-1]
        shutil.copytree(root / "a", root / "b")  # the same store twice: one run whole, one killed
        print(f"  build (create_many, encrypted): {n / built['s']:,.0f} records/s")
        full = _phase(["--phase", "migrate", "--home", str(root / "a")], env)[-1]
        rate = 2 * n / full["s"]
        print(f"  upgrade, two steps: {full['s']:.1f} s = {rate:,.0f} record-steps/s, peak RSS {full['rss_mib']:.0f} MiB")
        plain = anchor(root, n)
        print(f"  anchor, plain SQLite one UPDATE json_set (rename only): {plain:.2f} s = {n / plain:,.0f} records/s "
              f"(upgrade step is {(n / plain) / rate:.1f}× slower per record)")
        done = _killed_midway(["--phase", "migrate", "--home", str(root / "b")], env, a.kill_at)
        print(f"  resume: SIGKILL at {done:,}/{2 * n:,} record-steps")
        again = _phase(["--phase", "migrate", "--home", str(root / "b")], env)[-1]
        print(f"  resume: second run from checkpoint {again['resumed_from']} finished in {again['s']:.1f} s, "
              f"steps {[(s['from'], s['to'], s['records']) for s in again['steps']]}")
        check = _phase(["--phase", "verify", "--home", str(root / "b"), "--records", str(n)], env)[-1]
        ok = (check["records"] == check["with_job"] == check["M_or_F"] == n and check["kept_occupation"] == 0
              and check["sampled_twice"] == 0)
        print(f"  resume: verified {check} → {'OK' if ok else 'WRONG'}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
