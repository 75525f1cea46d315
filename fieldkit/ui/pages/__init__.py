"""Record pages shown in the main window's tabs."""

from __future__ import annotations

from fieldkit.ui.pages.hub_pages import AddressPage, PersonPage
from fieldkit.ui.pages.record_page import RecordPage
from fieldkit.ui.state import SessionInfo
from fieldkit.ui.worker import Worker


def page_for(worker: Worker, info: SessionInfo, uuid: str, module_id: str, lang: str) -> RecordPage:
    """The right page for a record: person and address hubs get their own; a record whose
    module has no form here (platform reference data, a removed form) gets the plain page, raw."""
    spec = next((m for m in info.modules if m.id == module_id), None)
    cls = {"person": PersonPage, "address": AddressPage}.get(spec.hub or "", RecordPage) if spec else RecordPage
    return cls(worker, info, uuid, module_id, lang)


__all__ = ["AddressPage", "PersonPage", "RecordPage", "page_for"]
