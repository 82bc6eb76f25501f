"""The office's calendar: its time zone and its working days.

Service-level agreements are promised in working days (the catalog's
`sla_working_days`); verification counts the review's due time with it and
fulfillment the production's, so both count the same way, here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

OFFICE_TIME = ZoneInfo("Asia/Shanghai")


def add_working_days(start: datetime, days: int) -> datetime:
    """`start` moved on by `days` working days (Monday to Friday in office time, from
    the same time of day; public holidays are not modelled). A start at a weekend
    counts from it: Saturday 10:00 + 1 is Monday 10:00."""
    local = start.astimezone(OFFICE_TIME)
    remaining = days
    while remaining > 0:
        local += timedelta(days=1)
        if local.weekday() < 5:
            remaining -= 1
    return local.astimezone(start.tzinfo)
