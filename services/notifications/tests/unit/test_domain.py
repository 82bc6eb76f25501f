"""The rules: channels by preference and contact, quiet hours in Beijing time,
the back-off schedule, preferences that cannot be switched off, masking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from notifications import domain
from notifications.domain import Channel, Contact, Preferences

from common.clock import FrozenClock

BOTH = Contact(phone="13912345678", email="zhang@example.com")


def beijing(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=domain.BEIJING).astimezone(UTC)


def test_the_inbox_always_gets_the_message_and_sms_and_email_follow_the_preferences():
    assert domain.channels_for(False, Preferences(), BOTH) == ["inapp", "sms", "email"]
    off = Preferences(sms=False, email=False)
    assert domain.channels_for(False, off, BOTH) == ["inapp"]


def test_a_required_message_goes_by_sms_and_email_even_when_they_are_switched_off():
    off = Preferences(sms=False, email=False)
    assert domain.channels_for(True, off, BOTH) == ["inapp", "sms", "email"]


def test_no_sms_or_email_goes_out_without_a_phone_or_an_address():
    assert domain.channels_for(True, Preferences(), Contact()) == ["inapp"]


@pytest.mark.parametrize(("hour", "minute", "quiet"), [
    (21, 59, False), (22, 0, True), (23, 30, True), (0, 0, True), (7, 59, True), (8, 0, False),
])  # fmt: skip
def test_quiet_hours_are_22_to_8_in_beijing(hour, minute, quiet):
    assert domain.in_quiet_hours(beijing(hour, minute)) is quiet


def test_an_sms_at_23_beijing_time_is_held_until_8_the_next_morning():
    clock = FrozenClock(beijing(23))
    assert domain.release_at(clock.now(), Channel.SMS, exempt=False) == beijing(8, day=3)


def test_an_sms_at_6_in_the_morning_is_held_until_8_the_same_morning():
    assert domain.release_at(beijing(6), Channel.SMS, exempt=False) == beijing(8)


def test_the_pickup_code_and_email_are_not_held_by_quiet_hours():
    assert domain.release_at(beijing(23), Channel.SMS, exempt=True) == beijing(23)
    assert domain.release_at(beijing(23), Channel.EMAIL, exempt=False) == beijing(23)


def test_an_sms_in_the_day_goes_at_once():
    assert domain.release_at(beijing(14), Channel.SMS, exempt=False) == beijing(14)


def test_the_back_off_doubles_from_30_seconds_up_to_30_minutes():
    waits = [domain.backoff(n).total_seconds() for n in range(1, 9)]
    assert waits == [30, 60, 120, 240, 480, 960, 1800, 1800]


def test_after_the_last_attempt_there_is_no_next_one():
    now = beijing(10)
    assert domain.after_failure(3, 8, now) == now + timedelta(minutes=2)
    assert domain.after_failure(8, 8, now) is None


def test_the_inbox_cannot_be_switched_off():
    assert domain.check_preferences({"inapp": False}) == {
        "inapp": ["The in-app inbox holds every message and cannot be switched off."]
    }


def test_a_language_we_do_not_write_in_is_refused_naming_the_field():
    assert list(domain.check_preferences({"language": "fr"})) == ["language"]
    assert domain.check_preferences({"sms": False, "email": True, "language": "en"}) == {}


def test_money_is_written_in_yuan_and_deadlines_in_beijing_time():
    assert domain.yuan(2500) == "¥25.00" and domain.yuan(5) == "¥0.05"
    deadline = datetime(2026, 3, 9, 9, 35, tzinfo=UTC)
    assert domain.beijing_time(deadline, "zh-CN") == "3月9日17:35"
    assert domain.beijing_time(deadline, "en") == "9 Mar 17:35 (Beijing time)"


def test_contacts_are_masked_for_staff_and_logs():
    assert domain.mask_phone("13912345678") == "139****5678"
    assert domain.mask_email("zhang@example.com") == "z***@example.com"


def test_quiet_hours_of_the_same_day_hold_an_sms_until_they_end():
    lunch = domain.QuietHours.parse("12:00-14:00")
    assert domain.release_at(beijing(11, 59), Channel.SMS, False, lunch) == beijing(11, 59)
    assert domain.release_at(beijing(12, 30), Channel.SMS, False, lunch) == beijing(14)
    assert domain.release_at(beijing(14), Channel.SMS, False, lunch) == beijing(14)


def test_set_quiet_hours_past_midnight_hold_an_sms_until_their_morning():
    late = domain.QuietHours.parse("21:30-07:00")
    assert domain.release_at(beijing(21, 45), Channel.SMS, False, late) == beijing(7, day=3)
    assert domain.release_at(beijing(6), Channel.SMS, False, late) == beijing(7)


def test_no_quiet_hours_hold_nothing():
    assert domain.QuietHours.parse("off") is None
    assert domain.release_at(beijing(23), Channel.SMS, False, None) == beijing(23)
