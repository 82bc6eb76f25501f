"""Dispatch: waybills in a batch, labels and the hand-over to the courier.
Tracking is in fulfillment.tracking; the exception queue and the address
correction in fulfillment.corrections.

The courier is called before fulfillment's commit and keeps what it did (as a
company would); a batch that fails half-way cancels the waybills it made.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from common.db import UnitOfWork
from common.errors import Conflict, UpstreamUnavailable
from fulfillment import domain, events, tracking
from fulfillment.couriers import CourierRefused, CourierUnavailable, Party
from fulfillment.domain import JobStatus, Move
from fulfillment.labels import render_label
from fulfillment.models import Job, Shipment
from fulfillment.services import (
    MAX_BATCH,
    PAGE_SIZE,
    Context,
    current_shipment,
    find_job,
    find_shipment,
    invalid,
    job_summary,
    jobs_for_update,
    move,
    publish,
    refuse_unless,
    wrong_state,
)

log = logging.getLogger("fulfillment.dispatch")


def shipment_view(shipment: Shipment, reference: str) -> dict[str, Any]:
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
        uow.read_one_snapshot()
        now = ctx.clock.now()
        waiting = _to_waybill(uow)
        handing = _to_hand_over(uow)
        chosen = waiting if stage == "to_waybill" else handing
        start = (page - 1) * PAGE_SIZE
        rows = []
        for job, shipment in chosen[start : start + PAGE_SIZE]:
            row = job_summary(job, now)
            row["shipment"] = shipment_view(shipment, job.reference) if shipment else None
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
        made = make_waybills(ctx, uow, jobs, actor, reship=False)
        uow.commit()
    return {"shipments": made}


def make_waybills(
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
            views.append(shipment_view(shipment, job.reference))
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
        uow.read_one_snapshot()
        shipment = find_shipment(uow, waybill)
        job = find_job(uow, shipment.order_id)
        sender = {"name": ctx.sender.name, "phone": ctx.sender.phone, "address": ctx.sender.address}
        return render_label(waybill=shipment.waybill, carrier=shipment.carrier,
                            reference=job.reference, recipient=shipment.address, sender=sender)  # fmt: skip


def hand_over(ctx: Context, waybills: list[str], *, actor: str) -> dict[str, Any]:
    """The parcels leave with the courier: shipped, tracking subscribed."""
    _check_count(waybills, "waybills")
    if len(set(waybills)) != len(waybills):
        raise invalid("A waybill is listed twice.", {"waybills": ["Each waybill once."]})
    with ctx.uow() as uow:
        pairs = []
        for waybill in waybills:
            shipment = find_shipment(uow, waybill, for_update=True)
            job = find_job(uow, shipment.order_id, for_update=True)
            if shipment.status != "waybill_created":
                raise Conflict(f"The parcel {waybill} is {shipment.status}: it was handed over already.",
                               errors={"status": [shipment.status], "waybill": [waybill]})  # fmt: skip
            step = Move.RESHIP if shipment.reship else Move.SHIP
            domain_ok = job.status in domain.JOB_MOVES[step][0]
            if not domain_ok:
                raise wrong_state(job, "be handed to the courier")
            pairs.append((shipment, job, step))
        # Every parcel subscribed before fulfillment writes anything: the courier commits
        # on its own connection, which a single-writer database (SQLite under
        # `make run`) would otherwise block behind this transaction's first write.
        for shipment, _job, _step in pairs:
            try:
                ctx.courier.subscribe_tracking(shipment.waybill, ctx.callback_url)
            except CourierUnavailable as exc:
                raise UpstreamUnavailable(f"The courier did not answer ({exc}).") from None
        now = ctx.clock.now()
        views = []
        for shipment, job, step in pairs:
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
            if tracking.apply_heard_before_hand_over(uow, shipment.waybill, now):
                uow.session.refresh(shipment)  # it shows what the courier said
            views.append(shipment_view(shipment, job.reference))
        uow.commit()
    return {"shipments": views}
