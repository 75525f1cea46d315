"""The reference central platform: FastAPI app (`app`), storage (`storage`, `blobs`), TLS, CLI."""
