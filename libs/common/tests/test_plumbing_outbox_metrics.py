"""The relay's backlog on /metrics, read from a real PostgreSQL outbox."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from common.db import make_engine
from common.events.tables import outbox
from common.events.testkit import bus_engine, publish_in_outbox
from common.testing import fresh_postgres_database
from common.web import create_service_app

SECRET = "outbox-metrics-secret-of-at-least-32-bytes"


@pytest.fixture
def engine():
    with fresh_postgres_database("outbox_metrics") as url:
        engine = bus_engine(url)
        yield engine
        engine.dispose()


def _gauges(app) -> dict[str, float]:
    text = app.test_client().get("/metrics").get_data(as_text=True)
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("outbox_")
    }


def _app(engine):
    app, _ = create_service_app(
        "svc", title="Svc", internal_token_secret=SECRET, readiness={}, outbox_engine=engine
    )
    return app


def test_an_empty_outbox_shows_no_backlog(engine):
    assert _gauges(_app(engine)) == {
        "outbox_unsent_events": 0,
        "outbox_oldest_unsent_age_seconds": 0,
    }


def test_unsent_events_are_counted_and_sent_ones_are_not(engine):
    publish_in_outbox(engine, 3)
    with engine.begin() as connection:
        connection.execute(
            update(outbox).where(outbox.c.id == 1).values(sent_at=outbox.c.created_at)
        )

    gauges = _gauges(_app(engine))

    assert gauges["outbox_unsent_events"] == 2
    assert gauges["outbox_oldest_unsent_age_seconds"] >= 0


def test_a_database_that_does_not_answer_leaves_the_scrape_answering():
    nowhere = make_engine("postgresql://postgres@127.0.0.1:1/none")  # nothing listens there

    answer = _app(nowhere).test_client().get("/metrics")

    assert answer.status_code == 200
    assert b"http_requests_total" in answer.data
    assert b"outbox_unsent_events " not in answer.data


def test_an_app_without_an_outbox_shows_no_backlog():
    app, _ = create_service_app("svc", title="Svc", internal_token_secret=SECRET, readiness={})
    assert _gauges(app) == {}
