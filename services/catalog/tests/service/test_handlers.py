"""Ratings and completed orders keep the shop window current: handled through
the common Dispatcher with a real unit of work on PostgreSQL, with envelopes
built the way their producers will send them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from catalog.handlers import BINDINGS, HANDLERS
from common.events.consumer import Dispatcher
from common.events.envelope import Envelope

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CODE = "driving-licence-replacement"


@pytest.fixture
def dispatch(uow_factory):
    dispatcher = Dispatcher("catalog", HANDLERS, uow_factory, max_attempts=3)

    def send(envelope: Envelope):
        return dispatcher.handle(envelope.to_json(), 0)

    return send


def summary_changed(
    *,
    item_code: str = CODE,
    average_milli: int | None = 4870,
    count: int = 213,
    store: dict[str, Any] | None = None,
    as_of: datetime | None = AT,
    **extra: Any,
) -> Envelope:
    data = {
        "item_code": item_code,
        "average_milli": average_milli,
        "count": count,
        "store": store or {"average_milli": 4810, "count": 1024},
        **extra,
    }
    if as_of is not None:
        data["as_of"] = as_of.isoformat()
    return Envelope(type="ratings.summary_changed", producer="ratings", data=data)


def completed(order_id: str | None = None, item_code: str = CODE) -> Envelope:
    order_id = order_id or str(uuid.uuid4())
    return Envelope(
        type="orders.completed",
        producer="orders",
        data={"order_id": order_id, "item_code": item_code, "completed_at": AT.isoformat()},
        correlation_id=order_id,
    )


def shown(client, headers, path: str = f"/items/{CODE}") -> dict[str, Any]:
    answer = client.get(path, headers=headers("public"))
    assert answer.status_code == 200
    return answer.json  # type: ignore[no-any-return]


def test_the_worker_listens_for_exactly_the_events_it_handles() -> None:
    assert sorted(BINDINGS) == sorted(HANDLERS) == ["orders.completed", "ratings.summary_changed"]


def test_a_rating_summary_shows_on_the_item_and_the_store(client, store, headers, dispatch) -> None:
    store.published()
    assert dispatch(summary_changed()).action == "ack"
    assert shown(client, headers)["rating"] == {"average_milli": 4870, "count": 213}
    assert shown(client, headers, "/store")["rating"] == {"average_milli": 4810, "count": 1024}
    listed = client.get("/items", headers=headers("public")).json["items"][0]
    assert listed["rating"]["average_milli"] == 4870


def test_an_older_summary_arriving_late_is_ignored(client, store, headers, dispatch, db) -> None:
    store.published()
    dispatch(summary_changed(average_milli=4900, count=300, as_of=AT))
    late = summary_changed(
        average_milli=4500, count=200, store={"average_milli": 4000, "count": 900},
        as_of=AT - timedelta(minutes=5),
    )  # fmt: skip
    assert dispatch(late).action == "ack"
    assert shown(client, headers)["rating"] == {"average_milli": 4900, "count": 300}
    assert shown(client, headers, "/store")["rating"]["count"] == 1024
    with db.connect() as connection:
        outcome = connection.execute(
            text("SELECT outcome FROM inbox WHERE event_id = :id"), {"id": late.id}
        ).scalar_one()
    assert outcome == "stale"


def test_a_newer_store_summary_is_kept_even_when_the_item_part_is_stale(
    client, store, headers, dispatch
) -> None:
    store.published()
    dispatch(summary_changed(as_of=AT))
    other_item = summary_changed(
        item_code="no-such-item", store={"average_milli": 4820, "count": 1025},
        as_of=AT + timedelta(minutes=1),
    )  # fmt: skip
    assert dispatch(other_item).action == "ack"
    assert shown(client, headers, "/store")["rating"] == {"average_milli": 4820, "count": 1025}
    assert shown(client, headers)["rating"]["count"] == 213


def test_a_summary_without_as_of_is_dated_by_its_envelope(client, store, headers, dispatch) -> None:
    store.published()
    assert dispatch(summary_changed(as_of=None)).action == "ack"
    assert shown(client, headers)["rating"]["count"] == 213


def test_the_same_summary_event_delivered_twice_is_handled_once(
    client, store, headers, dispatch, db
) -> None:
    store.published()
    event = summary_changed()
    dispatch(event)
    assert dispatch(event).action == "ack"
    with db.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM inbox")).scalar_one()
    assert rows == 1


@pytest.mark.parametrize(
    "data",
    [
        {"average_milli": 4870, "count": 1, "store": {"average_milli": 4810, "count": 1}},
        {"item_code": CODE, "average_milli": 4.87, "count": 1, "store": {"average_milli": 4810, "count": 1}},
        {"item_code": CODE, "average_milli": 6000, "count": 1, "store": {"average_milli": 4810, "count": 1}},
        {"item_code": CODE, "average_milli": None, "count": 3, "store": {"average_milli": 4810, "count": 1}},
        {"item_code": CODE, "average_milli": 4870, "count": 1},
    ],
)  # fmt: skip
def test_a_malformed_summary_is_dead_lettered_and_changes_nothing(
    store, dispatch, snapshot, data
) -> None:
    store.published()
    before = snapshot()
    envelope = Envelope(type="ratings.summary_changed", producer="ratings", data=data)
    outcome = dispatch(envelope)
    assert outcome.action == "dead"
    assert "ValidationError" in (outcome.reason or "")
    assert snapshot() == before


def test_a_completed_order_adds_a_deal_to_the_item_and_the_store(
    client, store, headers, dispatch
) -> None:
    store.published()
    for _ in range(3):
        assert dispatch(completed()).action == "ack"
    assert shown(client, headers)["deal_count"] == 3
    assert shown(client, headers, "/store")["deal_count"] == 3


def test_an_order_is_counted_once_however_many_events_say_it_completed(
    client, store, headers, dispatch
) -> None:
    store.published()
    order_id = str(uuid.uuid4())
    dispatch(completed(order_id))
    assert dispatch(completed(order_id)).action == "ack"  # a new event id, the same order
    assert shown(client, headers)["deal_count"] == 1


def test_a_deal_for_an_item_the_catalog_does_not_know_counts_for_the_store(
    client, store, headers, dispatch
) -> None:
    store.published()
    assert dispatch(completed(item_code="retired-item")).action == "ack"
    assert shown(client, headers)["deal_count"] == 0
    assert shown(client, headers, "/store")["deal_count"] == 1


def test_a_completed_order_without_its_item_is_dead_lettered(store, dispatch, snapshot) -> None:
    store.published()
    before = snapshot()
    envelope = Envelope(type="orders.completed", producer="orders", data={"order_id": "o-1"})
    assert dispatch(envelope).action == "dead"
    assert snapshot() == before


def test_a_rating_or_deal_does_not_count_as_a_change_to_the_item(
    client, store, headers, dispatch, outbox_events
) -> None:
    item = store.published()
    before = outbox_events()
    dispatch(summary_changed())
    dispatch(completed())
    assert shown(client, headers)["revision"] == item["revision"]
    assert outbox_events() == before
