"""The orders service's web app. Everything is built inside `create_app`:
importing this module opens no connection. The app never migrates; run
`python -m orders.migrate` before starting web workers.
"""

from __future__ import annotations

from flask import Flask

from common.clock import Clock, SystemClock
from common.db import make_engine
from common.logging import configure_logging
from common.readiness import bus_check
from common.web import create_service_app, database_check
from orders.api import CONTEXT, WEBHOOK_PATH, blp
from orders.clients.catalog import CatalogClient
from orders.payments import PaymentProvider
from orders.payments.wallet_cashier import PREFIX as WALLET_PAGES
from orders.payments.wallet_cashier import cashier_blueprint
from orders.settings import SERVICE, Settings
from orders.sla_metrics import OrdersPastTheirDate
from orders.wiring import build_context, build_wallet_sandbox


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    provider: PaymentProvider | None = None,
    catalog: CatalogClient | None = None,
) -> Flask:
    """`provider` and `catalog` replace the configured ones (tests of failures)."""
    settings = settings or Settings.from_env()
    configure_logging(SERVICE, settings.common.log_format)
    engine = make_engine(settings.database_url)
    clock = clock or SystemClock()
    app, api = create_service_app(
        SERVICE,
        title="Orders",
        internal_token_secret=settings.common.internal_token_secret,
        readiness={
            "database": database_check(engine),
            "bus": bus_check(settings.common.bus_url, settings.bus_check_timeout),
        },
        # The wallet sandbox's pages stand for a company's public pages.
        open_paths=(WEBHOOK_PATH, WALLET_PAGES),
        outbox_engine=engine,
    )
    app.extensions["metrics_registry"].register(OrdersPastTheirDate(engine, clock))
    wallet_sandbox = build_wallet_sandbox(settings, engine, clock)
    app.extensions[CONTEXT] = build_context(
        settings, engine, clock, provider=provider, catalog=catalog, wallet_sandbox=wallet_sandbox
    )
    if settings.payment_provider == "sandbox":
        app.register_blueprint(cashier_blueprint(wallet_sandbox))
    app.extensions["orders.engine"] = engine
    app.extensions["orders.wallet_sandbox"] = wallet_sandbox
    api.register_blueprint(blp)
    return app
