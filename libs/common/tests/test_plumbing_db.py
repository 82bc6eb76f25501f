"""The shared table metadata and the unit-of-work factory."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import text

from common.clock import FrozenClock
from common.db import make_metadata, unit_of_work_factory
from common.events.testkit import bus_engine
from common.testing import fresh_postgres_database


def test_a_services_metadata_names_its_constraints_the_same_way_everywhere(tmp_path):
    metadata = make_metadata()
    sa.Table(
        "items",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(40), unique=True),
        sa.Column("fee", sa.Integer, sa.CheckConstraint("fee >= 0", name="fee_not_negative")),
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'names.db'}")
    metadata.create_all(engine)
    inspector = sa.inspect(engine)
    assert inspector.get_pk_constraint("items")["name"] == "pk_items"
    assert [u["name"] for u in inspector.get_unique_constraints("items")] == ["uq_items_code"]
    assert [c["name"] for c in inspector.get_check_constraints("items")] == [
        "ck_items_fee_not_negative"
    ]


def test_two_services_metadata_are_separate_objects():
    assert make_metadata() is not make_metadata()


def test_each_unit_of_work_publishes_as_its_service_on_its_clock(tmp_path):
    engine = bus_engine(f"sqlite:///{tmp_path / 'uow.db'}")
    at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    uow_factory = unit_of_work_factory(engine, "catalog", FrozenClock(at))
    first, second = uow_factory(), uow_factory()
    assert first is not second
    with first as uow:
        uow.publish("catalog.item_changed", {"code": "x"})
        uow.commit()
    with second as uow:
        uow.publish("catalog.item_changed", {"code": "never"})  # left without commit
    with engine.connect() as connection:
        bodies = [
            json.loads(b) for b in connection.execute(text("SELECT body FROM outbox")).scalars()
        ]
    assert [(b["producer"], b["data"]["code"]) for b in bodies] == [("catalog", "x")]
    assert datetime.fromisoformat(bodies[0]["occurred_at"]) == at


def test_a_read_snapshot_sees_one_moment_though_a_commit_lands_between_its_queries():
    with fresh_postgres_database("snapshot") as url:
        engine = bus_engine(url)
        with engine.begin() as connection:
            connection.execute(
                text("CREATE TABLE orders (status int); INSERT INTO orders VALUES (0)")
            )
            connection.execute(
                text("CREATE TABLE payments (status int); INSERT INTO payments VALUES (0)")
            )
        uow_factory = unit_of_work_factory(engine, "orders")

        def read_order_then_payment(snapshot: bool) -> tuple[int, int]:
            with uow_factory() as uow:
                if snapshot:
                    uow.read_one_snapshot()
                order = uow.session.execute(text("SELECT status FROM orders")).scalar_one()
                with engine.begin() as webhook:  # both move together, between the two reads
                    webhook.execute(text("UPDATE orders SET status = status + 1"))
                    webhook.execute(text("UPDATE payments SET status = status + 1"))
                payment = uow.session.execute(text("SELECT status FROM payments")).scalar_one()
            return order, payment

        try:
            assert read_order_then_payment(snapshot=False) == (0, 1)  # the skew it prevents
            assert read_order_then_payment(snapshot=True) == (1, 1)
            with uow_factory() as uow:  # the pooled connection went back as it came
                shown = uow.session.execute(text("SHOW transaction_isolation")).scalar_one()
            assert shown == "read committed"
        finally:
            engine.dispose()
