"""The unlock window: first-run store creation, the recovery code, the demo offer, unlocking."""

from fieldkit.ui.unlock.window import UnlockWindow

__all__ = ["UnlockWindow"]
