"""Fulfillment's rules, with no I/O: the job's states, the SLA due date and due
state, credential numbers per item, EMS waybill numbers, the reduction of a
shipment's tracking events to what is shown, the pickup code and its
attempts, and the uncollected-pickup timers. docs/design/deliver.md is the
contract these implement.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from common.working_days import OFFICE_TIME

Problems = dict[str, list[str]]


# --- the production job ------------------------------------------------------------


class JobStatus(StrEnum):
    QUEUED = "queued"
    IN_PRODUCTION = "in_production"
    PRODUCED = "produced"
    SHIPPED = "shipped"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERED = "delivered"
    DELIVERY_EXCEPTION = "delivery_exception"
    CANCELLED = "cancelled"


class Move(StrEnum):
    START = "start"
    PRODUCE = "produce"
    SHIP = "ship"
    OFFER_PICKUP = "offer_pickup"
    DELIVER = "deliver"
    FAIL = "fail"
    RESHIP = "reship"
    SWITCH_TO_PICKUP = "switch_to_pickup"
    CANCEL = "cancel"


J = JobStatus
_OPEN = (J.QUEUED, J.IN_PRODUCTION, J.PRODUCED, J.SHIPPED, J.READY_FOR_PICKUP, J.DELIVERY_EXCEPTION)
JOB_MOVES: dict[Move, tuple[tuple[JobStatus, ...], JobStatus]] = {
    Move.START: ((J.QUEUED,), J.IN_PRODUCTION),
    Move.PRODUCE: ((J.IN_PRODUCTION,), J.PRODUCED),
    Move.SHIP: ((J.PRODUCED,), J.SHIPPED),
    Move.OFFER_PICKUP: ((J.PRODUCED,), J.READY_FOR_PICKUP),
    Move.DELIVER: ((J.SHIPPED, J.READY_FOR_PICKUP), J.DELIVERED),
    Move.FAIL: ((J.SHIPPED, J.READY_FOR_PICKUP), J.DELIVERY_EXCEPTION),
    Move.RESHIP: ((J.DELIVERY_EXCEPTION,), J.SHIPPED),
    Move.SWITCH_TO_PICKUP: ((J.DELIVERY_EXCEPTION,), J.READY_FOR_PICKUP),
    Move.CANCEL: (_OPEN, J.CANCELLED),
}


class WrongState(Exception):
    """The job's state does not allow the move (a 409 naming the state)."""

    def __init__(self, status: str, move: str) -> None:
        super().__init__(f"The job is {status}: it cannot {move.replace('_', ' ')} now.")
        self.status = status
        self.move = move


def next_job_status(status: str, move: Move) -> JobStatus:
    sources, target = JOB_MOVES[move]
    if status not in sources:
        raise WrongState(status, move)
    return target


# --- the SLA -------------------------------------------------------------------------


class DueState(StrEnum):
    ON_TIME = "on_time"
    DUE_TODAY = "due_today"
    LATE = "late"


def due_state(due_at: datetime, now: datetime) -> DueState:
    """Late once past due; due today when the due time falls on today's office date."""
    if now > due_at:
        return DueState.LATE
    if due_at.astimezone(OFFICE_TIME).date() == now.astimezone(OFFICE_TIME).date():
        return DueState.DUE_TODAY
    return DueState.ON_TIME


