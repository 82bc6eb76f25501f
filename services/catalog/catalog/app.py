"""The catalog's web app. Everything is built inside `create_app`: importing
this module opens no connection. The app never migrates; run
`python -m catalog.migrate` before starting web workers.
"""

from __future__ import annotations

from flask import Flask

from catalog import api as http_api
from catalog.settings import SERVICE, Settings
from common.clock import Clock
from common.db import make_engine, unit_of_work_factory
from common.logging import configure_logging
from common.readiness import bus_check
from common.web import create_service_app, database_check


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(SERVICE, settings.common.log_format)
    engine = make_engine(settings.database_url)
    app, api = create_service_app(
        SERVICE,
        title="Catalog",
        internal_token_secret=settings.common.internal_token_secret,
        readiness={
            "database": database_check(engine),
            "bus": bus_check(settings.common.bus_url, settings.bus_check_timeout),
        },
        outbox_engine=engine,
    )
    app.extensions["catalog.engine"] = engine
    http_api.register(app, api, uow_factory=unit_of_work_factory(engine, SERVICE, clock))
    return app
