"""Sent outbox rows are forgotten after the retention; unsent and malformed ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from common.events.retention import outbox_purge_timer, purge_sent_outbox
from common.events.tables import outbox
from common.events.testkit import bus_engine, publish_in_outbox
from common.testing import fresh_postgres_database

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = bus_engine(f"sqlite:///{tmp_path / 'bus.db'}")
        yield engine
        engine.dispose()
        return
    with fresh_postgres_database("retention") as url:
        engine = bus_engine(url)
        yield engine
        engine.dispose()


def _mark(engine, ids, **values):
    with engine.begin() as conn:
        conn.execute(update(outbox).where(outbox.c.event_id.in_(ids)).values(**values))


def _left(engine):
    with engine.connect() as conn:
        return set(conn.execute(select(outbox.c.event_id)).scalars())


def test_rows_sent_before_the_cut_are_deleted_in_batches_and_the_rest_kept(engine):
    old = publish_in_outbox(engine, 7, key="old")
    recent = publish_in_outbox(engine, 2, key="recent")
    unsent = publish_in_outbox(engine, 2, key="unsent")
    retried = publish_in_outbox(engine, 1, key="retried")
    broken = publish_in_outbox(engine, 1, key="broken")
    _mark(engine, old, sent_at=NOW - timedelta(days=8))
    _mark(engine, retried, sent_at=NOW - timedelta(days=8), last_error="broker down once")
    _mark(engine, recent, sent_at=NOW - timedelta(hours=1))
    _mark(engine, broken, sent_at=NOW - timedelta(days=30), last_error="not published, malformed")

    assert purge_sent_outbox(engine, NOW - timedelta(days=7), batch_size=3) == 8
    assert _left(engine) == {*recent, *unsent, *broken}


def test_the_workers_timer_cuts_at_the_retention_before_now(engine):
    sent = publish_in_outbox(engine, 2)
    _mark(engine, sent[:1], sent_at=NOW - timedelta(hours=25))
    _mark(engine, sent[1:], sent_at=NOW - timedelta(hours=23))
    name, sweep, interval = outbox_purge_timer(engine, retention_hours=24, interval_seconds=60)
    assert (name, interval) == ("outbox-purge", 60)
    assert sweep(NOW) == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar_one() == 1
