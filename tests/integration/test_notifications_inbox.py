"""Telling the applicant, across real processes (catalog, orders, verification,
fulfillment, notifications and the gateway with its worker; RabbitMQ and
PostgreSQL), through the public API:

- an application driven from submission through approval leaves exactly the
  expected messages in the applicant's inbox, in order, once each, in the
  language the account was registered in (the gateway's
  `accounts.contact_changed`, relayed by its worker);
- an email provider down then up sends the message once;
- applicant B cannot read or mark A's messages (404);
- a deleted account's contact details and messages are forgotten
  (`accounts.deleted`);
- a staff reply in the order chat (not an internal note) and a complaint's
  case (received, answered, resolved) are one message each, in the
  applicant's language.
"""

from __future__ import annotations

import uuid

from common.processes import Stack
from common.testing import eventually

from .conftest import Applicant, Journey, StaffMember, staff_member

PASSWORD = "a long applicant password"


class Registered(Applicant):
    """An applicant registered with a given identifier, asking in a given language."""

    def __init__(self, stack: Stack, identifier: str, language: str) -> None:
        self.base = stack.url("gateway") + "/api/v1"
        self.headers = {}
        self.call(
            "POST", "/accounts", 201, json={"identifier": identifier, "password": PASSWORD},
            headers={"Accept-Language": language},
        )  # fmt: skip
        self.sign_in(identifier, PASSWORD)
        self.account_id = self.call("GET", "/accounts/current", 200)["id"]


def _email_applicant(stack: Stack, language: str) -> Registered:
    return Registered(stack, f"inbox-{uuid.uuid4().hex[:8]}@example.cn", language)


def _inbox(applicant: Applicant) -> list[dict]:
    return applicant.call("GET", "/inbox?per_page=100", 200)["messages"]


def _templates(applicant: Applicant, order_id: str) -> list[str]:
    """The applicant's messages about one order, oldest first."""
    mine = [m for m in _inbox(applicant) if m["order_id"] == order_id]
    return [m["template"] for m in reversed(mine)]


def _approved(stack: Stack, applicant: Applicant) -> str:
    journey = Journey(stack)
    order_id = journey.submitted(applicant)
    reviewer: StaffMember = staff_member(stack, "reviewer")
    reviewer.claim(order_id)
    reviewer.verdicts(order_id)
    reviewer.decide(order_id, "approve")
    journey.status_becomes(applicant, order_id, "approved", timeout=30)
    return order_id


def test_submission_through_approval_leaves_each_message_once_in_order_in_english(stack: Stack):
    applicant = _email_applicant(stack, "en")
    order_id = _approved(stack, applicant)

    eventually(lambda: _templates(applicant, order_id) == ["submitted", "approved"], timeout=30)
    messages = [m for m in _inbox(applicant) if m["order_id"] == order_id]
    reference = messages[0]["reference"]
    assert [m["title"] for m in messages] and all(reference in m["body"] for m in messages)
    # Written in English: not one Chinese character in a title or a body.
    assert not any("\u4e00" <= ch <= "\u9fff" for m in messages for ch in m["title"] + m["body"])
    assert all(m["link"].endswith(f"/applications/{order_id}") for m in messages)
    assert applicant.call("GET", "/inbox/unread-count", 200) == {"unread": 2}


def test_a_chinese_applicants_messages_are_in_chinese(stack: Stack):
    applicant = _email_applicant(stack, "zh-CN")
    order_id = Journey(stack).submitted(applicant)
    eventually(lambda: _templates(applicant, order_id) == ["submitted"], timeout=30)
    (message,) = [m for m in _inbox(applicant) if m["order_id"] == order_id]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message["title"])


def test_marking_read_brings_the_count_down_and_another_applicant_gets_404(stack: Stack):
    owner = _email_applicant(stack, "zh-CN")
    order_id = Journey(stack).submitted(owner)
    eventually(lambda: _templates(owner, order_id) == ["submitted"], timeout=30)
    (message,) = [m for m in _inbox(owner) if m["order_id"] == order_id]

    other = _email_applicant(stack, "zh-CN")
    refused = other.request("POST", f"/inbox/{message['id']}/read")
    assert refused.status_code == 404
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert all(m["id"] != message["id"] for m in _inbox(other))
    assert owner.call("GET", "/inbox/unread-count", 200) == {"unread": 1}

    read = owner.call("POST", f"/inbox/{message['id']}/read", 200)
    assert read["read_at"] and owner.call("GET", "/inbox/unread-count", 200) == {"unread": 0}


