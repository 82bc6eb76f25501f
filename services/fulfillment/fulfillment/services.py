"""Fulfillment's use cases: the context they run in, the views of a job, the
production queue and batches. Dispatch and tracking are in
fulfillment.dispatch, pickup at the counter in fulfillment.pickup.

Each use case runs in one unit of work and commits once: the change and its
events (outbox) together. A refusal raises a common.errors DomainError before
anything is committed, so nothing is half-written and nothing is published.
The reads (a job, the queues, a batch, a label) see one snapshot
(UnitOfWork.read_one_snapshot): a courier's webhook committing between their
queries never shows a job still shipped beside its parcel already signed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func, select

from common.clock import Clock
from common.db import UnitOfWork
from common.errors import Conflict, DomainError, InvalidInput, NotFound
from fulfillment import domain, events
from fulfillment.couriers import Courier, Party
from fulfillment.domain import DueState, JobStatus, Move
from fulfillment.models import Batch, Job, Shipment, TrackingEvent

Row = TypeVar("Row")

log = logging.getLogger("fulfillment.services")

PAGE_SIZE = 50
MAX_BATCH = 50


class Locked(DomainError):
    status = 423
    title = "Locked"
    slug = "locked"


@dataclass(frozen=True)
class Context:
    uow: Callable[[], UnitOfWork]
    courier: Courier
    clock: Clock
    callback_url: str
    sender: Party
    default_sla_working_days: int = 3
    tracking_quiet: timedelta = timedelta(hours=24)
    pickup_reminder: timedelta = timedelta(days=30)
    pickup_return: timedelta = timedelta(days=60)


# --- refusals ------------------------------------------------------------------------


def wrong_state(job: Job, what: str) -> Conflict:
    return Conflict(
        f"The order {job.reference} is {job.status}: it cannot {what}.",
        errors={"status": [job.status], "order_id": [job.order_id]},
    )


def invalid(summary: str, problems: dict[str, list[str]]) -> InvalidInput:
    names = ", ".join(sorted(problems))
    return InvalidInput(f"{summary} Check these fields: {names}.", errors=problems)


def move(job: Job, step: Move, what: str, now: datetime) -> None:
    try:
        job.status = domain.next_job_status(job.status, step)
    except domain.WrongState:
        raise wrong_state(job, what) from None
    job.updated_at = now


def find_job(uow: UnitOfWork, order_id: str, *, for_update: bool = False) -> Job:
    missing = f"There is no production job for the order {order_id}."
    return _one(uow, select(Job).where(Job.order_id == order_id), missing, for_update)


def find_shipment(uow: UnitOfWork, waybill: str, *, for_update: bool = False) -> Shipment:
    missing = f"There is no shipment with the waybill {waybill}."
    return _one(uow, select(Shipment).where(Shipment.waybill == waybill), missing, for_update)


def _one(uow: UnitOfWork, query: Select[Row], missing: str, for_update: bool) -> Row:
    """The one row the query finds (locked if asked), or 404 saying what is missing."""
    found = uow.session.scalars(query.with_for_update() if for_update else query).one_or_none()
    if found is None:
        raise NotFound(missing)
    return found


def jobs_for_update(uow: UnitOfWork, order_ids: Sequence[str]) -> list[Job]:
    """The jobs in the given order, locked; 422 naming the ids that are not jobs."""
    if len(set(order_ids)) != len(order_ids):
        raise invalid("An order is listed twice.", {"order_ids": ["Each order once."]})
    found = {
        job.order_id: job
        for job in uow.session.scalars(
            select(Job).where(Job.order_id.in_(order_ids)).order_by(Job.order_id).with_for_update()
        )
    }
    unknown = [order_id for order_id in order_ids if order_id not in found]
    if unknown:
        raise invalid(
            "Some orders have no production job.",
            {"order_ids": [f"No job for {', '.join(unknown)}."]},
        )
    return [found[order_id] for order_id in order_ids]


def refuse_unless(jobs: Sequence[Job], status: str, what: str) -> None:
    """409 naming every job in another state; nothing is changed."""
    wrong = [job for job in jobs if job.status != status]
    if wrong:
        raise Conflict(
            f"{len(wrong)} of the orders cannot {what}: "
            + "; ".join(f"{job.reference} is {job.status}" for job in wrong)
            + ".",
            errors={
                "status": sorted({job.status for job in wrong}),
                "order_ids": [job.order_id for job in wrong],
            },
        )


# --- views ---------------------------------------------------------------------------


def job_summary(job: Job, now: datetime) -> dict[str, Any]:
    """What production and dispatch staff see: never a picture, never the full ID number."""
    return {
        "order_id": job.order_id,
        "reference": job.reference,
        "item_code": job.item_code,
        "status": job.status,
        "applicant_name": job.applicant_name,
        "id_number_masked": job.id_number_masked,
        "plate_number": job.plate_number,
        "delivery_kind": job.delivery_kind,
        "office_code": job.office_code,
        "approved_at": job.approved_at,
        "due_at": job.due_at,
        "due_state": domain.due_state(job.due_at, now).value,
        "batch_id": job.batch_id,
        "credential_number": job.credential_number,
        "produced_at": job.produced_at,
    }


def current_shipment(uow: UnitOfWork, job: Job) -> Shipment | None:
    return uow.session.scalars(
        select(Shipment)
        .where(Shipment.order_id == job.order_id)
        .order_by(Shipment.created_at.desc(), Shipment.id.desc())
        .limit(1)
    ).first()


def _tracking(uow: UnitOfWork, shipment: Shipment) -> list[dict[str, Any]]:
    rows = uow.session.scalars(
        select(TrackingEvent)
        .where(TrackingEvent.shipment_id == shipment.id)
        .order_by(TrackingEvent.occurred_at.desc(), TrackingEvent.id.desc())
    )
    return [
        {
            "state": row.state,
            "description": domain.STATE_WORDS[domain.TrackingState(row.state)],
            "city": row.city,
            "occurred_at": row.occurred_at,
            "reason": row.reason,
            "what_to_do": domain.what_to_do(row.reason) if row.state == "problem" else None,
        }
        for row in rows
    ]


def job_view(uow: UnitOfWork, job: Job, *, owner: bool) -> dict[str, Any]:
    """The order's making and delivery, for its applicant (with the pickup code) or staff."""
    shipment = current_shipment(uow, job)
    visible = domain.credential_visible(job.item_code) and job.produced_at is not None
    view: dict[str, Any] = {
        "order_id": job.order_id,
        "reference": job.reference,
        "item_code": job.item_code,
        "status": job.status,
        "delivery_kind": job.delivery_kind,
        "due_at": job.due_at,
        "produced_at": job.produced_at,
        "credential_number": job.credential_number if visible else None,
        "delivered_at": job.delivered_at,
        "exception_reason": job.exception_reason,
        "address": job.address,
        "address_editable": job.delivery_kind == "courier" and shipment is None
        and job.status in (JobStatus.QUEUED, JobStatus.IN_PRODUCTION, JobStatus.PRODUCED),
        "shipment": None,
        "pickup": None,
    }  # fmt: skip
    if shipment is not None:
        view["shipment"] = {
            "carrier": shipment.carrier,
            "waybill": shipment.waybill,
            "status": shipment.status,
            "failed_attempts": shipment.failed_attempts,
            "handed_over_at": shipment.handed_over_at,
            "signer": shipment.signer,
            "tracking": _tracking(uow, shipment),
        }
    if job.delivery_kind == "pickup":
        view["pickup"] = pickup_view(job, owner=owner)
    return view


