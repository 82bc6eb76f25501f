"""How an order follows its production and delivery in fulfillment: in
production, shipped (again after a delivery problem), ready for pickup,
delivered, a delivery problem; and the steps that change no state (produced,
tracking, a failed attempt, a pickup reminder) as timeline entries.

Each reaction runs inside the event handler's unit of work with the order
locked. Fulfillment publishes its steps in order, but competing consumers may
hand orders a later one first: the order is then taken through the steps it
skipped (domain.catch_up, each on the timeline as reported late), as a
review decision implies its claim. A step the order is already past, or one
that does not fit its state (a reship for an order not in a delivery
problem), is a StaleEvent: recorded by the inbox and ignored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from common.db import UnitOfWork
from common.events.consumer import StaleEvent
from orders import domain
from orders.domain import COURIER_ROUTE, PICKUP_ROUTE, Action, Actor
from orders.models import Order
from orders.services.base import move, note
from orders.services.context import COURIER_ACTOR, SYSTEM_ACTOR
from orders.services.receipt import start_auto_confirm
from orders.services.review import order_under_review

PRODUCTION = "production"
DISPATCHER = "dispatcher"
LATE = " (reported after a later step)"


def staff_actor(role: str, actor: str) -> str:
    """How the timeline names fulfillment's actor: `production:<staff id>`,
    `dispatcher:<staff id>`; the courier and the system by their own names."""
    return actor if actor in (COURIER_ACTOR, SYSTEM_ACTOR) else f"{role}:{actor}"


def _advance(
    uow: UnitOfWork,
    order: Order,
    steps: tuple[Action, ...],
    actor: Actor,
    who: str,
    reason: str,
    what: str,
) -> None:
    """Take the order through the last of `steps`, the skipped ones first."""
    path = domain.catch_up(order.status, steps, actor)
    if path is None:
        raise StaleEvent(f"{what} for an order that is {order.status}")
    for skipped in path[:-1]:
        move(uow, order, skipped, Actor.SYSTEM, SYSTEM_ACTOR, _IMPLIED[skipped] + LATE)
    move(uow, order, path[-1], actor, who, reason)


_IMPLIED = {
    Action.START_PRODUCTION: "Production started.",
    Action.SHIP: "Handed to the courier.",
    Action.OFFER_PICKUP: "Ready for pickup.",
}


def start_production(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    who = staff_actor(PRODUCTION, data["actor"])
    _advance(uow, order, COURIER_ROUTE[:1], Actor.STAFF, who,
             f"Production started (batch {data['batch_id']}).", "production started")  # fmt: skip


def record_produced(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    number = data["credential_number"]
    said = f"Produced; credential number {number}." if number else "Produced."
    note(uow, order, staff_actor(PRODUCTION, data["actor"]), said, Actor.STAFF)


def ship(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    who = staff_actor(DISPATCHER, data["actor"])
    parcel = f"{data['carrier']}, waybill {data['waybill']}"
    if data["reship"]:
        _advance(uow, order, (Action.RESHIP,), Actor.STAFF, who,
                 f"Sent again after the delivery problem ({parcel}).", "a reship")  # fmt: skip
        return
    _advance(uow, order, COURIER_ROUTE, Actor.STAFF, who,
             f"Handed to the courier ({parcel}).", "a dispatch")  # fmt: skip


def record_tracking(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    where = f" ({data['city']})" if data["city"] else ""
    said = f"{data['carrier']} {data['waybill']}: {data['state']}{where}."
    note(uow, order, COURIER_ACTOR, said, Actor.SYSTEM)


def record_failed_attempt(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    said = (
        f"Delivery attempt {data['attempt']} failed ({data['reason']}): "
        f"{data['what_to_do']['en']} / {data['what_to_do']['zh']}"
    )
    note(uow, order, COURIER_ACTOR, said, Actor.SYSTEM)


def offer_pickup(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    collect_by = f"{data['collect_by']:%Y-%m-%d} UTC"
    if data["switched"]:
        _advance(uow, order, (Action.SWITCH_TO_PICKUP,), Actor.STAFF, DISPATCHER,
                 f"Switched to pickup at {data['office_code']}; collect by {collect_by}.",
                 "a switch to pickup")  # fmt: skip
        return
    _advance(uow, order, PICKUP_ROUTE, Actor.SYSTEM, SYSTEM_ACTOR,
             f"Ready for pickup at {data['office_code']}; collect by {collect_by}.",
             "ready for pickup")  # fmt: skip


def remind_pickup(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    if order.status != domain.Status.READY_FOR_PICKUP:
        raise StaleEvent(f"a pickup reminder for an order that is {order.status}")
    said = (
        f"Reminder: not collected yet at {data['office_code']}; "
        f"collect by {data['collect_by']:%Y-%m-%d} UTC."
    )
    note(uow, order, SYSTEM_ACTOR, said, Actor.SYSTEM)


def deliver(uow: UnitOfWork, data: dict[str, Any], auto_confirm: timedelta) -> None:
    """Signed for, or collected at the counter: delivered, and the auto-confirm timer starts."""
    order = order_under_review(uow, data["order_id"])
    delivered_at: datetime = data["delivered_at"]
    if data["how"] == "pickup":
        steps, actor = (*PICKUP_ROUTE, Action.DELIVER), Actor.STAFF
        who, said = staff_actor(DISPATCHER, data["actor"]), "Collected at the counter."
    else:
        steps, actor = (*COURIER_ROUTE, Action.DELIVER), Actor.SYSTEM
        who, said = COURIER_ACTOR, f"Signed for (waybill {data['waybill']})."
    _advance(uow, order, steps, actor, who, said, "a delivery")
    start_auto_confirm(uow, order, delivered_at, auto_confirm)


def report_exception(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    reason = data["reason_code"]
    if reason == "uncollected":
        steps, who = (*PICKUP_ROUTE, Action.REPORT_EXCEPTION), SYSTEM_ACTOR
        said = "Not collected in time: returned to the archive."
    else:
        steps, who = (*COURIER_ROUTE, Action.REPORT_EXCEPTION), COURIER_ACTOR
        said = f"Delivery problem ({reason}, waybill {data['waybill']})."
    _advance(uow, order, steps, Actor.SYSTEM, who, said, "a delivery problem")
