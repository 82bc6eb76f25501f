"""Fulfillment's web app. Everything is built inside `create_app`: importing this
module opens no connection. The app never migrates; run `python -m
fulfillment.migrate` before starting web workers.
"""

from __future__ import annotations

from flask import Flask

from common.clock import Clock, SystemClock
from common.db import make_engine
from common.logging import configure_logging
from common.readiness import bus_check
from common.web import create_service_app, database_check
from fulfillment import api as http_api
from fulfillment.couriers import Courier
from fulfillment.settings import SERVICE, Settings
from fulfillment.wiring import build_context


def create_app(
    settings: Settings | None = None, *, clock: Clock | None = None, courier: Courier | None = None
) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(SERVICE, settings.common.log_format)
    engine = make_engine(settings.database_url)
    clock = clock or SystemClock()
    app, api = create_service_app(
        SERVICE,
        title="Fulfillment",
        internal_token_secret=settings.common.internal_token_secret,
        readiness={
            "database": database_check(engine),
            "bus": bus_check(settings.common.bus_url, settings.bus_check_timeout),
        },
        open_paths=(http_api.WEBHOOK_PATH,),
        outbox_engine=engine,
    )
    app.extensions["fulfillment.engine"] = engine
    http_api.register(app, api, context=build_context(settings, engine, clock, courier=courier))
    return app
