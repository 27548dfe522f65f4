"""Fixture images and a real HTTP server on 127.0.0.1 serving them inside news pages and a feed.

The photo is a real JPEG made with Pillow that carries EXIF (camera, author, GPS position, an
orientation that turns it upright) and a comment; the others are what the web serves as photos
and is not: a text file called .jpg, an SVG and an HTML page with image types, a PNG whose header
declares billions of pixels, one just over the pixel limit, a tracking pixel, a truncated JPEG, a
missing file and a photo robots.txt forbids.
"""

from __future__ import annotations

import io
import struct
import threading
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from PIL import Image, ImageDraw

PHOTO_SIZE = (1600, 1000)  # as stored; EXIF orientation 6 makes it 1000 x 1600 upright
SECRET = "Jane Photographer at 33.5731N 7.5898W"


def photo_jpeg(size: tuple[int, int] = PHOTO_SIZE, *, orientation: int = 6, seed: int = 0) -> bytes:
    """A JPEG with metadata a reader's privacy needs stripped: GPS, author, comment."""
    image = Image.new("RGB", size, (30 + seed * 40 % 200, 90, 160))
    draw = ImageDraw.Draw(image)
    for step in range(0, size[0], 80):
        draw.rectangle((step, 0, step + 40, size[1] // 2), fill=(220, 180 - seed * 10 % 150, 60))
    draw.ellipse((size[0] // 3, size[1] // 3, size[0] // 2, size[1] // 2), fill=(250, 250, 250))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x013B] = SECRET  # Artist
    exif[0x010F] = "SecretCam"  # Make
    gps = {1: "N", 2: (33.0, 34.0, 23.0), 3: "W", 4: (7.0, 35.0, 23.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes(), comment=SECRET.encode())
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A small valid PNG whose header is rewritten to declare ``width`` x ``height`` pixels."""
    out = io.BytesIO()
    Image.new("L", (200, 200)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = bytearray(data[12:29])  # type + 13 bytes of IHDR data
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)) & 0xFFFFFFFF)
    return bytes(data)


def tiny_gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (1, 1)).save(out, "GIF")
    return out.getvalue()


PHOTO = photo_jpeg()
OTHER_PHOTO = photo_jpeg((1200, 800), orientation=1, seed=3)
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
    b'<script>alert(1)</script><rect width="800" height="600"/></svg>'
)
HTML = b"<!doctype html><html><body><h1>Not an image</h1><img src=x onerror=alert(1)></body></html>"

IMAGES: dict[str, tuple[bytes, str]] = {
    "/img/photo.jpg": (PHOTO, "image/jpeg"),
    "/img/other.jpg": (OTHER_PHOTO, "image/jpeg"),
    "/img/fake.jpg": (b"GIF89a but really just some text pretending to be an image\n" * 20, "image/jpeg"),
    "/img/vector.jpg": (SVG, "image/jpeg"),
    "/img/page.png": (HTML, "image/png"),
    "/img/bomb.png": (png_declaring(60_000, 60_000), "image/png"),
    "/img/over.png": (png_declaring(6_000, 6_000), "image/png"),
    "/img/pixel.gif": (tiny_gif(), "image/gif"),
    "/img/cut.jpg": (PHOTO[: len(PHOTO) // 3], "image/jpeg"),
    "/private/photo.jpg": (PHOTO, "image/jpeg"),
}
ROBOTS = b"User-agent: *\nDisallow: /private/\n"

PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>{title}</title>
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="Le Quotidien de Test">
<meta property="og:url" content="{base}/pages/{name}.html">
<meta property="og:image" content="{base}{image}">
<meta property="article:published_time" content="2026-11-30T08:00:00+00:00">
</head><body><article><h1>{title}</h1>
<figure><img src="{base}{image}" alt="Une photo"><figcaption>Légende de la photo {name}</figcaption></figure>
<p>Le conseil municipal de la ville a adopté mardi soir son budget pour l'année prochaine, en hausse de
quatre pour cent, après un long débat entre la majorité et l'opposition sur le prix des transports ({name}).</p>
<p>Les élus ont aussi voté la rénovation de trois écoles et d'une bibliothèque du centre, des travaux
attendus depuis longtemps par les parents d'élèves et les associations du quartier ({name}).</p>
<p>Le maire a promis que les impôts locaux ne changeraient pas cette année, malgré la hausse du coût de
l'énergie et des salaires dans les services de la commune ({name}).</p>
</article></body></html>"""

# page name -> the image its og:image names
ARTICLES = {
    "photo": "/img/photo.jpg",
    "fake": "/img/fake.jpg",
    "vector": "/img/vector.jpg",
    "html": "/img/page.png",
    "bomb": "/img/bomb.png",
    "over": "/img/over.png",
    "pixel": "/img/pixel.gif",
    "cut": "/img/cut.jpg",
    "private": "/private/photo.jpg",
    "missing": "/img/missing.jpg",
    "busy": "/img/busy.jpg",
}
TITLES = {name: f"Budget municipal numéro {index}: {name}" for index, name in enumerate(ARTICLES)}


def page_html(base: str, name: str, image: str | None = None) -> bytes:
    chosen = image or ARTICLES[name]
    return PAGE.format(base=base, name=name, image=chosen, title=TITLES.get(name, name)).encode()


class _Handler(BaseHTTPRequestHandler):
    server: ImageServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.hits[path] += 1
        base = self.server.base
        if path == "/img/busy.jpg":
            self._send(503, b"busy", "text/plain")
        elif path == "/robots.txt":
            self._send(200, ROBOTS, "text/plain")
        elif path in IMAGES:
            body, ctype = IMAGES[path]
            self._send(200, body, ctype)
        elif path.startswith("/pages/") and path.endswith(".html"):
            name = path.removeprefix("/pages/").removesuffix(".html")
            image = self.server.overrides.get(name)
            if name not in ARTICLES:
                self._send(404, b"no such page", "text/plain")
            else:
                self._send(200, page_html(base, name, image), "text/html; charset=utf-8")
        elif path == "/feed.xml":
            items = "".join(
                f"<item><title>{TITLES[n]}</title><link>{base}/pages/{n}.html</link>"
                f"<guid>{base}/pages/{n}.html</guid></item>"
                for n in self.server.listed
            )
            feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
            self._send(200, feed.encode(), "application/rss+xml")
        else:
            self._send(404, b"not found", "text/plain")


class ImageServer(ThreadingHTTPServer):
    """``hits`` counts requests per path; ``overrides`` changes the photo a page names;
    ``listed`` is what the feed lists."""

    daemon_threads = True
    names: ClassVar[tuple[str, ...]] = tuple(ARTICLES)

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: Counter[str] = Counter()
        self.overrides: dict[str, str] = {}
        self.listed: list[str] = list(ARTICLES)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> ImageServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
