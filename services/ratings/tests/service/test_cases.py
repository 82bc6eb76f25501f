"""Bad ratings and complaints: the loop of contact, answer, accept or reopen
once, escalation to another supervisor, the queue and the follow-up rating."""

from __future__ import annotations

from datetime import timedelta

from .conftest import (
    APPLICANT_A,
    APPLICANT_B,
    BAD,
    GOOD,
    NOW,
    REVIEWER,
    SUPERVISOR,
    SUPERVISOR_2,
)

COMPLAINT = {"category": "delivery", "description": "快递三天没有动静"}


def _complain(client, order_id, body=None, headers=APPLICANT_A):
    return client.post(f"/orders/{order_id}/complaints", json=body or COMPLAINT, headers=headers)


def test_a_bad_rating_is_contacted_answered_and_then_followed_up_beside_the_first(
    flow, rate, client, outbox
) -> None:
    order_id = flow.whole_order()
    rating = rate(order_id, BAD).json
    case_id = client.get(f"/orders/{order_id}/rating", headers=APPLICANT_A).json["rating"][
        "case_id"
    ]
    assert (
        client.post(
            f"/cases/{case_id}/contact", json={"note": "电话联系"}, headers=SUPERVISOR
        ).status_code
        == 200
    )
    answered = client.post(
        f"/cases/{case_id}/answer", json={"feedback": "已加快"}, headers=SUPERVISOR
    )
    assert answered.status_code == 200 and answered.json["status"] == "answered"
    follow = client.post(f"/ratings/{rating['id']}/follow-up", json=GOOD, headers=APPLICANT_A)
    assert follow.status_code == 201 and follow.json["follow_up"]["level"] == 5
    assert follow.json["level"] == 1  # the first rating stays
    again = client.post(f"/ratings/{rating['id']}/follow-up", json=GOOD, headers=APPLICANT_A)
    assert again.status_code == 409 and again.json["errors"] == {
        "follow_up": ["already-followed-up"]
    }
    assert [e["data"]["on_time"] for e in outbox("ratings.case_contacted")] == [True]


def test_a_complaint_pauses_orders_until_it_is_accepted(flow, client, outbox) -> None:
    flow.submitted("o-1", NOW - timedelta(days=1))
    case = _complain(client, "o-1")
    assert case.status_code == 201 and case.json["kind"] == "complaint"
    case_id = case.json["id"]
    client.post(f"/cases/{case_id}/contact", json={"note": "短信"}, headers=SUPERVISOR)
    client.post(f"/cases/{case_id}/answer", json={"feedback": "已补寄"}, headers=SUPERVISOR)
    closed = client.post(f"/cases/{case_id}/accept", headers=APPLICANT_A)
    assert closed.json["status"] == "closed" and closed.json["outcome"] == "accepted"
    [opened] = outbox("ratings.complaint_opened")
    [done] = outbox("ratings.complaint_closed")
    assert opened["data"]["complaint_id"] == done["data"]["complaint_id"] == case_id
    assert opened["correlation_id"] == "o-1"


def test_a_reopened_case_is_escalated_to_another_supervisor_and_reopens_only_once(
    flow, client
) -> None:
    flow.submitted("o-1", NOW - timedelta(days=1))
    case_id = _complain(client, "o-1").json["id"]
    client.post(f"/cases/{case_id}/contact", json={"note": "电话"}, headers=SUPERVISOR)
    client.post(f"/cases/{case_id}/answer", json={"feedback": "已处理"}, headers=SUPERVISOR)
    reopened = client.post(f"/cases/{case_id}/reopen", headers=APPLICANT_A)
    assert reopened.json["status"] == "escalated" and reopened.json["escalated"] is True
    same = client.post(f"/cases/{case_id}/answer", json={"feedback": "同上"}, headers=SUPERVISOR)
    assert same.status_code == 403 and "actor" in same.json["errors"]
    other = client.post(
        f"/cases/{case_id}/answer", json={"feedback": "重新办理"}, headers=SUPERVISOR_2
    )
    assert other.status_code == 200
    twice = client.post(f"/cases/{case_id}/reopen", headers=APPLICANT_A)
    assert twice.status_code == 409 and twice.json["errors"] == {"reopen": ["already-reopened"]}


