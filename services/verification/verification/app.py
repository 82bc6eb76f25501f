"""Verification's web app. Everything is built inside `create_app`: importing
this module opens no connection and touches no file. The app never migrates;
run `python -m verification.migrate` before starting web workers.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, Response
from werkzeug.exceptions import RequestEntityTooLarge

from common.clock import Clock
from common.db import make_engine, unit_of_work_factory
from common.errors import problem
from common.logging import configure_logging
from common.readiness import bus_check
from common.web import ReadinessCheck, create_service_app, database_check
from verification import api as http_api
from verification.domain import REFUSAL_TEXT, Refusal
from verification.images import ImageLimits, configure_pillow
from verification.review import ReviewPolicy
from verification.sealing import open_seal
from verification.services import Intake
from verification.settings import SERVICE, Settings
from verification.storage import open_store


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(SERVICE, settings.common.log_format)
    configure_pillow(settings.max_pixels)
    store = open_store(settings)
    engine = make_engine(settings.database_url)
    app, api = create_service_app(
        SERVICE,
        title="Verification",
        internal_token_secret=settings.common.internal_token_secret,
        readiness={
            "database": database_check(engine),
            "bus": bus_check(settings.common.bus_url, settings.bus_check_timeout),
            "storage": storage_check(settings.storage_dir),
        },
        # Werkzeug refuses a longer request before reading it (413).
        config={"MAX_CONTENT_LENGTH": settings.max_content_length},
        outbox_engine=engine,
    )
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.extensions["verification.engine"] = engine
    http_api.register(
        app,
        api,
        uow_factory=unit_of_work_factory(engine, SERVICE, clock),
        intake=Intake(
            store=store,
            limits=ImageLimits(settings.max_pixels, settings.min_width, settings.min_height),
            max_upload_bytes=settings.max_upload_bytes,
        ),
        policy=ReviewPolicy(
            open_seal(settings), settings.resubmission_days, settings.max_resubmission_rounds
        ),
        chat_messages_per_minute=settings.chat_messages_per_minute,
    )
    return app


def _too_large(_error: RequestEntityTooLarge) -> Response:
    """The same problem as the upload's own size check, naming the file."""
    return problem(
        413,
        "The file is too large",
        REFUSAL_TEXT[Refusal.TOO_LARGE],
        slug="too-large",
        errors={"file": [Refusal.TOO_LARGE.value]},
    )


def storage_check(root: Path) -> ReadinessCheck:
    """The picture directory exists and takes a new file."""

    def check() -> None:
        probe = root / f".ready-{secrets.token_hex(4)}"
        probe.write_bytes(b"")
        os.unlink(probe)

    return check
