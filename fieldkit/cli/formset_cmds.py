"""Form sets from the platform (`services.form_sets`), as sub-commands of ``fieldkit forms``.

The county (no store needed):
    fieldkit forms keygen --county 350102 --out county.key      (prints the public key FKK1:…)
    fieldkit forms sign forms/ --version 3 --key county.key --out forms-v3.json
    fieldkit-server publish-forms forms-v3.json
The station chief (on the laptop):
    fieldkit forms trust FKK1:350102:…         (once: the county key the laptop accepts sets from)
    fieldkit forms pending                     (what the set fetched at sync would change)
    fieldkit forms accept [--sha256 HEX]       (install it)
    fieldkit forms receive forms-v3.json       (a set brought on a USB stick instead of by sync)
"""

from __future__ import annotations

from fieldkit.cli.context import path_arg
from fieldkit.domain.doorplate_code import DoorplateKeyError, generate_station_key
from fieldkit.domain.errors import Conflict, UserFacingError
from fieldkit.services import form_sets
from fieldkit.services import installed_forms as installed
from fieldkit.services.files import atomic_write, read_user_file
from sync import formset


def register_into(fs) -> None:
    q = fs.add_parser("keygen", help="make the county's form-set signing key (keep the file secret)")
    q.add_argument("--county", required=True, help="county code, e.g. 350102")
    q.add_argument("--out", type=path_arg, required=True)
    q.set_defaults(func=cmd_keygen)
    q = fs.add_parser("sign", help="sign a forms folder as a form set for the platform")
    q.add_argument("directory", type=path_arg)
    q.add_argument("--version", type=int, required=True, help="form set version (raise it for every release)")
    q.add_argument("--key", type=path_arg, required=True, help="the county key file (from keygen)")
    q.add_argument("--out", type=path_arg, required=True)
    q.set_defaults(func=cmd_sign)
    q = fs.add_parser("trust", help="trust form sets signed by this county public key (chief)")
    q.add_argument("key", help="FKK1:… as printed by keygen")
    q.set_defaults(func=cmd_trust)
    q = fs.add_parser("receive", help="check a form set file and keep it for acceptance (chief)")
    q.add_argument("file", type=path_arg)
    q.set_defaults(func=cmd_receive)
    q = fs.add_parser("pending", help="what the form set waiting for acceptance would change")
    q.set_defaults(func=cmd_pending)
    q = fs.add_parser("accept", help="install the waiting form set (chief)")
    q.add_argument("--sha256", help="the set you reviewed with `pending` (refused if another is waiting)")
    q.set_defaults(func=cmd_accept)


def cmd_keygen(args, ctx) -> int:
    if args.out.exists():
        raise Conflict(f"{args.out} 已存在：不会覆盖签名密钥", message_en=f"{args.out} exists: a signing key is never overwritten")
    try:
        key = generate_station_key(args.county)
    except DoorplateKeyError as e:
        raise UserFacingError(e.message, message_en=e.message_en, field="county", code="bad_county") from e
    atomic_write(args.out, (key.to_secret_string() + "\n").encode())
    public = key.public().to_string()
    ctx.emit({"out": str(args.out), "public_key": public})
    ctx.say(f"签名密钥已写入 {args.out}（请妥善保管）；各所导入的公钥：{public}",
            f"Signing key written to {args.out} (keep it secret); the public key stations import: {public}")
    return 0


def cmd_sign(args, ctx) -> int:
    fs = form_sets.sign(args.directory, args.version, form_sets.load_county_key(args.key))
    atomic_write(args.out, fs.to_text().encode())
    ctx.emit({"out": str(args.out), "version": fs.version, "sha256": fs.sha256, "signer": fs.signer,
              "modules": len(fs.modules), "merge_policy": fs.policy.to_json()})
    ctx.say(f"表单集第 {fs.version} 版已签名：{args.out}", f"Form set v{fs.version} signed: {args.out}")
    return 0


def cmd_trust(args, ctx) -> int:
    key = form_sets.trust_county_key(ctx.workspace(), args.key)
    ctx.emit({"county": key.station, "key": key.to_string()})
    ctx.say(f"已信任县局 {key.station} 签发的表单集", f"Form sets signed by county {key.station} are now trusted")
    return 0


def cmd_receive(args, ctx) -> int:
    fs = form_sets.receive(ctx.workspace(), read_user_file(args.file, formset.MAX_FORM_SET))
    ctx.emit({"version": fs.version, "sha256": fs.sha256, "signer": fs.signer})
    ctx.say(f"表单集第 {fs.version} 版签名无误，等待所长接受（fieldkit forms pending）",
            f"Form set v{fs.version} verified; waiting for the chief (fieldkit forms pending)")
    return 0


def cmd_pending(args, ctx) -> int:
    ws = ctx.workspace()
    p = form_sets.pending(ws)
    refused = form_sets.refused(ws)
    if refused:
        ctx.emit({"refused": refused})
        ctx.say(f"拒收的表单集：{refused.get('reason', '')}", f"Refused form set: {refused.get('reason_en', '')}")
    if p is None:
        now = installed.installed(ws.store)
        ctx.emit({"pending": None, "installed": now.version if now else 0})
        ctx.say("没有待安装的表单集", "No form set is waiting")
        return 0
    ctx.emit({"pending": p.version, "installed": p.installed_version, "sha256": p.sha256, "signer": p.signer,
              "changes": [c.as_dict() for c in p.changes], "merge": [en for _zh, en in p.merge_changes]})
    ctx.say(f"待安装：表单集第 {p.version} 版（{p.signer} 签发；本机现为第 {p.installed_version} 版）",
            f"Waiting: form set v{p.version} (signed by {p.signer}; this laptop runs v{p.installed_version})")
    for zh, en in zip(p.lines("zh"), p.lines("en"), strict=True):
        ctx.say(f"  {zh}", f"  {en}")
    return 0


def cmd_accept(args, ctx) -> int:
    ws = ctx.workspace()
    fs = form_sets.accept(ws, sha256=args.sha256, progress=ctx.progress)
    ctx.emit({"installed": fs.version, "sha256": fs.sha256, "upgraded": ws.upgraded})
    ctx.say(f"已安装表单集第 {fs.version} 版", f"Form set v{fs.version} installed")
    ctx.say_upgrades(ws.upgraded)
    return 0
