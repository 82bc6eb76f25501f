"""Fulfillment's rules on their own: no database, no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fulfillment import domain
from fulfillment.domain import (
    DueState,
    ExceptionReason,
    JobStatus,
    Move,
    PickupLocked,
    PickupStep,
    Seen,
    WrongCode,
)

# 2026-03-06 is a Friday; 01:00 UTC is 09:00 in Beijing.
FRIDAY_9AM = datetime(2026, 3, 6, 1, 0, tzinfo=UTC)


def seen(event_id: str, state: str, minute: int, seq: int = 0) -> Seen:
    return Seen(event_id, state, FRIDAY_9AM + timedelta(minutes=minute), seq)


# --- the SLA ---------------------------------------------------------------------------


def test_a_job_is_on_time_due_today_then_late() -> None:
    due = datetime(2026, 3, 11, 1, 0, tzinfo=UTC)  # Wednesday 09:00 Beijing
    assert domain.due_state(due, due - timedelta(days=1)) is DueState.ON_TIME
    assert domain.due_state(due, due - timedelta(hours=8)) is DueState.DUE_TODAY  # 01:00 Beijing
    assert domain.due_state(due, due + timedelta(seconds=1)) is DueState.LATE


# --- credential numbers ------------------------------------------------------------


@pytest.mark.parametrize("number", ["37020012345", "3702001234567", "37020012345X", ""])
def test_a_driving_licence_file_number_must_be_twelve_digits(number: str) -> None:
    assert domain.check_credential(domain.DRIVING_LICENCE, number, None)


def test_a_twelve_digit_file_number_is_accepted() -> None:
    assert domain.check_credential(domain.DRIVING_LICENCE, "370200123456", None) == []


def test_a_plate_must_equal_the_plate_on_the_form_once_normalised() -> None:
    assert domain.check_credential(domain.PLATES, "鲁b·12345", "鲁B 12345") == []
    assert "equal" in domain.check_credential(domain.PLATES, "鲁B12346", "鲁B12345")[0]


@pytest.mark.parametrize("plate", ["鲁B1234", "XB12345", "鲁BO1234", "鲁B1234567"])
def test_a_plate_of_the_wrong_format_is_refused_even_without_the_form(plate: str) -> None:
    assert domain.check_credential(domain.PLATES, plate, None)


def test_a_new_energy_plate_has_six_characters_after_the_letter() -> None:
    assert domain.check_credential(domain.PLATES, "鲁BD12345", "鲁BD12345") == []


def test_an_inspection_mark_serial_is_year_office_letter_and_seven_digits() -> None:
    assert domain.check_credential(domain.ANNUAL, "2026B0001234", None) == []
    assert domain.check_credential(domain.ANNUAL, "2026b0001234", None)
    assert domain.check_credential(domain.ANNUAL, "1999B0001234", None)
    assert domain.check_credential(domain.ANNUAL, "2026B000123", None)


def test_the_applicant_never_sees_the_inspection_marks_serial() -> None:
    assert domain.credential_visible(domain.DRIVING_LICENCE)
    assert domain.credential_visible(domain.PLATES)
    assert not domain.credential_visible(domain.ANNUAL)


# --- waybills ------------------------------------------------------------------------


def test_the_s10_check_digit_matches_the_upu_worked_example() -> None:
    # UPU S10: serial 47312482 → weighted sum 200, 11 - 200 % 11 = 9.
    assert domain.s10_check_digit("47312482") == 9


@pytest.mark.parametrize(("serial", "digit"), [("00000000", 5), ("00000001", 4), ("02000000", 0)])
def test_the_check_digit_maps_ten_to_zero_and_eleven_to_five(serial: str, digit: int) -> None:
    assert domain.s10_check_digit(serial) == digit


def test_a_waybill_number_is_two_letters_eight_digits_a_check_digit_and_cn() -> None:
    number = domain.waybill_number("EA", 1)
    assert number == "EA000000014CN"
    assert domain.is_valid_waybill(number)
    assert not domain.is_valid_waybill("EA000000015CN")


# --- tracking ------------------------------------------------------------------------


def test_the_shown_status_is_the_latest_by_event_time_whatever_the_arrival_order() -> None:
    events = [
        seen("3", "out_for_delivery", 30, 1),
        seen("1", "collected", 0, 2),
        seen("2", "in_transit", 10, 3),
    ]
    assert domain.reduce_tracking(events).status == "out_for_delivery"


def test_a_signed_shipment_never_moves_back() -> None:
    events = [
        seen("1", "signed", 30, 1),
        seen("2", "problem", 40, 2),
        seen("3", "in_transit", 50, 3),
    ]
    tracking = domain.reduce_tracking(events)
    assert tracking.status == "signed"
    assert tracking.exception is None


def test_the_third_failed_attempt_makes_an_exception() -> None:
    two = [seen("1", "problem", 10), seen("2", "problem", 20)]
    assert domain.reduce_tracking(two).exception is None
    three = [*two, seen("3", "problem", 30)]
    tracking = domain.reduce_tracking(three)
    assert tracking.failed_attempts == 3
    assert tracking.exception is ExceptionReason.THREE_FAILED_ATTEMPTS


@pytest.mark.parametrize("state", ["refused", "returned"])
def test_a_refusal_or_a_return_makes_an_exception(state: str) -> None:
    tracking = domain.reduce_tracking([seen("1", "collected", 0), seen("2", state, 10)])
    assert tracking.exception == state


# --- pickup --------------------------------------------------------------------------


def test_a_pickup_code_is_six_digits_and_never_all_zeros() -> None:
    codes = {domain.new_pickup_code() for _ in range(200)}
    assert all(len(code) == 6 and code.isdigit() and code != "000000" for code in codes)
    assert len(codes) > 150


def test_a_right_code_keeps_the_count_and_a_wrong_one_says_the_attempts_left() -> None:
    assert domain.check_pickup_code("123456", "123456", 2) == 2
    with pytest.raises(WrongCode) as wrong:
        domain.check_pickup_code("123456", "654321", 2)
    assert wrong.value.attempts_left == 2


def test_after_five_wrong_codes_even_the_right_one_is_locked_out() -> None:
    with pytest.raises(WrongCode) as fifth:
        domain.check_pickup_code("123456", "000001", 4)
    assert fifth.value.attempts_left == 0
    with pytest.raises(PickupLocked):
        domain.check_pickup_code("123456", "123456", 5)


def test_an_uncollected_credential_is_reminded_once_then_returned() -> None:
    ready = FRIDAY_9AM
    thirty, sixty = timedelta(days=30), timedelta(days=60)
    assert (
        domain.uncollected_step(ready, ready + timedelta(days=29), False, thirty, sixty)
        is PickupStep.NONE
    )
    assert domain.uncollected_step(ready, ready + thirty, False, thirty, sixty) is PickupStep.REMIND
    assert domain.uncollected_step(ready, ready + thirty, True, thirty, sixty) is PickupStep.NONE
    assert domain.uncollected_step(ready, ready + sixty, True, thirty, sixty) is PickupStep.RETURN


# --- the job and the address -------------------------------------------------------


def test_a_job_moves_only_along_its_table() -> None:
    assert domain.next_job_status("queued", Move.START) is JobStatus.IN_PRODUCTION
    with pytest.raises(domain.WrongState) as wrong:
        domain.next_job_status("queued", Move.SHIP)
    assert wrong.value.status == "queued"
    with pytest.raises(domain.WrongState):
        domain.next_job_status("delivered", Move.CANCEL)


def test_an_address_names_each_bad_field() -> None:
    _address, problems = domain.check_address({"recipient": "张三", "phone": "12345", "street": ""})
    assert set(problems) == {"phone", "province", "city", "district", "street"}
    good, none = domain.check_address({
        "recipient": "张三", "phone": "+86 139-1234-5678", "province": "山东省",
        "city": "青岛市", "district": "市南区", "street": "香港中路 76 号",
    })  # fmt: skip
    assert none == {} and good["phone"] == "13912345678"


def test_the_label_masks_the_middle_of_the_phone() -> None:
    assert domain.mask_phone("13912345678") == "139****5678"
