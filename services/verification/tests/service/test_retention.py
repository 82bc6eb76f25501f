"""The retention of pictures: orders' final events start the clock, the worker's
sweep purges the files (really gone from disk) once VERIFICATION_RETENTION_DAYS
have passed, records it and tells the others, once; purged pictures answer 410
and the chat closes. Real PostgreSQL, the injectable clock, real files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from common.events.consumer import Dispatcher
from common.events.envelope import Envelope
from common.settings import Env, InvalidSetting
from verification.retention import purge_sweep
from verification.settings import Settings
from verification.storage import open_store

from .conftest import APPLICANT, HANDLERS, NOW, make_settings, stored_files

FRONT, BACK = "id_card_front", "id_card_back"
RETENTION = timedelta(days=30)
FINAL_EVENTS = [
    "orders.cancelled",
    "orders.closed",
    "orders.closed_unpaid",
    "orders.discarded",
    "orders.completed",
]


@pytest.fixture
def worker(uow_factory) -> Dispatcher:
    """Orders' events through every handler the worker runs."""
    return Dispatcher("verification", HANDLERS, uow_factory, max_attempts=3)


def finish(worker: Dispatcher, order_id: str, event_type: str, at=NOW) -> str:
    """Send one of orders' final events, occurring at `at`; the inbox's outcome."""
    data = {"order_id": order_id, "reference": f"LT-{order_id[:8]}", "reason": "done"}
    if event_type == "orders.cancelled":
        data.update(from_status="draft", actor=APPLICANT)
    envelope = Envelope(
        type=event_type, producer="orders", data=data, correlation_id=order_id, occurred_at=at
    )
    outcome = worker.handle(envelope.to_json(), 0)
    assert outcome.action == "ack", outcome
    return inbox_outcome(worker, envelope.id)


def inbox_outcome(worker: Dispatcher, event_id: str) -> str:
    with worker._uow_factory() as uow:
        return uow.session.execute(
            text("SELECT outcome FROM inbox WHERE event_id = :id"), {"id": event_id}
        ).scalar_one()


def row(db, sql: str, **params) -> dict:
    with db.connect() as connection:
        return dict(connection.execute(text(sql), params).mappings().one())


def rows(db, sql: str, **params) -> list[dict]:
    with db.connect() as connection:
        return [dict(r) for r in connection.execute(text(sql), params).mappings()]


@pytest.fixture
def sweep(uow_factory, database_url, storage_dir, clock):
    """sweep(at) moves the clock to `at` and runs the worker's purge timer once, as
    the worker's timer loop does."""
    store = open_store(make_settings(database_url, storage_dir))
    purge = purge_sweep(uow_factory, store, RETENTION)

    def run(at):
        clock.advance(at - clock.now())
        return purge(clock.now())

    return run


@pytest.fixture
def with_pictures(orders, uploads, photo):
    """A case with two uploaded pictures; returns its order id."""

    def make() -> str:
        order_id = orders.draft()
        uploads.uploaded(order_id, FRONT, photo(1))
        uploads.uploaded(order_id, BACK, photo(2))
        return order_id

    return make


# --- final_at -------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", FINAL_EVENTS)
def test_each_final_event_of_the_order_starts_the_retention_clock(
    orders, worker, db, event_type
) -> None:
    order_id = orders.draft()
    assert finish(worker, order_id, event_type) == "handled"
    case = row(db, "SELECT final_at, purged_at FROM cases WHERE order_id = :id", id=order_id)
    assert case == {"final_at": NOW, "purged_at": None}


def test_the_first_final_event_counts_and_a_later_one_is_stale(orders, worker, db) -> None:
    order_id = orders.draft()
    finish(worker, order_id, "orders.closed_unpaid")
    assert finish(worker, order_id, "orders.closed", at=NOW + timedelta(days=2)) == "stale"
    case = row(db, "SELECT final_at FROM cases WHERE order_id = :id", id=order_id)
    assert case["final_at"] == NOW


def test_a_cancellation_of_a_case_already_closed_still_starts_the_clock(orders, worker, db) -> None:
    order_id = orders.draft()
    with db.begin() as connection:  # closed by its review, as an approval would
        connection.execute(
            text(
                "UPDATE cases SET status = 'closed', closed_because = 'approved' WHERE order_id = :id"
            ),
            {"id": order_id},
        )
    assert finish(worker, order_id, "orders.cancelled") == "handled"
    case = row(
        db, "SELECT status, closed_because, final_at FROM cases WHERE order_id = :id", id=order_id
    )
    assert case == {"status": "closed", "closed_because": "approved", "final_at": NOW}


