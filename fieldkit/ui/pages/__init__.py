"""Record pages shown in the main window's tabs."""

from __future__ import annotations

from fieldkit.ui.pages.hub_pages import AddressPage, PersonPage
from fieldkit.ui.pages.record_page import RecordPage
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker


def page_for(worker: Worker, info: SessionInfo, uuid: str, module_id: str, lang: str) -> RecordPage:
    """The right page for a record: person and address hubs get their own."""
    spec = info.module(module_id)
    cls = {"person": PersonPage, "address": AddressPage}.get(spec.hub or "", RecordPage)
    return cls(worker, info, uuid, module_id, lang)


__all__ = ["AddressPage", "PersonPage", "RecordPage", "page_for"]
