"""Bar charts of counts per day (or month) on a real time axis, drawn by the template as SVG.

Bars stand where their day is: a 2017 record sits far from the 2024 ones with the empty years
between them, instead of side by side as if they were consecutive days, so a stray clock or
an old file is seen for what it is. Labels are placed where they do not overlap.
"""

from __future__ import annotations

from datetime import date
from typing import Any

MAX_BARS = 120  # more than this many days between the first and the last: a bar per month
LABEL_GAP = 72  # pixels between the starts of two axis labels
LEFT = 30
RIGHT = 10


def _ordinal(label: str) -> int | None:
    """Days (for ``YYYY-MM-DD``) or months (for ``YYYY-MM``) since year 0, or None."""
    try:
        if len(label) == 10:
            return date.fromisoformat(label).toordinal()
        if len(label) == 7:
            year, month = int(label[:4]), int(label[5:7])
            if 1 <= month <= 12:
                return year * 12 + month - 1
    except ValueError:
        return None
    return None


def per_month(series: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Daily counts summed per month."""
    months: dict[str, int] = {}
    for day, count in series:
        months[day[:7]] = months.get(day[:7], 0) + count
    return sorted(months.items())


def time_series(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Counts per day, or per month when the days span more than :data:`MAX_BARS` days."""
    days = sorted((day, count) for day, count in counts.items() if _ordinal(day) is not None)
    if len(days) >= 2:
        span = _ordinal(days[-1][0]) - _ordinal(days[0][0])  # type: ignore[operator]
        if span > MAX_BARS:
            return per_month(days)
    return days


def bar_chart(series: list[tuple[str, int]], width: int = 760, height: int = 150) -> dict[str, Any]:
    """Geometry of a bar chart whose x axis is time (the template draws it as inline SVG).

    ``series`` is ``(YYYY-MM-DD or YYYY-MM, count)``; labels that are not dates are dropped.
    The unit (day or month) is the labels'; each bar's x is proportional to its date.
    """
    points = [(label, count, _ordinal(label)) for label, count in series]
    points = [(label, count, at) for label, count, at in points if at is not None]
    unit = "month" if points and len(points[0][0]) == 7 else "day"
    if not points:
        return {"bars": [], "width": width, "height": height, "max": 0, "unit": unit}
    points.sort(key=lambda point: point[2])
    first, last = points[0][2], points[-1][2]
    slots = last - first + 1
    plot = width - LEFT - RIGHT
    slot = plot / slots
    bar_width = max(2.0, min(slot * 0.8, 60.0))
    top = max(count for _, count, _ in points) or 1
    bars = []
    labelled_until = -LABEL_GAP
    for label, count, at in points:
        x = LEFT + (at - first) * slot + max(0.0, (slot - bar_width) / 2)
        bar_height = round((height - 30) * count / top, 1)
        show = x >= labelled_until and x <= width - LABEL_GAP / 2
        if show:
            labelled_until = x + LABEL_GAP
        bars.append(
            {
                "x": round(x, 1),
                "width": round(bar_width, 1),
                "y": round(height - 20 - bar_height, 1),
                "height": bar_height,
                "label": label,
                "count": count,
                "show_label": show,
            }
        )
    return {"bars": bars, "width": width, "height": height, "max": top, "unit": unit}
