"""FieldKit: offline-first toolkit for village police officers, grid workers and station chiefs."""

__version__ = "0.1.0"