def test_a_final_event_for_no_case_is_stale(worker) -> None:
    assert finish(worker, "no-such-order", "orders.completed") == "stale"


def test_a_final_event_without_an_order_id_is_dead_lettered(worker) -> None:
    envelope = Envelope(type="orders.completed", producer="orders", data={"reference": "LT-1"})
    assert worker.handle(envelope.to_json(), 0).action == "dead"


# --- the purge --------------------------------------------------------------------------


def test_nothing_is_purged_before_the_retention_period_has_passed(
    with_pictures, worker, sweep, storage_dir
) -> None:
    order_id = with_pictures()
    files = stored_files(storage_dir)
    finish(worker, order_id, "orders.discarded")
    assert sweep(NOW + RETENTION - timedelta(seconds=1)) == 0
    assert stored_files(storage_dir) == files and len(files) == 4


def test_a_case_that_never_became_final_is_never_purged(with_pictures, sweep, storage_dir):
    with_pictures()
    assert sweep(NOW + timedelta(days=3650)) == 0
    assert len(stored_files(storage_dir)) == 4


def test_the_purge_deletes_the_files_and_records_and_announces_it_once(
    with_pictures, worker, sweep, storage_dir, db, outbox_events
) -> None:
    order_id = with_pictures()
    kept = with_pictures()
    kept_files = stored_files(storage_dir)
    finish(worker, order_id, "orders.completed")
    purged_at = NOW + RETENTION

    assert sweep(purged_at) == 1

    names = rows(
        db, "SELECT file_name, thumbnail_name FROM documents WHERE order_id = :id", id=order_id
    )
    gone = {f"{n[:2]}/{n}" for pair in names for n in pair.values()}
    assert len(gone) == 4
    assert not gone & set(stored_files(storage_dir))
    assert all(not (storage_dir / name).exists() for name in gone)
    assert len(stored_files(storage_dir)) == len(kept_files) - 4  # the other case's stay
    documents = rows(db, "SELECT code, purged_at FROM documents WHERE order_id = :id", id=order_id)
    assert sorted(documents, key=lambda d: d["code"]) == [
        {"code": BACK, "purged_at": purged_at},
        {"code": FRONT, "purged_at": purged_at},
    ]
    assert row(db, "SELECT purged_at FROM cases WHERE order_id = :id", id=order_id) == {
        "purged_at": purged_at
    }
    [entry] = rows(
        db,
        "SELECT actor_id, actor_role, action, reference, details FROM audit_entries "
        "WHERE order_id = :id",
        id=order_id,
    )
    assert entry == {
        "actor_id": "system",
        "actor_role": "system",
        "action": "documents.purged",
        "reference": f"LT-{order_id[:8]}",
        "details": {"document_codes": [BACK, FRONT]},
    }
    [event] = [e for e in outbox_events() if e["type"] == "verification.documents_purged"]
    assert event["data"] == {
        "order_id": order_id,
        "reference": f"LT-{order_id[:8]}",
        "document_codes": [BACK, FRONT],
        "purged_at": purged_at.isoformat(),
    }
    assert event["correlation_id"] == order_id
    assert kept != order_id

    assert sweep(purged_at + timedelta(days=1)) == 0
    assert len(rows(db, "SELECT id FROM audit_entries WHERE order_id = :id", id=order_id)) == 1
    assert len([e for e in outbox_events() if e["type"].endswith("documents_purged")]) == 1


def test_a_case_without_pictures_is_marked_purged_without_an_event(
    orders, worker, sweep, db, outbox_events
) -> None:
    order_id = orders.draft()
    finish(worker, order_id, "orders.discarded")
    assert sweep(NOW + RETENTION) == 1
    assert row(db, "SELECT purged_at FROM cases WHERE order_id = :id", id=order_id)["purged_at"]
    assert not [e for e in outbox_events() if e["type"].endswith("documents_purged")]


def test_the_retention_period_may_be_a_fraction_of_a_day(
    with_pictures, worker, uow_factory, database_url, storage_dir
) -> None:
    order_id = with_pictures()
    finish(worker, order_id, "orders.cancelled")
    settings = make_settings(database_url, storage_dir, retention_days=0.5)
    purge = purge_sweep(uow_factory, open_store(settings), settings.retention)
    assert purge(NOW + timedelta(hours=11)) == 0
    assert purge(NOW + timedelta(hours=12)) == 1
    assert stored_files(storage_dir) == {}


