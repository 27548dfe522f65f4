"""Regenerate docs/screenshot.png: the Arabic home page over the demo set, with the specimen flagged breaking.

Run with `uv run python scripts/readme_screenshot.py` (needs Debian's chromium).
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from akhbar.services import breaking, demo
from akhbar.store import Store
from akhbar.web import create_app

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshot.png"


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        store = Store(f"sqlite:///{Path(work) / 'akhbar.db'}")
        results = demo.load_demo(store)
        specimen = next(r.article_id for r in results if r.location.endswith("000_5f9867fcee487711.txt"))
        assert specimen is not None
        breaking.flag_article(store, specimen, datetime.now(UTC) + timedelta(hours=2))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        server = uvicorn.Server(uvicorn.Config(create_app(store), port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1100, "height": 760}, reduced_motion="reduce")
            page.goto(f"http://127.0.0.1:{port}/ar/")
            OUT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(OUT))
            browser.close()
        server.should_exit = True
        thread.join()
        store.close()
    print(f"{OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
