"""``HH:MM`` clock times as integer minutes since midnight of the round's day.

Times past midnight are written past 24:00 (``25:30``), so a round through the night stays ordered.
"""

from __future__ import annotations

import re

_HHMM = re.compile(r"^(\d{1,2}):([0-5]\d)$")

#: The latest clock time accepted: two full days, enough for any round that runs through a night.
MAX_MINUTES = 48 * 60


def parse_hhmm(text: str) -> int | None:
    """Parse ``"HH:MM"`` into minutes since midnight.

    Parameters
    ----------
    text
        Clock time; hours may exceed 23 for the next morning, up to ``48:00``.

    Returns
    -------
    int or None
        Minutes since midnight, or ``None`` when ``text`` is not such a time.
    """
    match = _HHMM.match(text.strip())
    if match is None:
        return None
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    return minutes if minutes <= MAX_MINUTES else None


def format_hhmm(minutes: float) -> str:
    """Format minutes since midnight as ``HH:MM`` (rounded down to the minute; 25:30 past midnight).

    Negative values are clamped to ``00:00``; clock times before midnight of the round's day are
    never printed.
    """
    whole = max(0, int(minutes // 1))
    return f"{whole // 60:02d}:{whole % 60:02d}"
