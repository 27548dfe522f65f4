"""Draw akhbar's icons (favicon.ico, icon-192.png, icon-512.png) into src/akhbar/web/static/.

The mark is the Arabic letter أ (the first of أخبار) in Noto Kufi Arabic (SIL Open Font License),
white on the portal's green; icon.svg is the same mark drawn by hand. Run: uv run python scripts/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

STATIC = Path(__file__).resolve().parents[1] / "src" / "akhbar" / "web" / "static"
FONT = "/usr/share/fonts/truetype/noto/NotoKufiArabic-Bold.ttf"
GREEN = (11, 93, 75)


def icon(size: int) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=GREEN)
    font = ImageFont.truetype(FONT, int(size * 0.62))
    draw.text((size / 2, size * 0.50), "أ", font=font, fill="white", anchor="mm")
    return image


def main() -> None:
    icon(512).save(STATIC / "icon-512.png", optimize=True)
    icon(192).save(STATIC / "icon-192.png", optimize=True)
    icon(256).save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