# --- after the purge ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["image", "thumbnail"])
@pytest.mark.parametrize(
    ("subject", "roles"), [(APPLICANT, ("applicant",)), ("staff-1", ("reviewer",))]
)
def test_a_purged_picture_answers_gone_to_the_owner_and_staff(
    with_pictures, worker, sweep, uploads, kind, subject, roles
) -> None:
    order_id = with_pictures()
    finish(worker, order_id, "orders.discarded")
    sweep(NOW + RETENTION)
    answer = uploads.get(
        f"/cases/{order_id}/documents/{FRONT}/{kind}", subject=subject, roles=roles
    )
    assert answer.status_code == 410
    assert answer.mimetype == "application/problem+json"
    assert answer.json["type"] == "/problems/purged"


def test_the_case_shows_its_purged_documents_to_the_owner_and_staff(
    with_pictures, orders, worker, sweep, uploads
) -> None:
    order_id = with_pictures()
    orders.submitted(order_id)
    finish(worker, order_id, "orders.cancelled")
    sweep(NOW + RETENTION)
    case = uploads.get(f"/cases/{order_id}").json
    review = uploads.get(f"/reviews/{order_id}", subject="staff-1", roles=("reviewer",)).json
    for documents in (case["documents"], review["documents"]):
        assert {d["code"]: d["status"] for d in documents}[FRONT] == "purged"


def test_a_picture_whose_file_a_purge_deleted_before_committing_answers_gone(
    with_pictures, uploads, storage_dir
) -> None:
    """A purge deletes the files before it commits: a look in between is a 410, not a 500."""
    order_id = with_pictures()
    for name in stored_files(storage_dir):
        (storage_dir / name).unlink()
    answer = uploads.get(f"/cases/{order_id}/documents/{FRONT}/image")
    assert answer.status_code == 410
    assert answer.json["type"] == "/problems/purged"


def test_the_chat_closes_once_the_pictures_are_purged_and_stays_readable(
    with_pictures, worker, sweep, client, headers
) -> None:
    order_id = with_pictures()
    auth = headers("applicant")
    posted = client.post(f"/chats/{order_id}/messages", json={"body": "Thanks!"}, headers=auth)
    assert posted.status_code == 201
    finish(worker, order_id, "orders.completed")
    sweep(NOW + RETENTION)
    answer = client.post(f"/chats/{order_id}/messages", json={"body": "One more"}, headers=auth)
    assert answer.status_code == 409
    assert answer.json["type"] == "/problems/case-closed"
    thread = client.get(f"/chats/{order_id}", headers=auth).json
    assert [m["body"] for m in thread["messages"]] == ["Thanks!"]


# --- settings --------------------------------------------------------------------------------


def environment(**values: str) -> Env:
    base = {
        "VERIFICATION_DATABASE_URL": "postgresql://x/y",
        "VERIFICATION_STORAGE_DIR": "/tmp/x",
        "VERIFICATION_ENCRYPTION_KEYS": "k",
        "BUS_URL": "memory://",
        "INTERNAL_TOKEN_SECRET": "s",
    }
    return Env({**base, **values})


def test_the_retention_and_the_chat_limit_have_defaults_and_take_fractions_of_days() -> None:
    defaults = Settings.from_env(environment())
    assert (defaults.retention, defaults.chat_messages_per_minute) == (timedelta(days=30), 10)
    tuned = Settings.from_env(
        environment(VERIFICATION_RETENTION_DAYS="0.25", VERIFICATION_CHAT_MESSAGES_PER_MINUTE="3")
    )
    assert (tuned.retention, tuned.chat_messages_per_minute) == (timedelta(hours=6), 3)


@pytest.mark.parametrize(
    ("name", "value"),
    [("VERIFICATION_RETENTION_DAYS", "-1"), ("VERIFICATION_CHAT_MESSAGES_PER_MINUTE", "0")],
)
def test_a_negative_retention_or_a_chat_limit_below_one_stops_start_up(name, value) -> None:
    with pytest.raises(InvalidSetting, match=name):
        Settings.from_env(environment(**{name: value}))


def test_the_resubmission_period_defaults_to_seven_days_and_takes_fractions() -> None:
    assert Settings.from_env(environment()).resubmission_days == 7.0
    tuned = Settings.from_env(environment(VERIFICATION_RESUBMISSION_DAYS="0.5"))
    assert tuned.resubmission_days == 0.5


@pytest.mark.parametrize("value", ["0", "-2"])
def test_a_resubmission_period_not_above_zero_stops_start_up(value) -> None:
    with pytest.raises(InvalidSetting, match="VERIFICATION_RESUBMISSION_DAYS"):
        Settings.from_env(environment(VERIFICATION_RESUBMISSION_DAYS=value))
