"""Small charts drawn on the server as inline SVG (no script): a story's sources over time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from babel.dates import format_datetime
from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 180
LEFT, RIGHT, TOP, BOTTOM = 36, 16, 14, 30  # margins around the plot, in viewBox units


def _x(moment: datetime, start: datetime, span: float) -> float:
    if span <= 0:
        return LEFT + (WIDTH - LEFT - RIGHT) / 2
    return LEFT + (moment - start).total_seconds() / span * (WIDTH - LEFT - RIGHT)


def _y(count: int, top: int) -> float:
    return HEIGHT - BOTTOM - count / top * (HEIGHT - TOP - BOTTOM)


def sources_over_time(
    points: Sequence[tuple[datetime, int]], *, zone: tzinfo, language: str, title: str
) -> Markup:
    """A step line of how many sources carried a story as time went on; ``title`` names it for
    screen readers. Left to right in every interface language, like a time axis in print."""
    if not points:
        return Markup("")
    start, end = points[0][0], points[-1][0]
    span = (end - start).total_seconds()
    top = max(2, points[-1][1])
    steps: list[str] = []
    dots: list[str] = []
    previous_y = _y(0, top)
    for moment, count in points:
        x, y = _x(moment, start, span), _y(count, top)
        steps.append(f"L{x:.1f},{previous_y:.1f} L{x:.1f},{y:.1f}")
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4"/>')
        previous_y = y
    first_x = _x(start, start, span)
    last_x = WIDTH - RIGHT if span > 0 else first_x
    path = f"M{first_x:.1f},{_y(0, top):.1f} " + " ".join(steps) + f" L{last_x:.1f},{previous_y:.1f}"
    pattern = "d MMM HH:mm" if span >= 86400 else "HH:mm"
    first_label = escape(format_datetime(start.astimezone(zone), pattern, locale=language))
    last_label = escape(format_datetime(end.astimezone(zone), pattern, locale=language))
    grid = "".join(
        f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_y(n, top):.1f}" y2="{_y(n, top):.1f}"/>'
        f'<text class="axis" x="{LEFT - 8}" y="{_y(n, top) + 4:.1f}" text-anchor="end">{n}</text>'
        for n in sorted({0, top // 2, top})
    )
    baseline = HEIGHT - 8
    labels = f'<text class="axis" x="{first_x:.1f}" y="{baseline}" text-anchor="start">{first_label}</text>'
    if span > 0:
        labels += f'<text class="axis" x="{last_x:.1f}" y="{baseline}" text-anchor="end">{last_label}</text>'
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}"'
        f' dir="ltr" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{grid}'
        f'<path class="line" d="{path}"/><g class="dots">{"".join(dots)}</g>{labels}</svg>'
    )
