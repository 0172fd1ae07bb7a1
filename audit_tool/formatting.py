"""How figures and dates read, the same in the window, the reports and the command line.

One place for each: a share as a whole percent, an interval of shares, a stored time stamp as
a day or as a local date and time, a day written out ("7 December 2026"). A figure with no
value reads NO_VALUE everywhere.
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime

NO_VALUE = "—"  # em dash: a share with nothing rated, a date never set


def percent(share: float | None, missing: str = NO_VALUE) -> str:
    """0.473 -> '47%'; None -> NO_VALUE (or `missing`)."""
    return missing if share is None else f"{share * 100:.0f}%"


def percent_interval(low: float, high: float) -> str:
    """(0.48, 0.63) -> '48–63%' (an en dash between the bounds, as ranges are written)."""
    return f"{low * 100:.0f}–{high * 100:.0f}%"


def day(stamp: str | None, missing: str = NO_VALUE) -> str:
    """A stored ISO time stamp as its date, '2026-12-07'; NO_VALUE when there is none."""
    return stamp[:10] if stamp else missing


def long_date(moment: Date | datetime) -> str:
    """'7 December 2026': a date as a report's reader reads it."""
    return f"{moment.day} {moment.strftime('%B %Y')}"


def local_datetime(stamp: str, seconds: bool = False, joiner: str = " ") -> str:
    """A stored ISO time stamp in the computer's local time, '07 Dec 2026 14:05' (with
    `seconds`, '14:05:09'; `joiner` ' at ' reads '07 Dec 2026 at 14:05'). A stamp that is not
    a time is shown as it is."""
    try:
        moment = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp
    return moment.strftime(f"%d %b %Y{joiner}%H:%M" + (":%S" if seconds else ""))


__all__ = [
    "NO_VALUE",
    "day",
    "local_datetime",
    "long_date",
    "percent",
    "percent_interval",
]
