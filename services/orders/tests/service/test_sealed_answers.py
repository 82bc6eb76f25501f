"""The form's answers are sealed at rest: the database holds a Fernet token under
ORDERS_ENCRYPTION_KEYS, never the name, ID number or mobile number; the API
answers as before. Migration 0007 seals what older databases hold in clear."""

from __future__ import annotations

import json
import sqlite3

import pytest
from cryptography.fernet import Fernet

from common import migrations
from orders import sealing
from orders.migrate import MIGRATIONS


def test_the_database_holds_a_token_and_the_api_the_answers(applicant, rows, answers):
    order = applicant.draft()
    assert applicant.answer(order["id"], answers).status_code == 200
    stored = rows("SELECT answers FROM orders WHERE id = :id", id=order["id"])
    token = stored[0]["answers"]
    for secret in (answers["id_number"], answers["full_name"], answers["phone"]):
        assert secret not in json.dumps(stored, ensure_ascii=False)
    assert sealing.unseal(token) == applicant.get(order["id"])["answers"]
    assert applicant.get(order["id"])["answers"]["id_number"] == answers["id_number"]


def test_a_token_no_configured_key_opens_is_a_503_not_a_wrong_answer(
    applicant, answers, monkeypatch
):
    order = applicant.draft()
    applicant.answer(order["id"], answers)
    monkeypatch.setattr(
        sealing._Keys, "ring", sealing.sealing.keyring("X", (Fernet.generate_key().decode(),))
    )
    try:
        answer = applicant.client.get(f"/orders/{order['id']}", headers=applicant.headers)
        assert answer.status_code == 503
        assert answer.json["type"] == "/problems/encryption-key-missing"
    finally:
        sealing.configure_from_env()


def test_migration_0007_seals_what_an_older_database_holds(tmp_path):
    url = f"sqlite:///{tmp_path / 'orders.db'}"
    migrations.upgrade(MIGRATIONS, url, revision="0006")
    clear = {"full_name": "张三", "id_number": "11010519491231002X"}
    with sqlite3.connect(tmp_path / "orders.db") as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(orders)")]
        values = {name: "x" for name in columns}
        values.update(id="o-1", reference="LT-1", answers=json.dumps(clear), documents_complete=0,
                      documents_missing="[]", documents_revision=0, item_revision=1,
                      item_title="{}", form_fields="[]", required_documents="[]",
                      delivery_options="[]", created_at="2026-12-04 00:00:00",
                      updated_at="2026-12-04 00:00:00")  # fmt: skip
        for nullable in ("fee", "upcoming_fee", "delivery", "locked_price", "submitted_at",
                         "pay_by", "sla_working_days"):  # fmt: skip
            values.pop(nullable, None)
        db.execute(
            f"INSERT INTO orders ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        )
    migrations.upgrade(MIGRATIONS, url)
    with sqlite3.connect(tmp_path / "orders.db") as db:
        (stored,) = db.execute("SELECT answers FROM orders").fetchone()
    token = json.loads(stored)
    assert "11010519491231002X" not in stored and sealing.unseal(token) == clear


def test_without_keys_outside_the_demo_orders_does_not_start(monkeypatch):
    monkeypatch.delenv("ORDERS_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("DEMO_MODE", raising=False)
    with pytest.raises(Exception, match="ORDERS_ENCRYPTION_KEYS"):
        sealing.configure_from_env()


def test_the_rotation_reseals_every_order_under_the_first_key(
    applicant, answers, db, rows, monkeypatch
):
    from cryptography.fernet import MultiFernet

    from orders import rotate_keys

    old_ring = sealing._ring()
    order = applicant.draft()
    applicant.answer(order["id"], answers)
    new_key = Fernet(Fernet.generate_key())
    monkeypatch.setattr(sealing._Keys, "ring", MultiFernet([new_key, *old_ring._fernets]))
    assert rotate_keys.rotate(db) == []
    token = rows("SELECT answers FROM orders WHERE id = :id", id=order["id"])[0]["answers"]
    assert json.loads(new_key.decrypt(token.encode())) == applicant.get(order["id"])["answers"]
