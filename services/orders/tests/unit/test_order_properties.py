"""Properties of the order's rules under random sequences of actions (hypothesis).

A state machine drives an order and its payment through any action by any
actor, in any order: the transition table (`domain.next_status`) decides
where the order goes, and the payment's own rules (`capture_problem`,
`refund_problem`, `status_after_refund`, `VOIDABLE`) decide what its money
may do, with the money moving on each transition as the use cases move it
(authorised when the provider answers, captured on approval, voided or
refunded on cancellation, expiry and the close after a rejection). Whatever
happens:

- the order is only ever in a state of the table, reached by a transition of
  the table, and a refused action leaves it as it was;
- captured money never exceeds what was authorised, refunded money never
  exceeds what was captured, amounts are whole fen and never negative;
- an order in a final state holds no authorisation, and one that ended
  without being completed kept none of the applicant's money.

And of the fee arithmetic: a price is the sum of its parts, in integer fen,
never negative; pickup costs no delivery; the fee in force is the latest one
already in effect.

Derandomized, so `make test` runs the same examples every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from orders import domain
from orders.domain import (
    FINAL,
    TRANSITIONS,
    Action,
    Actor,
    DeliveryKind,
    Fee,
    IllegalTransition,
    PaymentMethod,
    PaymentStatus,
    Status,
)

PROPERTIES = settings(derandomize=True, database=None, deadline=None, max_examples=100)
TABLE = {(t.source, t.action): t for t in TRANSITIONS}
# Where the applicant's money is given back as the order moves (cancelling.py,
# staff_actions.py, review.release_and_close); expiry voids what is held (timers.py).
MONEY_BACK = {Status.CANCELLED, Status.CLOSED}
RELEASED = {Status.CLOSED_UNPAID}
FEN = st.integers(min_value=0, max_value=10_000_000)


@dataclass
class Payment:
    method: PaymentMethod
    status: PaymentStatus
    authorised_fen: int  # the order's locked price: what the provider holds or took
    captured_fen: int = 0
    refunded_fen: int = 0


class OrderMachine(RuleBasedStateMachine):
    """One order and its payment; each rule is something that can happen to it."""

    def __init__(self) -> None:
        super().__init__()
        self.status = Status.DRAFT
        self.payment: Payment | None = None
        self.total_fen = 0
        self.method = PaymentMethod.CARD

    @initialize(
        production=FEN,
        courier=FEN,
        delivery=st.sampled_from(list(DeliveryKind)),
        method=st.sampled_from([PaymentMethod.CARD, PaymentMethod.WALLET_PAGE]),
    )
    def price_the_order(
        self, production: int, courier: int, delivery: DeliveryKind, method: PaymentMethod
    ) -> None:
        fee = Fee(1, production, courier, "GF-1", datetime(2026, 1, 1, tzinfo=UTC))
        self.total_fen = domain.quote(fee, delivery).total_fen
        self.method = method

    @rule(action=st.sampled_from(list(Action)), actor=st.sampled_from(list(Actor)))
    def act(self, action: Action, actor: Actor) -> None:
        before = self.status
        if not domain.can(before, action, actor):
            try:
                domain.next_status(before, action, actor)
            except IllegalTransition as refused:
                assert refused.message  # a 409 with a clear message
            else:
                raise AssertionError(f"{action} by {actor} from {before} was not refused")
            return
        target = domain.next_status(before, action, actor)
        assert TABLE[(before, action)].target == target
        if action in (Action.APPROVE, Action.RETRY_CAPTURE):
            self._capture()
        self.status = target
        self._move_the_money(action, target)

    @rule(
        choice=st.integers(min_value=0, max_value=1_000),
        onwards=st.sampled_from([True] * 3 + [False]),
    )
    def follow_the_table(self, choice: int, onwards: bool) -> None:
        """One of the transitions allowed now (`onwards`: one that does not end the
        order): random actions alone seldom get past the review."""
        allowed = [
            (t.action, actor)
            for t in TRANSITIONS
            if t.source == self.status and not (onwards and t.target in FINAL)
            for actor in sorted(t.actors)
        ]
        if allowed:
            self.act(*allowed[choice % len(allowed)])

    @precondition(lambda self: self.status in (Status.IN_REVIEW, Status.CAPTURE_FAILED))
    @rule(amount=st.integers(min_value=-5, max_value=20_000_000))
    def capture_some(self, amount: int) -> None:
        """A capture of any amount: the payment's rule refuses what it may not take."""
        payment = self.payment
        if payment is None:
            return
        problem = domain.capture_problem(payment.status, amount, payment.authorised_fen)
        if problem is None:
            payment.status, payment.captured_fen = PaymentStatus.CAPTURED, amount
        else:
            assert payment.status != PaymentStatus.AUTHORISED or not (
                0 < amount <= payment.authorised_fen
            )

    @precondition(lambda self: self.payment is not None)
    @rule(amount=st.integers(min_value=-5, max_value=20_000_000))
    def refund_some(self, amount: int) -> None:
        """A partial refund of any amount: never more than is left of what was captured."""
        payment = self.payment
        assert payment is not None
        problem = domain.refund_problem(
            payment.status, payment.captured_fen, payment.refunded_fen, amount
        )
        if problem is None:
            self._refund(payment, amount)

    # --- the money, as the use cases move it ------------------------------------------

    def _capture(self) -> None:
        payment = self.payment
        if payment is None or domain.paid_at_once(payment.method):
            return
        if payment.status != PaymentStatus.CAPTURED:
            problem = domain.capture_problem(
                payment.status, payment.authorised_fen, payment.authorised_fen
            )
            assert problem is None, problem  # an order in review holds an authorisation
            payment.status, payment.captured_fen = PaymentStatus.CAPTURED, payment.authorised_fen

    def _move_the_money(self, action: Action, target: Status) -> None:
        if action == Action.SUBMIT and self.total_fen > 0:
            self.payment = Payment(self.method, PaymentStatus.CREATED, self.total_fen)
        elif action == Action.AUTHORISE and self.payment is not None:
            if domain.paid_at_once(self.payment.method):
                self.payment.status = PaymentStatus.CAPTURED
                self.payment.captured_fen = self.payment.authorised_fen
            else:
                self.payment.status = PaymentStatus.AUTHORISED
        elif target in MONEY_BACK and self.payment is not None:
            self._give_the_money_back(self.payment)
        elif target in RELEASED and self.payment is not None:
            self._void(self.payment)

    def _give_the_money_back(self, payment: Payment) -> None:
        left = payment.captured_fen - payment.refunded_fen
        if payment.status in (PaymentStatus.CAPTURED, PaymentStatus.REFUNDED) and left > 0:
            problem = domain.refund_problem(
                payment.status, payment.captured_fen, payment.refunded_fen, left
            )
            assert problem is None, problem
            self._refund(payment, left)
        else:
            self._void(payment)

    def _void(self, payment: Payment) -> None:
        if payment.status in domain.VOIDABLE:
            payment.status = PaymentStatus.VOIDED

    def _refund(self, payment: Payment, amount: int) -> None:
        payment.refunded_fen += amount
        payment.status = domain.status_after_refund(payment.captured_fen, payment.refunded_fen)

    # --- what always holds --------------------------------------------------------------

    @invariant()
    def the_order_is_in_a_state_of_the_table(self) -> None:
        assert self.status in {t.source for t in TRANSITIONS} | {t.target for t in TRANSITIONS}
        assert Status(self.status) is self.status

    @invariant()
    def money_never_exceeds_what_came_before_it(self) -> None:
        payment = self.payment
        if payment is None:
            return
        for fen in (payment.authorised_fen, payment.captured_fen, payment.refunded_fen):
            assert isinstance(fen, int) and fen >= 0
        assert payment.captured_fen <= payment.authorised_fen
        assert payment.refunded_fen <= payment.captured_fen

    @invariant()
    def a_final_order_holds_no_authorisation(self) -> None:
        if self.status not in FINAL or self.payment is None:
            return
        assert self.payment.status != PaymentStatus.AUTHORISED
        if self.status != Status.COMPLETED:
            assert self.payment.status not in domain.AWAITING_ANSWER - {PaymentStatus.FAILED}
            assert self.payment.refunded_fen == self.payment.captured_fen


