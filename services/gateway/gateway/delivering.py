"""Making and delivering, as rules the pages and the API share (no I/O): who may
use which desk, the words for fulfillment's and orders' refusals, the tracking
states in words, reading the staff's forms, and the pickup code's QR code.

Fulfillment decides every rule (credential formats, states, attempts); the
gateway only says its answers in the page's language."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

import segno

from gateway.i18n import N_

PRODUCTION_ROLES = ("production", "supervisor")
DISPATCH_ROLES = ("dispatcher", "supervisor")
SUPERVISOR = ("supervisor",)
DELIVERY_ROLES = ("production", "dispatcher", "supervisor")

# At most this many orders in one batch, one waybill run or one hand-over (fulfillment's limit).
MAX_SELECTED = 50
TRACKING_STATES = (
    "collected",
    "in_transit",
    "out_for_delivery",
    "signed",
    "problem",
    "refused",
    "returned",
)
# Orders' states in which fulfillment holds a job for the order.
WITH_A_JOB = frozenset(
    {
        "approved",
        "in_production",
        "shipped",
        "ready_for_pickup",
        "delivered",
        "delivery_exception",
        "completed",
    }
)
CODE_LENGTH = 6


def tracking_key(state: str) -> str:
    """A courier state in words: 揽收, 在途, 派件, 签收, 疑难, 退签, 退回."""
    return f"tracking.state.{state}" if state in TRACKING_STATES else "tracking.state.other"


def exception_key(reason: str | None) -> str:
    known = {"three_failed_attempts", "refused", "returned", "uncollected"}
    return f"delivery.exception.{reason}" if reason in known else "delivery.exception.other"


def failure_reason_key(reason: str | None) -> str:
    known = {"no_answer", "address_not_found", "nobody_home"}
    return f"tracking.reason.{reason}" if reason in known else "tracking.reason.other"


def selected_ids(values: Iterable[str]) -> list[str]:
    """The ticked rows of a staff form, each once, in the order shown."""
    seen: list[str] = []
    for value in values:
        value = value.strip()
        if value and value not in seen and len(value) <= 64:
            seen.append(value)
    return seen


def selection_error(chosen: list[str]) -> str | None:
    """Why a selection cannot be sent: none ticked, or more than fulfillment takes."""
    if not chosen:
        return "delivery.refused.none_selected"
    if len(chosen) > MAX_SELECTED:
        return "delivery.refused.too_many"
    return None


def credential_refusal_key(item_code: str, messages: Iterable[Any]) -> str:
    """Fulfillment's 422 on `credential_number`, in words for the item: its format, or
    (plates) that the plate made must equal the plate on the form."""
    said = " ".join(str(m) for m in messages)
    if "plate on the application form" in said:
        return "production.refused.plate_differs"
    known = {
        "driving-licence-replacement",
        "licence-plate-replacement",
        "annual-licence-verification",
    }
    return f"production.refused.format.{item_code if item_code in known else 'other'}"


def conflict_key(status: str | None) -> str:
    """A 409 of fulfillment or orders names the state the order is in."""
    return "delivery.refused.wrong_state" if status else "delivery.refused.conflict"


def first(errors: Mapping[str, Any] | None, name: str) -> Any:
    value = (errors or {}).get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def attempts_left(errors: Mapping[str, Any] | None) -> int | None:
    """The attempts left that fulfillment's 422 on a wrong pickup code carries."""
    value = first(errors, "attempts_left")
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def clean_code(raw: str) -> str:
    """What staff typed as the pickup code, spaces and dashes dropped."""
    return "".join(ch for ch in raw if ch.isdigit())[: CODE_LENGTH + 1]


def code_error(code: str) -> str | None:
    return None if len(code) == CODE_LENGTH else "counter.refused.code_format"


def grouped_code(code: str) -> str:
    """123456 → "123 456": easier to read out at the counter."""
    return f"{code[:3]} {code[3:]}" if len(code) == CODE_LENGTH else code


def can_confirm_receipt(order_status: str) -> bool:
    return order_status == "delivered"


