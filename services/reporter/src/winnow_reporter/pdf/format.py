"""How the PDF writes numbers, times and free text (escaped for reportlab's markup)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

__all__ = [
    "esc",
    "fmt_config_value",
    "fmt_distance",
    "fmt_int",
    "fmt_number",
    "fmt_seconds",
    "fmt_time",
    "pct",
]

_MAX_VALUE_CHARS = 300


def esc(value: Any) -> str:
    """``value`` as escaped paragraph markup, cut to 300 characters."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 3] + "..."
    return escape(text)


def fmt_time(ms: int | None) -> str:
    """A millisecond timestamp as ``YYYY-MM-DD HH:MM:SS UTC`` (``n/a`` for ``None``)."""
    if ms is None:
        return "n/a"
    return datetime.fromtimestamp(ms / 1000.0, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _fmt_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    total = round(seconds)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    if h:
        return f"{h} h {m:02d} min {s:02d} s"
    return f"{m} min {s:02d} s"


def fmt_seconds(seconds: float | None) -> str:
    """Seconds with one decimal, plus hours and minutes from a minute on."""
    if seconds is None:
        return "n/a"
    text = f"{float(seconds):,.1f} s"
    if float(seconds) >= 60:
        text += f" ({_fmt_duration(float(seconds))})"
    return text


def fmt_config_value(value: Any) -> str:
    """A configuration value as a reader expects it (JSON for booleans, None and containers)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list, tuple)):
        try:
            return json.dumps(value, sort_keys=True, default=str)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def pct(part: int, whole: int) -> str:
    """``part`` as a share of ``whole`` (one decimal; ``<0.1%`` for a tiny non-zero share)."""
    if whole <= 0:
        return "n/a"
    share = 100.0 * part / whole
    if 0 < share < 0.1:
        return "<0.1%"
    return f"{share:.1f}%"


def fmt_int(value: Any) -> str:
    """An integer with thousands separators (``1,234``), ``n/a`` for ``None``."""
    if value is None:
        return "n/a"
    return f"{int(value):,}"


def fmt_number(value: Any) -> str:
    """A measured value: 3 decimals below 1,000, else 1 decimal with separators."""
    if value is None:
        return "n/a"
    v = float(value)
    if not math.isfinite(v):
        return "n/a"
    return f"{v:,.1f}" if abs(v) >= 1000 else f"{v:.3f}"


def fmt_distance(value: Any) -> str:
    """An example pair's distance (4 decimals)."""
    return "n/a" if value is None else f"{float(value):.4f}"
