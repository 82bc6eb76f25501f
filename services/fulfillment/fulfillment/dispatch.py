"""Dispatch and tracking: waybills in a batch, labels, the hand-over to the
courier, the courier's tracking events (pushed or polled), the exception
queue (reship, switch to pickup) and the address correction before dispatch.

The courier is called before fulfillment's commit and keeps what it did (as a
company would); a batch that fails half-way cancels the waybills it made.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from common.db import UnitOfWork
from common.errors import Conflict, InvalidInput, NotFound, UpstreamUnavailable
from fulfillment import domain, events
from fulfillment.couriers import CourierEvent, CourierRefused, CourierUnavailable, Party
from fulfillment.domain import JobStatus, Move, TrackingState
from fulfillment.labels import render_label
from fulfillment.models import Job, Shipment, TrackingEvent
from fulfillment.services import (
    MAX_BATCH,
    PAGE_SIZE,
    Context,
    current_shipment,
    find_job,
    invalid,
    job_summary,
    job_view,
    jobs_for_update,
    make_ready_for_pickup,
    move,
    publish,
    refuse_unless,
    wrong_state,
)

log = logging.getLogger("fulfillment.dispatch")

FINAL_SHIPMENT = ("signed", "refused", "returned", "cancelled")


def _shipment_view(shipment: Shipment, reference: str) -> dict[str, Any]:
    return {
        "order_id": shipment.order_id,
        "reference": reference,
        "carrier": shipment.carrier,
        "waybill": shipment.waybill,
        "status": shipment.status,
        "reship": shipment.reship,
        "failed_attempts": shipment.failed_attempts,
        "created_at": shipment.created_at,
        "handed_over_at": shipment.handed_over_at,
        "label_url": f"/dispatch/shipments/{shipment.waybill}/label.svg",
    }


def _check_count(values: list[str], name: str) -> None:
    if not 1 <= len(values) <= MAX_BATCH:
        raise invalid("Choose 1 to 50 at once.", {name: [f"Choose 1 to {MAX_BATCH}."]})


# --- the dispatch page ---------------------------------------------------------------


def dispatch_jobs(ctx: Context, *, stage: str, page: int) -> dict[str, Any]:
    with ctx.uow() as uow:
        now = ctx.clock.now()
        waiting = _to_waybill(uow)
        handing = _to_hand_over(uow)
        chosen = waiting if stage == "to_waybill" else handing
        start = (page - 1) * PAGE_SIZE
        rows = []
        for job, shipment in chosen[start : start + PAGE_SIZE]:
            row = job_summary(job, now)
            row["shipment"] = _shipment_view(shipment, job.reference) if shipment else None
            rows.append(row)
        return {"jobs": rows, "counts": {"to_waybill": len(waiting), "to_hand_over": len(handing)},
                "page": page, "pages": max(1, -(-len(chosen) // PAGE_SIZE))}  # fmt: skip


def _to_waybill(uow: UnitOfWork) -> list[tuple[Job, Shipment | None]]:
    has_shipment = select(Shipment.order_id).where(Shipment.order_id == Job.order_id).exists()
    jobs = uow.session.scalars(
        select(Job)
        .where(Job.status == JobStatus.PRODUCED, Job.delivery_kind == "courier", ~has_shipment)
        .order_by(Job.approved_at, Job.order_id)
    )
    return [(job, None) for job in jobs]


def _to_hand_over(uow: UnitOfWork) -> list[tuple[Job, Shipment | None]]:
    rows = uow.session.execute(
        select(Job, Shipment)
        .join(Shipment, Shipment.order_id == Job.order_id)
        .where(Shipment.status == "waybill_created")
        .order_by(Job.approved_at, Job.order_id)
    ).all()
    return [(job, shipment) for job, shipment in rows]


def create_waybills(ctx: Context, order_ids: list[str], *, actor: str) -> dict[str, Any]:
    """A waybill for each produced courier job; 409 (nothing made) if any cannot have one."""
    _check_count(order_ids, "order_ids")
    with ctx.uow() as uow:
        jobs = jobs_for_update(uow, order_ids)
        refuse_unless(jobs, JobStatus.PRODUCED, "have a waybill made")
        for job in jobs:
            if job.delivery_kind != "courier":
                raise Conflict(f"{job.reference} is collected at an office: it needs no waybill.",
                               errors={"delivery_kind": [job.delivery_kind]})  # fmt: skip
            existing = current_shipment(uow, job)
            if existing is not None:
                raise Conflict(
                    f"{job.reference} already has the waybill {existing.waybill}.",
                    errors={"status": [job.status], "waybill": [existing.waybill]},
                )
        made = _make_waybills(ctx, uow, jobs, actor, reship=False)
        uow.commit()
    return {"shipments": made}


def _make_waybills(
    ctx: Context, uow: UnitOfWork, jobs: list[Job], actor: str, *, reship: bool
) -> list[dict[str, Any]]:
    made: list[str] = []
    views = []
    try:
        for job in jobs:
            address = job.address or {}
            waybill = ctx.courier.create_waybill(
                order_reference=job.reference, recipient=_recipient(address), sender=ctx.sender
            )
            made.append(waybill)
            shipment = Shipment(
                id=f"shp_{uuid.uuid4().hex[:16]}", order_id=job.order_id,
                carrier=ctx.courier.carrier, courier=ctx.courier.name, waybill=waybill,
                status="waybill_created", address=dict(address), reship=reship,
                failed_attempts=0, created_by=actor, created_at=ctx.clock.now(),
            )  # fmt: skip
            uow.session.add(shipment)
            views.append(_shipment_view(shipment, job.reference))
        uow.session.flush()
    except CourierUnavailable as exc:
        _cancel_quietly(ctx, made)
        raise UpstreamUnavailable(
            f"The courier did not answer ({exc}); nothing was dispatched."
        ) from None
    except Exception:
        _cancel_quietly(ctx, made)
        raise
    return views


def _cancel_quietly(ctx: Context, waybills: list[str]) -> None:
    for waybill in waybills:
        try:
            ctx.courier.cancel_waybill(waybill)
        except (CourierRefused, CourierUnavailable):
            log.warning(
                "a waybill of a failed batch could not be cancelled", extra={"waybill": waybill}
            )


def _recipient(address: Mapping[str, str]) -> Party:
    street = " ".join(address.get(k, "") for k in ("province", "city", "district", "street"))
    return Party(name=address.get("recipient", ""), phone=address.get("phone", ""),
                 address=street.strip(), city=address.get("city", "").removesuffix("市"))  # fmt: skip


def label(ctx: Context, waybill: str) -> str:
    with ctx.uow() as uow:
        shipment = _shipment(uow, waybill)
        job = find_job(uow, shipment.order_id)
        sender = {"name": ctx.sender.name, "phone": ctx.sender.phone, "address": ctx.sender.address}
        return render_label(waybill=shipment.waybill, carrier=shipment.carrier,
                            reference=job.reference, recipient=shipment.address, sender=sender)  # fmt: skip


def _shipment(uow: UnitOfWork, waybill: str, *, for_update: bool = False) -> Shipment:
    query = select(Shipment).where(Shipment.waybill == waybill)
    if for_update:
        query = query.with_for_update()
    shipment = uow.session.scalars(query).one_or_none()
    if shipment is None:
        raise NotFound(f"There is no shipment with the waybill {waybill}.")
    return shipment


def hand_over(ctx: Context, waybills: list[str], *, actor: str) -> dict[str, Any]:
    """The parcels leave with the courier: shipped, tracking subscribed."""
    _check_count(waybills, "waybills")
    if len(set(waybills)) != len(waybills):
        raise invalid("A waybill is listed twice.", {"waybills": ["Each waybill once."]})
    with ctx.uow() as uow:
        pairs = []
        for waybill in waybills:
            shipment = _shipment(uow, waybill, for_update=True)
            job = find_job(uow, shipment.order_id, for_update=True)
            if shipment.status != "waybill_created":
                raise Conflict(f"The parcel {waybill} is {shipment.status}: it was handed over already.",
                               errors={"status": [shipment.status], "waybill": [waybill]})  # fmt: skip
            step = Move.RESHIP if shipment.reship else Move.SHIP
            domain_ok = job.status in domain.JOB_MOVES[step][0]
            if not domain_ok:
                raise wrong_state(job, "be handed to the courier")
            pairs.append((shipment, job, step))
        now = ctx.clock.now()
        views = []
        for shipment, job, step in pairs:
            try:
                ctx.courier.subscribe_tracking(shipment.waybill, ctx.callback_url)
            except CourierUnavailable as exc:
                raise UpstreamUnavailable(f"The courier did not answer ({exc}).") from None
            move(job, step, "be handed to the courier", now)
            shipment.status, shipment.handed_over_at, shipment.handed_over_by = (
                "handed_over",
                now,
                actor,
            )
            shipment.heard_at = now  # the quiet period starts now
            publish(uow, job, events.DISPATCHED, {
                "carrier": shipment.carrier, "waybill": shipment.waybill, "reship": shipment.reship,
                "actor": actor, "dispatched_at": now,
            })  # fmt: skip
            views.append(_shipment_view(shipment, job.reference))
        uow.commit()
    return {"shipments": views}


# --- tracking --------------------------------------------------------------------------


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
                shipments[event.waybill] = _shipment(uow, event.waybill, for_update=True)
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


def fail(uow: UnitOfWork, job: Job, reason: str, waybill: str | None, now: datetime) -> None:
    move(job, Move.FAIL, "become a delivery exception", now)
    job.exception_reason, job.exception_at = reason, now
    publish(uow, job, events.DELIVERY_EXCEPTION, {
        "reason_code": reason, "waybill": waybill, "occurred_at": now,
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
                _shipment(uow, waybill, for_update=True).heard_at = now
            uow.commit()
    return len(quiet)


# --- exceptions and corrections --------------------------------------------------------


def exception_queue(ctx: Context, *, page: int) -> dict[str, Any]:
    with ctx.uow() as uow:
        now = ctx.clock.now()
        jobs = uow.session.scalars(
            select(Job).where(Job.status == JobStatus.DELIVERY_EXCEPTION)
            .order_by(Job.exception_at, Job.order_id)
            .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        )  # fmt: skip
        rows = []
        for job in jobs:
            row = job_summary(job, now)
            shipment = current_shipment(uow, job)
            row["exception_reason"] = job.exception_reason
            row["shipment"] = _shipment_view(shipment, job.reference) if shipment else None
            rows.append(row)
        return {"jobs": rows, "page": page}


def reship(
    ctx: Context, order_id: str, address: Mapping[str, Any] | None, *, actor: str
) -> dict[str, Any]:
    """A new waybill for an exception, at no new fee; the old one stays in the history."""
    checked = _checked_address(address) if address is not None else None
    with ctx.uow() as uow:
        job = find_job(uow, order_id, for_update=True)
        if job.status != JobStatus.DELIVERY_EXCEPTION:
            raise wrong_state(job, "be reshipped")
        if checked is None and job.delivery_kind != "courier":
            raise invalid(
                "A pickup order needs an address to be sent.", {"address": ["Give the address."]}
            )
        previous = current_shipment(uow, job)
        if checked is not None:
            job.address = checked
        job.delivery_kind = "courier"
        if previous is not None and previous.closed_at is None:
            previous.closed_at = ctx.clock.now()
        made = _make_waybills(ctx, uow, [job], actor, reship=True)
        uow.commit()
    return made[0]


def switch_to_pickup(ctx: Context, order_id: str, office_code: str,
                     office: dict[str, Any] | None) -> dict[str, Any]:  # fmt: skip
    with ctx.uow() as uow:
        job = find_job(uow, order_id, for_update=True)
        if job.status != JobStatus.DELIVERY_EXCEPTION:
            raise wrong_state(job, "be switched to pickup")
        job.delivery_kind, job.office_code, job.office = "pickup", office_code, office
        make_ready_for_pickup(
            ctx, uow, job, Move.SWITCH_TO_PICKUP, switched=True, now=ctx.clock.now()
        )
        view = job_view(uow, job, owner=False)
        uow.commit()
    return view


def _checked_address(raw: Mapping[str, Any]) -> dict[str, str]:
    address, problems = domain.check_address(raw)
    if problems:
        raise invalid(
            "The address is not complete.", {f"address.{k}": v for k, v in problems.items()}
        )
    return address


def correct_address(ctx: Context, order_id: str, raw: Mapping[str, Any], *,
                    subject: str, staff: bool) -> dict[str, Any]:  # fmt: skip
    """The applicant (or staff) corrects the address before dispatch, never after."""
    address, problems = domain.check_address(raw)
    with ctx.uow() as uow:
        job = uow.session.get(Job, order_id, with_for_update=True)
        if job is None or (not staff and job.applicant_id != subject):
            raise NotFound(f"There is no delivery for the order {order_id}.")
        if job.delivery_kind != "courier":
            raise Conflict("The order is collected at an office: it has no address.",
                           errors={"delivery_kind": [job.delivery_kind]})  # fmt: skip
        shipment = current_shipment(uow, job)
        if shipment is not None or job.status not in (
            JobStatus.QUEUED,
            JobStatus.IN_PRODUCTION,
            JobStatus.PRODUCED,
        ):
            raise Conflict(
                "The parcel has a waybill already: the address can no longer change.",
                errors={"status": [job.status], "address": ["already-dispatched"]},
            )
        if problems:
            raise invalid("The address is not complete.", problems)
        job.address, job.updated_at = address, ctx.clock.now()
        view = job_view(uow, job, owner=not staff)
        uow.commit()
    return view