def test_an_email_provider_down_then_up_sends_the_message_once(stack: Stack, http):
    supervisor = staff_member(stack, "supervisor")
    headers = stack.token_headers("notifications", subject="it", roles=["supervisor"])
    switch = f"{stack.url('notifications')}/sandbox/providers/email"
    applicant = _email_applicant(stack, "zh-CN")
    address = applicant.call("GET", "/preferences", 200)["email_masked"]
    assert address  # the gateway's contact event reached notifications
    http.put(switch, json={"down": True}, headers=headers, timeout=5).raise_for_status()
    try:
        order_id = Journey(stack).submitted(applicant)
        eventually(lambda: _templates(applicant, order_id) == ["submitted"], timeout=30)
    finally:
        http.put(switch, json={"down": False}, headers=headers, timeout=5).raise_for_status()

    def sent() -> list[dict]:
        outbox = supervisor.call("GET", "/staff/notifications/stats?days=1", 200)
        assert outbox["days"]  # the supervisor's counts see today's messages
        answer = http.get(f"{stack.url('notifications')}/sandbox/outbox?channel=email&per_page=100",
                          headers=headers, timeout=5)  # fmt: skip
        return [s for s in answer.json()["sent"] if applicant_reference(s, order_id, applicant)]

    # The first try met the provider down; the retry (30 s later) is accepted, once.
    eventually(lambda: len(sent()) == 1, timeout=75)
    assert len(sent()) == 1


def applicant_reference(sent: dict, order_id: str, applicant: Applicant) -> bool:
    reference = applicant.application(order_id)["reference"]
    return reference in sent["body"]


def test_a_deleted_account_is_forgotten_by_notifications(stack: Stack, http):
    applicant = _email_applicant(stack, "zh-CN")
    order_id = Journey(stack).submitted(applicant)
    eventually(lambda: _templates(applicant, order_id) == ["submitted"], timeout=30)
    applicant.call("DELETE", "/accounts/current", 204)
    assert applicant.request("GET", "/inbox").status_code == 401  # every session ended

    as_the_account = stack.token_headers("notifications", subject=applicant.account_id,
                                         roles=["applicant"])  # fmt: skip
    inbox = f"{stack.url('notifications')}/inbox"
    eventually(lambda: http.get(inbox, headers=as_the_account, timeout=5).json()["messages"] == [])
    preferences = http.get(f"{stack.url('notifications')}/preferences", headers=as_the_account,
                           timeout=5).json()  # fmt: skip
    assert preferences["email_masked"] is None and preferences["phone_masked"] is None


def test_a_staff_reply_in_the_chat_is_one_message_in_the_applicants_language(stack: Stack, http):
    applicant = _email_applicant(stack, "en")
    order_id = Journey(stack).submitted(applicant)
    eventually(lambda: _templates(applicant, order_id) == ["submitted"], timeout=30)
    chat = f"{stack.url('verification')}/chats/{order_id}/messages"
    staff = stack.token_headers("verification", subject="staff-it", roles=["reviewer"])
    for body in ({"body": "Checked by a second reviewer.", "internal": True},
                 {"body": "Your photos are clear; no need to upload again."}):  # fmt: skip
        http.post(chat, json=body, headers=staff, timeout=5).raise_for_status()

    eventually(lambda: _templates(applicant, order_id) == ["submitted", "chat_reply"], timeout=30)
    reply = next(m for m in _inbox(applicant) if m["template"] == "chat_reply")
    assert reply["title"] == "Staff replied" and "photos" not in reply["body"]


def test_a_complaints_lifecycle_is_one_message_each_in_the_applicants_language(stack: Stack, http):
    applicant = _email_applicant(stack, "zh-CN")
    order_id = Journey(stack).submitted(applicant)
    eventually(lambda: _templates(applicant, order_id) == ["submitted"], timeout=30)
    ratings = stack.url("ratings")
    as_applicant = stack.token_headers("ratings", subject=applicant.account_id, roles=["applicant"])
    as_supervisor = stack.token_headers("ratings", subject="staff-it", roles=["supervisor"])
    complaint = {"category": "slow", "description": "审核太慢了"}

    def opened() -> dict | None:  # ratings learns of the order from orders' events
        answer = http.post(f"{ratings}/orders/{order_id}/complaints", json=complaint,
                           headers=as_applicant, timeout=5)  # fmt: skip
        return answer.json() if answer.status_code == 201 else None

    case = eventually(opened, timeout=30)
    for step, body in (("contact", {"note": "已电话联系"}), ("answer", {"feedback": "已加快办理"})):
        http.post(f"{ratings}/cases/{case['id']}/{step}", json=body, headers=as_supervisor,
                  timeout=5).raise_for_status()  # fmt: skip
    http.post(f"{ratings}/cases/{case['id']}/accept", headers=as_applicant,
              timeout=5).raise_for_status()  # fmt: skip

    told = ["submitted", "complaint_opened", "complaint_answered", "complaint_closed"]
    eventually(lambda: _templates(applicant, order_id) == told, timeout=30)
    titles = [m["title"] for m in _inbox(applicant) if m["template"].startswith("complaint")]
    assert titles == ["投诉已处理完毕", "投诉有了答复", "投诉已受理"]
