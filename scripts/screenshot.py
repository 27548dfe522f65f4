"""Regenerate docs/screenshot.png from the real demo: what a newcomer sees after `make demo`.

Loads the demo set with `./akhbar demo --no-serve` into a throwaway data directory, serves it with
`./akhbar serve` on 127.0.0.1, and photographs the top of `/ar/` at 1366x1040 (down to the end of the
top stories) in Debian's chromium (Playwright), then shrinks the PNG to a palette image. Run with
`uv run python scripts/screenshot.py` (`--out FILE`, `--width`, `--height` to change the defaults).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
AKHBAR = ROOT / "akhbar"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
COLOURS = 256
LIMIT = 400 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"akhbar serve stopped with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    sys.exit(f"{url} did not answer within {seconds:.0f} s")


def _photograph(url: str, out: Path, width: int, height: int) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(
            viewport={"width": width, "height": height},
            locale="ar-MA",
            color_scheme="light",
            reduced_motion="reduce",
        )
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        page.evaluate("document.fonts.ready")
        # Lazy images below the fold are not in the shot; the lead photo must have loaded.
        page.wait_for_function(
            "[...document.images].filter(i => i.getBoundingClientRect().top < innerHeight)"
            ".every(i => i.complete && i.naturalWidth > 0)"
        )
        page.screenshot(path=str(out))
        browser.close()


def _shrink(path: Path) -> None:
    """A 256-colour palette PNG: the page is flat colour and text, so this is visually lossless."""
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(
            COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=1040)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="akhbar-shot-") as work:
        env = {**os.environ, "AKHBAR_LOG_LEVEL": "warning"}
        base = [str(AKHBAR), "--data-dir", work]
        subprocess.run([*base, "demo", "--no-serve"], check=True, env=env, cwd=ROOT)
        port = _free_port()
        server = subprocess.Popen(
            [*base, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT
        )
        try:
            url = f"http://127.0.0.1:{port}/ar/"
            _wait_until_up(url, server)
            options.out.parent.mkdir(parents=True, exist_ok=True)
            _photograph(url, options.out, options.width, options.height)
        finally:
            server.terminate()
            server.wait(timeout=30)
    _shrink(options.out)
    size = options.out.stat().st_size
    print(f"{options.out} ({options.width}x{options.height}, {size // 1024} KB)")
    if size > LIMIT:
        sys.exit(f"{options.out} is over {LIMIT // 1024} KB")


if __name__ == "__main__":
    main()
