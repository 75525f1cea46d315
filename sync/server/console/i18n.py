"""The console's words: one catalogue, Chinese first, English beside it.

`lang_of(request)` picks the language: ``?lang=en|zh`` (remembered in a cookie by the
middleware in `sync.server.console`), then the ``fk_lang`` cookie, then Accept-Language;
Chinese when nothing says otherwise. `t(key, lang, **values)` looks a key up; a key missing
from the catalogue is a bug and raises (tests render every page in both languages).

To add words: add ``"key": ("中文", "English")`` to `CATALOGUE` (placeholders ``{name}``
in both). Choice values of the forms (levels, statuses, categories) are not here: their labels
come from the form definitions (`sync.server.console.forms`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

LANGS = ("zh", "en")
LANG_COOKIE = "fk_lang"

CATALOGUE: dict[str, tuple[str, str]] = {
    # frame
    "app.title": ("FieldKit 平台管理", "FieldKit platform console"),
    "nav.inbox": ("事件待办", "Event inbox"),
    "nav.audit": ("操作日志", "Audit log"),
    "nav.users": ("平台用户", "Platform users"),
    "nav.logout": ("退出登录", "Sign out"),
    "nav.lang_other": ("English", "中文"),
    "role.township": ("乡镇干部", "Township officer"),
    "role.county": ("县级干部", "County officer"),
    "role.admin": ("平台管理员", "Platform admin"),
    "common.submit": ("提交", "Submit"),
    "common.none": ("暂无", "None"),
    "common.back": ("返回", "Back"),
    # login
    "login.title": ("登录", "Sign in"),
    "login.login": ("账号", "Account"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.bad": ("账号或密码不正确", "Wrong account or password"),
    "login.disabled": ("该账号已停用，请联系平台管理员", "This account is disabled; ask the platform admin"),
    "login.too_many": ("登录尝试过多，请 {seconds} 秒后再试", "Too many sign-in attempts; try again in {seconds} s"),
    "login.expired": ("长时间未操作，已自动退出，请重新登录", "Signed out after a period without activity; sign in again"),
    "login.logged_out": ("已退出登录", "Signed out"),
    # errors
    "error.title": ("无法完成操作", "That could not be done"),
    "error.csrf": ("页面已过期或来源不明，请刷新页面后重试", "The page expired or did not come from this console; reload it and try again"),
    "error.forbidden": ("您的角色无权访问此页面", "Your role may not open this page"),
    "error.not_found": ("找不到该记录，或它不在您的辖区内", "No such record in your jurisdiction"),
    "error.field": ("{field}：{message}", "{field}: {message}"),
    # inbox
    "inbox.title": ("{level}事件待办", "Events at {level} level"),
    "inbox.open": ("待处置", "To handle"),
    "inbox.to_feed_back": ("已办结，待反馈上报人", "Resolved, reporter not yet informed"),
    "inbox.empty": ("没有待办事件", "No events waiting"),
    "inbox.found_at": ("发现时间", "Found at"),
    "inbox.category": ("类别", "Category"),
    "inbox.urgency": ("紧急程度", "Urgency"),
    "inbox.village": ("村（社区）", "Village"),
    "inbox.status": ("状态", "Status"),
    "inbox.open_event": ("查看", "Open"),
    "inbox.no_level": ("平台管理员没有事件待办；请用乡镇或县级账号处置事件",
                       "Platform admins have no event inbox; events are handled by township and county officers"),
    # event page
    "event.title": ("事件详情", "Event"),
    "event.timeline": ("流转处置记录", "Timeline"),
    "event.no_steps": ("还没有流转记录", "No steps yet"),
    "event.feedback": ("反馈情况", "Feedback to the reporter"),
    "event.handle": ("登记处置结果", "Record the outcome"),
    "event.outcome": ("处置结果", "Outcome"),
    "event.outcome.handled": ("已处置（办结）", "Handled (resolve)"),
    "event.outcome.pending": ("处置中（登记进展）", "In progress (record progress)"),
    "event.action": ("处置情况", "What was done"),
    "event.escalate": ("上报上级", "Escalate"),
    "event.escalate_reason": ("上报理由与已做处置", "Why, and what was done"),
    "event.feed_back": ("反馈上报人", "Inform the reporter"),
    "event.feedback_text": ("反馈内容", "Feedback"),
    "event.done": ("已保存，笔记本下次同步时收到", "Saved; the laptop receives it at its next sync"),
    "event.step.at": ("时间", "When"),
    "event.step.level": ("层级", "Level"),
    "event.step.handler": ("处置人", "Handled by"),
    "event.step.action": ("处置情况", "Action"),
    "event.step.outcome": ("结果", "Outcome"),
    "event.level": ("当前层级", "Handled at"),
    "event.status": ("办理状态", "Status"),
    "event.not_in_inbox": ("该事件不在您这一级处置，只能查看", "This event is not at your level: view only"),
    # audit
    "audit.title": ("操作日志", "Audit log"),
    "audit.at": ("时间", "When"),
    "audit.user": ("用户", "User"),
    "audit.action": ("操作", "Action"),
    "audit.target": ("对象", "Target"),
    "audit.outcome": ("结果", "Outcome"),
    "audit.address": ("地址", "Address"),
    # users page
    "users.title": ("平台用户", "Platform users"),
    "users.login": ("账号", "Account"),
    "users.name": ("姓名", "Name"),
    "users.role": ("角色", "Role"),
    "users.scope": ("辖区", "Jurisdiction"),
    "users.state": ("状态", "State"),
    "users.active": ("启用", "Active"),
    "users.disabled": ("停用", "Disabled"),
}


def t(key: str, lang: str, **values: Any) -> str:
    zh, en = CATALOGUE[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def _from_accept(header: str) -> str | None:
    best: tuple[float, str] | None = None
    for part in header.split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()
        q = 1.0
        for b in bits[1:]:
            if b.strip().startswith("q="):
                try:
                    q = float(b.strip()[2:])
                except ValueError:
                    q = 0.0
        lang = "zh" if tag.startswith("zh") else "en" if tag.startswith("en") else None
        if lang and (best is None or q > best[0]):
            best = (q, lang)
    return best[1] if best else None


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGS:
        return cookie
    return _from_accept(request.headers.get("accept-language", "")) or "zh"