def test_complaint_refusals_name_their_field_and_write_nothing(flow, client, snapshot) -> None:
    flow.draft("o-draft")
    flow.submitted("o-1", NOW - timedelta(days=1))
    before = snapshot()
    assert _complain(client, "o-1", {"category": "delivery", "description": ""}).json[
        "errors"
    ].keys() == {"description"}
    assert _complain(client, "o-1", {"category": "weather", "description": "x"}).json[
        "errors"
    ].keys() == {"category"}
    pii = _complain(client, "o-1", {"category": "other", "description": "联系13912345678"})
    assert pii.status_code == 422 and "description" in pii.json["errors"]
    draft = _complain(client, "o-draft")
    assert draft.status_code == 409 and draft.json["errors"] == {"order": ["not-submitted"]}
    assert _complain(client, "o-1", headers=APPLICANT_B).status_code == 404
    assert snapshot() == before


def test_another_applicant_sees_no_case_and_no_thread(flow, client) -> None:
    flow.submitted("o-1", NOW - timedelta(days=1))
    case_id = _complain(client, "o-1").json["id"]
    assert client.get(f"/cases/{case_id}", headers=APPLICANT_B).status_code == 404
    posted = client.post(f"/cases/{case_id}/messages", json={"body": "hi"}, headers=APPLICANT_B)
    assert posted.status_code == 404
    assert client.post(f"/cases/{case_id}/accept", headers=APPLICANT_B).status_code == 404


def test_the_thread_holds_both_sides_until_the_case_closes(flow, client) -> None:
    flow.submitted("o-1", NOW - timedelta(days=1))
    case_id = _complain(client, "o-1").json["id"]
    client.post(f"/cases/{case_id}/messages", json={"body": "请尽快"}, headers=APPLICANT_A)
    thread = client.post(
        f"/cases/{case_id}/messages", json={"body": "正在处理"}, headers=SUPERVISOR
    ).json
    assert [(m["author_role"], m["body"]) for m in thread["messages"]] == [
        ("applicant", "请尽快"),
        ("staff", "正在处理"),
    ]
    assert (
        client.post(f"/cases/{case_id}/messages", json={"body": "x"}, headers=REVIEWER).status_code
        == 403
    )


def test_a_move_from_the_wrong_state_is_409_naming_the_state(flow, client) -> None:
    flow.submitted("o-1", NOW - timedelta(days=1))
    case_id = _complain(client, "o-1").json["id"]
    early = client.post(f"/cases/{case_id}/answer", json={"feedback": "x"}, headers=SUPERVISOR)
    assert early.status_code == 409 and early.json["errors"] == {"status": ["open"]}
    assert client.post(f"/cases/{case_id}/accept", headers=APPLICANT_A).status_code == 409


def test_the_queue_puts_overdue_cases_on_top_then_the_oldest(flow, client, clock) -> None:
    for order_id in ("o-1", "o-2", "o-3"):
        flow.submitted(order_id, NOW - timedelta(days=1))
    first = _complain(client, "o-1").json["id"]
    client.post(f"/cases/{first}/contact", json={"note": "电话"}, headers=SUPERVISOR)
    clock.advance(timedelta(hours=1))
    second = _complain(client, "o-2").json["id"]
    clock.advance(timedelta(days=1))  # Tuesday 10:00: the second's contact deadline has passed
    third = _complain(client, "o-3").json["id"]
    queue = client.get("/cases", headers=SUPERVISOR).json
    assert [c["id"] for c in queue["cases"]] == [second, first, third]
    assert [c["due"] for c in queue["cases"]] == ["overdue", "on_time", "on_time"]
    assert queue["counts"]["overdue"] == 1 and queue["counts"]["all"] == 3
    assert client.get("/cases", headers=REVIEWER).status_code == 403
    dashboard = client.get("/dashboard", headers=REVIEWER).json
    assert (
        dashboard["open"] == 3 and dashboard["overdue"] == 1 and dashboard["late"]["contact"] == 1
    )


def test_an_answered_case_left_alone_closes_without_counting_as_accepted(
    flow, client, clock, ctx, outbox
) -> None:
    from ratings.complaints import expire_answered

    flow.submitted("o-1", NOW - timedelta(days=1))
    case_id = _complain(client, "o-1").json["id"]
    client.post(f"/cases/{case_id}/contact", json={"note": "电话"}, headers=SUPERVISOR)
    client.post(f"/cases/{case_id}/answer", json={"feedback": "已处理"}, headers=SUPERVISOR)
    assert expire_answered(ctx, clock.now() + timedelta(days=6)) == 0
    assert expire_answered(ctx, clock.now() + timedelta(days=7)) == 1
    [closed] = outbox("ratings.complaint_closed")
    assert closed["data"]["outcome"] == "no_response"
