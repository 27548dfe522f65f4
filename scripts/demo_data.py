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

from PIL import Image, ImageDraw, ImageFilter, ImageFont

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


# A locator map of the demo's lead story (the Sulawesi earthquake and the Palu tsunami of 28 September
# 2018), drawn from rounded coordinates: an illustration, not a survey. (longitude, latitude) pairs.
WINDOW = (117.5, 124.5, 1.6, -2.35)  # west, east, north, south
SULAWESI = (
    (121.0, 1.3),
    (120.6, 1.15),
    (120.25, 0.95),
    (120.0, 0.6),
    (119.85, 0.25),
    (119.78, -0.1),
    (119.82, -0.45),
    (119.86, -0.6),
    (119.9, -0.92),
    (119.78, -0.92),
    (119.74, -0.7),
    (119.7, -0.64),
    (119.6, -0.72),
    (119.52, -0.95),
    (119.4, -1.25),
    (119.3, -1.7),
    (119.25, -2.2),
    (119.15, -2.35),
    (120.9, -2.35),
    (120.75, -2.0),
    (121.2, -1.75),
    (121.9, -1.6),
    (122.6, -1.3),
    (123.35, -1.05),
    (123.2, -0.88),
    (122.8, -0.92),
    (122.2, -0.8),
    (121.5, -0.9),
    (120.9, -1.3),
    (120.6, -1.3),
    (120.3, -0.95),
    (120.15, -0.45),
    (120.25, 0.0),
    (120.45, 0.25),
    (121.5, 0.45),
    (122.5, 0.5),
    (123.5, 0.45),
    (124.5, 0.45),
    (124.5, 0.9),
    (124.0, 0.85),
    (123.0, 0.95),
    (122.0, 1.05),
    (121.5, 1.25),
)
BORNEO = (
    (117.5, 1.6),
    (118.4, 1.6),
    (118.9, 1.05),
    (118.2, 0.85),
    (117.95, 0.1),
    (117.6, -0.6),
    (117.3, -1.0),
    (117.5, -2.35),
    (117.5, -2.35),
)
PLACES = (("Palu", 119.87, -0.9), ("Donggala", 119.74, -0.68), ("Poso", 120.75, -1.38))
EPICENTRE = (119.84, -0.18)


def locator_map(width: int = 1600, height: int = 900) -> Image.Image:
    """Central Sulawesi with Palu, Donggala and the epicentre marked (labels in Latin script, kept
    away from the sides, which a card's crop may cut; the credit goes in the caption)."""
    west, east, north, south = WINDOW

    def at(lon: float, lat: float) -> tuple[float, float]:
        return ((lon - west) / (east - west) * width, (north - lat) / (north - south) * height)

    image = Image.new("RGB", (width, height), (178, 211, 232))
    draw = ImageDraw.Draw(image)
    for step in range(1, 7):  # graticule, one degree apart
        x = at(west + step, 0)[0]
        draw.line([(x, 0), (x, height)], fill=(160, 196, 220), width=2)
    for lat in (1, 0, -1, -2):
        y = at(0, lat)[1]
        draw.line([(0, y), (width, y)], fill=(160, 196, 220), width=2)
    for shape in (SULAWESI, BORNEO):
        draw.polygon([at(*p) for p in shape], fill=(236, 228, 206), outline=(150, 140, 120), width=3)
    regular = "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"
    bold = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"
    small, large = ImageFont.truetype(regular, 34), ImageFont.truetype(bold, 44)
    ex, ey = at(*EPICENTRE)
    for radius, colour in ((150, (245, 190, 170)), (100, (240, 150, 125)), (55, (225, 95, 70))):
        draw.ellipse((ex - radius, ey - radius, ex + radius, ey + radius), outline=colour, width=6)
    star = [
        (ex + r * math.sin(math.pi * k / 5), ey - r * math.cos(math.pi * k / 5))
        for k, r in zip(range(10), (26, 11) * 5, strict=True)
    ]
    draw.polygon(star, fill=(200, 30, 30), outline=(90, 10, 10))
    draw.text((ex + 40, ey - 70), "Epicentre, M 7.5", font=small, fill=(120, 20, 20))
    for name, lon, lat in PLACES:
        x, y = at(lon, lat)
        draw.ellipse((x - 10, y - 10, x + 10, y + 10), fill=(40, 40, 40))
        draw.text((x + 18, y - 8), name, font=small, fill=(30, 30, 30))
    draw.text(at(119.4, -1.9), "SULAWESI", font=large, fill=(110, 100, 80))
    draw.text(at(118.1, -1.75), "Makassar Strait", font=small, fill=(60, 100, 140))
    draw.text(at(121.4, -0.25), "Gulf of Tomini", font=small, fill=(60, 100, 140))
    return image


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED
    subset(shared)
    out = DEMO / "newsroom"
    out.mkdir(parents=True, exist_ok=True)
    harbour().save(out / "harbour.jpg", "JPEG", quality=82, optimize=True, progressive=True)
    locator_map().save(out / "sulawesi-map.png", "PNG", optimize=True)


if __name__ == "__main__":
    main()
