"""Numbers as a person reads them: 12.3k tokens, 1.4 s, 4.2%, 3 min ago."""

from __future__ import annotations

import math
from datetime import datetime

MISSING = "—"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value) -> str:
    """Counts: 950, 12.3k, 4.5M, 1.2B."""
    if _missing(value):
        return MISSING
    magnitude = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= threshold:
            scaled = value / threshold
            text = f"{scaled:.0f}" if abs(scaled) >= 100 else f"{scaled:.1f}".rstrip("0").rstrip(".")
            return text + suffix
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def duration_ms(value) -> str:
    """Latencies: 850 ms, 1.4 s, 2 min 05 s, 1 h 02 min."""
    if _missing(value):
        return MISSING
    if value < 1000:
        return f"{value:.0f} ms"
    seconds = value / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def percent(value) -> str:
    if _missing(value):
        return MISSING
    return f"{value:.1f}%"


def rate(part, whole):
    """part / whole in percent, None without a whole."""
    return None if _missing(part) or not whole else 100 * part / whole


def change(current, previous) -> str | None:
    """Relative change against the previous period, or None when there is nothing to compare."""
    if _missing(current) or _missing(previous) or previous == 0:
        return None
    return f"{100 * (current - previous) / previous:+.0f}%"


def points(current, previous) -> str | None:
    """Change of a percentage, in percentage points."""
    if _missing(current) or _missing(previous):
        return None
    return f"{current - previous:+.1f} pp"


def ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 86400:
        return f"{seconds // 3600:.0f} h ago"
    return f"{seconds // 86400:.0f} d ago"
