"""The rules of an order, one module per section: its state machine
(`states`), what the answers to a form must be (`answers`), what a delivery
choice needs (`delivery`), how a price is made (`fees`), what stops a
submission (`submission`), an order's reference (`references`), what a card
must look like and what a payment may still do (`payments`), what an
approved order hands over to production and delivery (`handover`), the
auto-confirm timer of receipt and its pause (`receipt`), the expected
completion day (`sla`), what a timeline entry says as data (`timeline`). Pure functions
over plain values: no I/O, no Flask, no SQLAlchemy.

Checks of input return problems keyed by field path (`{"address.phone": [...]}`)
so a caller can refuse with one 422 that names every field at once.

Callers import from `orders.domain`; the modules are how it is read.
"""

from orders.domain.answers import (
    EARLIEST_BIRTH,
    ID_REGIONS,
    ISO_DATE,
    MOBILE_PHONE,
    PLATE_NUMBER,
    PROVINCES,
    FieldType,
    FormField,
    answers_needing_attention,
    check_answers,
    check_date,
    check_id_number,
    check_mobile,
    check_plate,
    id_check_character,
    labelled_answers,
    mask_id_number,
    masked_answers,
    missing_answers,
    normalise_phone,
)
from orders.domain.delivery import (
    ADDRESS_LIMITS,
    DeliveryKind,
    check_delivery,
    delivery_still_offered,
)
from orders.domain.fees import (
    Fee,
    Price,
    fee_in_force,
    quote,
)
from orders.domain.handover import (
    handover_facts,
)
from orders.domain.payments import (
    AWAITING_ANSWER,
    CARD_ACCEPTED_FROM,
    VOIDABLE,
    PaymentMethod,
    PaymentStatus,
    capture_problem,
    check_card,
    luhn_ok,
    method_problem,
    paid_at_once,
    refund_problem,
    status_after_refund,
    takes_card,
)
from orders.domain.problems import (
    Problems,
)
from orders.domain.receipt import (
    auto_confirm_due,
    is_paused,
    resumed_due,
    time_left,
)
from orders.domain.references import (
    MAX_DAILY_SEQUENCE,
    OFFICE_TIME,
    REFERENCE_PREFIX,
    format_reference,
    reference_day,
)
from orders.domain.sla import (
    expected_completion,
)
from orders.domain.states import (
    COURIER_ROUTE,
    FINAL,
    PICKUP_ROUTE,
    TRANSITIONS,
    Action,
    Actor,
    ActorKind,
    IllegalTransition,
    Status,
    Transition,
    actor_kind,
    allowed_actions,
    can,
    catch_up,
    check_editable,
    next_status,
)
from orders.domain.submission import (
    describe_blockers,
    is_newer_revision,
    submission_blockers,
)

__all__ = [
    "ADDRESS_LIMITS",
    "AWAITING_ANSWER",
    "CARD_ACCEPTED_FROM",
    "COURIER_ROUTE",
    "EARLIEST_BIRTH",
    "FINAL",
    "ID_REGIONS",
    "ISO_DATE",
    "MAX_DAILY_SEQUENCE",
    "MOBILE_PHONE",
    "OFFICE_TIME",
    "PICKUP_ROUTE",
    "PLATE_NUMBER",
    "PROVINCES",
    "REFERENCE_PREFIX",
    "TRANSITIONS",
    "VOIDABLE",
    "Action",
    "Actor",
    "ActorKind",
    "DeliveryKind",
    "Fee",
    "FieldType",
    "FormField",
    "IllegalTransition",
    "PaymentMethod",
    "PaymentStatus",
    "Price",
    "Problems",
    "Status",
    "Transition",
    "actor_kind",
    "allowed_actions",
    "answers_needing_attention",
    "auto_confirm_due",
    "can",
    "capture_problem",
    "catch_up",
    "check_answers",
    "check_card",
    "check_date",
    "check_delivery",
    "check_editable",
    "check_id_number",
    "check_mobile",
    "check_plate",
    "delivery_still_offered",
    "describe_blockers",
    "expected_completion",
    "fee_in_force",
    "format_reference",
    "handover_facts",
    "id_check_character",
    "is_newer_revision",
    "is_paused",
    "labelled_answers",
    "luhn_ok",
    "mask_id_number",
    "masked_answers",
    "method_problem",
    "missing_answers",
    "next_status",
    "normalise_phone",
    "paid_at_once",
    "quote",
    "reference_day",
    "refund_problem",
    "resumed_due",
    "status_after_refund",
    "submission_blockers",
    "takes_card",
    "time_left",
]