def pickup_view(job: Job, *, owner: bool) -> dict[str, Any]:
    ready = job.status == JobStatus.READY_FOR_PICKUP
    return {
        "office_code": job.office_code,
        "office": job.office,
        "ready_at": job.ready_at,
        "collect_by": job.collect_by,
        "code": job.pickup_code if owner and ready else None,
        "attempts_left": domain.attempts_left(job.pickup_failures),
        "locked": job.pickup_failures >= domain.MAX_PICKUP_ATTEMPTS,
    }


# --- reads ---------------------------------------------------------------------------


def get_job(ctx: Context, order_id: str, *, subject: str, staff: bool) -> dict[str, Any]:
    with ctx.uow() as uow:
        uow.read_one_snapshot()
        job = uow.session.get(Job, order_id)
        # Another applicant's order does not exist for them: 404, not 403.
        if job is None or (not staff and job.applicant_id != subject):
            raise NotFound(f"There is no delivery for the order {order_id}.")
        return job_view(uow, job, owner=not staff)


def production_queue(
    ctx: Context, *, status: str, due: str | None, item: str | None, page: int
) -> dict[str, Any]:
    with ctx.uow() as uow:
        uow.read_one_snapshot()
        now = ctx.clock.now()
        base = select(Job).where(Job.status == status)
        if item:
            base = base.where(Job.item_code == item)
        counts = _due_counts(uow, base, now)
        query = _due_filter(base, due, now).order_by(Job.approved_at, Job.order_id)
        total = counts[due] if due else counts["all"]
        rows = uow.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
        return {
            "jobs": [job_summary(job, now) for job in rows],
            "counts": counts,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
        }


