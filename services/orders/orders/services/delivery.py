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
from orders.domain.timeline import Entry, iso
from orders.models import Order
from orders.services.base import move, note
from orders.services.context import COURIER_ACTOR, SYSTEM_ACTOR
from orders.services.receipt import start_auto_confirm
from orders.services.review import order_under_review

PRODUCTION = "production"
DISPATCHER = "dispatcher"


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
    code: Entry,
    params: dict[str, Any],
    what: str,
) -> None:
    """Take the order through the last of `steps`, the skipped ones first."""
    path = domain.catch_up(order.status, steps, actor)
    if path is None:
        raise StaleEvent(f"{what} for an order that is {order.status}")
    for skipped in path[:-1]:  # the entry's to_status says which step it was
        move(uow, order, skipped, Actor.SYSTEM, SYSTEM_ACTOR, Entry.REPORTED_LATE)
    move(uow, order, path[-1], actor, who, code, params)


def start_production(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    who = staff_actor(PRODUCTION, data["actor"])
    _advance(uow, order, COURIER_ROUTE[:1], Actor.STAFF, who, Entry.PRODUCTION_STARTED,
             {"batch_id": data["batch_id"]}, "production started")  # fmt: skip


def record_produced(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    note(uow, order, staff_actor(PRODUCTION, data["actor"]), Actor.STAFF, Entry.PRODUCED,
         {"credential_number": data["credential_number"] or None})  # fmt: skip


def ship(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    who = staff_actor(DISPATCHER, data["actor"])
    parcel = {"carrier": data["carrier"], "waybill": data["waybill"]}
    if data["reship"]:
        _advance(uow, order, (Action.RESHIP,), Actor.STAFF, who, Entry.RESHIPPED, parcel,
                 "a reship")  # fmt: skip
        return
    _advance(uow, order, COURIER_ROUTE, Actor.STAFF, who, Entry.SHIPPED, parcel, "a dispatch")


def record_tracking(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    note(uow, order, COURIER_ACTOR, Actor.SYSTEM, Entry.SHIPMENT_STATUS, {
        "carrier": data["carrier"], "waybill": data["waybill"], "state": data["state"],
        "city": data["city"] or None,
    })  # fmt: skip


def record_failed_attempt(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    note(uow, order, COURIER_ACTOR, Actor.SYSTEM, Entry.DELIVERY_ATTEMPT_FAILED, {
        "attempt": data["attempt"], "reason": data["reason"],
        "what_to_do": {"zh": data["what_to_do"]["zh"], "en": data["what_to_do"]["en"]},
    })  # fmt: skip


def offer_pickup(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    office = {"office_code": data["office_code"], "collect_by": iso(data["collect_by"])}
    if data["switched"]:
        _advance(uow, order, (Action.SWITCH_TO_PICKUP,), Actor.STAFF, DISPATCHER,
                 Entry.SWITCHED_TO_PICKUP, office, "a switch to pickup")  # fmt: skip
        return
    _advance(uow, order, PICKUP_ROUTE, Actor.SYSTEM, SYSTEM_ACTOR, Entry.READY_FOR_PICKUP,
             office, "ready for pickup")  # fmt: skip


def remind_pickup(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    if order.status != domain.Status.READY_FOR_PICKUP:
        raise StaleEvent(f"a pickup reminder for an order that is {order.status}")
    note(uow, order, SYSTEM_ACTOR, Actor.SYSTEM, Entry.PICKUP_REMINDER,
         {"office_code": data["office_code"], "collect_by": iso(data["collect_by"])})  # fmt: skip


def deliver(uow: UnitOfWork, data: dict[str, Any], auto_confirm: timedelta) -> None:
    """Signed for, or collected at the counter: delivered, and the auto-confirm timer starts."""
    order = order_under_review(uow, data["order_id"])
    delivered_at: datetime = data["delivered_at"]
    if data["how"] == "pickup":
        steps, actor = (*PICKUP_ROUTE, Action.DELIVER), Actor.STAFF
        who, code, params = staff_actor(DISPATCHER, data["actor"]), Entry.COLLECTED, {}
    else:
        steps, actor = (*COURIER_ROUTE, Action.DELIVER), Actor.SYSTEM
        who, code, params = COURIER_ACTOR, Entry.SIGNED_FOR, {"waybill": data["waybill"]}
    _advance(uow, order, steps, actor, who, code, params, "a delivery")
    start_auto_confirm(uow, order, delivered_at, auto_confirm)


def report_exception(uow: UnitOfWork, data: dict[str, Any]) -> None:
    order = order_under_review(uow, data["order_id"])
    reason = data["reason_code"]
    if reason == "uncollected":
        steps, who = (*PICKUP_ROUTE, Action.REPORT_EXCEPTION), SYSTEM_ACTOR
        code, params = Entry.UNCOLLECTED, {}
    else:
        steps, who = (*COURIER_ROUTE, Action.REPORT_EXCEPTION), COURIER_ACTOR
        code, params = Entry.DELIVERY_EXCEPTION, {"reason_code": reason, "waybill": data["waybill"]}
    _advance(uow, order, steps, Actor.SYSTEM, who, code, params, "a delivery problem")