def has_job(order_status: str) -> bool:
    return order_status in WITH_A_JOB


def qr_svg(text: str, *, title: str) -> str:
    """The pickup code as a QR code in SVG, drawn on the server: no script, prints sharp.
    The title is the SVG's accessible name."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        buffer,
        kind="svg",
        scale=6,
        border=4,
        title=title,
        svgclass="qr",
        lineclass=None,
        xmldecl=False,
        nl=False,
    )
    return buffer.getvalue().decode("utf-8")


# Keys the pages compute from a code fulfillment or orders sends (make messages keeps them).
COMPUTED_KEYS = (
    N_("job_status.queued"),
    N_("job_status.in_production"),
    N_("job_status.produced"),
    N_("job_status.shipped"),
    N_("job_status.ready_for_pickup"),
    N_("job_status.delivered"),
    N_("job_status.delivery_exception"),
    N_("job_status.cancelled"),
    N_("batch_status.in_production"),
    N_("batch_status.produced"),
    N_("production.status.queued"),
    N_("production.status.in_production"),
    N_("production.status.produced"),
    N_("production.due.all"),
    N_("production.due.on_time"),
    N_("production.due.due_today"),
    N_("production.due.late"),
    N_("delivery_kind.courier"),
    N_("delivery_kind.pickup"),
    N_("production.credential.driving-licence-replacement"),
    N_("production.credential.licence-plate-replacement"),
    N_("production.credential.annual-licence-verification"),
    N_("production.credential.other"),
    N_("production.credential_hint.driving-licence-replacement"),
    N_("production.credential_hint.licence-plate-replacement"),
    N_("production.credential_hint.annual-licence-verification"),
    N_("production.credential_hint.other"),
    N_("production.refused.format.driving-licence-replacement"),
    N_("production.refused.format.licence-plate-replacement"),
    N_("production.refused.format.annual-licence-verification"),
    N_("production.refused.format.other"),
    N_("production.refused.plate_differs"),
    N_("production.refused.empty"),
    N_("dispatch.stage.to_waybill"),
    N_("dispatch.stage.to_hand_over"),
    N_("dispatch.intro.to_waybill"),
    N_("dispatch.intro.to_hand_over"),
    N_("dispatch.none.to_waybill"),
    N_("dispatch.none.to_hand_over"),
    N_("tracking.state.collected"),
    N_("tracking.state.in_transit"),
    N_("tracking.state.out_for_delivery"),
    N_("tracking.state.signed"),
    N_("tracking.state.problem"),
    N_("tracking.state.refused"),
    N_("tracking.state.returned"),
    N_("tracking.state.other"),
    N_("tracking.reason.no_answer"),
    N_("tracking.reason.address_not_found"),
    N_("tracking.reason.nobody_home"),
    N_("tracking.reason.other"),
    N_("delivery.exception.three_failed_attempts"),
    N_("delivery.exception.refused"),
    N_("delivery.exception.returned"),
    N_("delivery.exception.uncollected"),
    N_("delivery.exception.other"),
    N_("shipment_status.waybill_created"),
    N_("shipment_status.handed_over"),
    N_("shipment_status.cancelled"),
    N_("shipment_status.other"),
    N_("carrier.EMS"),
    N_("applications.next.approved"),
    N_("applications.next.in_production"),
    N_("applications.next.shipped"),
    N_("applications.next.ready_for_pickup"),
    N_("applications.next.delivered"),
    N_("applications.next.delivery_exception"),
    N_("production.notice.started"),
    N_("production.notice.recorded"),
    N_("production.notice.produced"),
    N_("dispatch.notice.waybills"),
    N_("dispatch.notice.handed_over"),
    N_("dispatch.notice.reshipped"),
    N_("dispatch.notice.switched"),
    N_("counter.notice.handed_over"),
    N_("counter.notice.unlocked"),
    N_("delivery.notice.address_saved"),
    N_("delivery.notice.received"),
    N_("delivery.refused.none_selected"),
    N_("delivery.refused.too_many"),
    N_("delivery.no_pickup_code"),
)
