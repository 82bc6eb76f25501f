"""The gateway's rules, without I/O: identifiers, passwords, yuan and fen."""

from __future__ import annotations

from datetime import date

import pytest

from gateway import domain


@pytest.mark.parametrize(
    ("typed", "fen"),
    [("10", 1000), ("10.5", 1050), ("10.00", 1000), ("0.01", 1), ("¥1,234.56", 123456), (" 0 ", 0)],
)
def test_converts_yuan_typed_by_a_person_to_fen_exactly(typed: str, fen: int) -> None:
    assert domain.yuan_to_fen(typed, "amount") == fen


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("10.005", "money.too_many_decimals"),
        ("-1", "money.negative"),
        ("", "money.required"),
        ("ten", "money.not_a_number"),
        ("1e3", "money.not_a_number"),
        ("99999999", "money.too_large"),
    ],
)
def test_refuses_amounts_that_are_not_whole_fen(typed: str, reason: str) -> None:
    with pytest.raises(domain.FieldErrors) as refused:
        domain.yuan_to_fen(typed, "amount")
    assert refused.value.errors == {"amount": [reason]}


def test_fen_read_back_as_yuan_with_two_decimals() -> None:
    assert domain.fen_to_yuan(1050) == "10.50"


def test_recognises_emails_and_mainland_mobile_numbers() -> None:
    assert domain.parse_identifier(" Li.Na@Example.CN ") == domain.Identifier(
        "email", "li.na@example.cn"
    )
    assert domain.parse_identifier("+86 138-0013-8000") == domain.Identifier(
        "mobile", "13800138000"
    )
    with pytest.raises(domain.FieldErrors):
        domain.parse_identifier("12800138000")
    with pytest.raises(domain.FieldErrors):
        domain.parse_identifier("not an address")


def test_a_password_needs_ten_characters_and_a_matching_confirmation() -> None:
    assert domain.check_new_password("0123456789", "0123456789") == "0123456789"
    with pytest.raises(domain.FieldErrors, match="password"):
        domain.check_new_password("012345678")
    with pytest.raises(domain.FieldErrors, match="password_confirmation"):
        domain.check_new_password("0123456789", "0123456780")


def test_a_fee_form_reports_every_bad_field_at_once() -> None:
    with pytest.raises(domain.FieldErrors) as refused:
        domain.parse_fee_form("1.001", "-2", "", "01/12/2026", today=date(2026, 11, 22))
    assert set(refused.value.errors) == {
        "production_yuan",
        "delivery_yuan",
        "approval_ref",
        "effective_from",
    }


def test_a_fee_from_a_future_day_starts_at_midnight_china_time() -> None:
    change = domain.parse_fee_form("10", "15", " QD-1 ", "2026-12-01", today=date(2026, 11, 22))
    assert change == domain.FeeChange(1000, 1500, "QD-1", "2026-12-01T00:00:00+08:00")
    today = domain.parse_fee_form("10", "15", "QD-1", "2026-11-22", today=date(2026, 11, 22))
    assert today.effective_from is None