OrderMachine.TestCase.settings = settings(
    PROPERTIES,
    max_examples=80,
    stateful_step_count=50,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_sequences_of_actions_keep_the_order_and_its_money_sound = OrderMachine.TestCase


def test_every_state_of_the_table_can_be_reached_from_a_draft() -> None:
    """The machine above explores something real: no state is unreachable."""
    seen, frontier = {Status.DRAFT}, [Status.DRAFT]
    while frontier:
        status = frontier.pop()
        for transition in TRANSITIONS:
            if transition.source == status and transition.target not in seen:
                seen.add(transition.target)
                frontier.append(transition.target)
    assert seen == set(Status)


# --- fees ---------------------------------------------------------------------------------


@PROPERTIES
@given(production=FEN, courier=FEN, delivery=st.sampled_from(list(DeliveryKind)))
def test_a_price_is_the_sum_of_its_parts_in_whole_fen(
    production: int, courier: int, delivery: DeliveryKind
) -> None:
    fee = Fee(3, production, courier, "GF-3", datetime(2026, 1, 1, tzinfo=UTC))
    price = domain.quote(fee, delivery)
    parts = (price.production_fen, price.delivery_fen, price.total_fen)
    assert all(isinstance(fen, int) and fen >= 0 for fen in parts)
    assert price.total_fen == price.production_fen + price.delivery_fen
    assert price.production_fen == production
    assert price.delivery_fen == (courier if delivery == DeliveryKind.COURIER else 0)
    assert price.fee_version == 3 and price.approval_reference == "GF-3"


@PROPERTIES
@given(
    fees=st.lists(
        st.tuples(st.integers(1, 50), st.integers(-100, 100), FEN, FEN), min_size=0, max_size=8
    ),
    now_offset=st.integers(-10, 10),
)
def test_the_fee_in_force_is_the_latest_already_in_effect(
    fees: list[tuple[int, int, int, int]], now_offset: int
) -> None:
    start = datetime(2026, 6, 1, tzinfo=UTC)
    schedule = [
        Fee(version, production, courier, f"GF-{version}", start + timedelta(days=days))
        for version, days, production, courier in fees
    ]
    now = start + timedelta(days=now_offset)
    chosen = domain.fee_in_force([*schedule, None], now)
    started = [fee for fee in schedule if fee.effective_from <= now]
    if not started:
        assert chosen is None
        return
    assert chosen in started
    assert all(
        (fee.effective_from, fee.version) <= (chosen.effective_from, chosen.version)
        for fee in started
    )
