"""Tracking: the courier's events, pushed by signed webhook or polled from a
quiet courier. Each is stored once (by courier event id), the shipment shows
the latest by event time, a signed parcel never moves back, and what changed
goes to orders through the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from common.db import UnitOfWork
from common.errors import InvalidInput, NotFound
from fulfillment import domain, events
from fulfillment.couriers import CourierEvent, CourierRefused, CourierUnavailable
from fulfillment.dispatch import find_shipment
from fulfillment.domain import JobStatus, Move, TrackingState
from fulfillment.models import Job, Shipment, TrackingEvent
from fulfillment.services import Context, current_shipment, fail, find_job, move, publish

log = logging.getLogger("fulfillment.tracking")

FINAL_SHIPMENT = ("signed", "refused", "returned", "cancelled")


def receive_webhook(ctx: Context, body: bytes, headers: Mapping[str, str]) -> dict[str, int]:
    """A signed tracking notice: 401 before anything is read, 404 for a waybill we never
    made (logged), each event stored once."""
    from common.errors import Unauthorized
    from fulfillment.couriers import BadSignature, MalformedWebhook

    try:
        notice = ctx.courier.parse_webhook(body, headers, ctx.clock.now())
    except BadSignature as exc:
        log.warning("courier webhook refused: %s", exc)
        raise Unauthorized(str(exc)) from None
    except MalformedWebhook as exc:
        raise InvalidInput(str(exc), errors={"body": [str(exc)]}) from None
    with ctx.uow() as uow:
        stored, duplicates = record_events(ctx, uow, notice)
        uow.commit()
    return {"stored": stored, "duplicates": duplicates}


def record_events(ctx: Context, uow: UnitOfWork, notice: list[CourierEvent]) -> tuple[int, int]:
    shipments: dict[str, Shipment] = {}
    for event in notice:
        if event.waybill not in shipments:
            try:
                shipments[event.waybill] = find_shipment(uow, event.waybill, for_update=True)
            except NotFound:
                log.warning(
                    "tracking for a waybill fulfillment never made",
                    extra={"waybill": event.waybill},
                )
                raise
    now = ctx.clock.now()
    stored, duplicates = 0, 0
    new: dict[str, list[TrackingEvent]] = {}
    for event in notice:
        row = _store_once(uow, shipments[event.waybill], event, now)
        if row is None:
            duplicates += 1
        else:
            stored += 1
            new.setdefault(event.waybill, []).append(row)
    for waybill, rows in new.items():
        _apply(ctx, uow, shipments[waybill], rows, now)
    for shipment in shipments.values():
        shipment.heard_at = now
    return stored, duplicates


def _store_once(
    uow: UnitOfWork, shipment: Shipment, event: CourierEvent, now: datetime
) -> TrackingEvent | None:
    if event.state not in TrackingState.__members__.values():
        raise InvalidInput(
            f"Unknown tracking state {event.state!r}.", errors={"state": [event.state]}
        )
    seen = uow.session.scalar(
        select(TrackingEvent.id).where(
            TrackingEvent.courier == shipment.courier, TrackingEvent.event_id == event.event_id
        )
    )
    if seen is not None:
        return None
    row = TrackingEvent(
        courier=shipment.courier, event_id=event.event_id, shipment_id=shipment.id,
        state=event.state, occurred_at=event.occurred_at, city=event.city,
        signer=event.signer, reason=event.reason, received_at=now,
    )  # fmt: skip
    try:
        with uow.session.begin_nested():  # a concurrent copy of the same event wins the race
            uow.session.add(row)
    except IntegrityError:
        return None
    return row


def _apply(
    ctx: Context, uow: UnitOfWork, shipment: Shipment, new: list[TrackingEvent], now: datetime
) -> None:
    """Recompute what the shipment shows and tell orders what changed."""
    rows = uow.session.scalars(
        select(TrackingEvent).where(TrackingEvent.shipment_id == shipment.id)
    ).all()
    tracking = domain.reduce_tracking(
        domain.Seen(row.event_id, row.state, row.occurred_at, row.id) for row in rows
    )
    before = shipment.status
    job = find_job(uow, shipment.order_id, for_update=True)
    current = current_shipment(uow, job)
    live = current is not None and current.id == shipment.id and job.status == JobStatus.SHIPPED
    if shipment.status != "cancelled":
        shipment.status = tracking.status or shipment.status
    shipment.failed_attempts = tracking.failed_attempts
    shipment.latest_event_at = tracking.latest.occurred_at if tracking.latest else None
    if tracking.signed is not None:
        shipment.signer = next(
            (r.signer for r in rows if r.event_id == tracking.signed.event_id), None
        )
    if not live:
        return  # an old waybill after a reship, or a job cancelled: kept, but moves nothing
    if shipment.status != before and tracking.latest is not None:
        latest = next(r for r in rows if r.event_id == tracking.latest.event_id)
        publish(uow, job, events.TRACKING_UPDATED, {
            "carrier": shipment.carrier, "waybill": shipment.waybill, "state": latest.state,
            "city": latest.city, "occurred_at": latest.occurred_at,
        })  # fmt: skip
    if tracking.signed is None:
        _report_failed_attempts(uow, job, shipment, new, rows)
    if tracking.signed is not None:
        move(job, Move.DELIVER, "be delivered", now)
        job.delivered_at = tracking.signed.occurred_at
        publish(uow, job, events.DELIVERED, {
            "how": "courier", "waybill": shipment.waybill, "actor": "courier",
            "delivered_at": tracking.signed.occurred_at,
        })  # fmt: skip
    elif tracking.exception is not None:
        fail(uow, job, tracking.exception, shipment.waybill, now)


def _report_failed_attempts(uow: UnitOfWork, job: Job, shipment: Shipment,
                            new: list[TrackingEvent], rows: Sequence[TrackingEvent]) -> None:  # fmt: skip
    problems = sorted(
        (r for r in rows if r.state == "problem"), key=lambda r: (r.occurred_at, r.id)
    )
    for row in new:
        if row.state != "problem":
            continue
        attempt = 1 + next(i for i, r in enumerate(problems) if r.event_id == row.event_id)
        publish(uow, job, events.DELIVERY_ATTEMPT_FAILED, {
            "waybill": shipment.waybill, "attempt": attempt, "reason": row.reason or "unknown",
            "what_to_do": domain.what_to_do(row.reason), "occurred_at": row.occurred_at,
        })  # fmt: skip


def poll_quiet_couriers(ctx: Context, now: datetime) -> int:
    """Ask the courier about handed-over parcels it has been silent about."""
    with ctx.uow() as uow:
        quiet = uow.session.scalars(
            select(Shipment.waybill)
            .where(Shipment.handed_over_at.is_not(None), Shipment.status.not_in(FINAL_SHIPMENT))
            .where(Shipment.heard_at <= now - ctx.tracking_quiet)
            .limit(100)
        ).all()
    for waybill in quiet:
        try:
            notice = ctx.courier.poll_tracking(waybill)
        except (CourierUnavailable, CourierRefused) as exc:
            log.warning("polling the courier failed: %s", exc, extra={"waybill": waybill})
            continue
        with ctx.uow() as uow:
            if notice:
                record_events(ctx, uow, notice)
            else:
                find_shipment(uow, waybill, for_update=True).heard_at = now
            uow.commit()
    return len(quiet)
