"""The staff review API, /api/v1/staff, on the real services: the console's
steps with a bearer token, refusals as problem+json naming the field, and
roles checked before anything is read."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from common.testing import eventually

from .journeys import LICENCE_DOCUMENTS, ApiApplicant
from .review_steps import ID_CHECK, submitted_order


def _staff(api: ApiApplicant, method: str, path: str, expected: int, **kw: Any) -> Any:
    return api.call(method, f"/staff{path}", expected, **kw).get_json()


def test_a_reviewer_claims_judges_and_approves_through_the_api(
    applicant: ApiApplicant, staff_api
) -> None:
    reviewer = staff_api("reviewer")
    order_id = submitted_order(applicant)
    reference = applicant.call("GET", f"/applications/{order_id}").get_json()["reference"]
    queue = eventually(
        lambda: _staff(reviewer, "GET", f"/reviews?q={reference}", 200)["cases"] or None
    )
    assert queue[0]["order_id"] == order_id
    claimed = _staff(reviewer, "POST", f"/reviews/{order_id}/claim", 200)
    assert claimed["status"] == "in_review"
    id_number = next(a for a in claimed["answers"] if a["name"] == "id_number")
    assert id_number["masked"] and id_number["value"] == "110***********002X"
    for code in LICENCE_DOCUMENTS:
        body = {"verdict": "accepted"}
        _staff(reviewer, "PUT", f"/reviews/{order_id}/documents/{code}/verdict", 200, json=body)
    _staff(reviewer, "PUT", f"/reviews/{order_id}/checks/{ID_CHECK}", 200, json={"result": "match"})
    decided = _staff(
        reviewer, "POST", f"/reviews/{order_id}/decision", 200, json={"decision": "approve"}
    )
    assert decided["decision"]["decision"] == "approve"
    eventually(
        lambda: (
            applicant.call("GET", f"/applications/{order_id}").get_json()["status"] == "approved"
        )
    )


def test_a_refusal_without_a_reason_is_a_422_and_changes_nothing(
    applicant: ApiApplicant, staff_api
) -> None:
    reviewer = staff_api("reviewer")
    order_id = submitted_order(applicant)
    eventually(lambda: reviewer.call("POST", f"/staff/reviews/{order_id}/claim").status_code == 200)
    problem = _staff(
        reviewer,
        "PUT",
        f"/reviews/{order_id}/documents/id_card_front/verdict",
        422,
        json={"verdict": "refused"},
    )
    assert "reason_code" in problem["errors"]
    case = _staff(reviewer, "GET", f"/reviews/{order_id}", 200)
    assert all(document["verdict"] is None for document in case["documents"])


def test_a_reveal_needs_a_reason_and_answers_the_value(applicant: ApiApplicant, staff_api) -> None:
    reviewer = staff_api("reviewer")
    order_id = submitted_order(applicant)
    eventually(lambda: reviewer.call("POST", f"/staff/reviews/{order_id}/claim").status_code == 200)
    path = f"/reviews/{order_id}/reveal"
    short = _staff(reviewer, "POST", path, 422, json={"field": "id_number", "reason": "no"})
    assert "reason" in short["errors"]
    body = {"field": "id_number", "reason": "Checking the card by hand"}
    shown = _staff(reviewer, "POST", path, 200, json=body)
    assert shown == {"field": "id_number", "value": "11010519491231002X"}


def test_roles_are_checked_before_anything_is_read(client: FlaskClient, staff_api) -> None:
    assert client.get("/api/v1/staff/reviews").status_code == 401
    production = staff_api("production")
    production.call("GET", "/staff/reviews", 403)
    production.call("POST", "/staff/reviews/x/decision", 403, json={"decision": "nonsense"})
    reviewer = staff_api("reviewer")
    reviewer.call("GET", "/staff/audit", 403)
    reviewer.call("GET", "/staff/audit.csv", 403)
    reviewer.call("POST", "/staff/orders/x/capture", 403)


def test_a_supervisor_reads_the_audit_log_and_its_csv(applicant: ApiApplicant, staff_api) -> None:
    supervisor = staff_api("supervisor")
    order_id = submitted_order(applicant)
    eventually(
        lambda: supervisor.call("POST", f"/staff/reviews/{order_id}/claim").status_code == 200
    )
    log = _staff(supervisor, "GET", f"/audit?order_id={order_id}", 200)
    assert [entry["action"] for entry in log["entries"]] == ["case.claimed"]
    exported = supervisor.call("GET", f"/staff/audit.csv?order_id={order_id}", 200)
    assert exported.mimetype == "text/csv"
    assert "case.claimed" in exported.get_data(as_text=True)
    bad = _staff(supervisor, "GET", "/audit?since=yesterday", 422)
    assert "since" in bad["errors"]


def test_staff_talk_to_the_applicant_and_keep_notes_through_the_api(
    applicant: ApiApplicant, staff_api
) -> None:
    reviewer = staff_api("reviewer")
    order_id = submitted_order(applicant)
    applicant.call("POST", f"/applications/{order_id}/messages", 201, json={"body": "Any news?"})
    unread = _staff(reviewer, "GET", "/messages/unread", 200)
    assert unread["orders"].get(order_id) == 1
    thread = _staff(reviewer, "GET", f"/reviews/{order_id}/messages", 200)
    assert [(m["author_role"], m["body"]) for m in thread["messages"]] == [
        ("applicant", "Any news?")
    ]
    assert order_id not in _staff(reviewer, "GET", "/messages/unread", 200)["orders"]
    replies = _staff(reviewer, "GET", "/canned-replies", 200)["replies"]
    assert replies and all(r["text"]["zh"] and r["text"]["en"] for r in replies)
    reply = {"body": replies[0]["text"]["en"]}
    _staff(reviewer, "POST", f"/reviews/{order_id}/messages", 201, json=reply)
    note = {"body": "Checked the photo twice.", "internal": True}
    assert _staff(reviewer, "POST", f"/reviews/{order_id}/messages", 201, json=note)["internal"]
    seen = applicant.call("GET", f"/applications/{order_id}/messages", 200).get_json()
    assert [m["body"] for m in seen["messages"]] == ["Any news?", reply["body"]]


def test_a_staff_message_that_is_empty_or_a_file_is_refused_naming_the_field(
    applicant: ApiApplicant, staff_api
) -> None:
    reviewer = staff_api("reviewer")
    order_id = submitted_order(applicant)
    path = f"/reviews/{order_id}/messages"
    empty = _staff(reviewer, "POST", path, 422, json={"body": "   "})
    assert "body" in empty["errors"]
    upload = {"file": (io.BytesIO(b"\xff\xd8\xff"), "id.jpg")}
    attached = _staff(reviewer, "POST", path, 422, data=upload)
    assert "attachment" in attached["errors"]
    assert _staff(reviewer, "GET", path, 200)["messages"] == []


def test_production_staff_have_no_chat_api(applicant: ApiApplicant, staff_api) -> None:
    production = staff_api("production")
    order_id = submitted_order(applicant)
    production.call("GET", f"/staff/reviews/{order_id}/messages", 403)
    production.call("GET", "/staff/canned-replies", 403)
