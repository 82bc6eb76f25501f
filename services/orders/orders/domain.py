"""The rules of an order: its state machine, what the answers to a form must be,
what a delivery choice needs, how a price is made, what a card must look like
and what a payment may still do. Pure functions over plain values: no I/O, no
Flask, no SQLAlchemy.

Checks of input return problems keyed by field path (`{"address.phone": [...]}`)
so a caller can refuse with one 422 that names every field at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

Problems = dict[str, list[str]]

OFFICE_TIME = ZoneInfo("Asia/Shanghai")  # the office's calendar day dates a reference


# --- the order's state machine ------------------------------------------------


class Status(StrEnum):
    DRAFT = "draft"
    AWAITING_PAYMENT = "awaiting_payment"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    NEEDS_RESUBMISSION = "needs_resubmission"
    APPROVED = "approved"
    CAPTURE_FAILED = "capture_failed"  # approved, but the provider refused to take the money
    REJECTED = "rejected"
    IN_PRODUCTION = "in_production"
    SHIPPED = "shipped"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERY_EXCEPTION = "delivery_exception"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    CLOSED_UNPAID = "closed_unpaid"
    DISCARDED = "discarded"
    CLOSED = "closed"


class Action(StrEnum):
    SUBMIT = "submit"
    DISCARD = "discard"  # an idle draft, by the timer
    CANCEL = "cancel"
    AUTHORISE = "authorise"  # the provider authorised the payment
    EXPIRE = "expire"  # unpaid too long
    CLAIM = "claim"
    APPROVE = "approve"  # after the payment was captured
    FAIL_CAPTURE = "fail_capture"  # approved by the reviewer, refused by the provider
    RETRY_CAPTURE = "retry_capture"  # a supervisor has the capture tried again
    ASK = "ask"  # for documents again
    RESUBMIT = "resubmit"
    REJECT = "reject"  # by a reviewer, or by verification's timer (a missed deadline)
    CLOSE = "close"  # a rejected order, once its money went back
    START_PRODUCTION = "start_production"
    SHIP = "ship"
    OFFER_PICKUP = "offer_pickup"
    DELIVER = "deliver"
    REPORT_EXCEPTION = "report_exception"
    RESHIP = "reship"
    SWITCH_TO_PICKUP = "switch_to_pickup"
    CONFIRM = "confirm"  # receipt, by the applicant or automatically
    PICK_UP = "pick_up"


class Actor(StrEnum):
    """Who may set a transition off: the applicant, staff (directly or through
    another service's event), a supervisor (what only supervisors may do), or
    the system (timers, the payment provider)."""

    APPLICANT = "applicant"
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


_A, _S, _V, _Y = Actor.APPLICANT, Actor.STAFF, Actor.SUPERVISOR, Actor.SYSTEM


@dataclass(frozen=True)
class Transition:
    action: Action
    source: Status
    target: Status
    actors: frozenset[Actor]


def _t(action: Action, source: Status, target: Status, *actors: Actor) -> Transition:
    return Transition(action, source, target, frozenset(actors))


S = Status
TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.SUBMIT, S.DRAFT, S.AWAITING_PAYMENT, _A),
    _t(Action.DISCARD, S.DRAFT, S.DISCARDED, _Y),
    _t(Action.CANCEL, S.DRAFT, S.DISCARDED, _A, _V),
    _t(Action.AUTHORISE, S.AWAITING_PAYMENT, S.SUBMITTED, _Y),
    _t(Action.EXPIRE, S.AWAITING_PAYMENT, S.CLOSED_UNPAID, _Y),
    _t(Action.CANCEL, S.AWAITING_PAYMENT, S.CLOSED_UNPAID, _A, _V),
    _t(Action.CLAIM, S.SUBMITTED, S.IN_REVIEW, _S),
    _t(Action.CANCEL, S.SUBMITTED, S.CANCELLED, _A, _V),
    _t(Action.APPROVE, S.IN_REVIEW, S.APPROVED, _S),
    _t(Action.FAIL_CAPTURE, S.IN_REVIEW, S.CAPTURE_FAILED, _Y),
    _t(Action.ASK, S.IN_REVIEW, S.NEEDS_RESUBMISSION, _S),
    _t(Action.REJECT, S.IN_REVIEW, S.REJECTED, _S, _Y),
    _t(Action.CANCEL, S.IN_REVIEW, S.CANCELLED, _A, _V),
    _t(Action.RESUBMIT, S.NEEDS_RESUBMISSION, S.IN_REVIEW, _A),
    _t(Action.REJECT, S.NEEDS_RESUBMISSION, S.REJECTED, _S, _Y),
    _t(Action.CANCEL, S.NEEDS_RESUBMISSION, S.CANCELLED, _A, _V),
    _t(Action.RETRY_CAPTURE, S.CAPTURE_FAILED, S.APPROVED, _V),
    _t(Action.CANCEL, S.CAPTURE_FAILED, S.CANCELLED, _V),
    _t(Action.CLOSE, S.REJECTED, S.CLOSED, _Y),
    _t(Action.START_PRODUCTION, S.APPROVED, S.IN_PRODUCTION, _S, _Y),
    # After approval only a supervisor may cancel, and the money goes back.
    _t(Action.CANCEL, S.APPROVED, S.CANCELLED, _V),
    _t(Action.CANCEL, S.IN_PRODUCTION, S.CANCELLED, _V),
    _t(Action.SHIP, S.IN_PRODUCTION, S.SHIPPED, _S, _Y),
    _t(Action.OFFER_PICKUP, S.IN_PRODUCTION, S.READY_FOR_PICKUP, _S, _Y),
    _t(Action.CANCEL, S.SHIPPED, S.CANCELLED, _V),
    _t(Action.DELIVER, S.SHIPPED, S.DELIVERED, _Y),
    _t(Action.REPORT_EXCEPTION, S.SHIPPED, S.DELIVERY_EXCEPTION, _S, _Y),
    _t(Action.RESHIP, S.DELIVERY_EXCEPTION, S.SHIPPED, _S, _Y),
    _t(Action.SWITCH_TO_PICKUP, S.DELIVERY_EXCEPTION, S.READY_FOR_PICKUP, _S),
    _t(Action.CANCEL, S.DELIVERY_EXCEPTION, S.CANCELLED, _V),
    _t(Action.CANCEL, S.READY_FOR_PICKUP, S.CANCELLED, _V),
    _t(Action.CONFIRM, S.DELIVERED, S.COMPLETED, _A, _Y),
    _t(Action.CANCEL, S.DELIVERED, S.CANCELLED, _V),
    _t(Action.PICK_UP, S.READY_FOR_PICKUP, S.COMPLETED, _S, _Y),
)
_BY_SOURCE = {(t.source, t.action): t for t in TRANSITIONS}

FINAL = frozenset(
    {S.COMPLETED, S.CANCELLED, S.CLOSED_UNPAID, S.DISCARDED, S.CLOSED}
)  # fmt: skip

# What a refusal says the order cannot be.
_DONE_WORDS = {
    Action.SUBMIT: "submitted",
    Action.DISCARD: "discarded",
    Action.CANCEL: "cancelled",
    Action.AUTHORISE: "paid",
    Action.EXPIRE: "closed as unpaid",
    Action.CLAIM: "claimed for review",
    Action.APPROVE: "approved",
    Action.FAIL_CAPTURE: "marked as not charged",
    Action.RETRY_CAPTURE: "charged again",
    Action.ASK: "sent back for new documents",
    Action.RESUBMIT: "resubmitted",
    Action.REJECT: "rejected",
    Action.CLOSE: "closed",
    Action.START_PRODUCTION: "put into production",
    Action.SHIP: "shipped",
    Action.OFFER_PICKUP: "offered for pickup",
    Action.DELIVER: "marked delivered",
    Action.REPORT_EXCEPTION: "marked as a delivery problem",
    Action.RESHIP: "shipped again",
    Action.SWITCH_TO_PICKUP: "switched to pickup",
    Action.CONFIRM: "confirmed as received",
    Action.PICK_UP: "marked as picked up",
}


class IllegalTransition(Exception):
    """The order's state does not allow the action (for this actor)."""

    def __init__(self, status: str, action: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.action = action
        self.message = message


def next_status(status: str, action: Action, actor: Actor) -> Status:
    """Where `action` by `actor` takes an order that is `status`, or IllegalTransition."""
    transition = _BY_SOURCE.get((Status(status), action))
    words = _DONE_WORDS[action]
    if transition is None:
        raise IllegalTransition(status, action, f"The order is {status}: it cannot be {words}.")
    if actor not in transition.actors:
        who = " or ".join(sorted(a.value for a in transition.actors))
        raise IllegalTransition(
            status,
            action,
            f"The order is {status}: only {who} can have it {words} now.",
        )
    return transition.target


def check_editable(status: str) -> None:
    """Answers and delivery change only while the order is a draft."""
    if status != Status.DRAFT:
        raise IllegalTransition(
            status, "edit", f"The order is {status}: its answers and delivery can no longer change."
        )


def can(status: str, action: Action, actor: Actor) -> bool:
    transition = _BY_SOURCE.get((Status(status), action))
    return transition is not None and actor in transition.actors


def allowed_actions(status: str, *, ready_to_submit: bool, payable: bool) -> list[str]:
    """What the applicant may do now: some of edit, submit, pay, cancel."""
    actions = []
    if status == Status.DRAFT:
        actions.append("edit")
        if ready_to_submit:
            actions.append("submit")
    if status == Status.AWAITING_PAYMENT and payable:
        actions.append("pay")
    if can(status, Action.CANCEL, Actor.APPLICANT):
        actions.append("cancel")
    return actions


# --- answers to the item's form ---------------------------------------------------


class FieldType(StrEnum):
    TEXT = "text"
    ID_NUMBER = "id_number"
    PLATE_NUMBER = "plate_number"
    PHONE = "phone"
    DATE = "date"
    CHOICE = "choice"


# GB 11643-1999: 17 digits, then a check character (ISO 7064 MOD 11-2).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Province-level codes (GB/T 2260) a number can start with: the mainland's
# provinces, plus 71 Taiwan, 81 Hong Kong, 82 Macao and 83 (residence permits).
ID_REGIONS = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)
EARLIEST_BIRTH = date(1900, 1, 1)

# GA 36-2018: province abbreviation, the issuing office's letter, then 5
# characters; new-energy plates have 6: D or F then 5 (small vehicles), or
# 5 digits then D or F (large ones). I and O are never used, so they cannot be
# mistaken for 1 and 0.
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"
PLATE_NUMBER = re.compile(
    rf"^[{PROVINCES}][{_LETTER}]"
    rf"(?:[{_LETTER}0-9]{{5}}|[DF][{_LETTER}0-9]\d{{4}}|\d{{5}}[DF])$"
)
MOBILE_PHONE = re.compile(r"^1[3-9]\d{9}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_id_number(value: str, today: date) -> list[str]:
    """Why `value` is not a resident ID number (GB 11643-1999); empty when it is one."""
    if len(value) != 18:
        return ["A resident ID number has 18 characters."]
    if not _ID_SHAPE.match(value):
        return ["A resident ID number is 17 digits followed by a digit or X."]
    if value[:2] not in ID_REGIONS:
        return ["The number does not start with a known province code."]
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return [f"The birth date in the number ({value[6:14]}) is not a real date."]
    if not EARLIEST_BIRTH <= birth <= today:
        return [f"The birth date in the number ({value[6:14]}) is not possible."]
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return ["The last character does not match the others: check the number for a typo."]
    return []


def id_check_character(first17: str) -> str:
    """The check character GB 11643-1999 puts after 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def check_plate(value: str) -> list[str]:
    if PLATE_NUMBER.match(value):
        return []
    return ["Not a valid plate number (e.g. 鲁B12345, or 鲁BD12345 for a new-energy vehicle)."]


def check_mobile(value: str) -> list[str]:
    if MOBILE_PHONE.match(value):
        return []
    return ["Not a mainland mobile number (11 digits starting with 1)."]


def check_date(value: str) -> list[str]:
    if ISO_DATE.match(value):
        try:
            date.fromisoformat(value)
            return []
        except ValueError:
            pass
    return ["Not a date in the form YYYY-MM-DD."]


def normalise_phone(value: str) -> str:
    compact = re.sub(r"[\s-]", "", value)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            return compact[len(prefix) :]
    return compact


@dataclass(frozen=True)
class FormField:
    name: str
    type: FieldType
    required: bool = True
    max_length: int | None = None
    pattern: str | None = None
    choices: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> FormField:
        return cls(
            name=spec["name"],
            type=FieldType(spec["type"]),
            required=bool(spec.get("required", True)),
            max_length=spec.get("max_length"),
            pattern=spec.get("pattern"),
            choices=tuple(choice["value"] for choice in spec.get("choices") or ()),
        )

    def normalise(self, value: str) -> str:
        """The answer as it is kept: trimmed, upper-case where case means nothing."""
        text = value.strip()
        if self.type in (FieldType.ID_NUMBER, FieldType.PLATE_NUMBER):
            return re.sub(r"[\s·-]", "", text).upper()
        if self.type == FieldType.PHONE:
            return normalise_phone(text)
        return text

    def problems_with(self, value: str, today: date) -> list[str]:
        """What is wrong with a given (normalised, non-empty) answer."""
        if self.type == FieldType.TEXT:
            problems = []
            if self.max_length is not None and len(value) > self.max_length:
                problems.append(f"At most {self.max_length} characters.")
            if self.pattern is not None and not re.fullmatch(self.pattern, value):
                problems.append("The answer is not in the expected format.")
            return problems
        if self.type == FieldType.ID_NUMBER:
            return check_id_number(value, today)
        if self.type == FieldType.PLATE_NUMBER:
            return check_plate(value)
        if self.type == FieldType.PHONE:
            return check_mobile(value)
        if self.type == FieldType.DATE:
            return check_date(value)
        if value in self.choices:
            return []
        return [f"Choose one of: {', '.join(self.choices)}."]


def check_answers(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, Any], today: date
) -> tuple[dict[str, str], Problems]:
    """The answers to keep (normalised; blanks dropped) and what is wrong with them.

    A draft may be saved with required answers still missing (they are listed
    as missing); what is given must be right, and only the form's fields exist.
    """
    specs = {spec["name"]: FormField.from_dict(spec) for spec in form_fields}
    kept: dict[str, str] = {}
    problems: Problems = {}
    for name, value in answers.items():
        spec = specs.get(name)
        if spec is None:
            problems[name] = ["This form has no such field."]
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            problems[name] = ["Give the answer as text."]
            continue
        answer = spec.normalise(value)
        if not answer:
            continue
        messages = spec.problems_with(answer, today)
        if messages:
            problems[name] = messages
        else:
            kept[name] = answer
    return kept, problems


def missing_answers(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]
) -> list[str]:
    """The required fields without an answer, in the form's order."""
    return [
        spec["name"]
        for spec in form_fields
        if spec.get("required", True) and not answers.get(spec["name"])
    ]


def answers_needing_attention(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, str], today: date
) -> list[str]:
    """Fields that stop a submission: required and missing, or no longer accepted
    (the form may have changed since the answer was saved)."""
    _kept, problems = check_answers(form_fields, answers, today)
    names = set(missing_answers(form_fields, answers)) | set(problems)
    order = [spec["name"] for spec in form_fields]
    return sorted(
        names, key=lambda name: (order.index(name) if name in order else len(order), name)
    )


def mask_id_number(value: str) -> str:
    """An ID number as staff see it: the first 3 and last 4 characters, the rest `*`."""
    hidden = len(value) - 7
    if hidden <= 0:  # too short to show anything and hide something: hide it all
        return "*" * len(value)
    return value[:3] + "*" * hidden + value[-4:]


def masked_answers(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, str]
) -> dict[str, str]:
    """The answers with every `id_number` field masked (what a staff read shows)."""
    secret = {spec["name"] for spec in form_fields if spec.get("type") == FieldType.ID_NUMBER}
    return {
        name: mask_id_number(value) if name in secret else value for name, value in answers.items()
    }


