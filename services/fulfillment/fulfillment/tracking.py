"""Tracking: the courier's events, pushed by signed webhook or polled from a
quiet courier. Each is stored once (by courier event id), the shipment shows
the latest by event time, a signed parcel never moves back, and what changed
goes to orders through the outbox.

A webhook is on the courier's hot path, so it is written in SQL statements
built once, on rows rather than loaded objects, and its statements are counted
(tests/service/test_statements.py holds the number): one locked read of the
parcel (the shipment, its job's state and whether it is the job's current
waybill), one INSERT ... ON CONFLICT DO NOTHING for the notice's events (a copy
already stored, even one racing in on another connection, is simply not
returned), one read of the parcel's events to recompute what it shows, one
UPDATE of the shipment and the outbox events. Only a delivery or an exception
loads the job, to move it as every other use case does.

The courier may push for a parcel before fulfillment has it as handed over: the
courier commits the subscription on its own, and the hand-over's own commit can
still fail and be retried. Those events are stored and show nothing yet; the
hand-over applies them in its transaction (apply_heard_before_hand_over).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, exists, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from common.db import UnitOfWork
from common.errors import InvalidInput, NotFound, Unauthorized
from fulfillment import domain, events
from fulfillment.couriers import (
    BadSignature,
    CourierEvent,
    CourierRefused,
    CourierUnavailable,
    MalformedWebhook,
)
from fulfillment.domain import JobStatus, Move, TrackingState
from fulfillment.models import Job, Shipment, TrackingEvent
from fulfillment.services import Context, fail, find_shipment, move, publish, publish_for

log = logging.getLogger("fulfillment.tracking")

FINAL_SHIPMENT = ("signed", "refused", "returned", "cancelled")
NOT_HANDED_OVER = "waybill_created"
STATES = frozenset(TrackingState.__members__.values())
AnyRow = Row[*tuple[Any, ...]]  # a row of one of the statements below


# --- the statements, built once ------------------------------------------------------

_shipments = cast(Table, Shipment.__table__)
_jobs = cast(Table, Job.__table__)
_events = cast(Table, TrackingEvent.__table__)
_newer = _shipments.alias("newer")
# The parcel, its job's state and whether it is the job's current waybill (none made
# after it, as services.current_shipment orders them); both rows locked.
_PARCEL = (
    select(
        _shipments.c.id, _shipments.c.courier, _shipments.c.carrier, _shipments.c.waybill,
        _shipments.c.status, _shipments.c.order_id, _jobs.c.reference,
        _jobs.c.status.label("job_status"),
        ~exists().where(
            _newer.c.order_id == _shipments.c.order_id,
            tuple_(_newer.c.created_at, _newer.c.id)
            > tuple_(_shipments.c.created_at, _shipments.c.id),
        ).label("current"),
    )
    .join(_jobs, _jobs.c.order_id == _shipments.c.order_id)
    .where(_shipments.c.waybill == bindparam("waybill"))
    .with_for_update()
)  # fmt: skip
# What the reduction and the outbox events read of a parcel's events.
_SEEN = select(
    _events.c.id, _events.c.event_id, _events.c.state, _events.c.occurred_at,
    _events.c.city, _events.c.signer, _events.c.reason,
).where(_events.c.shipment_id == bindparam("shipment_id"))  # fmt: skip
_STORED_IDS = (
    select(_events.c.event_id)
    .where(_events.c.shipment_id == bindparam("shipment_id"))
    .order_by(_events.c.occurred_at, _events.c.id)
)
_HEARD = (
    update(_shipments)
    .where(_shipments.c.id == bindparam("b_id"))
    .values(heard_at=bindparam("heard_at"))
)
_SHOWN = {"status", "failed_attempts", "latest_event_at", "heard_at"}
# What the shipment shows after its new events; the signer only once it is signed.
_SHOW = {
    signed: update(_shipments)
    .where(_shipments.c.id == bindparam("b_id"))
    .values({name: bindparam(name) for name in (_SHOWN | {"signer"} if signed else _SHOWN)})
    for signed in (True, False)
}


def _store_once_statement(upsert: Any) -> Any:
    return (
        upsert(_events)
        .on_conflict_do_nothing(index_elements=[_events.c.courier, _events.c.event_id])
        .returning(_events.c.event_id)
    )


# Keyed by "is PostgreSQL" (SQLite under `make run`).
_STORE_ONCE = {
    True: _store_once_statement(postgresql_insert),
    False: _store_once_statement(sqlite_insert),
}


# --- receiving ---------------------------------------------------------------------------


def receive_webhook(ctx: Context, body: bytes, headers: Mapping[str, str]) -> dict[str, int]:
    """A signed tracking notice: 401 before anything is read, 404 for a waybill we never
    made (logged), each event stored once."""
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
    connection = uow.session.connection()
    waybills = dict.fromkeys(event.waybill for event in notice)
    parcels = {waybill: _parcel(connection, waybill) for waybill in waybills}
    for event in notice:
        if event.state not in STATES:
            raise InvalidInput(
                f"Unknown tracking state {event.state!r}.", errors={"state": [event.state]}
            )
    now = ctx.clock.now()
    new = _store_once(uow, connection, parcels, notice, now)
    for waybill, parcel in parcels.items():
        new_ids = [e.event_id for e in notice if e.waybill == waybill and e.event_id in new]
        if new_ids:
            _apply(uow, connection, parcel, list(dict.fromkeys(new_ids)), now)
        else:
            connection.execute(_HEARD, {"b_id": parcel.id, "heard_at": now})
    return len(new), len(notice) - len(new)


def _parcel(connection: Connection, waybill: str) -> AnyRow:
    found = connection.execute(_PARCEL, {"waybill": waybill}).one_or_none()
    if found is None:
        log.warning("tracking for a waybill fulfillment never made", extra={"waybill": waybill})
        raise NotFound(f"There is no shipment with the waybill {waybill}.")
    return found


def _store_once(
    uow: UnitOfWork, connection: Connection, parcels: Mapping[str, AnyRow],
    notice: list[CourierEvent], now: datetime,
) -> set[str]:  # fmt: skip
    """The event ids stored by this call: one statement for the whole notice."""
    rows = [
        {
            "courier": parcels[e.waybill].courier, "event_id": e.event_id,
            "shipment_id": parcels[e.waybill].id, "state": e.state,
            "occurred_at": e.occurred_at, "city": e.city, "signer": e.signer,
            "reason": e.reason, "received_at": now,
        }
        for e in notice
    ]  # fmt: skip
    statement = _STORE_ONCE[connection.dialect.name == "postgresql"]
    return set(connection.execute(statement, rows).scalars())


def _apply(
    uow: UnitOfWork, connection: Connection, parcel: AnyRow, new_ids: list[str], now: datetime
) -> None:
    """Recompute what the shipment shows and tell orders what changed."""
    if parcel.status == NOT_HANDED_OVER:
        # The courier subscribes on its own before our hand-over commits, and that commit
        # may yet fail and be retried: keep what it says for the hand-over to apply.
        connection.execute(_HEARD, {"b_id": parcel.id, "heard_at": now})
        return
    rows = connection.execute(_SEEN, {"shipment_id": parcel.id}).all()
    by_id = {row.event_id: row for row in rows}
    tracking = domain.reduce_tracking(
        domain.Seen(row.event_id, row.state, row.occurred_at, row.id) for row in rows
    )
    status = parcel.status
    if status != "cancelled":
        status = tracking.status or status
    shown = {"b_id": parcel.id, "status": status, "failed_attempts": tracking.failed_attempts,
             "latest_event_at": tracking.latest.occurred_at if tracking.latest else None,
             "heard_at": now}  # fmt: skip
    if tracking.signed is not None:
        shown["signer"] = by_id[tracking.signed.event_id].signer
    connection.execute(_SHOW[tracking.signed is not None], shown)
    if not (parcel.current and parcel.job_status == JobStatus.SHIPPED):
        return  # an old waybill after a reship, or a job cancelled: kept, but moves nothing
    if status != parcel.status and tracking.latest is not None:
        latest = by_id[tracking.latest.event_id]
        publish_for(uow, parcel.order_id, parcel.reference, events.TRACKING_UPDATED, {
            "carrier": parcel.carrier, "waybill": parcel.waybill, "state": latest.state,
            "city": latest.city, "occurred_at": latest.occurred_at,
        })  # fmt: skip
    if tracking.signed is None:
        _report_failed_attempts(uow, parcel, [by_id[i] for i in new_ids], rows)
        if tracking.exception is not None:
            job = _locked_job(uow, parcel)
            fail(uow, job, tracking.exception, parcel.waybill, now)
        return
    job = _locked_job(uow, parcel)
    move(job, Move.DELIVER, "be delivered", now)
    job.delivered_at = tracking.signed.occurred_at
    publish(uow, job, events.DELIVERED, {
        "how": "courier", "waybill": parcel.waybill, "actor": "courier",
        "delivered_at": tracking.signed.occurred_at,
    })  # fmt: skip


def apply_heard_before_hand_over(uow: UnitOfWork, waybill: str, now: datetime) -> bool:
    """In the hand-over's transaction, once the parcel is handed over: what the courier
    pushed before, applied as if it came now. Whether there was any."""
    uow.session.flush()  # the statements below read the hand-over's rows
    connection = uow.session.connection()
    parcel = _parcel(connection, waybill)
    heard = connection.execute(_STORED_IDS, {"shipment_id": parcel.id}).scalars().all()
    if heard:
        _apply(uow, connection, parcel, list(heard), now)
    return bool(heard)


def _locked_job(uow: UnitOfWork, parcel: AnyRow) -> Job:
    """The job, to be moved (its row is locked since the parcel was read)."""
    job = uow.session.get(Job, parcel.order_id)
    if job is None:  # the foreign key and the lock rule it out
        raise NotFound(f"There is no production job for the order {parcel.order_id}.")
    return job


def _report_failed_attempts(
    uow: UnitOfWork, parcel: AnyRow, new: list[AnyRow], rows: Sequence[AnyRow]
) -> None:
    problems = sorted(
        (r for r in rows if r.state == "problem"), key=lambda r: (r.occurred_at, r.id)
    )
    for row in new:
        if row.state != "problem":
            continue
        attempt = 1 + next(i for i, r in enumerate(problems) if r.event_id == row.event_id)
        publish_for(uow, parcel.order_id, parcel.reference, events.DELIVERY_ATTEMPT_FAILED, {
            "waybill": parcel.waybill, "attempt": attempt, "reason": row.reason or "unknown",
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
