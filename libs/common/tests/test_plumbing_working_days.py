"""Working days are counted in the office's time zone, weekends skipped."""

from __future__ import annotations

from datetime import UTC, datetime

from common.working_days import OFFICE_TIME, add_working_days

FRIDAY_9AM = datetime(2026, 3, 6, 9, 0, tzinfo=OFFICE_TIME)


def test_a_working_day_after_friday_is_monday_at_the_same_time() -> None:
    assert add_working_days(FRIDAY_9AM, 1) == datetime(2026, 3, 9, 9, 0, tzinfo=OFFICE_TIME)


def test_three_working_days_after_friday_is_wednesday() -> None:
    assert add_working_days(FRIDAY_9AM, 3) == datetime(2026, 3, 11, 9, 0, tzinfo=OFFICE_TIME)


def test_the_weekday_is_the_offices_not_utcs() -> None:
    # Thursday 17:00 UTC is already Friday 01:00 in the office: one day on is Monday.
    thursday_evening_utc = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
    due = add_working_days(thursday_evening_utc, 1)
    assert due == datetime(2026, 3, 8, 17, 0, tzinfo=UTC)  # Monday 01:00 in the office
    assert due.tzinfo is UTC


def test_a_start_at_the_weekend_counts_from_it() -> None:
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=OFFICE_TIME)
    assert add_working_days(saturday, 1) == datetime(2026, 3, 9, 10, 0, tzinfo=OFFICE_TIME)


def test_five_working_days_from_monday_is_the_next_monday() -> None:
    monday = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert add_working_days(monday, 5) == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)


def test_no_working_days_is_the_start_itself() -> None:
    assert add_working_days(FRIDAY_9AM, 0) == FRIDAY_9AM
