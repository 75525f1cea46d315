"""Names of the settings a laptop's sync keeps in its store (`ws.store.settings`).

Apart from the replica so that code which only reads one (the search's home village reads the
enrolled scope) does not import sync's merge and HTTP client: ~0.2 s of a CLI search's start.
"""

from __future__ import annotations

CURSOR_KEY = "sync.cursor"  # the server sequence pulled up to (int)
HELD_KEY = "sync.held_newer_form"  # pulled changes written under a newer form (JSON), kept unmerged
SCOPE_KEY = "sync.scope"  # the villages/grids enrolled for (list of str), set at enrolment
