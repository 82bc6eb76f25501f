"""The service starts the way the deployment starts it: migrated, then web and worker."""

from __future__ import annotations

from ratings.migrate import upgrade
from ratings.worker import build_worker

from .conftest import make_settings


def test_the_operational_endpoints_answer_without_a_token(client) -> None:
    assert client.get("/healthz").status_code == 200
    spec = client.get("/openapi.json").json
    assert "/orders/{order_id}/rating" in spec["paths"] and "/stats" in spec["paths"]


def test_every_other_call_needs_a_token(client) -> None:
    assert client.get("/levels").status_code == 401


def test_the_migrations_run_on_sqlite_for_the_one_process_mode(tmp_path, clock) -> None:
    from ratings.app import create_app

    url = f"sqlite:///{tmp_path / 'ratings.db'}"
    upgrade(url)
    app = create_app(make_settings(url), clock=clock)
    assert app.test_client().get("/readyz").status_code in (200, 503)


def test_the_worker_binds_orders_and_fulfillments_events_and_runs_two_timers(database_url) -> None:
    worker = build_worker(make_settings(database_url))
    try:
        assert "orders.completed" in worker.bindings and "fulfillment.delivered" in worker.bindings
        assert [name for name, _sweep, _interval in worker.timers] == [
            "invite_unrated",
            "expire_answered",
            "outbox-purge",
        ]
    finally:
        worker.engine.dispose()


def test_the_migrated_schema_matches_the_models(engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from ratings.models import metadata

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert [d for d in differences if "outbox" not in str(d) and "inbox" not in str(d)] == []
