"""Money in yuan, numbers and times in Beijing time, as each language writes them."""

from __future__ import annotations

from gateway.formatting import day, moment, money, number, one_decimal


def test_money_is_fen_shown_as_yuan_with_the_languages_own_symbol() -> None:
    assert money(1000, "zh-CN") == "¥10.00"
    assert money(5, "zh-CN") == "¥0.05"
    assert money(123456789, "zh-CN") == "¥1,234,567.89"
    assert money(1650, "en") == "¥16.50"  # not CLDR's "CN¥": every price here is in yuan
    assert money(123450, "fr") == "1\u202f234,50\u00a0¥"  # where the language puts it
    assert money(-1050, "zh-CN") == "-¥10.50"


def test_money_never_goes_through_floating_point() -> None:
    assert money(1_000_000_01, "zh-CN") == "¥1,000,000.01"
    assert money(29, "en") == "¥0.29"


def test_numbers_are_grouped_and_a_rating_has_one_decimal() -> None:
    assert number(1234567, "zh-CN") == number(1234567, "en") == "1,234,567"
    assert one_decimal(4.87, "en") == "4.9"
    assert one_decimal(4.0, "zh-CN") == "4.0"


def test_times_are_shown_in_beijing_time_to_the_minute() -> None:
    assert moment("2026-11-22T06:03:59+00:00", "en") == "2026-11-22 14:03"
    assert moment("2026-11-22T23:30:00Z", "zh-CN") == "2026-11-23 07:30"
    assert moment("2026-11-22T14:03:00", "en") == "2026-11-22 14:03"  # no zone: as written
    assert moment(None, "en") == ""
    assert moment("not a time", "en") == "not a time"


def test_a_day_is_the_day_in_beijing() -> None:
    assert day("2026-11-30T16:00:00+00:00", "en") == "2026-12-01"
    assert day("2099-01-01", "zh-CN") == "2099-01-01"
    assert day("", "en") == ""


def test_outside_a_request_the_default_language_is_used() -> None:
    assert money(1000) == "¥10.00"