def _due_filter(query: Any, due: str | None, now: datetime) -> Any:
    _start, tomorrow = domain.office_day_bounds(now)
    if due == DueState.LATE:
        return query.where(Job.due_at < now)
    if due == DueState.DUE_TODAY:
        return query.where(Job.due_at >= now, Job.due_at < tomorrow)
    if due == DueState.ON_TIME:
        return query.where(Job.due_at >= tomorrow)
    return query


def _due_counts(uow: UnitOfWork, base: Any, now: datetime) -> dict[str, int]:
    def count(query: Any) -> int:
        return int(uow.session.scalar(select(func.count()).select_from(query.subquery())) or 0)

    return {
        "all": count(base),
        **{state.value: count(_due_filter(base, state, now)) for state in DueState},
    }


# --- production ----------------------------------------------------------------------


def start_batch(ctx: Context, order_ids: list[str], *, actor: str) -> dict[str, Any]:
    """Queued jobs into a new batch, all in production at once (or none: 409)."""
    if not 1 <= len(order_ids) <= MAX_BATCH:
        raise invalid(
            "A batch has 1 to 50 orders.", {"order_ids": [f"Choose 1 to {MAX_BATCH} orders."]}
        )
    with ctx.uow() as uow:
        jobs = jobs_for_update(uow, order_ids)
        refuse_unless(jobs, JobStatus.QUEUED, "start production")
        now = ctx.clock.now()
        batch = Batch(id=f"bat_{uuid.uuid4().hex[:12]}", status="in_production",
                      created_by=actor, created_at=now)  # fmt: skip
        uow.session.add(batch)
        uow.session.flush()
        for job in jobs:
            move(job, Move.START, "start production", now)
            job.batch_id = batch.id
            publish(uow, job, events.PRODUCTION_STARTED, {
                "item_code": job.item_code, "batch_id": batch.id, "actor": actor, "started_at": now,
            })  # fmt: skip
        view = batch_view(uow, batch)
        uow.commit()
    return view


def batch_view(uow: UnitOfWork, batch: Batch) -> dict[str, Any]:
    now = uow.clock.now()
    jobs = uow.session.scalars(
        select(Job).where(Job.batch_id == batch.id).order_by(Job.approved_at, Job.order_id)
    )
    return {
        "id": batch.id,
        "status": batch.status,
        "created_by": batch.created_by,
        "created_at": batch.created_at,
        "produced_at": batch.produced_at,
        "jobs": [job_summary(job, now) for job in jobs],
    }


def _batch(uow: UnitOfWork, batch_id: str, *, for_update: bool = False) -> Batch:
    batch = uow.session.get(Batch, batch_id, with_for_update=for_update)
    if batch is None:
        raise NotFound(f"There is no batch {batch_id}.")
    return batch


