"""The applicant calls the order off (a supervisor's cancel is in
orders.services.staff_actions): a draft is discarded, an unpaid order closes
unpaid, a paid one is cancelled with its authorisation voided first (or what a
wallet took at once refunded) (a
provider out of reach is a 503 and nothing changes)."""

from __future__ import annotations

from typing import Any

from common.auth import Identity
from orders import events
from orders.domain import Action, Actor, Status
from orders.domain.timeline import Entry
from orders.services.base import check_allowed, move, own_order, publish
from orders.services.context import Context
from orders.services.review import give_the_money_back
from orders.services.views import view_of


def cancel(ctx: Context, who: Identity, order_id: str, reason: str | None) -> dict[str, Any]:
    with ctx.uow() as uow:
        order = own_order(uow, order_id, who)
        target = check_allowed(order, Action.CANCEL, Actor.APPLICANT)
        said = reason or "Cancelled by the applicant."
        # Held money is released; money a wallet took at once is refunded.
        give_the_money_back(ctx, uow, order, f"The order was cancelled by the applicant: {said}")
        before = move(uow, order, Action.CANCEL, Actor.APPLICANT, who.subject,
                      Entry.CANCELLED_BY_APPLICANT, {"reason_text": reason})  # fmt: skip
        base = {"order_id": order.id, "reference": order.reference}
        if target == Status.DISCARDED:
            publish(uow, order, events.DISCARDED, base)
        elif target == Status.CLOSED_UNPAID:
            publish(uow, order, events.CLOSED_UNPAID, {**base, "reason": said})
        else:
            publish(uow, order, events.CANCELLED,
                     {**base, "from_status": before, "reason": reason, "actor": who.subject})  # fmt: skip
        view = view_of(uow, order)
        uow.commit()
        return view
