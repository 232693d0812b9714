"""Small inline SVG line charts of one body's series across years, drawn here (no charting library, no script).

The x axis runs over calendar years; the line joins the stated values of the years given, and a year given
with no value (its report is silent) is a gap: no point, no line through it. Every point carries its value
as text and as a tooltip:

    >>> svg = line_chart("收到申请", [(2021, 37), (2022, None), (2023, 14)])
    >>> svg.startswith('<svg class="chart"') and svg.count("<circle") == 2 and "<polyline" not in svg
    True
    >>> 'aria-label="收到申请: 2021 37, 2022 —, 2023 14"' in svg
    True
"""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 300, 130
LEFT, RIGHT, TOP, BOTTOM = 24, 24, 22, 24


def line_chart(title: str, points: list[tuple[int, float | None]]) -> str:
    """An SVG chart of `points` (year, value or None), in year order."""
    years = [year for year, _ in points]
    stated = [value for _, value in points if value is not None]
    low_year, high_year = min(years), max(years)
    top_value = max(stated, default=0) or 1

    def x(year: int) -> float:
        span = high_year - low_year
        return LEFT + (WIDTH - LEFT - RIGHT) * ((year - low_year) / span if span else 0.5)

    def y(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top_value)

    label = f"{title}: " + ", ".join(f"{year} {_number(value)}" for year, value in points)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<line class="axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}"/>',
    ]
    run: list[tuple[float, float]] = []
    for (year, value), following in zip(points, [*points[1:], None]):
        parts.append(f'<text class="year" x="{x(year):.1f}" y="{HEIGHT - 8}" text-anchor="middle">{year}</text>')
        if value is not None:
            run.append((x(year), y(value)))
            parts.append(f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="3"><title>{year}: {_number(value)}</title></circle>')
            parts.append(f'<text class="value" x="{x(year):.1f}" y="{y(value) - 7:.1f}" text-anchor="middle">{_number(value)}</text>')
        if following is None or following[1] is None:
            if len(run) > 1:
                parts.append('<polyline points="' + " ".join(f"{px:.1f},{py:.1f}" for px, py in run) + '"/>')
            run = []
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float | None) -> str:
    """A value as the charts print it.

    >>> _number(None), _number(3), _number(2.50)
    ('—', '3', '2.5')
    """
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
