"""The public statistics across real processes, on a stack of its own so the
figures are only this fixture's: three orders applied for, approved at the
first review, made, sent, signed for and confirmed today, then rated 5, 4
and 2. By hand: 3 deals; every step took 0 whole working days (median and
90th percentile 0); 3 of 3 approved at first review; 3 ratings, too few for
an average, 2 of 3 satisfied or better (667 ‰); 1 bad rating, not yet
contacted. The same events delivered to ratings again, and a new event
saying the same, change no figure."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pika
import pytest
import requests

from common.events.topology import main_queue
from common.processes import Stack
from common.testing import RABBITMQ_URL, eventually

from ..conftest import start_stack
from .conftest import Applicant, EventTap, Journey, staff_member
from .test_ratings_journeys import completed

ITEM = Journey.ITEM
LEVELS = (5, 4, 2)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("ratings-stats-stack"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def fixture_orders(stack: Stack) -> Iterator[tuple[list[str], EventTap]]:
    tap = EventTap(stack)
    try:
        applicant = Applicant(stack)
        orders = [completed(stack, applicant) for _ in LEVELS]
        for order_id, level in zip(orders, LEVELS, strict=True):
            scores = {"speed": level, "service": level, "delivery": level}
            applicant.call("POST", f"/applications/{order_id}/rating", 201,
                           json={"level": level, "tags": [], "scores": scores})  # fmt: skip
        yield orders, tap
    finally:
        tap.close()


def stats(stack: Stack, **query: str) -> dict[str, Any]:
    answer = requests.get(f"{stack.url('gateway')}/api/v1/stats", params=query, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def settled(stack: Stack) -> dict[str, Any]:
    """The item's figures once ratings has heard every step of the three orders."""
    return eventually(  # type: ignore[no-any-return]
        lambda: (
            (s := stats(stack, item=ITEM, period="30d"))["satisfaction"]["count"] == 3
            and s["durations"]["dispatch_to_delivery"]["count"] == 3
            and s
        ),
        timeout=30,
    )


def test_the_statistics_match_the_hand_computed_fixture(stack, fixture_orders):
    found = settled(stack)
    assert found["deals_completed"] == 3
    for step in ("submit_to_approve", "approve_to_dispatch", "dispatch_to_delivery"):
        assert found["durations"][step] == {
            "count": 3, "median_working_days": 0, "p90_working_days": 0,
        }, step  # fmt: skip
    assert found["first_review"] == {"decided": 3, "approved_first_time": 3, "rate_milli": 1000}
    satisfaction = found["satisfaction"]
    assert satisfaction["count"] == 3 and satisfaction["too_few"] is True
    assert satisfaction["average_milli"] is None, "never an average under five ratings"
    assert satisfaction["satisfied_share_milli"] == 667
    assert satisfaction["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert found["bad_ratings"]["count"] == 1
    assert found["bad_ratings"]["contacted_on_time_milli"] == 0
    # The store's year says the same, the only orders of this stack being these.
    store = stats(stack, period="12m")
    assert store["item"] is None and store["deals_completed"] == 3


def test_the_statistics_page_shows_the_same_figures_in_its_tables(stack, fixture_orders):
    settled(stack)
    for lang, deals in (("zh-CN", "3"), ("en", "3")):
        answer = requests.get(f"{stack.url('gateway')}/stats", cookies={"lang": lang}, timeout=10)
        assert answer.status_code == 200, answer.text
        assert "<svg" in answer.text and "<table" in answer.text
        assert deals in answer.text
    english = requests.get(f"{stack.url('gateway')}/stats", cookies={"lang": "en"}, timeout=10)
    assert "Too few for an average" in english.text


def test_the_dashboard_counts_todays_steps_for_staff(stack, fixture_orders):
    settled(stack)
    board = staff_member(stack, "reviewer").call("GET", "/staff/dashboard", 200)
    today = board["per_day"][-1]
    assert (today["submitted"], today["approved"], today["completed"]) == (3, 3, 3)
    assert today["dispatched"] == 3


def test_events_delivered_twice_or_said_again_change_no_figure(stack, fixture_orders):
    orders, tap = fixture_orders
    before = settled(stack)
    board_before = _board(stack)
    replays = [e for e in tap.events() if e.get("correlation_id") in orders
               and e["type"] in {"orders.submitted", "orders.approved", "orders.completed",
                                 "fulfillment.dispatched", "fulfillment.delivered"}]  # fmt: skip
    assert len(replays) >= 15, [e["type"] for e in replays]
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    try:
        channel = connection.channel()
        queue = main_queue(stack.prefix, "ratings")
        for event in replays:
            # The same envelope again (the inbox), and a new one saying the same (the state).
            for body in (event, {**event, "id": event["id"][:-4] + "beef"}):
                channel.basic_publish("", queue, json.dumps(body).encode(),
                                      pika.BasicProperties(delivery_mode=2,
                                                           content_type="application/json"))  # fmt: skip
        # Ratings has read its queue when nothing of it is left unacknowledged.
        eventually(lambda: _drained(channel, queue), timeout=30)
    finally:
        connection.close()
    time.sleep(1)  # let the last handled message's commit land before reading
    assert stats(stack, item=ITEM, period="30d") == before
    assert _board(stack) == board_before


def _board(stack: Stack) -> dict[str, Any]:
    return staff_member(stack, "reviewer").call("GET", "/staff/dashboard", 200)["per_day"]  # type: ignore[no-any-return]


def _drained(channel: Any, queue: str) -> bool:
    return int(channel.queue_declare(queue, passive=True).method.message_count) == 0
