"""/console/watchlist and /console/reference: add an entry, import a CSV (checked row by row,
with the refused lines listed), retire an entry with a reason. ID numbers are masked in lists
and never in a URL; entries are named by uuid."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from sync.server.console import audit, forms, watchlist, web
from sync.server.console.auth import require_user
from sync.server.console.checks import Refused
from sync.server.console.pages import OFFICERS, finished, publisher, refused
from sync.server.console.users import User

router = APIRouter(prefix="/console", include_in_schema=False)
web.add_nav("/console/watchlist", "nav.watchlist", OFFICERS, order=30)
web.add_nav("/console/reference", "nav.reference", OFFICERS, order=35)
Officer = Annotated[User, Depends(require_user(*OFFICERS))]
UUID = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
Text = Annotated[str, Form(max_length=4000)]
MAX_CSV = 2 * 1024 * 1024
WATCH_COLUMNS = ("id_number", "reason", "source")
REFERENCE_FORM = ("kind", "title", "name", "id_number", "household_no", "hukou_address", "content", "source",
                  "published_date", "village")


def _module(request: Request) -> str:
    """The page's module from its path: the two lists are separate routes, so an unrelated page
    such as /console/audit never reaches these handlers."""
    return request.url.path.split("/")[2]


def _columns(module: str) -> tuple[str, ...]:
    return WATCH_COLUMNS if module == watchlist.WATCHLIST else REFERENCE_FORM


async def _page(request: Request, user: User, module: str, *, report: watchlist.ImportReport | None = None,
                done: str = "", status: int = 200) -> Response:
    storage = request.app.state.storage
    lang = web.i18n.lang_of(request)
    rows = await run_in_threadpool(watchlist.entries, storage, module, user.scope)
    spec = (await run_in_threadpool(forms.catalog, storage))[watchlist.REFERENCE]
    kinds = {c.value: c.label.get(lang) for c in spec.field("kind").choices}
    ref_label = {f.name: f.label.get(lang) for f in spec.fields}
    t = web.context(request)["t"]
    watch_label = {"id_number": t("lists.id_number"), "reason": t("lists.reason"), "source": t("lists.source")}
    return web.render(request, "lists.html", status, module=module, rows=rows, report=report, done=done,
                      columns=_columns(module), kinds=kinds, ref_label=ref_label,
                      field_names=watch_label if module == watchlist.WATCHLIST else ref_label,
                      default_scope=user.scope[0] if user.scope else "")


@router.get("/watchlist")
@router.get("/reference")
async def list_page(request: Request, user: Officer, done: str = "") -> Response:
    module = _module(request)
    await run_in_threadpool(audit.record, request.app.state.storage, request, user.id, f"{module}.view", "")
    return await _page(request, user, module, done=done[:16])


@router.post("/watchlist")
@router.post("/reference")
async def add(request: Request, user: Officer, scope: Text = "", id_number: Text = "",
              reason: Text = "", source: Text = "", kind: Text = "", title: Text = "", name: Text = "",
              household_no: Text = "", hukou_address: Text = "", content: Text = "", published_date: Text = "",
              village: Text = "") -> Response:
    given = {"id_number": id_number, "reason": reason, "source": source, "kind": kind, "title": title, "name": name,
             "household_no": household_no, "hukou_address": hukou_address, "content": content,
             "published_date": published_date, "village": village}
    module = _module(request)
    values = {k: v.strip() for k, v in given.items() if k in _columns(module) and v.strip()}
    storage = request.app.state.storage
    try:
        uid = await run_in_threadpool(watchlist.add, storage, module, values, scope, publisher(user))
    except Refused as e:
        raise await run_in_threadpool(refused, request, user, f"{module}.add", "", e) from None
    await run_in_threadpool(audit.record, storage, request, user.id, f"{module}.add", uid)
    return finished(request, f"/console/{module}?done=added")


@router.post("/watchlist/import")
@router.post("/reference/import")
async def import_csv(request: Request, user: Officer, file: Annotated[UploadFile, File()],
                     scope: Text = "") -> Response:
    module = _module(request)
    storage = request.app.state.storage
    raw = await file.read(MAX_CSV + 1)
    if len(raw) > MAX_CSV:
        raise await run_in_threadpool(refused, request, user, f"{module}.import", "", Refused(
            "文件超过 2 MB", "the file is over 2 MB", field="file"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # what Excel on a Chinese Windows saves as "CSV"
        except UnicodeDecodeError:
            raise await run_in_threadpool(refused, request, user, f"{module}.import", "", Refused(
                "文件不是 UTF-8 或 GB18030 编码的 CSV", "the file is not CSV in UTF-8 or GB18030", field="file")) from None
    try:
        report = await run_in_threadpool(watchlist.import_csv, storage, module, text, scope, publisher(user))
    except Refused as e:
        raise await run_in_threadpool(refused, request, user, f"{module}.import", "", e) from None
    outcome = f"refused:{len(report.problems)} lines" if report.problems else f"ok:{len(report.published)}"
    await run_in_threadpool(audit.record, storage, request, user.id, f"{module}.import", "", outcome)
    return await _page(request, user, module, report=report, status=422 if report.problems else 200)


@router.post("/watchlist/{uuid}/retire")
@router.post("/reference/{uuid}/retire")
async def retire(request: Request, user: Officer, uuid: UUID, reason: Text = "") -> Response:
    module = _module(request)
    storage = request.app.state.storage
    try:
        await run_in_threadpool(watchlist.retire, storage, module, uuid, reason, publisher(user))
    except Refused as e:
        raise await run_in_threadpool(refused, request, user, f"{module}.retire", uuid, e) from None
    # The reason is kept with the withdrawn record (`watchlist.retire`), not in the audit row:
    # the console's audit holds no typed words (they may name someone).
    await run_in_threadpool(audit.record, storage, request, user.id, f"{module}.retire", uuid)
    return finished(request, f"/console/{module}?done=retired")

