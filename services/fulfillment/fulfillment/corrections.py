"""Corrections: the exception queue (reship at no new fee, or switch to
pickup) and the address correction before dispatch, never after.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from common.errors import Conflict, NotFound
from fulfillment import domain
from fulfillment.dispatch import make_waybills, shipment_view
from fulfillment.domain import JobStatus, Move
from fulfillment.models import Job
from fulfillment.services import (
    PAGE_SIZE,
    Context,
    current_shipment,
    find_job,
    invalid,
    job_summary,
    job_view,
    make_ready_for_pickup,
    wrong_state,
)


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
            row["shipment"] = shipment_view(shipment, job.reference) if shipment else None
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
        made = make_waybills(ctx, uow, [job], actor, reship=True)
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
