"""The statistics' arithmetic: whole working days between two times, and the
nearest-rank percentile of a histogram (bucket → count), which equals the
percentile of the list the histogram counts, without keeping the list."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from common.working_days import OFFICE_TIME

_LONGEST = 3660  # days: a step longer than ten years is data from elsewhere, counted as that


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days from `start` to `end`: the largest n with start + n working
    days ≤ end (common.working_days' rule), 0 within the first working day."""
    if end <= start:
        return 0
    local, stop = start.astimezone(OFFICE_TIME), end.astimezone(OFFICE_TIME)
    days = 0
    for _ in range(_LONGEST):
        local += timedelta(days=1)
        if local > stop:
            break
        if local.weekday() < 5:
            days += 1
    return days


def percentile_from_histogram(histogram: Mapping[int, int], p: float) -> int | None:
    """The smallest bucket whose cumulative count reaches ⌈p·n⌉ (None when empty)."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(p * total))
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return bucket
    raise AssertionError("unreachable: the ranks add up to the total")


def percentile(values: Sequence[int], p: float) -> int | None:
    """The nearest-rank percentile of a list: what the histogram's must equal."""
    if not values:
        return None
    return sorted(values)[max(1, math.ceil(p * len(values))) - 1]
