"""The events that become messages, and the account events that say where to send them.

Each handler reads its payload through a schema of what it uses (a payload
missing a field is a ValidationError: dead-lettered with the message), finds
the order's applicant (OrderNotKnown, retried, when no event has named them
yet), and writes the messages (services.write_messages; an unknown template
or a missing field is TemplateError, a PermanentFailure: dead-lettered with
the reason). The handlers read the pickup code from fulfillment and the link
bases from the settings, so the worker builds them with the Context:
`handlers_for(ctx)`. The schemas of what is read live in
notifications.schemas.consumed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema

from common.db import UnitOfWork
from common.events.consumer import Handler, StaleEvent
from common.events.envelope import Envelope
from notifications import accounts, domain
from notifications.models import OrderSeen, Reminder
from notifications.schemas import consumed as c
from notifications.services import (
    Context,
    addressee,
    document_names,
    forget_reads,
    order_of,
    remember_order,
    write_messages,
)

# event type → (schema of what is read, template, the template's values from the data)
Values = Callable[[dict[str, Any], OrderSeen, str], dict[str, Any]]


def _ref(data: dict[str, Any], order: OrderSeen, _lang: str) -> dict[str, Any]:
    return {"reference": order.reference}


def _amount(field: str) -> Values:
    return lambda data, order, _lang: {"reference": order.reference,
                                       "amount": domain.yuan(data[field])}  # fmt: skip


def _rejected(data: dict[str, Any], order: OrderSeen, _lang: str) -> dict[str, Any]:
    return {"reference": order.reference, "reason": data["note"] or data["reason_code"]}


def _dispatched(data: dict[str, Any], order: OrderSeen, _lang: str) -> dict[str, Any]:
    return {"reference": order.reference, "carrier": data["carrier"], "waybill": data["waybill"]}


def _attempt_failed(data: dict[str, Any], order: OrderSeen, lang: str) -> dict[str, Any]:
    what = data["what_to_do"]
    return {"reference": order.reference, "what_to_do": what["en" if lang == "en" else "zh"]}


def _photos(data: dict[str, Any], order: OrderSeen, lang: str) -> dict[str, Any]:
    codes = [document["code"] for document in data["documents"]]
    return {"reference": order.reference, "documents": document_names(codes, order, lang),
            "deadline": domain.beijing_time(data["deadline"], lang)}  # fmt: skip


MESSAGES: dict[str, tuple[type[Schema], str, Values]] = {
    "orders.submitted": (c.OrderSubmitted, "submitted", _amount("total_fen")),
    "orders.approved": (c.OrderApproved, "approved", _amount("total_fen")),
    "orders.rejected": (c.OrderRejected, "rejected", _rejected),
    "orders.payment_refunded": (c.PaymentRefunded, "refunded", _amount("amount_fen")),
    "orders.completed": (c.OrderCompleted, "completed", _ref),
    "verification.resubmission_requested": (c.ResubmissionRequested, "photos_needed", _photos),
    "fulfillment.production_started": (c.OrderEvent, "in_production", _ref),
    "fulfillment.dispatched": (c.Dispatched, "dispatched", _dispatched),
    "fulfillment.delivery_attempt_failed": (c.AttemptFailed, "delivery_attempt_failed", _attempt_failed),
    "fulfillment.delivered": (c.OrderEvent, "delivered", _ref),
    "verification.chat_message_posted": (c.ChatMessagePosted, "chat_reply", _ref),
    "ratings.complaint_opened": (c.ComplaintOpened, "complaint_opened", _ref),
    "ratings.case_answered": (c.CaseAnswered, "complaint_answered", _ref),
    "ratings.complaint_closed": (c.ComplaintClosed, "complaint_closed", _ref),
}  # fmt: skip


# Events told only in some cases. A case a bad rating opened is not a complaint
# the applicant made: its contact and answer come from staff, and the rating's
# page shows them, so it is not spoken of as "your complaint".
def _complaint(data: dict[str, Any]) -> bool:
    return data["kind"] == "complaint"  # type: ignore[no-any-return]


ONLY_WHEN: dict[str, Callable[[dict[str, Any]], bool]] = {
    "ratings.complaint_opened": _complaint,
    "ratings.case_answered": _complaint,
    "ratings.complaint_closed": _complaint,
}


def message_handler(ctx: Context, event_type: str) -> Handler:
    schema_class, template_key, values = MESSAGES[event_type]
    schema = schema_class()  # built once: a schema's construction costs more than a load
    wanted = ONLY_WHEN.get(event_type, lambda _data: True)

    def handle(event: Envelope, uow: UnitOfWork) -> None:
        data = schema.load(event.data)
        if not wanted(data):
            return
        to = addressee(uow, data["order_id"], data.get("applicant_id"), data.get("reference"),
                       hint=ctx.batch)  # fmt: skip
        order = to.order
        write_messages(ctx, uow, event_id=event.id, event_type=event.type,
                       template_key=template_key, order=order, to=to,
                       values=lambda language: values(data, order, language))  # fmt: skip
        after_message(ctx, uow, event_type, data, order)

    return handle


def after_message(
    ctx: Context, uow: UnitOfWork, event_type: str, data: dict[str, Any], order: OrderSeen
) -> None:
    """What an event changes besides its message: the photos reminder."""
    if event_type == "verification.resubmission_requested":
        schedule_reminder(ctx, uow, data)
    elif event_type in ("orders.rejected", "orders.completed"):
        cancel_reminders(uow, order.order_id)


def schedule_reminder(ctx: Context, uow: UnitOfWork, data: dict[str, Any]) -> None:
    due = data["deadline"] - ctx.reminder_before
    if due <= uow.clock.now():
        return  # the request itself already names a deadline this close
    if (
        uow.session.query(Reminder)
        .filter_by(order_id=data["order_id"], round=data["round"])
        .first()
    ):
        return
    uow.session.add(Reminder(
        order_id=data["order_id"], round=data["round"], deadline=data["deadline"], due_at=due,
        documents=[document["code"] for document in data["documents"]],
    ))  # fmt: skip


def cancel_reminders(uow: UnitOfWork, order_id: str) -> None:
    now = uow.clock.now()
    for reminder in uow.session.query(Reminder).filter_by(order_id=order_id, sent_at=None,
                                                          cancelled_at=None):  # fmt: skip
        reminder.cancelled_at = now


def remember_draft(event: Envelope, uow: UnitOfWork) -> None:
    """A new draft: whose it is and what its documents are called."""
    data = c.DraftCreated().load(event.data)
    titles = {document["code"]: document["title"] for document in data["required_documents"]}
    remember_order(uow, data["order_id"], data["applicant_id"], data["reference"], titles)


def photos_resubmitted(event: Envelope, uow: UnitOfWork) -> None:
    """New photos arrived: the reminder has nothing left to remind of."""
    data = c.Resubmitted().load(event.data)
    cancel_reminders(uow, data["order_id"])


def pickup_ready(ctx: Context) -> Handler:
    def handle(event: Envelope, uow: UnitOfWork) -> None:
        """Ready at the office: where, when, and the code (in-app and SMS only)."""
        data = c.ReadyForPickup().load(event.data)
        order = order_of(uow, data["order_id"])
        code = ctx.pickup_codes(order.order_id, order.account_id)

        def values(language: str) -> dict[str, Any]:
            key = "en" if language == "en" else "zh"
            office = data["office"] or {}
            return {
                "reference": order.reference,
                "office": (office.get("name") or {}).get(key) or data["office_code"],
                "hours": (office.get("hours") or {}).get(key) or _SEE_PAGE[key],
                "pickup_code": code or _SEE_PAGE[key],
            }

        write_messages(ctx, uow, event_id=event.id, event_type=event.type,
                       template_key="pickup_ready", order=order, values=values)  # fmt: skip

    return handle


_SEE_PAGE = {"zh": "见订单页", "en": "on the order page"}


def contact_changed(event: Envelope, uow: UnitOfWork) -> None:
    data = c.ContactChanged().load(event.data)
    if not accounts.save_contact(uow, data):
        raise StaleEvent(f"an older contact change of {data['account_id']}")
    forget_reads(uow)  # the batch's next events read it again


def account_deleted(event: Envelope, uow: UnitOfWork) -> None:
    data = c.AccountDeleted().load(event.data)
    accounts.forget(uow, data["account_id"])
    forget_reads(uow)


def handlers_for(ctx: Context) -> dict[str, Handler]:
    """The handler of each consumed event, on the context's links and pickup codes."""
    found: dict[str, Handler] = {t: message_handler(ctx, t) for t in MESSAGES}
    found.update({
        "orders.draft_created": remember_draft,
        "verification.resubmitted": photos_resubmitted,
        "fulfillment.ready_for_pickup": pickup_ready(ctx),
        "accounts.contact_changed": contact_changed,
        "accounts.deleted": account_deleted,
    })  # fmt: skip
    return found


# What notifications reads of each event it consumes; the contract tests load
# every producer's example through these.
CONSUMED: dict[str, type[Schema]] = {
    **{event_type: schema for event_type, (schema, _t, _v) in MESSAGES.items()},
    "orders.draft_created": c.DraftCreated,
    "verification.resubmitted": c.Resubmitted,
    "fulfillment.ready_for_pickup": c.ReadyForPickup,
    "accounts.contact_changed": c.ContactChanged,
    "accounts.deleted": c.AccountDeleted,
}
BINDINGS = sorted(CONSUMED)
