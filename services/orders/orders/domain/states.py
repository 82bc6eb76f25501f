"""The order's state machine: every status, every guarded transition and who
may set it off, what an applicant may do next."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    AWAITING_PAYMENT = "awaiting_payment"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    NEEDS_RESUBMISSION = "needs_resubmission"
    APPROVED = "approved"
    CAPTURE_FAILED = "capture_failed"  # approved, but the provider refused to take the money
    REJECTED = "rejected"
    IN_PRODUCTION = "in_production"
    SHIPPED = "shipped"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERY_EXCEPTION = "delivery_exception"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    CLOSED_UNPAID = "closed_unpaid"
    DISCARDED = "discarded"
    CLOSED = "closed"


class Action(StrEnum):
    SUBMIT = "submit"
    DISCARD = "discard"  # an idle draft, by the timer
    CANCEL = "cancel"
    AUTHORISE = "authorise"  # the provider authorised the payment
    EXPIRE = "expire"  # unpaid too long
    CLAIM = "claim"
    APPROVE = "approve"  # after the payment was captured
    FAIL_CAPTURE = "fail_capture"  # approved by the reviewer, refused by the provider
    RETRY_CAPTURE = "retry_capture"  # a supervisor has the capture tried again
    ASK = "ask"  # for documents again
    RESUBMIT = "resubmit"
    REJECT = "reject"  # by a reviewer, or by verification's timer (a missed deadline)
    CLOSE = "close"  # a rejected order, once its money went back
    START_PRODUCTION = "start_production"
    SHIP = "ship"
    OFFER_PICKUP = "offer_pickup"
    DELIVER = "deliver"
    REPORT_EXCEPTION = "report_exception"
    RESHIP = "reship"
    SWITCH_TO_PICKUP = "switch_to_pickup"
    CONFIRM = "confirm"  # receipt, by the applicant or automatically


class Actor(StrEnum):
    """Who may set a transition off: the applicant, staff (directly or through
    another service's event), a supervisor (what only supervisors may do), or
    the system (timers, the payment provider)."""

    APPLICANT = "applicant"
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    SYSTEM = "system"


class ActorKind(StrEnum):
    """Who acted, as the timeline tells a reader: the applicant, a member of
    staff, the payment provider, or the system (timers, deadlines)."""

    APPLICANT = "applicant"
    STAFF = "staff"
    PROVIDER = "provider"
    SYSTEM = "system"


def actor_kind(actor: Actor, *, by_provider: bool = False) -> ActorKind:
    """The kind of a timeline entry's actor: a supervisor is staff; the provider
    is what the system reacts to when `by_provider` (a webhook, a refused capture)."""
    if by_provider:
        return ActorKind.PROVIDER
    if actor in (Actor.STAFF, Actor.SUPERVISOR):
        return ActorKind.STAFF
    return ActorKind(actor.value)


_A, _S, _V, _Y = Actor.APPLICANT, Actor.STAFF, Actor.SUPERVISOR, Actor.SYSTEM


@dataclass(frozen=True)
class Transition:
    action: Action
    source: Status
    target: Status
    actors: frozenset[Actor]


def _t(action: Action, source: Status, target: Status, *actors: Actor) -> Transition:
    return Transition(action, source, target, frozenset(actors))


S = Status
TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.SUBMIT, S.DRAFT, S.AWAITING_PAYMENT, _A),
    _t(Action.DISCARD, S.DRAFT, S.DISCARDED, _Y),
    _t(Action.CANCEL, S.DRAFT, S.DISCARDED, _A, _V),
    _t(Action.AUTHORISE, S.AWAITING_PAYMENT, S.SUBMITTED, _Y),
    _t(Action.EXPIRE, S.AWAITING_PAYMENT, S.CLOSED_UNPAID, _Y),
    _t(Action.CANCEL, S.AWAITING_PAYMENT, S.CLOSED_UNPAID, _A, _V),
    _t(Action.CLAIM, S.SUBMITTED, S.IN_REVIEW, _S),
    _t(Action.CANCEL, S.SUBMITTED, S.CANCELLED, _A, _V),
    _t(Action.APPROVE, S.IN_REVIEW, S.APPROVED, _S),
    _t(Action.FAIL_CAPTURE, S.IN_REVIEW, S.CAPTURE_FAILED, _Y),
    _t(Action.ASK, S.IN_REVIEW, S.NEEDS_RESUBMISSION, _S),
    _t(Action.REJECT, S.IN_REVIEW, S.REJECTED, _S, _Y),
    _t(Action.CANCEL, S.IN_REVIEW, S.CANCELLED, _A, _V),
    _t(Action.RESUBMIT, S.NEEDS_RESUBMISSION, S.IN_REVIEW, _A),
    _t(Action.REJECT, S.NEEDS_RESUBMISSION, S.REJECTED, _S, _Y),
    _t(Action.CANCEL, S.NEEDS_RESUBMISSION, S.CANCELLED, _A, _V),
    _t(Action.RETRY_CAPTURE, S.CAPTURE_FAILED, S.APPROVED, _V),
    _t(Action.CANCEL, S.CAPTURE_FAILED, S.CANCELLED, _V),
    _t(Action.CLOSE, S.REJECTED, S.CLOSED, _Y),
    _t(Action.START_PRODUCTION, S.APPROVED, S.IN_PRODUCTION, _S, _Y),
    # After approval only a supervisor may cancel, and the money goes back.
    _t(Action.CANCEL, S.APPROVED, S.CANCELLED, _V),
    _t(Action.CANCEL, S.IN_PRODUCTION, S.CANCELLED, _V),
    # Fulfillment's events drive the rest (docs/design/deliver.md): staff act in
    # production and at the counter, the courier (the system here) on the road.
    _t(Action.SHIP, S.IN_PRODUCTION, S.SHIPPED, _S, _Y),
    _t(Action.OFFER_PICKUP, S.IN_PRODUCTION, S.READY_FOR_PICKUP, _S, _Y),
    _t(Action.CANCEL, S.SHIPPED, S.CANCELLED, _V),
    _t(Action.DELIVER, S.SHIPPED, S.DELIVERED, _S, _Y),
    _t(Action.REPORT_EXCEPTION, S.SHIPPED, S.DELIVERY_EXCEPTION, _S, _Y),
    _t(Action.RESHIP, S.DELIVERY_EXCEPTION, S.SHIPPED, _S, _Y),
    _t(Action.SWITCH_TO_PICKUP, S.DELIVERY_EXCEPTION, S.READY_FOR_PICKUP, _S),
    _t(Action.CANCEL, S.DELIVERY_EXCEPTION, S.CANCELLED, _V),
    # Collected at the counter is delivered; completed comes with receipt, as by courier.
    _t(Action.DELIVER, S.READY_FOR_PICKUP, S.DELIVERED, _S, _Y),
    _t(Action.REPORT_EXCEPTION, S.READY_FOR_PICKUP, S.DELIVERY_EXCEPTION, _Y),  # uncollected
    _t(Action.CANCEL, S.READY_FOR_PICKUP, S.CANCELLED, _V),
    _t(Action.CONFIRM, S.DELIVERED, S.COMPLETED, _A, _Y),
    _t(Action.CANCEL, S.DELIVERED, S.CANCELLED, _V),
)
_BY_SOURCE = {(t.source, t.action): t for t in TRANSITIONS}

FINAL = frozenset(
    {S.COMPLETED, S.CANCELLED, S.CLOSED_UNPAID, S.DISCARDED, S.CLOSED}
)  # fmt: skip

# What a refusal says the order cannot be.
_DONE_WORDS = {
    Action.SUBMIT: "submitted",
    Action.DISCARD: "discarded",
    Action.CANCEL: "cancelled",
    Action.AUTHORISE: "paid",
    Action.EXPIRE: "closed as unpaid",
    Action.CLAIM: "claimed for review",
    Action.APPROVE: "approved",
    Action.FAIL_CAPTURE: "marked as not charged",
    Action.RETRY_CAPTURE: "charged again",
    Action.ASK: "sent back for new documents",
    Action.RESUBMIT: "resubmitted",
    Action.REJECT: "rejected",
    Action.CLOSE: "closed",
    Action.START_PRODUCTION: "put into production",
    Action.SHIP: "shipped",
    Action.OFFER_PICKUP: "offered for pickup",
    Action.DELIVER: "marked delivered",
    Action.REPORT_EXCEPTION: "marked as a delivery problem",
    Action.RESHIP: "shipped again",
    Action.SWITCH_TO_PICKUP: "switched to pickup",
    Action.CONFIRM: "confirmed as received",
}


class IllegalTransition(Exception):
    """The order's state does not allow the action (for this actor)."""

    def __init__(self, status: str, action: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.action = action
        self.message = message


def next_status(status: str, action: Action, actor: Actor) -> Status:
    """Where `action` by `actor` takes an order that is `status`, or IllegalTransition."""
    transition = _BY_SOURCE.get((Status(status), action))
    words = _DONE_WORDS[action]
    if transition is None:
        raise IllegalTransition(status, action, f"The order is {status}: it cannot be {words}.")
    if actor not in transition.actors:
        who = " or ".join(sorted(a.value for a in transition.actors))
        raise IllegalTransition(
            status,
            action,
            f"The order is {status}: only {who} can have it {words} now.",
        )
    return transition.target


def check_editable(status: str) -> None:
    """Answers and delivery change only while the order is a draft."""
    if status != Status.DRAFT:
        raise IllegalTransition(
            status, "edit", f"The order is {status}: its answers and delivery can no longer change."
        )


def can(status: str, action: Action, actor: Actor) -> bool:
    transition = _BY_SOURCE.get((Status(status), action))
    return transition is not None and actor in transition.actors


def allowed_actions(status: str, *, ready_to_submit: bool, payable: bool) -> list[str]:
    """What the applicant may do now: some of edit, submit, pay, cancel, confirm_receipt."""
    actions = []
    if status == Status.DRAFT:
        actions.append("edit")
        if ready_to_submit:
            actions.append("submit")
    if status == Status.AWAITING_PAYMENT and payable:
        actions.append("pay")
    if can(status, Action.CANCEL, Actor.APPLICANT):
        actions.append("cancel")
    if can(status, Action.CONFIRM, Actor.APPLICANT):
        actions.append("confirm_receipt")
    return actions


# --- events that overtake the ones before them ------------------------------------------
#
# Fulfillment publishes each step in order, but competing consumers may hand
# orders a later step first. Each event names the steps that lead to its own
# (ROUTES); an order still behind is taken through the skipped ones first, as
# a decision in review implies the claim. An event the order is already past
# is stale.

COURIER_ROUTE = (Action.START_PRODUCTION, Action.SHIP)
PICKUP_ROUTE = (Action.START_PRODUCTION, Action.OFFER_PICKUP)


def catch_up(status: str, steps: tuple[Action, ...], actor: Actor) -> list[Action] | None:
    """The actions that take an order that is `status` through the last of
    `steps`: that one alone when it is allowed now, the skipped ones before it
    when the event overtook them; None when the order is past it (stale)."""
    for start in range(len(steps)):
        current: str = status
        path = list(steps[start:])
        for action in path:
            if not can(current, action, actor if action == steps[-1] else Actor.SYSTEM):
                break
            current = next_status(current, action, actor if action == steps[-1] else Actor.SYSTEM)
        else:
            return path
    return None