def office_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Today's start and the next day's start in office time (the due-today window)."""
    local = now.astimezone(OFFICE_TIME)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


# --- credential numbers -----------------------------------------------------------


DRIVING_LICENCE = "driving-licence-replacement"
PLATES = "licence-plate-replacement"
ANNUAL = "annual-licence-verification"

_FILE_NUMBER = re.compile(r"\d{12}")
# A province character, the issuing letter, then 5 (or 6 for new-energy) letters or digits;
# I and O are never used on plates.
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{5,6}"
)
_MARK_SERIAL = re.compile(r"20\d{2}[A-Z]\d{7}")
_FREE_REFERENCE = re.compile(r"[A-Za-z0-9-]{1,32}")


def normalise_plate(value: str) -> str:
    return re.sub(r"[\s·•\-]", "", value).upper()


def check_credential(item_code: str, number: str, plate_on_form: str | None) -> list[str]:
    """What is wrong with a credential number for this item (empty when it is right)."""
    if item_code == DRIVING_LICENCE:
        if not _FILE_NUMBER.fullmatch(number):
            return ["A driving licence's file number is exactly 12 digits."]
        return []
    if item_code == PLATES:
        plate = normalise_plate(number)
        if not _PLATE.fullmatch(plate):
            return [
                "Not a plate number: a province character, a letter, then 5 or 6 letters or digits."
            ]
        if plate_on_form and plate != normalise_plate(plate_on_form):
            return ["The plate made must equal the plate on the application form."]
        return []
    if item_code == ANNUAL:
        if not _MARK_SERIAL.fullmatch(number):
            return [
                "An inspection mark's serial is the year, an office letter and 7 digits, e.g. 2026B0001234."
            ]
        return []
    if not _FREE_REFERENCE.fullmatch(number):
        return ["Use 1 to 32 letters, digits or hyphens."]
    return []


def stored_credential(item_code: str, number: str) -> str:
    """The number as kept: plates normalised, the rest as typed (without spaces)."""
    return normalise_plate(number) if item_code == PLATES else number.strip()


def credential_visible(item_code: str) -> bool:
    """Whether the applicant may see the number (the inspection mark's serial is stock control)."""
    return item_code in (DRIVING_LICENCE, PLATES)


# --- waybills (EMS style, UPU S10) ----------------------------------------------------

S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_WAYBILL = re.compile(r"([A-Z]{2})(\d{8})(\d)CN")


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("an S10 serial is 8 digits")
    check = 11 - sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def waybill_number(prefix: str, sequence: int) -> str:
    serial = f"{sequence:08d}"
    return f"{prefix}{serial}{s10_check_digit(serial)}CN"


def is_valid_waybill(value: str) -> bool:
    match = _WAYBILL.fullmatch(value)
    return bool(match) and s10_check_digit(match.group(2)) == int(match.group(3))  # type: ignore[union-attr]


# --- tracking -------------------------------------------------------------------------


class TrackingState(StrEnum):
    COLLECTED = "collected"  # 揽收
    IN_TRANSIT = "in_transit"  # 在途
    OUT_FOR_DELIVERY = "out_for_delivery"  # 派件
    SIGNED = "signed"  # 签收
    PROBLEM = "problem"  # 疑难: a failed attempt
    REFUSED = "refused"  # 退签
    RETURNED = "returned"  # 退回


STATE_WORDS = {
    TrackingState.COLLECTED: {"zh": "已揽收", "en": "Collected by the courier"},
    TrackingState.IN_TRANSIT: {"zh": "运输中", "en": "In transit"},
    TrackingState.OUT_FOR_DELIVERY: {"zh": "派件中", "en": "Out for delivery"},
    TrackingState.SIGNED: {"zh": "已签收", "en": "Signed for"},
    TrackingState.PROBLEM: {"zh": "投递未成功", "en": "Delivery attempt failed"},
    TrackingState.REFUSED: {"zh": "拒收退签", "en": "Refused by the recipient"},
    TrackingState.RETURNED: {"zh": "已退回", "en": "Returned to the sender"},
}
MAX_FAILED_ATTEMPTS = 3


class ExceptionReason(StrEnum):
    THREE_FAILED_ATTEMPTS = "three_failed_attempts"
    REFUSED = "refused"
    RETURNED = "returned"
    UNCOLLECTED = "uncollected"


@dataclass(frozen=True)
class Seen:
    """A stored tracking event, as the reduction needs it."""

    event_id: str
    state: str
    occurred_at: datetime
    received_seq: int  # ties on occurred_at go to the later-received


@dataclass(frozen=True)
class Tracking:
    status: str | None
    latest: Seen | None
    failed_attempts: int
    signed: Seen | None
    exception: ExceptionReason | None


def reduce_tracking(events: Iterable[Seen]) -> Tracking:
    """What a shipment shows: the latest event by time, except that a signature is final;
    three failed attempts, a refusal or a return make it an exception."""
    ordered = sorted(events, key=lambda e: (e.occurred_at, e.received_seq))
    if not ordered:
        return Tracking(None, None, 0, None, None)
    failed = len({e.event_id for e in ordered if e.state == TrackingState.PROBLEM})
    signed = next((e for e in ordered if e.state == TrackingState.SIGNED), None)
    latest = signed or ordered[-1]
    return Tracking(
        latest.state, latest, failed, signed, None if signed else _exception(ordered, failed)
    )


def _exception(ordered: Sequence[Seen], failed: int) -> ExceptionReason | None:
    states = {e.state for e in ordered}
    if TrackingState.REFUSED in states:
        return ExceptionReason.REFUSED
    if TrackingState.RETURNED in states:
        return ExceptionReason.RETURNED
    if failed >= MAX_FAILED_ATTEMPTS:
        return ExceptionReason.THREE_FAILED_ATTEMPTS
    return None


_WHAT_TO_DO = {
    "no_answer": {
        "zh": "快递员联系不上您。请保持电话畅通，快递员会再次投递；也可拨打 11183 预约时间。",
        "en": "The courier could not reach you. Keep your phone on: they will try again, or call 11183 to arrange a time.",
    },
    "address_not_found": {
        "zh": "地址不详。请在订单页核对地址，或拨打 11183 告知快递员。",
        "en": "The address could not be found. Call 11183 to give the courier directions.",
    },
    "nobody_home": {
        "zh": "无人签收。快递员会再次投递；也可拨打 11183 改约时间。",
        "en": "Nobody was there to sign. The courier will try again, or call 11183 to change the time.",
    },
}


def what_to_do(reason: str | None) -> dict[str, str]:
    """What the applicant can do after a failed attempt, by the courier's reason."""
    return _WHAT_TO_DO.get(reason or "", _WHAT_TO_DO["nobody_home"])


# --- pickup -------------------------------------------------------------------------

MAX_PICKUP_ATTEMPTS = 5


def new_pickup_code() -> str:
    """Six digits from the system's CSPRNG; never all zeros (it reads as 'no code')."""
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        if code != "000000":
            return code


class PickupLocked(Exception):
    """Five wrong codes: only a supervisor may unlock (423)."""


class WrongCode(Exception):
    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"The pickup code is wrong; {attempts_left} attempts left.")
        self.attempts_left = attempts_left


