"""Rating a completed order: once, by its applicant, within the window; every
refusal names its field and writes nothing; the summary is recomputed and
published as the catalog reads it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import (
    APPLICANT_A,
    APPLICANT_B,
    BAD,
    GOOD,
    ITEM,
    NOW,
    PUBLIC,
    REVIEWER,
    SUPERVISOR,
)


def test_a_completed_order_is_rated_by_its_applicant_under_a_masked_name(
    flow, rate, client
) -> None:
    order_id = flow.whole_order()
    answer = rate(order_id)
    assert answer.status_code == 201, answer.json
    listed = client.get(f"/items/{ITEM}/ratings", headers=PUBLIC).json
    [shown] = listed["ratings"]
    assert shown["name"] == "张**" and shown["level"] == 5 and shown["comment"] == "很快，点赞"
    assert shown["order_id"] is None  # the public list does not say which order


def test_the_gateways_name_is_masked_when_orders_carried_none(flow, rate, client) -> None:
    order_id = flow.whole_order(name=None)
    rate(order_id, {**GOOD, "display_name": "John Smith"})
    [shown] = client.get(f"/items/{ITEM}/ratings", headers=PUBLIC).json["ratings"]
    assert shown["name"] == "J*** S."


def test_an_anonymous_rating_shows_no_name(flow, rate, client) -> None:
    rate(flow.whole_order(), {**GOOD, "anonymous": True})
    [shown] = client.get(f"/items/{ITEM}/ratings", headers=PUBLIC).json["ratings"]
    assert shown["name"] is None and shown["anonymous"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"level": 6}, "level"),
        ({"level": 0}, "level"),
        ({"level": 4.5}, "level"),
        ({"tags": ["slow"]}, "tags"),
        ({"scores": {"speed": 5, "service": 5}}, "scores.delivery"),
        ({"scores": {"speed": 5, "service": 3.5, "delivery": 5}}, "scores.service"),
        ({"scores": {"speed": 0, "service": 5, "delivery": 5}}, "scores.speed"),
        ({"comment": "好" * 501}, "comment"),
        ({"comment": "有问题打我电话13912345678"}, "comment"),
        ({"comment": "身份证11010519491231002X"}, "comment"),
        ({"comment": "车是鲁B·D12345"}, "comment"),
    ],
)
def test_a_bad_field_is_refused_with_422_naming_it_and_nothing_is_written(
    flow, rate, snapshot, change, field
) -> None:
    order_id = flow.whole_order()
    before = snapshot()
    answer = rate(order_id, {**GOOD, **change})
    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert snapshot() == before


def test_the_personal_data_refusal_says_what_it_found(flow, rate) -> None:
    answer = rate(flow.whole_order(), {**GOOD, "comment": "电话 139-1234-5678"})
    assert answer.json["errors"]["comment"] == [
        "It seems to hold a mobile number; remove it before publishing."
    ]


def test_a_second_rating_for_the_same_order_is_refused_with_409(flow, rate, snapshot) -> None:
    order_id = flow.whole_order()
    assert rate(order_id).status_code == 201
    before = snapshot()
    again = rate(order_id)
    assert again.status_code == 409 and again.json["errors"] == {"order": ["already-rated"]}
    assert snapshot() == before


def test_another_applicants_order_is_not_found(flow, rate, client) -> None:
    order_id = flow.whole_order()
    assert rate(order_id, headers=APPLICANT_B).status_code == 404
    assert client.get(f"/orders/{order_id}/rating", headers=APPLICANT_B).status_code == 404


def test_an_order_not_completed_cannot_be_rated(flow, rate) -> None:
    flow.submitted("o-1", NOW - timedelta(days=1))
    answer = rate("o-1")
    assert answer.status_code == 409 and answer.json["errors"] == {"order": ["not-completed"]}


def test_the_window_closes_fifteen_days_after_completion(flow, rate, clock, client) -> None:
    order_id = flow.whole_order(start=NOW - timedelta(days=5))  # completed today
    clock.advance(timedelta(days=15))
    view = client.get(f"/orders/{order_id}/rating", headers=APPLICANT_A).json
    assert view["can_rate"] is False
    answer = rate(order_id)
    assert answer.status_code == 409 and answer.json["errors"] == {"order": ["window-closed"]}


def test_only_an_applicant_rates(flow, rate) -> None:
    assert rate(flow.whole_order(), headers=SUPERVISOR).status_code == 403


def test_fewer_than_five_ratings_show_no_average_but_the_event_carries_what_the_catalog_needs(
    flow, rate, client, outbox
) -> None:
    rate(flow.whole_order())
    summary = client.get(f"/summaries/items/{ITEM}", headers=PUBLIC).json
    assert summary["count"] == 1 and summary["too_few"] is True and summary["average_milli"] is None
    [event] = outbox("ratings.summary_changed")
    assert event["data"]["item_code"] == ITEM
    assert event["data"]["count"] == 1 and event["data"]["average_milli"] == 5000
    assert event["data"]["store"] == {"average_milli": 5000, "count": 1}
    assert event["data"]["too_few"] is True and event["data"]["min_count_for_average"] == 5


def test_the_summary_is_recomputed_from_every_rating(flow, rate, client, outbox) -> None:
    for level in (5, 5, 4, 3, 1):
        tags = {5: ["efficient"], 4: [], 3: ["acceptable_speed"], 1: ["slow"]}[level]
        rate(flow.whole_order(), {**GOOD, "level": level, "tags": tags})
    rate(flow.whole_order(item="licence-plate-replacement"), GOOD)
    summary = client.get(f"/summaries/items/{ITEM}", headers=PUBLIC).json
    assert summary["count"] == 5 and summary["average_milli"] == 3600
    assert summary["distribution"] == {"1": 1, "2": 0, "3": 1, "4": 1, "5": 2}
    assert summary["bad_share_milli"] == 200
    store = client.get("/summaries/store", headers=PUBLIC).json
    assert store["count"] == 6 and store["average_milli"] == 3833
    last = outbox("ratings.summary_changed")[-1]["data"]
    assert last["store"] == {"average_milli": 3833, "count": 6}


def test_the_item_page_lists_newest_first_and_filters_by_level(flow, rate, client, clock) -> None:
    for level, tags in ((5, []), (1, ["slow"]), (4, [])):
        rate(flow.whole_order(), {**GOOD, "level": level, "tags": tags})
        clock.advance(timedelta(minutes=1))
    listed = client.get(f"/items/{ITEM}/ratings", headers=PUBLIC).json
    assert [r["level"] for r in listed["ratings"]] == [4, 1, 5]
    bad = client.get(f"/items/{ITEM}/ratings?level=1", headers=PUBLIC).json
    assert [r["level"] for r in bad["ratings"]] == [1]


def test_a_supervisor_replies_once_in_public(flow, rate, client, outbox) -> None:
    rating_id = rate(flow.whole_order()).json["id"]
    path = f"/ratings/{rating_id}/reply"
    assert client.post(path, json={"body": "谢谢"}, headers=REVIEWER).status_code == 403
    assert client.post(path, json={"body": "谢谢您的肯定"}, headers=SUPERVISOR).status_code == 201
    again = client.post(path, json={"body": "再谢"}, headers=SUPERVISOR)
    assert again.status_code == 409 and again.json["errors"] == {"reply": ["already-replied"]}
    [shown] = client.get(f"/items/{ITEM}/ratings", headers=PUBLIC).json["ratings"]
    assert shown["reply"]["body"] == "谢谢您的肯定"
    assert len(outbox("ratings.replied")) == 1


def test_a_rating_is_published_and_a_bad_one_opens_a_case(flow, rate, outbox) -> None:
    answer = rate(flow.whole_order(), BAD)
    [rated] = outbox("ratings.rated")
    assert rated["data"]["bad"] is True and rated["data"]["level"] == 1
    [opened] = outbox("ratings.complaint_opened")
    assert opened["data"]["kind"] == "bad_rating"
    assert answer.json["case_id"] == opened["data"]["complaint_id"], "the answer names its case"


def test_a_good_rating_opens_no_case_and_takes_no_follow_up(flow, rate, client, outbox) -> None:
    rating_id = rate(flow.whole_order()).json["id"]
    assert outbox("ratings.complaint_opened") == []
    answer = client.post(f"/ratings/{rating_id}/follow-up", json=GOOD, headers=APPLICANT_A)
    assert answer.status_code == 409 and answer.json["errors"] == {"follow_up": ["not-rectified"]}
