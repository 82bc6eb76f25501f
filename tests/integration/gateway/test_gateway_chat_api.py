"""The order chat and the new photos through /api/v1, on the real services:
messages as plain JSON strings, refusals as problem+json naming the field,
the unread count, and another applicant's application a 404."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient

from common.testing import eventually

from .journeys import GOOD_CARD, ApiApplicant, photo
from .office import Office


def _opened(applicant: ApiApplicant) -> str:
    """A draft whose chat exists (verification opens the case as it hears of the draft)."""
    order_id = str(applicant.start()["id"])
    eventually(
        lambda: applicant.call("GET", f"/applications/{order_id}/messages").status_code == 200
    )
    return order_id


def _send(applicant: ApiApplicant, order_id: str, body: Any) -> Any:
    return applicant.call("POST", f"/applications/{order_id}/messages", json={"body": body})


def test_an_applicant_posts_and_reads_messages_as_plain_strings(
    applicant: ApiApplicant, office: Office
) -> None:
    order_id = _opened(applicant)
    typed = "<script>alert(1)</script> Is pickup possible?"
    sent = _send(applicant, order_id, typed)
    assert sent.status_code == 201
    assert sent.get_json()["body"] == typed
    assert sent.get_json()["author_role"] == "applicant"
    office.say(order_id, "A note between us.", internal=True)
    office.say(order_id, "Yes, at any office.")

    assert applicant.call("GET", "/messages/unread", 200).get_json() == {
        "orders": {order_id: 1},
        "total": 1,
    }
    thread = applicant.call("GET", f"/applications/{order_id}/messages", 200).get_json()
    assert [(m["author_role"], m["body"]) for m in thread["messages"]] == [
        ("applicant", typed),
        ("staff", "Yes, at any office."),
    ]
    assert thread["unread"] == 1
    assert applicant.call("GET", "/messages/unread", 200).get_json() == {"orders": {}, "total": 0}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", "Enter a message."),
        ("x" * 1001, "The message is too long: shorten it to the length shown and send it again."),
    ],
)
def test_an_empty_or_too_long_message_is_a_422_naming_the_body(
    applicant: ApiApplicant, body: str, expected: str
) -> None:
    order_id = _opened(applicant)
    refused = _send(applicant, order_id, body)
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert refused.get_json()["errors"] == {"body": [expected]}
    thread = applicant.call("GET", f"/applications/{order_id}/messages", 200).get_json()
    assert thread["messages"] == []


def test_a_missing_body_or_an_internal_flag_is_refused(applicant: ApiApplicant) -> None:
    order_id = _opened(applicant)
    path = f"/applications/{order_id}/messages"
    missing = applicant.call("POST", path, json={})
    assert missing.status_code == 422 and "body" in missing.get_json()["errors"]
    internal = applicant.call("POST", path, json={"body": "hi", "internal": True})
    assert internal.status_code == 422 and "internal" in internal.get_json()["errors"]
    assert applicant.call("GET", path, 200).get_json()["messages"] == []


def test_a_file_is_refused_as_an_attachment(applicant: ApiApplicant) -> None:
    order_id = _opened(applicant)
    refused = applicant.call(
        "POST",
        f"/applications/{order_id}/messages",
        data={"body": "my ID", "file": (io.BytesIO(b"\xff\xd8\xff"), "id.jpg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {
        "attachment": ["Photos go on the documents page, never in the chat."]
    }


def test_the_eleventh_message_in_a_minute_is_a_429(applicant: ApiApplicant) -> None:
    order_id = _opened(applicant)
    for number in range(10):
        assert _send(applicant, order_id, f"message {number}").status_code == 201
    refused = _send(applicant, order_id, "one too many")
    assert refused.status_code == 429
    assert refused.get_json()["errors"] == {
        "body": ["You have sent too many messages in a minute. Wait a minute, then send it again."]
    }


def test_without_a_token_the_chat_is_a_401(client: FlaskClient) -> None:
    assert client.get("/api/v1/messages/unread").status_code == 401
    assert client.post("/api/v1/applications/x/messages", json={"body": "hi"}).status_code == 401


def test_another_applicants_chat_and_new_photos_are_not_found(
    client: FlaskClient, applicant: ApiApplicant, make_applicant, api_token, office: Office
) -> None:
    order_id = _opened(applicant)
    office.say(order_id, "For the owner only.")
    other = ApiApplicant(client, api_token(make_applicant().label))
    assert other.call("GET", f"/applications/{order_id}/messages").status_code == 404
    assert _send(other, order_id, "hello").status_code == 404
    assert other.call("GET", f"/applications/{order_id}/resubmission").status_code == 404
    assert other.call("POST", f"/applications/{order_id}/resubmit").status_code == 404
    assert other.call("GET", "/messages/unread", 200).get_json()["total"] == 0
    assert applicant.call("GET", "/messages/unread", 200).get_json()["total"] == 1


def test_new_photos_through_the_api_from_the_request_to_the_review(
    applicant: ApiApplicant, office: Office
) -> None:
    order_id = applicant.ready_to_submit()
    assert applicant.submit(order_id).status_code == 200
    assert applicant.pay(order_id, GOOD_CARD).status_code == 202
    application = f"/applications/{order_id}"
    eventually(lambda: applicant.call("GET", application).get_json()["status"] == "submitted")
    office.claim(order_id)
    office.ask_for_new_photos(order_id, {"id_card_back": ("blurred", "Hold the camera still.")})
    eventually(
        lambda: applicant.call("GET", application).get_json()["status"] == "needs_resubmission"
    )

    asked = applicant.call("GET", f"{application}/resubmission", 200).get_json()
    assert asked["status"] == "needs_resubmission" and asked["round"] == 1
    assert asked["deadline"]
    assert asked["missing"] == ["id_card_back"]
    assert [
        (d["code"], d["reason_code"], d["reason"]["en"], d["note"], d["replaced"])
        for d in asked["documents"]
    ] == [("id_card_back", "blurred", "The photo is blurred", "Hold the camera still.", False)]

    early = applicant.call("POST", f"{application}/resubmit")
    assert early.status_code == 409
    assert early.get_json()["type"] == "/problems/replacements-missing"
    accepted = applicant.upload(order_id, "id_card_front", photo(70))
    assert accepted.status_code == 409
    assert accepted.get_json()["type"] == "/problems/not-refused"

    assert applicant.upload(order_id, "id_card_back", photo(71)).status_code == 201
    documents = applicant.call("GET", f"{application}/documents", 200).get_json()
    back = next(d for d in documents["documents"] if d["code"] == "id_card_back")
    assert back["replaced"] and back["verdict"]["verdict"] == "refused"
    sent = applicant.call("POST", f"{application}/resubmit", 200).get_json()
    assert sent["status"] == "in_review"
    eventually(lambda: applicant.call("GET", application).get_json()["status"] == "in_review")
    again = applicant.call("POST", f"{application}/resubmit")
    assert again.status_code == 409
    assert again.get_json()["type"] == "/problems/not-awaiting-applicant"
