"""The order chat over HTTP: who may read and write a thread, what a message may
hold, internal notes, read markers and unread counts, the rate limit, the
audit of staff messages, and the canned replies. Real PostgreSQL throughout."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import text

from verification.app import create_app
from verification.canned_replies import SEEDED

from .conftest import APPLICANT

STAFF_ROLES = ["reviewer", "production", "dispatcher", "supervisor"]


class Chat:
    """Calls the chat endpoints as one person."""

    def __init__(self, client, headers, subject: str = APPLICANT, role: str = "applicant"):
        self.client = client
        self.auth = headers(role, subject=subject)

    def read(self, order_id: str):
        return self.client.get(f"/chats/{order_id}", headers=self.auth)

    def post(self, order_id: str, body: str, **extra):
        return self.client.post(
            f"/chats/{order_id}/messages", json={"body": body, **extra}, headers=self.auth
        )

    def posted(self, order_id: str, body: str, **extra) -> dict:
        answer = self.post(order_id, body, **extra)
        assert answer.status_code == 201, answer.json
        return answer.json

    def unread(self) -> dict:
        answer = self.client.get("/chats/unread", headers=self.auth)
        assert answer.status_code == 200, answer.json
        return answer.json["orders"]


@pytest.fixture
def applicant(client, headers) -> Chat:
    return Chat(client, headers)


@pytest.fixture
def reviewer(client, headers) -> Chat:
    return Chat(client, headers, "staff-1", "reviewer")


def message_count(db, order_id: str) -> int:
    with db.connect() as connection:
        return connection.execute(
            text("SELECT count(*) FROM chat_messages WHERE order_id = :id"), {"id": order_id}
        ).scalar_one()


def audit_entries(db, order_id: str) -> list[dict]:
    with db.connect() as connection:
        rows = connection.execute(
            text("SELECT * FROM audit_entries WHERE order_id = :id ORDER BY id"), {"id": order_id}
        ).mappings()
        return [dict(row) for row in rows]


# --- who may use a thread ---------------------------------------------------------------


def test_the_owner_writes_and_reads_their_order_s_thread(orders, applicant, clock) -> None:
    order_id = orders.draft()
    message = applicant.posted(order_id, "  Is my ID card photo clear enough?  \n")
    assert message == {
        "id": message["id"],
        "at": clock.now().isoformat(),
        "author_role": "applicant",
        "author_id": APPLICANT,
        "body": "Is my ID card photo clear enough?",
        "internal": False,
    }
    answer = applicant.read(order_id)
    assert answer.status_code == 200
    assert answer.json == {"messages": [message], "unread": 0}


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_role_may_read_and_answer(orders, applicant, client, headers, role) -> None:
    order_id = orders.draft()
    applicant.posted(order_id, "When will my licence arrive?")
    staff = Chat(client, headers, "staff-9", role)
    staff.posted(order_id, "It was sent by courier this morning.")
    bodies = [message["body"] for message in staff.read(order_id).json["messages"]]
    assert bodies == ["When will my licence arrive?", "It was sent by courier this morning."]


@pytest.mark.parametrize(("subject", "role"), [("applicant-2", "applicant"), (APPLICANT, "public")])
def test_anyone_else_is_told_the_thread_does_not_exist(
    orders, applicant, client, headers, db, subject, role
) -> None:
    order_id = orders.draft()
    applicant.posted(order_id, "Hello")
    stranger = Chat(client, headers, subject, role)
    assert stranger.read(order_id).status_code == 404
    answer = stranger.post(order_id, "Let me in")
    assert answer.status_code == 404
    assert answer.mimetype == "application/problem+json"
    assert message_count(db, order_id) == 1


def test_a_thread_of_no_order_does_not_exist(applicant, reviewer) -> None:
    assert applicant.read("no-such-order").status_code == 404
    assert reviewer.post("no-such-order", "Hello").status_code == 404


def test_a_call_without_a_token_is_refused(orders, client) -> None:
    order_id = orders.draft()
    assert client.get(f"/chats/{order_id}").status_code == 401
    answer = client.post(f"/chats/{order_id}/messages", json={"body": "Hello"})
    assert answer.status_code == 401
    assert client.get("/chats/unread").status_code == 401


# --- what a message may hold ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"), [("", "empty"), ("   \n\t ", "empty"), ("x" * 1001, "too-long")]
)
def test_an_empty_or_overlong_message_is_refused_naming_the_body(
    orders, applicant, db, body, reason
) -> None:
    order_id = orders.draft()
    answer = applicant.post(order_id, body)
    assert answer.status_code == 422
    assert answer.json["errors"] == {"body": [reason]}
    assert message_count(db, order_id) == 0


def test_a_message_of_exactly_a_thousand_characters_is_taken(orders, applicant) -> None:
    order_id = orders.draft()
    assert len(applicant.posted(order_id, "字" * 1000)["body"]) == 1000


def test_a_message_without_a_body_is_refused_naming_it(orders, applicant, db) -> None:
    order_id = orders.draft()
    answer = applicant.client.post(
        f"/chats/{order_id}/messages", json={"internal": False}, headers=applicant.auth
    )
    assert answer.status_code == 422
    assert "body" in answer.json["errors"]
    assert message_count(db, order_id) == 0


def test_markup_is_stored_as_typed_and_returned_as_plain_text(orders, applicant) -> None:
    order_id = orders.draft()
    applicant.posted(order_id, "<script>alert(1)</script> & more")
    [message] = applicant.read(order_id).json["messages"]
    assert message["body"] == "<script>alert(1)</script> & more"


def test_a_photo_sent_as_multipart_is_refused_pointing_to_the_documents_page(
    orders, applicant, photo, db
) -> None:
    order_id = orders.draft()
    answer = applicant.client.post(
        f"/chats/{order_id}/messages",
        data={"body": "here is my photo", "file": (io.BytesIO(photo()), "me.jpg", "image/jpeg")},
        content_type="multipart/form-data",
        headers=applicant.auth,
    )
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert "documents page" in answer.json["errors"]["attachment"][0]
    assert message_count(db, order_id) == 0


@pytest.mark.parametrize("content_type", ["image/jpeg", "application/octet-stream"])
def test_a_file_sent_as_the_body_is_refused_as_an_attachment(
    orders, applicant, photo, db, content_type
) -> None:
    order_id = orders.draft()
    answer = applicant.client.post(
        f"/chats/{order_id}/messages",
        data=photo(),
        content_type=content_type,
        headers=applicant.auth,
    )
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["attachment"]
    assert message_count(db, order_id) == 0


# --- internal notes ---------------------------------------------------------------------


def test_an_applicant_cannot_write_an_internal_note(orders, applicant, db) -> None:
    order_id = orders.draft()
    answer = applicant.post(order_id, "psst", internal=True)
    assert answer.status_code == 422
    assert list(answer.json["errors"]) == ["internal"]
    assert message_count(db, order_id) == 0


def test_internal_notes_are_shown_to_staff_and_never_to_the_applicant(
    orders, applicant, reviewer, client, headers
) -> None:
    order_id = orders.draft()
    reviewer.posted(order_id, "Selfie looks edited; ask a supervisor.", internal=True)
    reply = reviewer.posted(order_id, "Please retake the selfie in daylight.")

    seen = applicant.read(order_id).json
    assert seen == {"messages": [reply], "unread": 1}
    assert applicant.unread() == {}

    supervisor = Chat(client, headers, "staff-2", "supervisor")
    notes = [m for m in supervisor.read(order_id).json["messages"] if m["internal"]]
    assert [note["body"] for note in notes] == ["Selfie looks edited; ask a supervisor."]


# --- read markers and unread counts -------------------------------------------------------


def test_staff_messages_are_unread_to_the_applicant_until_they_read_the_thread(
    orders, applicant, reviewer
) -> None:
    order_id = orders.draft()
    other_order = orders.draft()
    reviewer.posted(order_id, "We have received your photos.")
    reviewer.posted(order_id, "The back of the ID card is blurred.")
    reviewer.posted(other_order, "Your licence was approved.")

    assert applicant.unread() == {order_id: 2, other_order: 1}
    assert applicant.read(order_id).json["unread"] == 2
    assert applicant.unread() == {other_order: 1}
    assert applicant.read(order_id).json["unread"] == 0


def test_an_internal_note_is_never_counted_unread_for_the_applicant(
    orders, applicant, reviewer
) -> None:
    # Counted before the applicant reads anything: reading moves the marker past
    # the note and would hide a miscount.
    order_id = orders.draft()
    reviewer.posted(order_id, "Selfie looks edited; ask a supervisor.", internal=True)
    assert applicant.unread() == {}
    reviewer.posted(order_id, "Please retake the selfie in daylight.")
    assert applicant.unread() == {order_id: 1}
    assert applicant.read(order_id).json["unread"] == 1


def test_an_applicant_s_own_messages_are_never_unread_to_them(orders, applicant) -> None:
    order_id = orders.draft()
    applicant.posted(order_id, "Hello?")
    assert applicant.unread() == {}


def test_applicant_messages_are_unread_to_all_staff_until_one_of_them_reads(
    orders, applicant, reviewer, client, headers
) -> None:
    order_id = orders.draft()
    quiet_order = orders.draft()
    applicant.posted(order_id, "Is anyone there?")
    applicant.posted(order_id, "I uploaded new photos.")
    reviewer.posted(quiet_order, "We have received your photos.")
    dispatcher = Chat(client, headers, "staff-7", "dispatcher")

    assert dispatcher.unread() == {order_id: 2}
    assert reviewer.read(order_id).json["unread"] == 2
    assert dispatcher.unread() == {}
    applicant.posted(order_id, "Thank you!")
    assert dispatcher.unread() == {order_id: 1}


def test_another_applicant_s_unread_messages_are_not_counted(
    orders, reviewer, client, headers
) -> None:
    theirs = orders.draft(applicant="applicant-2")
    reviewer.posted(theirs, "Please retake the photo.")
    assert Chat(client, headers).unread() == {}
    assert Chat(client, headers, "applicant-2").unread() == {theirs: 1}


def test_a_token_of_neither_side_has_no_unread_messages(orders, reviewer, client, headers):
    order_id = orders.draft()
    reviewer.posted(order_id, "Hello")
    assert Chat(client, headers, APPLICANT, "public").unread() == {}


# --- the rate limit ------------------------------------------------------------------------


def test_an_eleventh_message_in_a_minute_waits_and_says_how_long(
    orders, applicant, reviewer, clock, db
) -> None:
    order_id = orders.draft()
    for number in range(10):
        applicant.posted(order_id, f"message {number}")
    clock.advance(timedelta(seconds=20))
    answer = applicant.post(order_id, "one too many")
    assert answer.status_code == 429
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["Retry-After"] == "40"
    assert message_count(db, order_id) == 10

    reviewer.posted(order_id, "Staff are counted on their own.")
    applicant.posted(orders.draft(), "Another order is counted on its own.")
    clock.advance(timedelta(seconds=40))
    applicant.posted(order_id, "A minute later it goes through.")


def test_the_limit_comes_from_the_settings(
    orders, database_url, storage_dir, clock, settings_for, headers
) -> None:
    settings = settings_for(database_url, storage_dir, chat_messages_per_minute=2)
    app = create_app(settings, clock=clock)
    try:
        chat = Chat(app.test_client(), headers)
        order_id = orders.draft()
        chat.posted(order_id, "one")
        chat.posted(order_id, "two")
        assert chat.post(order_id, "three").status_code == 429
    finally:
        app.extensions["verification.engine"].dispose()


# --- the audit -------------------------------------------------------------------------------


def test_staff_messages_and_notes_are_audited_without_their_words(
    orders, applicant, reviewer, db
) -> None:
    order_id = orders.draft()
    applicant.posted(order_id, "My ID number is in the photo.")
    reviewer.posted(order_id, "Thank you, we are reviewing it.")
    reviewer.posted(order_id, "ID looks fine.", internal=True)

    entries = audit_entries(db, order_id)
    assert [(e["action"], e["actor_id"], e["actor_role"]) for e in entries] == [
        ("chat.message", "staff-1", "reviewer"),
        ("chat.note", "staff-1", "reviewer"),
    ]
    assert all(e["reference"] == f"LT-{order_id[:8]}" for e in entries)
    written = repr(entries)
    assert "reviewing it" not in written and "looks fine" not in written


def test_a_refused_staff_message_leaves_no_audit_entry(orders, reviewer, db) -> None:
    order_id = orders.draft()
    assert reviewer.post(order_id, " ").status_code == 422
    assert audit_entries(db, order_id) == []


# --- canned replies -----------------------------------------------------------------------------


def test_staff_get_the_canned_replies_in_both_languages(client, headers) -> None:
    answer = client.get("/canned-replies", headers=headers("dispatcher", subject="staff-4"))
    assert answer.status_code == 200
    replies = answer.json["replies"]
    assert [reply["code"] for reply in replies] == [code for code, _ in SEEDED]
    assert replies[0]["text"] == {
        "zh": "我们已收到您上传的照片，正在审核，请耐心等待。",
        "en": "We have received your photos and are reviewing them.",
    }
    assert all(reply["text"]["zh"] and reply["text"]["en"] for reply in replies)


def test_an_applicant_may_not_list_the_canned_replies(client, headers) -> None:
    answer = client.get("/canned-replies", headers=headers("applicant"))
    assert answer.status_code == 403
    assert answer.mimetype == "application/problem+json"


# --- telling the applicant ------------------------------------------------------------------


def test_a_staff_reply_publishes_that_one_is_waiting_without_its_text(
    orders, applicant, reviewer, outbox_events
) -> None:
    order_id = orders.draft()
    applicant.posted(order_id, "Is my ID card photo clear enough?")
    reviewer.posted(order_id, "Selfie looks edited; ask a supervisor.", internal=True)
    assert outbox_events("verification.chat_message_posted") == []
    reply = reviewer.posted(order_id, "Yes, it is clear. Thank you.")
    [posted] = outbox_events("verification.chat_message_posted")
    assert posted["correlation_id"] == order_id
    assert posted["data"] == {
        "order_id": order_id,
        "reference": posted["data"]["reference"],
        "applicant_id": APPLICANT,
        "message_id": reply["id"],
        "posted_at": reply["at"],
    }
    assert "clear" not in str(posted)
