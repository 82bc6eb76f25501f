"""The audit log: verification.audit.record is its one writer, and the
database itself refuses to change or remove an entry, on PostgreSQL and on
the SQLite of the one-process mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from common.auth import Identity
from verification import audit
from verification.migrate import upgrade

REVIEWER = Identity("staff-7", ("reviewer",))


def audit_rows(db) -> list[dict]:
    with db.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_entries ORDER BY id")).mappings()
        return [dict(row) for row in rows]


def test_an_entry_names_the_staff_member_and_what_they_did(uow_factory, db, clock) -> None:
    with uow_factory() as uow:
        audit.record(
            uow,
            actor=REVIEWER,
            action=audit.Action.DOCUMENT_VIEWED,
            order_id="order-1",
            reference="LT-1",
            document_code="id_card_front",
            details={"thumbnail": False},
        )
        uow.commit()
    [entry] = audit_rows(db)
    assert entry["actor_id"] == "staff-7" and entry["actor_role"] == "reviewer"
    assert entry["action"] == "document.viewed" and entry["order_id"] == "order-1"
    assert entry["document_code"] == "id_card_front" and entry["reference"] == "LT-1"
    assert entry["details"] == {"thumbnail": False} and entry["at"] == clock.now()


def test_the_system_is_the_actor_when_nobody_is(uow_factory, db) -> None:
    with uow_factory() as uow:
        audit.record(uow, actor=None, action=audit.Action.DOCUMENTS_PURGED, order_id="order-2")
        uow.commit()
    [entry] = audit_rows(db)
    assert (entry["actor_id"], entry["actor_role"]) == ("system", "system")


def test_an_entry_not_committed_is_not_written(uow_factory, db) -> None:
    with uow_factory() as uow:
        audit.record(uow, actor=REVIEWER, action=audit.Action.CASE_CLAIMED, order_id="order-3")
    assert audit_rows(db) == []


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_entries SET reason = 'rewritten'", "DELETE FROM audit_entries"],
)
def test_postgresql_refuses_to_change_or_remove_an_entry(uow_factory, db, statement) -> None:
    with uow_factory() as uow:
        audit.record(uow, actor=REVIEWER, action=audit.Action.CASE_CLAIMED, order_id="order-4")
        uow.commit()
    before = audit_rows(db)
    with pytest.raises(DBAPIError, match="append-only"), db.begin() as connection:
        connection.execute(text(statement))
    assert audit_rows(db) == before


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_entries SET reason = 'rewritten'", "DELETE FROM audit_entries"],
)
def test_sqlite_refuses_to_change_or_remove_an_entry(tmp_path: Path, statement) -> None:
    url = f"sqlite:///{tmp_path / 'verification.db'}"
    upgrade(url)
    engine = create_engine(url)
    insert = (
        "INSERT INTO audit_entries (at, actor_id, actor_role, action, order_id) "
        "VALUES ('2026-03-02 01:00:00', 'staff-7', 'reviewer', 'case.claimed', 'order-5')"
    )
    with engine.begin() as connection:
        connection.execute(text(insert))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT reason FROM audit_entries")).all()
    assert [tuple(row) for row in rows] == [(None,)]
    engine.dispose()
