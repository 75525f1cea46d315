"""Forms generated from the module definitions (`forms/*.toml`)."""

from fieldkit.ui.forms.record_dialog import RecordDialog

__all__ = ["RecordDialog"]
