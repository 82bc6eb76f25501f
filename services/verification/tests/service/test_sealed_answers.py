"""The form's answers at rest: sealed with the pictures' keys, opened only where the
review reads them, re-sealed by the key rotation, and sealed by the migration."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import text

from common import migrations
from common.db import make_engine
from common.testing import fresh_postgres_database
from verification import rotate_keys
from verification.app import create_app
from verification.migrate import MIGRATIONS
from verification.sealing import AnswerSeal
from verification.storage import keyring

from .conftest import ANSWERS, ID_NUMBER, KEY
from .reviewing import REVIEWER, Staff, case_row, submitted_case

NAME = "Wang Fang"


def raw_case(db, order_id: str) -> str:
    """Every column of the case's row as the database holds it, as one text."""
    with db.connect() as connection:
        return connection.execute(
            text("SELECT CAST(c AS text) FROM cases AS c WHERE order_id = :id"), {"id": order_id}
        ).scalar_one()


def test_the_database_never_holds_the_id_number_or_the_name_in_clear(
    orders, uploads, photo, db
) -> None:
    order_id = submitted_case(orders, uploads, photo)
    row = raw_case(db, order_id)
    assert ID_NUMBER not in row and NAME not in row
    token = case_row(db, order_id)["answers_sealed"]
    assert json.loads(Fernet(KEY.encode()).decrypt(token.encode())) == ANSWERS


def test_a_reveal_still_returns_the_id_number_the_applicant_gave(
    orders, uploads, photo, client
) -> None:
    order_id = submitted_case(orders, uploads, photo)
    reviewer = Staff(client, REVIEWER, "reviewer")
    review = reviewer.claim(order_id)
    assert review["applicant_name"] == NAME
    assert [check["code"] for check in review["checks"]] == ["id_number_matches_id_card"]
    revealed = reviewer.ok(
        "post", f"/reviews/{order_id}/reveal", {"field": "id_number", "reason": "ID card blurred"}
    )
    assert revealed == {"field": "id_number", "value": ID_NUMBER}


def test_key_rotation_re_seals_the_answers_and_the_old_key_can_go(
    orders, uploads, photo, db, database_url, storage_dir, settings_for, clock
) -> None:
    order_id = submitted_case(orders, uploads, photo)
    new_key = Fernet.generate_key().decode()

    rotation = rotate_keys.rotate(settings_for(database_url, storage_dir, keys=(new_key, KEY)))
    assert (rotation.answers.rotated, rotation.answers.unreadable) == (1, [])
    assert rotation.complete

    token = case_row(db, order_id)["answers_sealed"].encode()
    assert json.loads(Fernet(new_key.encode()).decrypt(token)) == ANSWERS
    with pytest.raises(InvalidToken):
        Fernet(KEY.encode()).decrypt(token)
    app = create_app(settings_for(database_url, storage_dir, keys=(new_key,)), clock=clock)
    try:
        reviewer = Staff(app.test_client(), REVIEWER, "reviewer")
        assert reviewer.claim(order_id)["applicant_name"] == NAME
        revealed = reviewer.ok(
            "post", f"/reviews/{order_id}/reveal", {"field": "id_number", "reason": "rotated key"}
        )
        assert revealed["value"] == ID_NUMBER
    finally:
        app.extensions["verification.engine"].dispose()


def test_answers_no_key_opens_are_reported_and_kept(
    orders, uploads, photo, db, database_url, storage_dir, settings_for
) -> None:
    order_id = submitted_case(orders, uploads, photo)
    before = case_row(db, order_id)["answers_sealed"]
    stranger = Fernet.generate_key().decode()
    rotation = rotate_keys.rotate(settings_for(database_url, storage_dir, keys=(stranger,)))
    assert rotation.answers.unreadable == [order_id] and not rotation.complete
    assert case_row(db, order_id)["answers_sealed"] == before


def test_a_case_sealed_with_a_key_since_dropped_is_a_503_naming_the_keys(
    orders, uploads, photo, database_url, storage_dir, settings_for, clock
) -> None:
    order_id = submitted_case(orders, uploads, photo)
    stranger = Fernet.generate_key().decode()
    app = create_app(settings_for(database_url, storage_dir, keys=(stranger,)), clock=clock)
    try:
        client = app.test_client()
        reviewer = Staff(client, REVIEWER, "reviewer")
        for answer in (
            reviewer.get(f"/reviews/{order_id}"),
            reviewer.get(f"/cases/{order_id}/documents/id_card_front/image"),
        ):
            assert answer.status_code == 503
            assert answer.json["type"] == "/problems/encryption-key-missing"
    finally:
        app.extensions["verification.engine"].dispose()


def test_the_migration_seals_existing_answers_and_refuses_without_keys(monkeypatch) -> None:
    monkeypatch.delenv("VERIFICATION_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("DEMO_MODE", raising=False)
    with fresh_postgres_database("verification_sealing") as url:
        migrations.upgrade(MIGRATIONS, url, "0003_chat_retention")
        engine = make_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO cases (order_id, reference, status, revision, answers,"
                        " created_at, updated_at) VALUES ('o-1', 'LT-1', 'queued', 0,"
                        " CAST(:answers AS jsonb), now(), now())"
                    ),
                    {"answers": json.dumps(ANSWERS)},
                )

            with pytest.raises(RuntimeError, match="VERIFICATION_ENCRYPTION_KEYS"):
                migrations.upgrade(MIGRATIONS, url)
            with engine.connect() as connection:
                kept = connection.execute(text("SELECT answers FROM cases")).scalar_one()
            assert kept == ANSWERS

            monkeypatch.setenv("VERIFICATION_ENCRYPTION_KEYS", KEY)
            migrations.upgrade(MIGRATIONS, url)
            with engine.connect() as connection:
                row = connection.execute(
                    text("SELECT CAST(c AS text) FROM cases AS c")
                ).scalar_one()
                token = connection.execute(text("SELECT answers_sealed FROM cases")).scalar_one()
                columns = connection.execute(
                    text(
                        "SELECT column_name FROM information_schema.columns"
                        " WHERE table_name = 'cases' AND column_name LIKE 'answers%'"
                    )
                ).scalars()
                assert list(columns) == ["answers_sealed"]
            assert ID_NUMBER not in row
            assert AnswerSeal(keyring((KEY,))).unseal(token) == ANSWERS
        finally:
            engine.dispose()
