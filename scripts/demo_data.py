"""Rebuild the demo's own data in src/akhbar/demo/: the parallel-news subset and the newsroom photo.

- ``parallel/docs.jsonl``: the articles of :data:`GROUPS` (English originals with their professional
  Arabic and French translations) taken from ../shared/data/parallel-news (NTREX-128, CC BY-SA 4.0:
  the licence is copied next to them, and the subset stays under it);
- ``newsroom/harbour.jpg``: a picture drawn here with Pillow (a harbour at sunrise), our own work,
  given to the public domain (CC0) — the photo of the demo's editor's article.

Run: uv run python scripts/demo_data.py [SHARED_DATA_DIR]
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

DEMO = Path(__file__).resolve().parents[1] / "src" / "akhbar" / "demo"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
# NTREX document ids: one story in four outlets, two stories in two, one single article
GROUPS = (
    "nytimes.184837",
    "reuters.218863",
    "euronews-en.153835",
    "telegraph.405422",
    "rt.com.91337",
    "reuters.218932",
    "cbsnews.248387",
    "reuters.218909",
    "abcnews.306764",
)


def subset(shared: Path) -> None:
    source = shared / "parallel-news"
    wanted = {f"ntrex128:{group}" for group in GROUPS}
    out = DEMO / "parallel"
    out.mkdir(parents=True, exist_ok=True)
    lines = []
    for line in (source / "docs.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        if doc["group"] in wanted:
            keep = {k: doc[k] for k in ("group", "lang", "title", "text", "source", "translation")}
            for field in ("title", "text"):  # one translation kept a segment tag of the corpus
                keep[field] = re.sub(r"</?seg[^>]*>", "", keep[field]).strip()
            lines.append(json.dumps(keep, ensure_ascii=False))
    (out / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copyfile(source / "LICENSE.md", out / "LICENSE.md")


def harbour(width: int = 1600, height: int = 900, seed: int = 17) -> Image.Image:
    """A harbour at sunrise: sky, sun, hills, a lighthouse, sea and boats."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    horizon = int(height * 0.58)
    for y in range(horizon):  # sky: deep blue to warm orange
        t = y / horizon
        draw.line([(0, y), (width, y)], fill=(int(40 + 210 * t), int(70 + 120 * t), int(140 - 40 * t)))
    draw.ellipse((width * 0.62, horizon - 170, width * 0.62 + 170, horizon), fill=(255, 214, 120))
    for hill, (shade, amp) in enumerate(((92, 60), (62, 90))):
        points = [(0, horizon)]
        for x in range(0, width + 40, 40):
            points.append((x, horizon - amp - 40 * math.sin(x / (180 + hill * 90) + hill) - hill * 10))
        points.append((width, horizon))
        draw.polygon(points, fill=(shade, shade + 30, shade + 20))
    for y in range(horizon, height):  # sea
        t = (y - horizon) / (height - horizon)
        draw.line(
            [(0, y), (width, y)],
            fill=(int(30 + 40 * (1 - t)), int(90 + 50 * (1 - t)), int(130 + 40 * (1 - t))),
        )
    for _ in range(260):  # glitter of the sun on the water
        x = width * 0.62 + 85 + rng.gauss(0, 70)
        y = rng.uniform(horizon + 4, height)
        draw.line([(x - 18, y), (x + 18, y)], fill=(255, 205, 130), width=2)
    lx = int(width * 0.16)  # the lighthouse on its jetty
    draw.rectangle((0, horizon + 40, lx + 160, horizon + 70), fill=(70, 60, 55))
    draw.polygon(
        [(lx, horizon + 40), (lx + 50, horizon + 40), (lx + 40, horizon - 190), (lx + 10, horizon - 190)],
        fill=(240, 240, 235),
    )
    for band in range(3):
        top = horizon - 150 + band * 60
        draw.rectangle((lx + 8, top, lx + 42, top + 22), fill=(200, 40, 40))
    draw.rectangle((lx + 6, horizon - 220, lx + 44, horizon - 190), fill=(255, 240, 160))
    for bx, size in ((0.42, 1.0), (0.55, 0.7), (0.8, 0.85)):  # boats
        x, y, s = int(width * bx), horizon + int(120 * size), size
        draw.polygon(
            [(x, y), (x + 150 * s, y), (x + 120 * s, y + 35 * s), (x + 25 * s, y + 35 * s)],
            fill=(120, 50, 40),
        )
        draw.line([(x + 70 * s, y), (x + 70 * s, y - 130 * s)], fill=(60, 40, 30), width=4)
        draw.polygon(
            [(x + 74 * s, y - 125 * s), (x + 74 * s, y - 10 * s), (x + 140 * s, y - 10 * s)],
            fill=(245, 240, 225),
        )
    return image.filter(ImageFilter.SMOOTH)


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED
    subset(shared)
    out = DEMO / "newsroom"
    out.mkdir(parents=True, exist_ok=True)
    harbour().save(out / "harbour.jpg", "JPEG", quality=82, optimize=True, progressive=True)


if __name__ == "__main__":
    main()