def labelled_answers(
    form_fields: Sequence[Mapping[str, Any]], answers: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The given answers in the form's order, each with its field's type and label
    (what the reviewer reads; `orders.submitted` carries them)."""
    return [
        {"name": spec["name"], "type": spec["type"], "label": spec["label"],
         "value": answers[spec["name"]]}
        for spec in form_fields
        if answers.get(spec["name"])
    ]  # fmt: skip


# --- delivery -----------------------------------------------------------------------


class DeliveryKind(StrEnum):
    COURIER = "courier"
    PICKUP = "pickup"


ADDRESS_LIMITS = {
    "recipient": 50,
    "phone": 20,
    "province": 20,
    "city": 30,
    "district": 30,
    "street": 200,
}


def check_delivery(
    options: Sequence[Mapping[str, Any]], choice: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, Problems]:
    """The delivery to keep and what is wrong with the applicant's choice.

    Courier needs a whole address with a mainland mobile number and an item
    that can be sent; pickup needs one of the item's pickup offices.
    """
    kind = choice.get("kind")
    if kind == DeliveryKind.COURIER:
        return _check_courier(options, choice)
    if kind == DeliveryKind.PICKUP:
        return _check_pickup(options, choice)
    return None, {"kind": ["Choose courier or pickup."]}


def _check_courier(
    options: Sequence[Mapping[str, Any]], choice: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, Problems]:
    problems: Problems = {}
    courier = next((o for o in options if o.get("kind") == DeliveryKind.COURIER), None)
    if courier is None:
        problems["kind"] = ["This item cannot be sent by courier: choose a pickup office."]
    if choice.get("office_code") is not None:
        problems["office_code"] = ["Only pickup has an office; courier needs an address."]
    raw = choice.get("address")
    if not isinstance(raw, Mapping):
        problems["address"] = ["Courier delivery needs an address."]
        return None, problems
    address: dict[str, str] = {}
    for name, limit in ADDRESS_LIMITS.items():
        value = raw.get(name)
        text = value.strip() if isinstance(value, str) else ""
        if name == "phone":
            text = normalise_phone(text)
        if not text:
            problems[f"address.{name}"] = ["This field is required."]
        elif len(text) > limit:
            problems[f"address.{name}"] = [f"At most {limit} characters."]
        elif name == "phone" and check_mobile(text):
            problems[f"address.{name}"] = check_mobile(text)
        address[name] = text
    if problems or courier is None:
        return None, problems
    return {
        "kind": DeliveryKind.COURIER.value,
        "option_code": courier["code"],
        "address": address,
    }, {}


def _check_pickup(
    options: Sequence[Mapping[str, Any]], choice: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, Problems]:
    problems: Problems = {}
    if choice.get("address") is not None:
        problems["address"] = ["Pickup needs no address; leave it out."]
    offices = {o["code"]: o for o in options if o.get("kind") == DeliveryKind.PICKUP}
    code = choice.get("office_code")
    if not code:
        problems["office_code"] = ["Choose the office where you will pick it up."]
    elif code not in offices:
        known = ", ".join(offices) or "none"
        problems["office_code"] = [f"This item cannot be picked up there; offices: {known}."]
    if problems:
        return None, problems
    office = offices[code]
    return {
        "kind": DeliveryKind.PICKUP.value,
        "option_code": code,
        "office_code": code,
        "office": office.get("office"),
    }, {}


def delivery_still_offered(
    options: Sequence[Mapping[str, Any]], delivery: Mapping[str, Any]
) -> list[str]:
    """Why a saved delivery choice cannot be used any more (the item's options changed)."""
    _kept, problems = check_delivery(options, delivery)
    if not problems:
        return []
    if delivery.get("kind") == DeliveryKind.PICKUP:
        return [f"The office {delivery.get('office_code')} is no longer offered: choose again."]
    return ["Courier delivery is no longer offered for this item: choose again."]


# --- fees and prices -------------------------------------------------------------------


@dataclass(frozen=True)
class Fee:
    version: int
    production_cost_fen: int
    courier_fee_fen: int
    approval_reference: str
    effective_from: datetime

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Fee:
        effective = raw["effective_from"]
        if isinstance(effective, str):
            effective = datetime.fromisoformat(effective)
        return cls(
            version=int(raw["version"]),
            production_cost_fen=int(raw["production_cost_fen"]),
            courier_fee_fen=int(raw["courier_fee_fen"]),
            approval_reference=str(raw["approval_reference"]),
            effective_from=effective,
        )


@dataclass(frozen=True)
class Price:
    fee_version: int
    production_fen: int
    delivery_fen: int
    total_fen: int
    approval_reference: str

    def as_dict(self, *, locked: bool) -> dict[str, Any]:
        return {
            "fee_version": self.fee_version,
            "production_fen": self.production_fen,
            "delivery_fen": self.delivery_fen,
            "total_fen": self.total_fen,
            "approval_reference": self.approval_reference,
            "locked": locked,
        }


def fee_in_force(fees: Sequence[Fee | None], now: datetime) -> Fee | None:
    """The latest version already in effect (ties: the higher version number)."""
    started = [fee for fee in fees if fee is not None and fee.effective_from <= now]
    return max(started, key=lambda fee: (fee.effective_from, fee.version), default=None)


def quote(fee: Fee, delivery_kind: str) -> Price:
    """Production cost plus the courier fee, or nothing for pickup; integer fen."""
    delivery = fee.courier_fee_fen if delivery_kind == DeliveryKind.COURIER else 0
    return Price(
        fee_version=fee.version,
        production_fen=fee.production_cost_fen,
        delivery_fen=delivery,
        total_fen=fee.production_cost_fen + delivery,
        approval_reference=fee.approval_reference,
    )


# --- what stops a submission ----------------------------------------------------------


def submission_blockers(
    form_fields: Sequence[Mapping[str, Any]],
    answers: Mapping[str, str],
    delivery_options: Sequence[Mapping[str, Any]],
    delivery: Mapping[str, Any] | None,
    documents_missing: Sequence[str],
    today: date,
) -> dict[str, list[str]]:
    """Everything still missing, by part: answer names, document codes, delivery messages."""
    if delivery is None:
        delivery_problems = ["Choose courier delivery with an address, or a pickup office."]
    else:
        delivery_problems = delivery_still_offered(delivery_options, delivery)
    return {
        "answers": answers_needing_attention(form_fields, answers, today),
        "documents": list(documents_missing),
        "delivery": delivery_problems,
    }


def describe_blockers(blockers: Mapping[str, Sequence[str]]) -> str:
    parts = []
    if blockers.get("answers"):
        parts.append("answer " + ", ".join(blockers["answers"]))
    if blockers.get("documents"):
        parts.append("upload " + ", ".join(blockers["documents"]))
    if blockers.get("delivery"):
        parts.append("choose delivery")
    return "The order cannot be submitted yet: " + "; ".join(parts) + "."


def is_newer_revision(held: int, incoming: int) -> bool:
    """Verification's verdicts arrive in any order; only a later revision counts."""
    return incoming > held


# --- references -----------------------------------------------------------------------

REFERENCE_PREFIX = "LT"
MAX_DAILY_SEQUENCE = 999_999


def reference_day(now: datetime) -> date:
    return now.astimezone(OFFICE_TIME).date()


def format_reference(day: date, sequence: int) -> str:
    """`LT` + the office's date + the day's sequence: LT20261122000042."""
    if not 1 <= sequence <= MAX_DAILY_SEQUENCE:
        raise ValueError(f"sequence {sequence} is outside 1..{MAX_DAILY_SEQUENCE}")
    return f"{REFERENCE_PREFIX}{day:%Y%m%d}{sequence:06d}"


# --- cards ------------------------------------------------------------------------------

_EXPIRY = re.compile(r"^(\d{2})/(\d{2})$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def check_card(number: str, expiry: str, cvc: str, today: date) -> tuple[str, Problems]:
    """The card number without blanks, and what is wrong with the card's details."""
    problems: Problems = {}
    digits = re.sub(r"[\s-]", "", number)
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        problems["card_number"] = ["A card number has 12 to 19 digits."]
    elif not luhn_ok(digits):
        problems["card_number"] = ["This is not a valid card number: check it for a typo."]
    match = _EXPIRY.match(expiry.strip())
    if not match or not 1 <= int(match[1]) <= 12:
        problems["expiry"] = ["Give the expiry as MM/YY."]
    elif (2000 + int(match[2]), int(match[1])) < (today.year, today.month):
        problems["expiry"] = ["This card has expired."]
    if not re.fullmatch(r"\d{3,4}", cvc.strip()):
        problems["cvc"] = ["The security code is the 3 or 4 digits on the card."]
    return digits, problems


# --- the payment's own states -------------------------------------------------------------


class PaymentStatus(StrEnum):
    CREATED = "created"
    PROCESSING = "processing"
    AUTHORISED = "authorised"
    FAILED = "failed"
    VOIDED = "voided"
    CAPTURED = "captured"
    REFUNDED = "refunded"


P = PaymentStatus
CARD_ACCEPTED_FROM = frozenset({P.CREATED, P.FAILED})
VOIDABLE = frozenset({P.CREATED, P.PROCESSING, P.FAILED, P.AUTHORISED})
# The provider's answer to a card may arrive after a retry with another card
# was refused, or after the order closed: these states still take it.
AWAITING_ANSWER = frozenset({P.CREATED, P.PROCESSING, P.FAILED})


def takes_card(status: str) -> bool:
    return status in CARD_ACCEPTED_FROM


def capture_problem(status: str, amount_fen: int, authorised_fen: int) -> str | None:
    if status != P.AUTHORISED:
        return f"Only an authorised payment can be captured; this one is {status}."
    if not 0 < amount_fen <= authorised_fen:
        return f"Capture between 1 and {authorised_fen} fen."
    return None


def refund_problem(
    status: str, captured_fen: int, refunded_fen: int, amount_fen: int
) -> str | None:
    """Refunds never exceed what was captured; several partial ones are fine."""
    if status not in (P.CAPTURED, P.REFUNDED):
        return f"Only a captured payment can be refunded; this one is {status}."
    left = captured_fen - refunded_fen
    if amount_fen <= 0:
        return "Refund at least 1 fen."
    if amount_fen > left:
        return f"Only {left} fen of the {captured_fen} captured can still be refunded."
    return None


def status_after_refund(captured_fen: int, refunded_fen: int) -> PaymentStatus:
    return P.REFUNDED if refunded_fen >= captured_fen else P.CAPTURED
