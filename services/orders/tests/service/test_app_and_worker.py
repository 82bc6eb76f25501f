"""The processes around the code: settings, readiness, the catalog client,
the worker's wiring (relay, consumer, timers, webhook delivery) and the
migrations on SQLite, as the one-process mode runs them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from common.errors import UpstreamUnavailable
from common.events.envelope import Envelope
from common.events.memory import MemoryBus
from common.settings import Env, InvalidSetting, MissingSetting
from common.testing import RABBITMQ_URL, eventually, free_port
from orders.app import create_app
from orders.clients.catalog import CatalogClient
from orders.migrate import upgrade
from orders.settings import Settings
from orders.worker import build_worker

SECRET = "orders-test-internal-secret"
REQUIRED = {"ORDERS_DATABASE_URL": "sqlite://", "BUS_URL": "memory://",
            "INTERNAL_TOKEN_SECRET": "s", "CATALOG_URL": "http://catalog:8001/"}  # fmt: skip


# --- settings ------------------------------------------------------------------------


def test_settings_come_from_the_environment_with_defaults():
    settings = Settings.from_env(Env(REQUIRED))
    assert settings.catalog_url == "http://catalog:8001"
    assert settings.payment_provider == "sandbox"
    assert settings.payment_webhook_url == "http://127.0.0.1:8002/webhooks/payments"
    assert (settings.unpaid_expiry_minutes, settings.draft_idle_days) == (30, 7)


def test_the_webhook_url_follows_orders_own_url_unless_given():
    settings = Settings.from_env(Env({**REQUIRED, "ORDERS_URL": "http://orders:8002/"}))
    assert settings.payment_webhook_url == "http://orders:8002/webhooks/payments"
    given = Settings.from_env(Env({**REQUIRED, "PAYMENT_WEBHOOK_URL": "https://x/hook"}))
    assert given.payment_webhook_url == "https://x/hook"


def test_the_sandbox_derives_its_webhook_secret_unless_one_is_given():
    derived = Settings.from_env(Env(REQUIRED)).payment_webhook_secret
    assert derived and derived != "s"
    assert Settings.from_env(Env(REQUIRED)).payment_webhook_secret == derived
    other = Settings.from_env(
        Env({**REQUIRED, "INTERNAL_TOKEN_SECRET": "t"})
    ).payment_webhook_secret
    assert other != derived
    given = Settings.from_env(Env({**REQUIRED, "PAYMENT_WEBHOOK_SECRET": "whsec-given-value"}))
    assert given.payment_webhook_secret == "whsec-given-value"
    assert "whsec-given-value" not in repr(given)


@pytest.mark.parametrize("name", ["ORDERS_DATABASE_URL", "CATALOG_URL", "INTERNAL_TOKEN_SECRET"])
def test_a_missing_required_setting_stops_start_up_naming_it(name):
    values = {key: value for key, value in REQUIRED.items() if key != name}
    with pytest.raises(MissingSetting, match=name):
        Settings.from_env(Env(values))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAYMENT_PROVIDER", "stripe"),
        ("ORDERS_UNPAID_EXPIRY_MINUTES", "0"),
        ("ORDERS_DRAFT_IDLE_DAYS", "x"),
    ],
)
def test_an_unusable_setting_stops_start_up_naming_it(name, value):
    with pytest.raises(InvalidSetting, match=name):
        Settings.from_env(Env({**REQUIRED, name: value}))


def test_a_fraction_of_a_minute_is_a_valid_expiry_for_whole_system_tests():
    assert (
        Settings.from_env(
            Env({**REQUIRED, "ORDERS_UNPAID_EXPIRY_MINUTES": "0.1"})
        ).unpaid_expiry_minutes
        == 0.1
    )


# --- readiness --------------------------------------------------------------------------


def readiness(settings) -> tuple[int, dict]:
    app = create_app(settings)
    try:
        answer = app.test_client().get("/readyz")
        return answer.status_code, answer.json
    finally:
        app.extensions["orders.engine"].dispose()


def test_the_app_is_ready_when_its_database_and_rabbitmq_answer(db, settings_for, rabbitmq_url):
    status, body = readiness(settings_for(common=_common(settings_for, bus_url=rabbitmq_url)))
    assert status == 200
    assert body["checks"] == ["bus", "database"]


def test_the_app_is_not_ready_without_its_broker_and_says_so(db, settings_for):
    unreachable = f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"
    status, body = readiness(settings_for(common=_common(settings_for, bus_url=unreachable)))
    assert status == 503
    assert list(body["errors"]) == ["bus"]


def test_the_openapi_document_lists_every_endpoint(client):
    paths = client.get("/openapi.json").json["paths"]
    assert set(paths) == {
        "/orders", "/orders/{order_id}", "/orders/{order_id}/answers", "/orders/{order_id}/delivery",
        "/orders/{order_id}/submit", "/orders/{order_id}/cancel", "/orders/{order_id}/timeline",
        "/orders/{order_id}/capture", "/orders/{order_id}/confirm-receipt",
        "/payments/{payment_id}", "/payments/{payment_id}/card", "/webhooks/payments",
        "/payments/{payment_id}/wallet", "/payments/{payment_id}/query",
        "/webhooks/payments/{method}",
    }  # fmt: skip


def _common(settings_for, **changes):
    from dataclasses import replace

    return replace(settings_for().common, **changes)


# --- the catalog client -------------------------------------------------------------------


class _Flaky:
    """A catalog that fails `failures` times with `status`, then answers 404."""

    def __init__(self, failures: int, status: int) -> None:
        self.calls = 0
        self.failures = failures
        self.status = status
        self.tokens: list[str] = []

    def __call__(self, environ, start_response):
        self.calls += 1
        self.tokens.append(environ.get("HTTP_AUTHORIZATION", ""))
        status = self.status if self.calls <= self.failures else 404
        return Response("{}", status=status, mimetype="application/json")(environ, start_response)


@pytest.fixture
def flaky_catalog():
    servers = []

    def serve(failures: int, status: int = 503):
        app = _Flaky(failures, status)
        port = free_port()
        server = make_server("127.0.0.1", port, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return app, f"http://127.0.0.1:{port}"

    yield serve
    for server in servers:
        server.shutdown()


def test_a_catalog_read_is_retried_when_the_catalog_is_briefly_unavailable(flaky_catalog):
    app, url = flaky_catalog(failures=2)
    client = CatalogClient(url, SECRET, read_retries=2, backoff_seconds=0)
    assert client.item("nothing") is None
    assert app.calls == 3
    assert all(token.startswith("Bearer ") for token in app.tokens)


def test_a_catalog_that_stays_unavailable_is_a_503(flaky_catalog):
    app, url = flaky_catalog(failures=10)
    client = CatalogClient(url, SECRET, read_retries=1, backoff_seconds=0)
    with pytest.raises(UpstreamUnavailable):
        client.item("x")
    assert app.calls == 2


def test_a_catalog_error_other_than_unavailable_is_not_retried(flaky_catalog):
    app, url = flaky_catalog(failures=1, status=500)
    with pytest.raises(UpstreamUnavailable):
        CatalogClient(url, SECRET, read_retries=3, backoff_seconds=0).item("x")
    assert app.calls == 1


def test_a_catalog_refusing_orders_own_call_is_a_503_and_not_retried(flaky_catalog):
    app, url = flaky_catalog(failures=1, status=403)
    with pytest.raises(UpstreamUnavailable):
        CatalogClient(url, SECRET, read_retries=3, backoff_seconds=0).item("x")
    assert app.calls == 1


def test_orders_reads_the_catalog_with_its_own_service_token(flaky_catalog):
    from common.auth import verify_token

    app, url = flaky_catalog(failures=0)
    assert CatalogClient(url, SECRET).item("driving-licence-replacement") is None
    identity = verify_token(SECRET, app.tokens[0].removeprefix("Bearer "), audience="catalog")
    assert (identity.subject, identity.roles) == ("orders", ("service",))


def test_the_catalog_client_reads_the_catalogs_item_json(catalog_url):
    item = CatalogClient(catalog_url, SECRET).item("driving-licence-replacement")
    assert item is not None and item.fee is not None and item.fee["production_cost_fen"] == 1000
    courier = next(o for o in item.delivery_options if o["kind"] == "courier")
    assert courier["carrier"] == "EMS"


# --- the worker ----------------------------------------------------------------------


def test_the_worker_has_its_five_timers(memory_bus):
    settings = Settings.from_env(Env(REQUIRED))
    worker = build_worker(settings, transport=memory_bus)
    try:
        assert [name for name, _sweep, _interval in worker.timers] == [
            "expire_unpaid", "discard_idle_drafts", "move_the_money", "auto_confirm_receipts",
            "deliver_sandbox_webhooks", "deliver_wallet_notifications", "query_late_wallet_trades",
            "purge_idempotency_keys", "outbox-purge",
        ]  # fmt: skip
        assert worker.bindings == [
            "verification.document_set_completed",
            "verification.document_set_incomplete",
            "verification.review_started",
            "verification.approved",
            "verification.resubmission_requested",
            "verification.resubmitted",
            "verification.rejected",
            "fulfillment.production_started",
            "fulfillment.produced",
            "fulfillment.dispatched",
            "fulfillment.tracking_updated",
            "fulfillment.delivery_attempt_failed",
            "fulfillment.ready_for_pickup",
            "fulfillment.pickup_reminder_due",
            "fulfillment.delivered",
            "fulfillment.delivery_exception",
            "ratings.complaint_opened",
            "ratings.complaint_closed",
            "ratings.rating_invited",
        ]
    finally:
        worker.engine.dispose()


def test_the_worker_relays_events_hears_verification_delivers_webhooks_and_fires_timers(
    applicant, settings, clock
):
    bus = MemoryBus(prefix="orders-test", immediate_retries=True)
    bus.declare("observer", ["orders.*"], (10,))
    worker = build_worker(settings, transport=bus, clock=clock)
    handle = worker.start_in_background()
    try:
        order = applicant.draft()
        eventually(lambda: bus.ready("observer") >= 1)
        verdict = Envelope(
            type="verification.document_set_completed", producer="verification",
            data={"order_id": order["id"], "revision": 1, "documents": []},
        )  # fmt: skip
        bus.publish_batch([verdict])
        eventually(lambda: applicant.get(order["id"])["documents"]["complete"])

        applicant.answer(order["id"], {
            "full_name": "张三", "id_number": "11010519491231002X", "phone": "13912345678",
            "licence_class": "c1", "reason": "lost",
        })  # fmt: skip
        applicant.deliver_to(order["id"])
        submitted = applicant.submit(order["id"]).json
        applicant.card(submitted["payment"]["id"])
        clock.advance(timedelta(seconds=2))  # the sandbox's answer comes due; the worker sends it
        eventually(lambda: applicant.get(order["id"])["status"] == "submitted")

        second = applicant.submitted()
        clock.advance(timedelta(minutes=31))
        eventually(lambda: applicant.get(second["id"])["status"] == "closed_unpaid")
    finally:
        handle.stop()
    assert not handle.crashed


def test_the_worker_defaults_to_rabbitmq_from_the_environment(
    database_url, catalog_url, monkeypatch
):
    for key, value in {**REQUIRED, "ORDERS_DATABASE_URL": database_url, "BUS_URL": RABBITMQ_URL,
                       "CATALOG_URL": catalog_url}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    worker = build_worker()
    try:
        assert type(worker.transport).__name__ == "RabbitTransport"
    finally:
        worker.transport.close()
        worker.engine.dispose()


# --- migrations --------------------------------------------------------------------------


def test_the_migrations_run_on_sqlite_for_the_one_process_mode(tmp_path):
    from sqlalchemy import inspect

    from common.db import make_engine

    url = f"sqlite:///{tmp_path / 'orders.db'}"
    upgrade(url)
    upgrade(url)  # a second run changes nothing
    engine = make_engine(url)
    try:
        assert {"orders", "payments", "timers", "sandbox_webhooks", "outbox", "inbox"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_the_timeline_entries_written_before_actor_kind_get_the_kind_their_actor_meant(tmp_path):
    import sqlite3

    from common import migrations
    from orders.migrate import MIGRATIONS

    url = f"sqlite:///{tmp_path / 'orders.db'}"
    migrations.upgrade(MIGRATIONS, url, revision="0003")
    actors = {
        "acct-7": "applicant", "applicant": "applicant", "reviewer:staff-21": "staff",
        "reviewer": "staff", "supervisor:staff-99": "staff", "system": "system",
        "payment-provider": "provider",
    }  # fmt: skip
    with sqlite3.connect(tmp_path / "orders.db") as connection:
        connection.execute(
            "INSERT INTO orders (id, reference, applicant_id, status, item_code, item_revision, "
            "item_title, form_fields, required_documents, delivery_options, answers, "
            "documents_complete, documents_missing, documents_revision, created_at, updated_at) "
            "VALUES ('o-1', 'LT20260302000001', 'acct-7', 'draft', 'x', 1, '{}', '[]', '[]', "
            "'[]', '{}', 1, '[]', 0, '2026-03-02 01:00:00', '2026-03-02 01:00:00')"
        )
        connection.executemany(
            "INSERT INTO order_timeline (order_id, at, to_status, actor) "
            "VALUES ('o-1', '2026-03-02 01:00:00', 'draft', ?)",
            [(actor,) for actor in actors],
        )
    upgrade(url)
    with sqlite3.connect(tmp_path / "orders.db") as connection:
        found = dict(connection.execute("SELECT actor, actor_kind FROM order_timeline"))
    assert found == actors


def test_the_timeline_sentences_written_before_codes_become_codes_and_params(tmp_path):
    import json
    import sqlite3

    from common import migrations
    from orders.migrate import MIGRATIONS

    url = f"sqlite:///{tmp_path / 'orders.db'}"
    migrations.upgrade(MIGRATIONS, url, revision="0005")
    written = [
        (None, "draft", "acct-7", "applicant", "Application started."),
        ("draft", "awaiting_payment", "acct-7", "applicant",
         "Submitted; the price is locked at 2500 fen (fee version 1)."),
        ("in_review", "needs_resubmission", "reviewer:s-1", "staff",
         "New photos needed by 2026-12-07 11:39 UTC (round 1): selfie_with_id_card "
         "face-not-visible."),
        ("needs_resubmission", "cancelled", "acct-7", "applicant", "不想办了"),
        ("cancelled", "cancelled", "system", "system", "A sentence nobody can read."),
    ]  # fmt: skip
    with sqlite3.connect(tmp_path / "orders.db") as connection:
        connection.execute(
            "INSERT INTO orders (id, reference, applicant_id, status, item_code, item_revision, "
            "item_title, form_fields, required_documents, delivery_options, answers, "
            "documents_complete, documents_missing, documents_revision, created_at, updated_at) "
            "VALUES ('o-1', 'LT20260302000001', 'acct-7', 'cancelled', 'x', 1, '{}', '[]', '[]', "
            "'[]', '{}', 1, '[]', 0, '2026-03-02 01:00:00', '2026-03-02 01:00:00')"
        )
        connection.executemany(
            "INSERT INTO order_timeline (order_id, at, from_status, to_status, actor, actor_kind, "
            "reason) VALUES ('o-1', '2026-03-02 01:00:00', ?, ?, ?, ?, ?)",
            written,
        )
    upgrade(url)
    with sqlite3.connect(tmp_path / "orders.db") as connection:
        found = [
            (code, json.loads(params))
            for code, params in connection.execute(
                "SELECT code, params FROM order_timeline ORDER BY id"
            )
        ]
        columns = [row[1] for row in connection.execute("PRAGMA table_info(order_timeline)")]
    assert found == [
        ("started", {}),
        ("submitted", {"total_fen": 2500, "fee_version": 1}),
        ("resubmission_requested", {
            "round": 1, "deadline": "2026-12-07T11:39:00+00:00",
            "documents": [{"code": "selfie_with_id_card", "reason_code": "face-not-visible",
                           "note": None}],
        }),
        ("cancelled_by_applicant", {"reason_text": "不想办了"}),
        ("legacy", {"text": "A sentence nobody can read."}),
    ]  # fmt: skip
    assert "reason" not in columns


def test_the_migrated_schema_matches_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import orders.payments.sandbox  # noqa: F401 - its tables are part of the metadata
    from orders.models import metadata

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    # The bus tables are common's, created by create_bus_tables; everything else must match.
    ours = [d for d in differences if "outbox" not in repr(d) and "inbox" not in repr(d)]
    assert ours == []


def test_the_whole_journey_works_on_sqlite_as_in_the_one_process_mode(
    tmp_path, settings_for, clock, orders_server, applicant_on
):
    from common.events.consumer import Dispatcher
    from orders.api import CONTEXT
    from orders.handlers import HANDLERS
    from orders.wiring import build_webhook_sender

    url = f"sqlite:///{tmp_path / 'orders.db'}"
    upgrade(url)
    settings = settings_for(database_url=url)
    app = create_app(settings, clock=clock)
    orders_server[0].app = app
    engine = app.extensions["orders.engine"]
    try:
        context = app.extensions[CONTEXT]
        dispatcher = Dispatcher("orders", HANDLERS, context.uow)
        applicant = applicant_on(
            app.test_client(), build_webhook_sender(settings, engine), dispatcher
        )
        order = applicant.submitted()
        assert order["reference"] == "LT20260302000001"
        applicant.card(order["payment"]["id"], "4000 0000 0000 0002")
        applicant.webhooks()
        assert applicant.get(order["id"])["payment"]["failure_reason"] == "card_declined"
        applicant.card(order["payment"]["id"])
        applicant.webhooks()
        assert applicant.get(order["id"])["status"] == "submitted"
        assert applicant.cancel(order["id"]).json["status"] == "cancelled"
    finally:
        orders_server[0].app = None
        engine.dispose()
