"""An order's reference: LT, the office's calendar day and the day's sequence."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

OFFICE_TIME = ZoneInfo("Asia/Shanghai")  # the office's calendar day dates a reference

REFERENCE_PREFIX = "LT"
MAX_DAILY_SEQUENCE = 999_999


def reference_day(now: datetime) -> date:
    return now.astimezone(OFFICE_TIME).date()


def format_reference(day: date, sequence: int) -> str:
    """`LT` + the office's date + the day's sequence: LT20261122000042."""
    if not 1 <= sequence <= MAX_DAILY_SEQUENCE:
        raise ValueError(f"sequence {sequence} is outside 1..{MAX_DAILY_SEQUENCE}")
    return f"{REFERENCE_PREFIX}{day:%Y%m%d}{sequence:06d}"
