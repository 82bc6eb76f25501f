"""The service starts the way the deployment starts it: migrated, then web and worker."""

from __future__ import annotations

from fulfillment.migrate import upgrade
from fulfillment.worker import build_worker


def test_the_operational_endpoints_answer_without_a_token(client) -> None:
    assert client.get("/healthz").status_code == 200
    spec = client.get("/openapi.json").json
    assert "/production/batches" in spec["paths"]
    assert "/webhooks/couriers/sandbox" in spec["paths"]


def test_the_migrations_run_on_sqlite_for_the_one_process_mode(tmp_path, settings_for) -> None:
    url = f"sqlite:///{tmp_path / 'fulfillment.db'}"
    upgrade(url)
    app = settings_for(url)
    assert app.test_client().get("/readyz").status_code in (200, 503)  # the bus may be absent


def test_the_worker_binds_orders_events_and_runs_three_timers(worker_settings) -> None:
    worker = build_worker(worker_settings)
    try:
        assert sorted(worker.bindings) == ["orders.approved", "orders.cancelled"]
        assert [name for name, _sweep, _interval in worker.timers] == [
            "deliver_courier_webhooks", "poll_quiet_couriers", "sweep_uncollected", "outbox-purge",
        ]  # fmt: skip
    finally:
        worker.engine.dispose()


def test_the_migrated_schema_matches_the_models_the_sandbox_courier_included(engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import fulfillment.couriers.sandbox  # noqa: F401 - its tables are part of the metadata
    from fulfillment.models import metadata

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    # The bus tables are common's (create_bus_tables); everything else must match.
    assert [d for d in differences if "outbox" not in str(d) and "inbox" not in str(d)] == []
