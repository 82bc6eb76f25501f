"""Orders' and fulfillment's events keep the read model: duplicates and
reordering never change a figure twice, and /stats reads the per-day counts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from common.events.envelope import Envelope
from ratings.handlers import BINDINGS, CONSUMED
from ratings.invitations import invite_unrated

from .conftest import APPLICANT_A, BAD, ITEM, NOW, PUBLIC, REVIEWER

MONDAY = datetime(2026, 2, 16, 1, 0, tzinfo=UTC)  # 09:00 Beijing, two weeks before NOW


def test_the_worker_binds_exactly_the_events_it_reads() -> None:
    assert sorted(BINDINGS) == sorted(CONSUMED)


def test_a_duplicate_event_changes_no_figure_twice(flow, counts) -> None:
    order_id = flow.whole_order()
    before = counts()
    envelope = Envelope(type="orders.completed", producer="orders", correlation_id=order_id,
                        data={"order_id": order_id, "reference": "LT1", "item_code": ITEM,
                              "applicant_id": "acct-a", "completed_at": NOW.isoformat(), "how": "auto"})  # fmt: skip
    assert flow.send_envelope(envelope) == "ack"  # a new event saying the same: stale
    assert flow.send_envelope(envelope) == "ack"  # the same event again: the inbox
    flow.dispatched(order_id, NOW, reship=True)  # a reship does not move the first dispatch
    assert counts() == before


def test_events_in_any_order_give_the_same_figures(flow, counts, db) -> None:
    steps = [
        lambda o: flow.submitted(o, MONDAY),
        lambda o: flow.approved(o, MONDAY + timedelta(days=1)),
        lambda o: flow.dispatched(o, MONDAY + timedelta(days=3)),
        lambda o: flow.delivered(o, MONDAY + timedelta(days=7)),
        lambda o: flow.completed(o, MONDAY + timedelta(days=8)),
    ]
    for step in steps:
        step("in-order")
    in_order = {k[1:]: v for k, v in counts().items()}
    from common.testing import truncate

    truncate(db, ("orders", "daily_counts", "inbox"))
    for step in reversed(steps):
        step("in-order")
    assert {k[1:]: v for k, v in counts().items()} == in_order


def test_durations_are_counted_in_whole_working_days_on_the_later_steps_day(flow, counts) -> None:
    flow.submitted("o-1", MONDAY)
    flow.approved("o-1", MONDAY + timedelta(days=1))  # Tuesday: 1 working day
    flow.dispatched("o-1", MONDAY + timedelta(days=8))  # next Tuesday: 5 working days
    found = counts()
    assert found[("2026-02-17", ITEM, "submit_to_approve", 1)] == 1
    assert found[("2026-02-24", "*", "approve_to_dispatch", 5)] == 1
    assert found[("2026-02-17", ITEM, "first_review", 1)] == 1


def test_an_order_asked_for_new_photos_is_not_approved_at_first_review(flow, counts) -> None:
    flow.submitted("o-1", MONDAY)
    flow.approved("o-1", MONDAY + timedelta(days=2))
    flow.send("orders.resubmission_requested", {"order_id": "o-1", "reference": "LT1", "round": 1,
              "deadline": NOW.isoformat()}, MONDAY + timedelta(days=1))  # late, after the approval  # fmt: skip
    found = counts()
    assert found[("2026-02-18", ITEM, "first_review", 0)] == 1
    assert ("2026-02-18", ITEM, "first_review", 1) not in found


def test_stats_give_medians_p90_and_satisfaction_from_a_hand_computed_fixture(
    flow, rate, client
) -> None:
    # submission → approval in working days: 0, 1, 1, 2, 4 → median 1, p90 4
    for n, days in enumerate((0, 1, 1, 2, 4)):
        order_id = f"o-{n}"
        flow.submitted(order_id, MONDAY)
        flow.approved(order_id, MONDAY + timedelta(days=days, hours=1))
        flow.completed(order_id, NOW - timedelta(days=1))
    for n, level in enumerate((5, 4, 5, 2, 5)):
        rate(f"o-{n}", {**BAD, "level": level, "tags": []})
    stats = client.get(f"/stats?item={ITEM}&period=30d", headers=PUBLIC).json
    assert stats["deals_completed"] == 5
    assert stats["durations"]["submit_to_approve"] == {
        "count": 5,
        "median_working_days": 1,
        "p90_working_days": 4,
    }
    assert stats["first_review"] == {"decided": 5, "approved_first_time": 5, "rate_milli": 1000}
    assert stats["satisfaction"]["count"] == 5 and stats["satisfaction"]["average_milli"] == 4200
    assert stats["satisfaction"]["satisfied_share_milli"] == 800
    assert (
        stats["bad_ratings"]["count"] == 1 and stats["bad_ratings"]["contacted_on_time_milli"] == 0
    )
    store = client.get("/stats?period=12m", headers=PUBLIC).json
    assert store["item"] is None and store["deals_completed"] == 5


def test_an_unknown_period_is_refused_naming_it(client) -> None:
    answer = client.get("/stats?period=7d", headers=PUBLIC)
    assert answer.status_code == 422 and "period" in answer.json["errors"]


def test_an_unrated_order_is_invited_once_three_days_after_completion(flow, ctx, outbox) -> None:
    order_id = str(uuid.uuid4())
    flow.completed(order_id, NOW)
    assert invite_unrated(ctx, NOW + timedelta(days=2, hours=23)) == 0
    assert invite_unrated(ctx, NOW + timedelta(days=3)) == 1
    assert invite_unrated(ctx, NOW + timedelta(days=4)) == 0
    [invited] = outbox("ratings.rating_invited")
    assert invited["data"]["order_id"] == order_id
    assert invited["data"]["rate_by"] == (NOW + timedelta(days=15)).isoformat()


def test_a_rated_order_is_never_invited(flow, rate, ctx, outbox) -> None:
    order_id = flow.whole_order(start=NOW - timedelta(days=5))
    assert rate(order_id).status_code == 201
    assert invite_unrated(ctx, NOW + timedelta(days=3)) == 0


def test_the_dashboard_counts_each_day_of_the_store_for_every_staff_role(flow, client) -> None:
    flow.whole_order(start=NOW - timedelta(days=5))
    board = client.get("/dashboard", headers=REVIEWER).json
    assert len(board["per_day"]) == 30 and board["per_day"][-1]["day"] == "2026-03-02"
    assert board["per_day"][-1]["completed"] == 1
    assert client.get("/dashboard", headers=APPLICANT_A).status_code == 403
