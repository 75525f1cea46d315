"""/console/figures: record counts across the stations of the user's jurisdiction, by module,
category, village and day or week, as server-rendered SVG charts, filtered by period."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from sync.server.console import audit, figures, forms, svgchart, web
from sync.server.console.auth import require_user
from sync.server.console.checks import Refused
from sync.server.console.pages import OFFICERS, refused, within
from sync.server.console.users import User

router = APIRouter(prefix="/console", include_in_schema=False)
web.add_nav("/console/figures", "nav.figures", (*OFFICERS, "admin"), order=50)
Anyone = Annotated[User, Depends(require_user(*OFFICERS, "admin"))]
Short = Annotated[str, Query(max_length=20)]


@router.get("/figures")
async def figures_page(request: Request, user: Anyone, date_from: Short = "", date_to: Short = "",
                       grain: Short = "day", module: Annotated[str, Query(max_length=64)] = "") -> Response:
    storage = request.app.state.storage
    lang = web.i18n.lang_of(request)
    try:
        f = await run_in_threadpool(figures.figures, storage, within(user), date_from=date_from or None,
                                    date_to=date_to or None, grain=grain, module=module or None, lang=lang)
    except Refused as e:
        raise await run_in_threadpool(refused, request, user, "figures.view", "", e) from None
    t = web.context(request)["t"]
    charts = [svgchart.bars([(label, n) for _, label, n in f.by_module], title=t("figures.by_module")),
              svgchart.bars([(name, n) for _, name, n in f.by_village], title=t("figures.by_village"))]
    if module:
        charts.insert(1, svgchart.bars(f.by_category, title=t("figures.by_category")))
    line = svgchart.line(f.by_time, title=t("figures.by_time"), width=880)
    modules = [(s.id, s.label.get(lang)) for s in await run_in_threadpool(forms.catalog, storage)]
    await run_in_threadpool(audit.record, storage, request, user.id, "figures.view", "")
    return web.render(request, "figures.html", f=f, charts=charts, line=line, modules=modules, module=module)
