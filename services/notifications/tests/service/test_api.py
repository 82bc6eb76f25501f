"""The internal API: the applicant's inbox and preferences, the staff's views,
the sandbox outbox; every refusal a problem+json naming the field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from notifications.sending import send_due


def _inbox(client, headers):
    answer = client.get("/inbox", headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_the_inbox_lists_the_applicants_messages_newest_first_with_the_unread_count(
    story, client, applicant, clock
):
    story.submitted()
    clock.advance(timedelta(minutes=5))
    story.tell("orders.approved", applicant_id="acct-a", total_fen=2500)
    inbox = _inbox(client, applicant())
    assert [m["template"] for m in inbox["messages"]] == ["approved", "submitted"]
    assert inbox["unread"] == 2 and inbox["pages"] == 1
    assert inbox["messages"][0]["link"] == f"https://gov.test/applications/{story.order_id}"
    assert client.get("/inbox/unread-count", headers=applicant()).json == {"unread": 2}


def test_marking_a_message_read_lowers_the_count(story, client, applicant):
    story.submitted()
    [message] = _inbox(client, applicant())["messages"]
    answer = client.post(f"/inbox/{message['id']}/read", headers=applicant())
    assert answer.status_code == 200 and answer.json["read_at"] is not None
    assert client.get("/inbox/unread-count", headers=applicant()).json == {"unread": 0}


def test_another_applicants_message_does_not_exist_for_them(story, client, applicant):
    story.submitted()
    [message] = _inbox(client, applicant())["messages"]
    answer = client.post(f"/inbox/{message['id']}/read", headers=applicant("acct-b"))
    assert answer.status_code == 404 and answer.content_type == "application/problem+json"
    assert _inbox(client, applicant("acct-b"))["messages"] == []
    assert _inbox(client, applicant())["unread"] == 1


def test_read_all_marks_every_message_read(story, client, applicant):
    story.submitted()
    story.tell("orders.approved", applicant_id="acct-a", total_fen=2500)
    assert client.post("/inbox/read-all", headers=applicant()).json == {"unread": 0}
    assert _inbox(client, applicant())["unread"] == 0


def test_the_preferences_start_on_in_chinese_and_show_the_contact_masked(story, client, applicant):
    story.contact()
    answer = client.get("/preferences", headers=applicant())
    assert answer.json["sms"] is True and answer.json["email"] is True
    assert answer.json["language"] == "zh-CN"
    assert answer.json["phone_masked"] == "139****5678"
    assert "rejected" in answer.json["required_templates"]


def test_the_applicant_switches_sms_off_and_english_on(client, applicant):
    answer = client.put("/preferences", json={"sms": False, "language": "en"}, headers=applicant())
    assert answer.status_code == 200
    assert (answer.json["sms"], answer.json["email"], answer.json["language"]) == (
        False,
        True,
        "en",
    )


@pytest.mark.parametrize(("body", "field"), [
    ({"inapp": False}, "inapp"),
    ({"language": "fr"}, "language"),
    ({"sms": "yes"}, "sms"),
    ({"email": 0}, "email"),
    ({"colour": "red"}, "colour"),
])  # fmt: skip
def test_an_invalid_preference_is_refused_naming_the_field_and_nothing_changes(
    client, applicant, body, field
):
    answer = client.put("/preferences", json=body, headers=applicant())
    assert answer.status_code == 422 and answer.content_type == "application/problem+json"
    assert field in answer.json["errors"]
    assert client.get("/preferences", headers=applicant()).json["sms"] is True


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        # Found by the fuzz suite (tests/fuzz): past a bigint the offset was a 500.
        "page=956087265045552955392&per_page=70",
        "page=100000",
    ],
)
def test_a_page_number_out_of_range_is_refused_naming_it(client, applicant, query):
    answer = client.get(f"/inbox?{query}", headers=applicant())
    assert answer.status_code == 422 and "page" in answer.json["errors"]


def test_a_call_without_a_token_is_refused(client):
    assert client.get("/inbox").status_code == 401


def test_staff_views_need_a_supervisor(client, applicant):
    for path in ("/staff/failures", "/staff/stats"):
        assert client.get(path, headers=applicant()).status_code == 403


def test_the_counts_per_day_follow_beijing_days_and_channels(story, ctx, clock, client, supervisor):
    story.contact()
    story.submitted()
    send_due(ctx, clock.now())
    answer = client.get("/staff/stats?days=7", headers=supervisor)
    assert answer.status_code == 200
    assert answer.json["days"] == [
        {
            "date": "2026-03-02",
            "channel": "sms",
            "created": 1,
            "sent": 1,
            "delivered": 0,
            "failed": 0,
        },
        {
            "date": "2026-03-02",
            "channel": "inapp",
            "created": 1,
            "sent": 1,
            "delivered": 1,
            "failed": 0,
        },
        {
            "date": "2026-03-02",
            "channel": "email",
            "created": 1,
            "sent": 1,
            "delivered": 0,
            "failed": 0,
        },
    ]


def test_a_stats_range_beyond_90_days_is_refused_naming_it(client, supervisor):
    answer = client.get("/staff/stats?days=91", headers=supervisor)
    assert answer.status_code == 422 and "days" in answer.json["errors"]


def test_the_sandbox_outbox_shows_what_a_phone_would_have_received(
    story, ctx, clock, client, applicant
):
    story.contact()
    story.submitted()
    send_due(ctx, clock.now())
    sent = client.get("/sandbox/outbox?channel=sms", headers=applicant()).json["sent"]
    assert [(s["to_masked"], s["receipt"]) for s in sent] == [("139****5678", "delivered")]
    assert (
        sent[0]["body"]
        == f"申请已提交，已冻结¥25.00，通过后扣款：https://g.test/a/{story.reference}"
    )


def test_a_supervisor_switches_a_sandbox_provider_down_and_an_unknown_one_is_404(
    client, supervisor
):
    assert client.put("/sandbox/providers/sms", json={"down": True}, headers=supervisor).json == {
        "channel": "sms",
        "down": True,
    }
    assert (
        client.put("/sandbox/providers/fax", json={"down": True}, headers=supervisor).status_code
        == 404
    )
    answer = client.put("/sandbox/providers/sms", json={"down": "maybe"}, headers=supervisor)
    assert answer.status_code == 422 and "down" in answer.json["errors"]
