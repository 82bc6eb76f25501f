"""Rating and complaining across real processes (catalog, orders, verification,
fulfillment, ratings, gateway; RabbitMQ and PostgreSQL), through the public
API and the pages: completed orders rated → the item's count, then its stars
on the store front; a very dissatisfied rating → a case → contact and
feedback → the follow-up beside the first; a complaint before receipt pauses
orders' auto-confirm until it closes; a reopened case escalated past its
first supervisor; a second rating refused; another applicant's rating form,
complaint and thread are 404; each staff role on the staff endpoints."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from common.processes import Stack
from common.testing import eventually

from .conftest import Applicant, Journey, StaffMember, staff_member
from .test_delivery_journeys import approved, dispatch, produce

ITEM = Journey.ITEM
GOOD = {"level": 5, "tags": ["efficient"], "scores": {"speed": 5, "service": 5, "delivery": 5},
        "comment": "办得很快，快递第二天就到了。"}  # fmt: skip
VERY_BAD = {"level": 1, "tags": ["slow"], "scores": {"speed": 1, "service": 2, "delivery": 3},
            "comment": "等了太久。"}  # fmt: skip


# --- steps -----------------------------------------------------------------------------------


def delivered(stack: Stack, applicant: Applicant) -> str:
    """An order approved, made and signed for by the courier (receipt not yet confirmed)."""
    order_id = approved(stack, applicant)
    produce(stack, order_id)
    dispatch(stack, order_id)
    Journey.status_becomes(applicant, order_id, "delivered", timeout=40)
    return order_id


def completed(stack: Stack, applicant: Applicant) -> str:
    order_id = delivered(stack, applicant)
    applicant.call("POST", f"/applications/{order_id}/confirm-receipt", 200)
    # Ratings hears orders.completed by the bus: until then the order is not rateable.
    eventually(lambda: applicant.call("GET", f"/applications/{order_id}/rating", 200)["can_rate"],
               timeout=20)  # fmt: skip
    return order_id


def summary(stack: Stack) -> dict[str, Any]:
    answer = requests.get(f"{stack.url('gateway')}/api/v1/items/{ITEM}/rating-summary", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def page(stack: Stack, path: str) -> str:
    answer = requests.get(stack.url("gateway") + path, cookies={"lang": "en"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.text


def receipt(stack: Stack, order_id: str) -> dict[str, Any]:
    """Orders' own view of the auto-confirm timer (the gateway shows only its effect)."""
    headers = stack.token_headers("orders", subject="test-supervisor", roles=["supervisor"])
    answer = requests.get(f"{stack.url('orders')}/orders/{order_id}", headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["receipt"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def supervisor(stack: Stack) -> StaffMember:
    return staff_member(stack, "supervisor")


# --- the stars --------------------------------------------------------------------------------


def test_ratings_show_a_count_under_five_and_stars_from_the_fifth_on(stack):
    applicant = Applicant(stack)
    first = completed(stack, applicant)
    rated = applicant.call("POST", f"/applications/{first}/rating", 201, json=GOOD)
    assert rated["level"] == 5 and rated["name"] and "*" in rated["name"]
    count = eventually(lambda: (s := summary(stack))["count"] >= 1 and s, timeout=20)["count"]
    if count < 5:
        assert summary(stack)["average_milli"] is None, "never a lonely average"
        assert "Too few for an average" in page(stack, f"/items/{ITEM}")
        assert "Too few for an average" in page(stack, "/")
    while count < 5:
        order_id = completed(stack, applicant)
        applicant.call("POST", f"/applications/{order_id}/rating", 201, json=GOOD)
        count += 1
    found = eventually(lambda: (s := summary(stack))["count"] >= 5 and s, timeout=20)
    assert found["too_few"] is False and found["average_milli"] is not None
    # The catalog hears ratings.summary_changed: the store front shows stars and the count.
    item = eventually(lambda: (r := requests.get(f"{stack.url('gateway')}/api/v1/items/{ITEM}",
                                                 timeout=10).json()["rating"])["count"] >= 5 and r,
                      timeout=20)  # fmt: skip
    assert item["average"] is not None
    front = page(stack, "/")
    assert "out of 5" in front and 'class="stars"' in front


def test_a_second_rating_of_one_order_is_refused_and_changes_nothing(stack):
    applicant = Applicant(stack)
    order_id = completed(stack, applicant)
    applicant.call("POST", f"/applications/{order_id}/rating", 201, json=GOOD)
    before = eventually(lambda: (s := summary(stack))["count"] and s, timeout=20)
    again = applicant.request("POST", f"/applications/{order_id}/rating", json=VERY_BAD)
    assert again.status_code == 409, again.text
    assert again.headers["Content-Type"].startswith("application/problem+json")
    assert "order" in again.json()["errors"]
    assert summary(stack)["count"] == before["count"]


def test_a_rating_before_completion_is_refused(stack):
    applicant = Applicant(stack)
    order_id = approved(stack, applicant)
    early = applicant.request("POST", f"/applications/{order_id}/rating", json=GOOD)
    assert early.status_code == 409, early.text
    assert early.json()["errors"]["order"] == ["not-completed"]
    assert applicant.call("GET", f"/applications/{order_id}/rating", 200)["can_rate"] is False


# --- a bad rating's case --------------------------------------------------------------------


def test_a_very_dissatisfied_rating_opens_a_case_answered_then_followed_up(stack, supervisor):
    applicant = Applicant(stack)
    order_id = completed(stack, applicant)
    rated = applicant.call("POST", f"/applications/{order_id}/rating", 201, json=VERY_BAD)
    assert rated["bad"] is True and rated["case_id"]
    case_id = rated["case_id"]
    early = applicant.request("POST", f"/applications/{order_id}/rating/follow-up", json=GOOD)
    assert early.status_code == 409 and "follow_up" in early.json()["errors"]

    queue = supervisor.call("GET", "/staff/complaints?kind=bad_rating", 200)["cases"]
    assert case_id in {case["id"] for case in queue}
    contacted = supervisor.call("POST", f"/staff/complaints/{case_id}/contact", 200,
                                json={"note": "电话联系申请人，说明了原因。"})  # fmt: skip
    assert contacted["status"] == "contacted" and contacted["contacted_at"]
    answered = supervisor.call("POST", f"/staff/complaints/{case_id}/answer", 200,
                               json={"feedback": "已调整审核排班，今后两个工作日内审结。"})  # fmt: skip
    assert answered["status"] == "answered" and answered["feedback"]

    follow = {**GOOD, "level": 4, "tags": ["friendly_staff"]}
    followed = applicant.call("POST", f"/applications/{order_id}/rating/follow-up", 201,
                              json=follow)  # fmt: skip
    assert followed["level"] == 1, "the first rating stays"
    assert followed["follow_up"]["level"] == 4
    second = applicant.request("POST", f"/applications/{order_id}/rating/follow-up", json=follow)
    assert second.status_code == 409 and "follow_up" in second.json()["errors"]
    # Public: the item's list shows the follow-up beside the first rating.
    listed = requests.get(f"{stack.url('gateway')}/api/v1/items/{ITEM}/ratings?level=1",
                          timeout=10).json()["ratings"]  # fmt: skip
    shown = next(r for r in listed if r["id"] == rated["id"])
    assert shown["level"] == 1 and shown["follow_up"]["level"] == 4
    assert "order_id" not in shown or shown["order_id"] is None, "no order id in public"


def test_a_reopened_case_is_escalated_and_refused_to_its_first_supervisor(stack, supervisor):
    applicant = Applicant(stack)
    order_id = completed(stack, applicant)
    case_id = applicant.call("POST", f"/applications/{order_id}/rating", 201,
                             json=VERY_BAD)["case_id"]  # fmt: skip
    supervisor.call("POST", f"/staff/complaints/{case_id}/contact", 200, json={"note": "电话"})
    supervisor.call("POST", f"/staff/complaints/{case_id}/answer", 200, json={"feedback": "已整改"})
    reopened = applicant.call("POST", f"/complaints/{case_id}/reopen", 200)
    assert reopened["status"] == "escalated" and reopened["escalated"] is True
    same = supervisor.request("POST", f"/staff/complaints/{case_id}/answer",
                              json={"feedback": "再次整改"})  # fmt: skip
    assert same.status_code == 403 and "actor" in same.json()["errors"]
    second = StaffMember(stack, "supervisor")
    again = second.call("POST", f"/staff/complaints/{case_id}/answer", 200,
                        json={"feedback": "由另一位科长复核并整改"})  # fmt: skip
    assert again["status"] == "answered"
    twice = applicant.request("POST", f"/complaints/{case_id}/reopen")
    assert twice.status_code == 409 and "reopen" in twice.json()["errors"]


# --- a complaint before receipt ---------------------------------------------------------------


def test_a_complaint_before_receipt_pauses_the_auto_confirm_until_it_closes(stack, supervisor):
    applicant = Applicant(stack)
    order_id = delivered(stack, applicant)
    assert receipt(stack, order_id)["paused"] is False
    empty = applicant.request("POST", f"/applications/{order_id}/complaints",
                              json={"category": "delivery", "description": ""})  # fmt: skip
    assert empty.status_code == 422 and "description" in empty.json()["errors"]
    case = applicant.call("POST", f"/applications/{order_id}/complaints", 201,
                          json={"category": "delivery", "description": "快递盒破损，驾驶证有折痕。"})  # fmt: skip
    eventually(lambda: receipt(stack, order_id)["paused"] is True, timeout=20)

    applicant.call("POST", f"/complaints/{case['id']}/messages", 201, json={"body": "附上照片了。"})
    supervisor.call("POST", f"/staff/complaints/{case['id']}/messages", 201,
                    json={"body": "收到，我们会补寄新证。"})  # fmt: skip
    supervisor.call("POST", f"/staff/complaints/{case['id']}/contact", 200, json={"note": "电话"})
    supervisor.call("POST", f"/staff/complaints/{case['id']}/answer", 200,
                    json={"feedback": "已补制并寄出新证。"})  # fmt: skip
    assert receipt(stack, order_id)["paused"] is True, "answered is not closed"
    closed = applicant.call("POST", f"/complaints/{case['id']}/accept", 200)
    assert closed["status"] == "closed" and closed["outcome"] == "accepted"
    thread = applicant.call("GET", f"/complaints/{case['id']}", 200)["messages"]
    assert [m["body"] for m in thread][:2] == ["附上照片了。", "收到，我们会补寄新证。"]
    eventually(lambda: receipt(stack, order_id)["paused"] is False, timeout=20)
    late = applicant.request("POST", f"/complaints/{case['id']}/messages", json={"body": "谢谢"})
    assert late.status_code == 409 and "status" in late.json()["errors"]


# --- who may see what -----------------------------------------------------------------------


def test_another_applicant_gets_404_on_the_rating_form_complaint_and_thread(stack):
    owner, other = Applicant(stack), Applicant(stack)
    order_id = completed(stack, owner)
    case = owner.call("POST", f"/applications/{order_id}/complaints", 201,
                      json={"category": "fees", "description": "收费与公示不一致？"})  # fmt: skip
    assert other.request("GET", f"/applications/{order_id}/rating").status_code == 404
    assert other.request("POST", f"/applications/{order_id}/rating", json=GOOD).status_code == 404
    assert other.request("POST", f"/applications/{order_id}/complaints",
                         json={"category": "fees", "description": "x"}).status_code == 404  # fmt: skip
    assert other.request("GET", f"/complaints/{case['id']}").status_code == 404
    assert other.request("POST", f"/complaints/{case['id']}/messages",
                         json={"body": "hi"}).status_code == 404  # fmt: skip
    assert other.request("POST", f"/complaints/{case['id']}/accept").status_code == 404
    assert case["id"] not in {c["id"] for c in other.call("GET", "/complaints", 200)["cases"]}


STAFF_ROLES = ["reviewer", "production", "dispatcher", "supervisor"]


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_each_staff_role_on_the_staff_ratings_endpoints(stack, role):
    member = staff_member(stack, role)
    board = member.call("GET", "/staff/dashboard", 200)
    assert len(board["per_day"]) == 30 if "per_day" in board else board
    supervisor_only = [
        ("GET", "/staff/complaints"),
        ("GET", "/staff/complaints/00000000-0000-0000-0000-000000000000"),
        ("POST", "/staff/ratings/00000000-0000-0000-0000-000000000000/reply"),
        ("POST", "/staff/complaints/00000000-0000-0000-0000-000000000000/contact"),
        ("POST", "/staff/complaints/00000000-0000-0000-0000-000000000000/answer"),
    ]
    for method, path in supervisor_only:
        answer = member.request(method, path, json={"body": "x", "note": "x", "feedback": "x"})
        expected = {403} if role != "supervisor" else {200, 404}
        assert answer.status_code in expected, (method, path, answer.status_code, answer.text)


def test_applicants_and_strangers_may_not_use_the_staff_endpoints(stack):
    applicant = Applicant(stack)
    base = stack.url("gateway") + "/api/v1"
    for path in ("/staff/dashboard", "/staff/complaints"):
        assert applicant.request("GET", path).status_code == 403, path
        assert requests.get(base + path, timeout=10).status_code == 401, path


def test_a_supervisor_replies_once_in_public(stack, supervisor):
    applicant = Applicant(stack)
    order_id = completed(stack, applicant)
    rating = applicant.call("POST", f"/applications/{order_id}/rating", 201, json=GOOD)
    reviewer = staff_member(stack, "reviewer")
    refused = reviewer.request(
        "POST", f"/staff/ratings/{rating['id']}/reply", json={"body": "谢谢"}
    )
    assert refused.status_code == 403
    replied = supervisor.call("POST", f"/staff/ratings/{rating['id']}/reply", 201,
                              json={"body": "感谢您的肯定！"})  # fmt: skip
    assert replied["reply"]["body"] == "感谢您的肯定！"
    again = supervisor.request(
        "POST", f"/staff/ratings/{rating['id']}/reply", json={"body": "再谢"}
    )
    assert again.status_code == 409 and "reply" in again.json()["errors"]