def check_pickup_code(expected: str, given: str, failed_so_far: int) -> int:
    """The failed count after this try: unchanged when right. Raises PickupLocked when
    already locked, WrongCode (with the attempts left) when wrong."""
    if failed_so_far >= MAX_PICKUP_ATTEMPTS:
        raise PickupLocked("Five wrong codes were tried: a supervisor must unlock this pickup.")
    if secrets.compare_digest(expected, given.strip()):
        return failed_so_far
    failed = failed_so_far + 1
    raise WrongCode(MAX_PICKUP_ATTEMPTS - failed)


def attempts_left(failed: int) -> int:
    return max(MAX_PICKUP_ATTEMPTS - failed, 0)


class PickupStep(StrEnum):
    NONE = "none"
    REMIND = "remind"
    RETURN = "return"


def uncollected_step(
    ready_at: datetime,
    now: datetime,
    reminded: bool,
    remind_after: timedelta,
    return_after: timedelta,
) -> PickupStep:
    """Uncollected: a reminder once, then back to the archive."""
    waited = now - ready_at
    if waited >= return_after:
        return PickupStep.RETURN
    if waited >= remind_after and not reminded:
        return PickupStep.REMIND
    return PickupStep.NONE


# --- the address and the label -----------------------------------------------------

ADDRESS_LIMITS = {
    "recipient": 50,
    "phone": 20,
    "province": 20,
    "city": 30,
    "district": 30,
    "street": 200,
}
_MOBILE = re.compile(r"1[3-9]\d{9}")


def check_address(raw: Mapping[str, Any]) -> tuple[dict[str, str], Problems]:
    """A courier address (the same rules as orders' delivery choice); problems by field."""
    address: dict[str, str] = {}
    problems: Problems = {}
    for name, limit in ADDRESS_LIMITS.items():
        value = raw.get(name)
        text = value.strip() if isinstance(value, str) else ""
        if name == "phone":
            text = re.sub(r"[\s\-]", "", text).removeprefix("+86")
        if not text:
            problems[name] = ["This field is required."]
        elif len(text) > limit:
            problems[name] = [f"At most {limit} characters."]
        elif name == "phone" and not _MOBILE.fullmatch(text):
            problems[name] = ["A mainland mobile number: 11 digits starting with 1."]
        address[name] = text
    return address, problems


def mask_phone(phone: str) -> str:
    """The middle four digits hidden, as couriers print it: 139****5678."""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
