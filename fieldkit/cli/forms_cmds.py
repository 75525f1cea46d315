"""Form authoring for a county IT officer: check a forms folder, see what a change does to stored
data, draft a module from a spreadsheet (no store is opened); upgrade a store's records.

    fieldkit forms check forms/
    fieldkit forms diff forms-old/ forms/
    fieldkit forms from-xlsx 疫情排查.xlsx --id epidemic --number 21 --out forms/21_epidemic.toml
    fieldkit forms upgrade        (opens the store: runs the declared migrations, with progress)

Form sets from the platform (sign, trust, pending, accept …): `fieldkit.cli.formset_cmds`.
"""

from __future__ import annotations

from fieldkit.cli import formset_cmds
from fieldkit.cli.context import path_arg
from fieldkit.domain.errors import Conflict, ExitCode
from fieldkit.domain.limits import DATA_FILE_MAX_BYTES
from fieldkit.formspec import FormSpecError, load_modules
from fieldkit.formspec.check import check_forms
from fieldkit.formspec.diff import diff_catalogs, touches_data
from fieldkit.formspec.migrations import plan_upgrade
from fieldkit.formspec.xlsform import xlsx_to_toml
from fieldkit.services import form_upgrade
from fieldkit.services.files import atomic_write, read_user_file

# Changes a declared step carries stored values through (the rest need people: required, type).
_MIGRATED = {"field_renamed", "field_removed", "choice_renamed", "choice_removed"}


def register(sub) -> None:
    p = sub.add_parser("forms", help="check, compare and draft form definitions / 表单定义工具")
    fs = p.add_subparsers(dest="forms_cmd", required=True)
    q = fs.add_parser("check", help="every error of a forms folder, with file:line")
    q.add_argument("directory", type=path_arg)
    q.set_defaults(func=cmd_check)
    q = fs.add_parser("diff", help="what changing the forms does to stored data (exit 12 if it touches any)")
    q.add_argument("old", type=path_arg)
    q.add_argument("new", type=path_arg)
    q.set_defaults(func=cmd_diff)
    q = fs.add_parser("from-xlsx", help="draft a module TOML from an XLSForm-style workbook")
    q.add_argument("sheet", type=path_arg)
    q.add_argument("--id", dest="module_id", required=True, help="module id, lower-case English")
    q.add_argument("--number", type=int, required=True, help="module number (file prefix NN)")
    q.add_argument("--out", type=path_arg, required=True)
    q.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    q.set_defaults(func=cmd_from_xlsx)
    q = fs.add_parser("upgrade", help="bring the store's records to the loaded forms' versions (also done at every unlock)")
    q.set_defaults(func=cmd_upgrade)
    formset_cmds.register_into(fs)  # keygen, sign, trust, receive, pending, accept


def cmd_check(args, ctx) -> int:
    problems = check_forms(args.directory)
    for p in problems:
        ctx.emit({"path": str(p.path), "line": p.line, "field": p.field, "message": p.message, "message_en": p.message_en})
        ctx.say(p.text("zh"), p.text("en"))
    if problems:
        files = len({p.path for p in problems})
        ctx.say(f"共 {len(problems)} 处错误，涉及 {files} 个文件", f"{len(problems)} error(s) in {files} file(s)")
        return int(ExitCode.INVALID)
    ctx.say("表单定义没有发现错误", "No errors in the form definitions")
    return 0


def cmd_diff(args, ctx) -> int:
    old, new = load_modules(args.old), load_modules(args.new)
    changes = diff_catalogs(old, new)
    for c in changes:
        ctx.emit(c.as_dict())
    for c in changes:
        mark = "!" if c.touches_data else " "
        ctx.say(f"{mark} [{c.module}] {c.what}；迁移：{c.migration}", f"{mark} [{c.module}] {c.what_en}; migration: {c.migration_en}")
    if touches_data(changes):
        n = sum(c.touches_data for c in changes)
        plan, rest = None, changes
        try:
            plan = plan_upgrade(old, new)
        except FormSpecError as e:
            ctx.say(f"新表单不能装上已有数据：{e.message}", f"The new forms cannot take stored data: {e.message_en}")
        else:
            migrated = {u.module for u in plan.modules}
            rest = [c for c in changes if c.touches_data and not (c.kind in _MIGRATED and c.module in migrated)]
            steps = "、".join(f"{u.module} v{u.from_v}→v{u.to_v}" for u in plan.modules)
        if plan is not None and not rest:
            ctx.say(f"{n} 处改动涉及已存数据，新表单已声明迁移（{steps}）：解锁时自动升级",
                    f"{n} change(s) touch stored data; the new forms declare the migration ({steps}): "
                    "records are upgraded at unlock")
            return 0
        ctx.say(f"{n} 处改动涉及已存数据，需要迁移", f"{n} change(s) touch stored data: a migration is needed")
        return int(ExitCode.DATA_CHANGE)
    ctx.say("没有改动涉及已存数据", "No change touches stored data")
    return 0


def cmd_upgrade(args, ctx) -> int:
    ws = ctx.workspace()  # the unlock checks the forms and runs the steps due (said on stderr)
    state = form_upgrade.remembered(ws)
    for spec in ws.catalog:
        ctx.emit({"module": spec.id, "version": spec.version, "store": (state.get(spec.id) or {}).get("version")})
    if not ws.upgraded:
        ctx.say("记录已是当前表单版本，无需升级", "Records are at the current form versions: nothing to upgrade")
    return 0


def cmd_from_xlsx(args, ctx) -> int:
    if args.out.exists() and not args.force:
        raise Conflict(f"{args.out} 已存在：要覆盖请加 --force", message_en=f"{args.out} exists: add --force to overwrite it")
    data = read_user_file(args.sheet, DATA_FILE_MAX_BYTES)
    text = xlsx_to_toml(args.sheet, data, module_id=args.module_id, number=args.number)
    atomic_write(args.out, text.encode("utf-8"))
    ctx.emit({"out": str(args.out), "module": args.module_id, "number": args.number})
    ctx.say(f"已写入 {args.out}；请在 permissions.toml 中加上 [modules.{args.module_id}] 一节",
            f"Wrote {args.out}; add a [modules.{args.module_id}] section to permissions.toml")
    return 0
