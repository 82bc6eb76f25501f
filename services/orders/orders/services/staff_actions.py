"""What a supervisor does to an order: retry a refused capture, or cancel it
(any order not yet final, with the money given back).

Only supervisors: other staff roles get 403 (the API checks the role before
anything else, a use case checks it again). A refusal changes nothing: a
provider that refuses the capture again leaves the order `capture_failed`.
"""

from __future__ import annotations

from typing import Any

from common.auth import Identity
from common.errors import Forbidden, InvalidInput
from orders import events
from orders.domain import Action, Actor, Status
from orders.domain.timeline import Entry
from orders.services.base import check_allowed, find_order, move, payment_of, publish
from orders.services.context import Context
from orders.services.review import give_the_money_back, publish_approved, take_the_money
from orders.services.views import view_of

SUPERVISOR = "supervisor"


def supervisor_actor(who: Identity) -> str:
    return f"{SUPERVISOR}:{who.subject}"


def _only_supervisors(who: Identity, what: str) -> None:
    if not who.has_any([SUPERVISOR]):
        raise Forbidden(f"Only a supervisor may {what}.")


def retry_capture(ctx: Context, who: Identity, order_id: str) -> dict[str, Any]:
    """capture_failed → approved once the provider takes the money; 409 with its
    reason (the order unchanged) when it refuses again."""
    _only_supervisors(who, "retry a capture")
    with ctx.uow() as uow:
        order = find_order(uow, order_id, who, lock=True)
        check_allowed(order, Action.RETRY_CAPTURE, Actor.SUPERVISOR)
        payment = payment_of(uow, order, lock=True)
        captured = take_the_money(ctx, uow, order, payment)  # CaptureRefused is the 409
        move(uow, order, Action.RETRY_CAPTURE, Actor.SUPERVISOR, supervisor_actor(who),
             Entry.CAPTURE_RETRIED, {"captured_fen": captured})  # fmt: skip
        publish_approved(uow, order, uow.clock.now())
        view = view_of(uow, order, payment, for_staff=True)
        uow.commit()
        return view


def cancel_by_supervisor(
    ctx: Context, who: Identity, order_id: str, reason: str | None
) -> dict[str, Any]:
    """Call off any order not yet final: its authorisation voided, or what was
    captured refunded in full; the reason is required and goes on the timeline."""
    _only_supervisors(who, "cancel an order for the applicant")
    if not reason:
        message = "Say why the order is cancelled: the applicant reads it."
        raise InvalidInput(message, errors={"reason": [message]})
    with ctx.uow() as uow:
        order = find_order(uow, order_id, who, lock=True)
        target = check_allowed(order, Action.CANCEL, Actor.SUPERVISOR)
        actor = supervisor_actor(who)
        give_the_money_back(ctx, uow, order, f"Cancelled by a supervisor: {reason}")
        before = move(uow, order, Action.CANCEL, Actor.SUPERVISOR, actor,
                      Entry.CANCELLED_BY_SUPERVISOR, {"reason_text": reason})  # fmt: skip
        base = {"order_id": order.id, "reference": order.reference}
        if target == Status.DISCARDED:
            publish(uow, order, events.DISCARDED, base)
        elif target == Status.CLOSED_UNPAID:
            publish(uow, order, events.CLOSED_UNPAID, {**base, "reason": reason})
        else:
            publish(uow, order, events.CANCELLED,
                    {**base, "from_status": before, "reason": reason, "actor": actor})  # fmt: skip
        view = view_of(uow, order, for_staff=True)
        uow.commit()
        return view
