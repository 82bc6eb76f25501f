"""Pickup at the counter, and the uncollected credentials' timers.

The counter finds the order by reference, takes the code the applicant shows
(a wrong one counts: 422 with the attempts left; the fifth locks the order
until a supervisor unlocks it: 423), sees the name and the masked ID number,
confirms the ID card was checked in person and hands over. A wrong try is
committed on its own, so the count survives the refusal.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from common.db import UnitOfWork
from common.errors import Conflict, InvalidInput, NotFound
from fulfillment import domain, events
from fulfillment.domain import JobStatus, Move, PickupStep
from fulfillment.models import Job
from fulfillment.services import (
    Context,
    Locked,
    fail,
    find_job,
    job_view,
    move,
    publish,
    wrong_state,
)

log = logging.getLogger("fulfillment.pickup")


def counter_view(job: Job) -> dict[str, Any]:
    return {
        "order_id": job.order_id,
        "reference": job.reference,
        "item_code": job.item_code,
        "status": job.status,
        "applicant_name": job.applicant_name,
        "id_number_masked": job.id_number_masked,
        "office_code": job.office_code,
        "office": job.office,
        "ready_at": job.ready_at,
        "collect_by": job.collect_by,
        "attempts_left": domain.attempts_left(job.pickup_failures),
        "locked": job.pickup_failures >= domain.MAX_PICKUP_ATTEMPTS,
    }


def find_by_reference(ctx: Context, reference: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        job = uow.session.scalars(
            select(Job).where(Job.reference == reference.strip())
        ).one_or_none()
        if job is None or job.delivery_kind != "pickup":
            raise NotFound(f"There is no pickup with the reference {reference}.")
        return counter_view(job)


def _ready_job(uow: UnitOfWork, order_id: str) -> Job:
    job = find_job(uow, order_id, for_update=True)
    if job.status != JobStatus.READY_FOR_PICKUP:
        raise wrong_state(job, "be handed over at the counter")
    return job


def _check_code(uow: UnitOfWork, job: Job, code: str) -> None:
    """Raise Locked or a 422 naming `code`; a wrong try is committed before raising."""
    try:
        domain.check_pickup_code(job.pickup_code or "", code, job.pickup_failures)
    except domain.PickupLocked as locked:
        raise Locked(str(locked), errors={"code": ["locked"], "attempts_left": [0]}) from None
    except domain.WrongCode as wrong:
        job.pickup_failures += 1
        uow.commit()
        log.info("a wrong pickup code", extra={"correlation_id": job.order_id})
        if wrong.attempts_left == 0:
            raise Locked(
                "Five wrong codes: a supervisor must unlock this pickup.",
                errors={"code": ["locked"], "attempts_left": [0]},
            ) from None
        raise InvalidInput(
            f"The pickup code is wrong; {wrong.attempts_left} attempts left.",
            errors={"code": [f"Wrong code; {wrong.attempts_left} attempts left."],
                    "attempts_left": [wrong.attempts_left]},
        ) from None  # fmt: skip


def verify_code(ctx: Context, order_id: str, code: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        job = _ready_job(uow, order_id)
        _check_code(uow, job, code)
        return counter_view(job)


def hand_over(
    ctx: Context, order_id: str, code: str, id_checked: bool, *, actor: str
) -> dict[str, Any]:
    if id_checked is not True:
        raise InvalidInput(
            "Check the applicant's ID card in person before handing over.",
            errors={"id_checked": ["Confirm that the ID card was checked in person."]},
        )
    with ctx.uow() as uow:
        job = _ready_job(uow, order_id)
        _check_code(uow, job, code)
        now = ctx.clock.now()
        move(job, Move.DELIVER, "be handed over", now)
        job.delivered_at = now
        job.pickup_code = None  # used: it opens nothing any more
        publish(uow, job, events.DELIVERED, {
            "how": "pickup", "waybill": None, "actor": actor, "delivered_at": now,
        })  # fmt: skip
        view = job_view(uow, job, owner=False)
        uow.commit()
    return view


def unlock(ctx: Context, order_id: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        job = find_job(uow, order_id, for_update=True)
        if job.pickup_failures < domain.MAX_PICKUP_ATTEMPTS:
            raise Conflict("The pickup is not locked.", errors={"locked": [False]})
        job.pickup_failures, job.updated_at = 0, ctx.clock.now()
        view = counter_view(job)
        uow.commit()
    return view


def sweep_uncollected(ctx: Context, now: datetime) -> int:
    """Remind once after the reminder period; return to the archive after the return period."""
    done = 0
    with ctx.uow() as uow:
        waiting = uow.session.scalars(
            select(Job).where(Job.status == JobStatus.READY_FOR_PICKUP, Job.ready_at <= now - ctx.pickup_reminder)
            .order_by(Job.ready_at).limit(200).with_for_update(skip_locked=True)
        ).all()  # fmt: skip
        for job in waiting:
            step = domain.uncollected_step(
                job.ready_at or now,
                now,
                job.reminded_at is not None,
                ctx.pickup_reminder,
                ctx.pickup_return,
            )  # type: ignore[arg-type]
            if step is PickupStep.REMIND:
                job.reminded_at = now
                publish(uow, job, events.PICKUP_REMINDER_DUE, {
                    "office_code": job.office_code or "", "collect_by": job.collect_by,
                })  # fmt: skip
                done += 1
            elif step is PickupStep.RETURN:
                job.pickup_code = None
                fail(uow, job, domain.ExceptionReason.UNCOLLECTED, None, now)
                done += 1
        uow.commit()
    return done
