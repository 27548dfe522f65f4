"""The server ``akhbar bench web`` measures: the portal app, plus a static copy of a page as the ceiling.

Run as ``python -m akhbar.bench.webserver DATABASE_URL PORT STATIC_DIR``; the static directory is
served by the same app under ``/ceiling/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from fastapi import Response
from fastapi.staticfiles import StaticFiles

from akhbar.store import Store
from akhbar.web.app import create_app


def main(argv: list[str]) -> None:
    database_url, port, static_dir = argv
    app = create_app(Store(database_url, create=False))
    saved = Path(static_dir) / "home.html"

    @app.get("/ceiling-memory/home.html", include_in_schema=False)
    async def in_memory() -> Response:
        """The saved page from memory: the least any route of this server can cost."""
        return Response(saved.read_bytes() if saved.exists() else b"", media_type="text/html; charset=utf-8")

    app.mount("/ceiling", StaticFiles(directory=static_dir), name="ceiling")
    # Added after the route table: move both first so /{lang}/ routes do not take them.
    app.router.routes[:0] = [app.router.routes.pop(), app.router.routes.pop()]
    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning", access_log=False, ws="none")


if __name__ == "__main__":
    main(sys.argv[1:])