def get_batch(ctx: Context, batch_id: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        uow.read_one_snapshot()
        return batch_view(uow, _batch(uow, batch_id))


def record_credential(ctx: Context, order_id: str, number: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        job = find_job(uow, order_id, for_update=True)
        if job.status != JobStatus.IN_PRODUCTION:
            raise wrong_state(job, "have a credential number recorded")
        problems = domain.check_credential(job.item_code, number.strip(), job.plate_number)
        if problems:
            raise invalid("The credential number is not accepted.", {"credential_number": problems})
        job.credential_number = domain.stored_credential(job.item_code, number)
        job.updated_at = ctx.clock.now()
        view = job_summary(job, ctx.clock.now())
        uow.commit()
    return view


def mark_produced(ctx: Context, batch_id: str, *, actor: str) -> dict[str, Any]:
    """Every job of the batch produced (pickup ones straight to their office), or 409."""
    with ctx.uow() as uow:
        batch = _batch(uow, batch_id, for_update=True)
        if batch.status != "in_production":
            raise Conflict(f"The batch is {batch.status}.", errors={"status": [batch.status]})
        jobs = list(uow.session.scalars(
            select(Job).where(Job.batch_id == batch.id, Job.status != JobStatus.CANCELLED)
            .order_by(Job.order_id).with_for_update()
        ))  # fmt: skip
        missing = [job.order_id for job in jobs if not job.credential_number]
        if missing:
            raise Conflict(
                "Record every credential's number before marking the batch produced.",
                errors={"credentials-missing": missing},
            )
        now = ctx.clock.now()
        for job in jobs:
            produce(ctx, uow, job, actor, now)
        batch.status, batch.produced_at, batch.produced_by = "produced", now, actor
        view = batch_view(uow, batch)
        uow.commit()
    return view


def produce(ctx: Context, uow: UnitOfWork, job: Job, actor: str, now: datetime) -> None:
    move(job, Move.PRODUCE, "be marked produced", now)
    job.produced_at = now
    visible = domain.credential_visible(job.item_code)
    publish(uow, job, events.PRODUCED, {
        "item_code": job.item_code, "delivery_kind": job.delivery_kind,
        "credential_number": job.credential_number if visible else None,
        "actor": actor, "produced_at": now,
    })  # fmt: skip
    if job.delivery_kind == "pickup":
        make_ready_for_pickup(ctx, uow, job, Move.OFFER_PICKUP, switched=False, now=now)


def make_ready_for_pickup(
    ctx: Context, uow: UnitOfWork, job: Job, step: Move, *, switched: bool, now: datetime
) -> None:
    move(job, step, "be offered for pickup", now)
    job.pickup_code = domain.new_pickup_code()
    job.pickup_failures = 0
    job.ready_at, job.reminded_at = now, None
    job.collect_by = now + ctx.pickup_return
    publish(uow, job, events.READY_FOR_PICKUP, {
        "office_code": job.office_code or "", "office": _office_payload(job.office),
        "switched": switched, "ready_at": now, "collect_by": job.collect_by,
    })  # fmt: skip


def _office_payload(office: dict[str, Any] | None) -> dict[str, Any] | None:
    if not office or not all(isinstance(office.get(k), dict) for k in ("name", "address", "hours")):
        return None
    return {key: office[key] for key in ("name", "address", "hours")}


def publish(uow: UnitOfWork, job: Job, event_type: str, values: dict[str, Any]) -> None:
    publish_for(uow, job.order_id, job.reference, event_type, values)


def publish_for(
    uow: UnitOfWork, order_id: str, reference: str, event_type: str, values: dict[str, Any]
) -> None:
    """An event about the order, when its job was read as a row, not loaded."""
    data = events.payload(event_type, {"order_id": order_id, "reference": reference, **values})
    uow.publish(event_type, data, correlation_id=order_id)


def fail(uow: UnitOfWork, job: Job, reason: str, waybill: str | None, now: datetime) -> None:
    move(job, Move.FAIL, "become a delivery exception", now)
    job.exception_reason, job.exception_at = reason, now
    publish(uow, job, events.DELIVERY_EXCEPTION, {
        "reason_code": reason, "waybill": waybill, "occurred_at": now,
    })  # fmt: skip
