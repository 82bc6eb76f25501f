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
from orders.settings import SERVICE, Settings
from orders.wiring import build_context


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
        open_paths=(WEBHOOK_PATH,),
        outbox_engine=engine,
    )
    app.extensions[CONTEXT] = build_context(
        settings, engine, clock, provider=provider, catalog=catalog
    )
    app.extensions["orders.engine"] = engine
    api.register_blueprint(blp)
    return app
