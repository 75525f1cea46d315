"""The desktop UI (PySide6). See fieldkit/app.py for how it is assembled."""
