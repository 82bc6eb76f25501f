"""Log lines name the service whose code wrote them, also when several
services share one process (`make run`)."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import replace

import pytest
from flask_smorest import Blueprint

from common import logging as common_logging
from common.clock import FrozenClock
from common.events.memory import MemoryBus
from common.events.testkit import bus_engine, uow_factory, worker_settings
from common.logging import configure_logging, in_service
from common.settings import CommonSettings
from common.testing import eventually
from common.web import create_service_app
from common.worker import Worker

SECRET = "logging-test-secret-of-at-least-32-bytes"
shared = logging.getLogger("common.shared_code")


@pytest.fixture
def lines(monkeypatch, capsys):
    """The JSON lines configure_logging wrote to stderr; the root logger is restored after."""
    monkeypatch.setattr(common_logging, "_configured_services", set())
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    # Start as a fresh process would: no handler left by an earlier test's app.
    root.handlers[:] = [h for h in handlers if not getattr(h, "_licensing", False)]
    written: list[dict] = []

    def read() -> list[dict]:
        err = capsys.readouterr().err
        written.extend(json.loads(line) for line in err.splitlines() if line.startswith("{"))
        return written

    yield read
    root.handlers[:] = handlers
    root.setLevel(level)


def _app(service: str):
    app, api = create_service_app(
        service, title=service, internal_token_secret=SECRET, readiness={}
    )
    blp = Blueprint(f"{service}_logs", __name__)

    @blp.get("/healthz/log")  # under an open path: no token needed
    def write_a_line():
        shared.info("answered by shared code")
        return {}

    api.register_blueprint(blp)
    return app.test_client()


def _said(lines, message):
    return [line["service"] for line in lines() if line["message"] == message]


def test_two_services_in_one_process_each_name_their_own_requests(lines):
    configure_logging("catalog", "json")
    catalog = _app("catalog")
    configure_logging("orders", "json")
    orders = _app("orders")

    assert catalog.get("/healthz/log").status_code == 200
    assert orders.get("/healthz/log").status_code == 200
    assert catalog.get("/healthz/log").status_code == 200

    assert _said(lines, "answered by shared code") == ["catalog", "orders", "catalog"]


def test_a_thread_started_in_a_service_names_it_and_a_service_logger_names_its_own(lines):
    configure_logging("catalog", "json")
    configure_logging("orders", "json")

    def write() -> None:
        shared.info("from a thread")

    thread = threading.Thread(target=in_service("orders", write))
    thread.start()
    thread.join()
    logging.getLogger("catalog.seed").info("seeded")
    logging.getLogger("orders.migrate").info("migrated")

    assert _said(lines, "from a thread") == ["orders"]
    assert _said(lines, "seeded") == ["catalog"]
    assert _said(lines, "migrated") == ["orders"]


def test_a_line_no_service_claims_names_the_first_service_configured(lines):
    configure_logging("licensing", "json")
    configure_logging("catalog", "json")
    configure_logging("gateway", "json")

    shared.info("from the launcher")

    assert _said(lines, "from the launcher") == ["licensing"]


def _settings(service: str) -> CommonSettings:
    return replace(worker_settings(service), internal_token_secret=SECRET, log_format="json")


def test_each_worker_of_a_one_process_run_names_its_service(lines, tmp_path):
    configure_logging("licensing", "json")
    bus, handles = MemoryBus(), []

    def sweep_of(name: str):
        return lambda _now: shared.info("swept")

    try:
        for name in ("catalog", "orders"):
            configure_logging(name, "json")
            engine = bus_engine(f"sqlite:///{tmp_path / (name + '.db')}")
            worker = Worker(
                name,
                _settings(name),
                engine,
                {},
                uow_factory(engine),
                bindings=[],
                transport=bus,
                timers=[("sweep", sweep_of(name), 0.01)],
                clock=FrozenClock(),
            )
            handles.append(worker.start_in_background())
        eventually(lambda: {"catalog", "orders"} <= set(_said(lines, "swept")))
    finally:
        for handle in handles:
            handle.stop(timeout=5)
    assert set(_said(lines, "swept")) == {"catalog", "orders"}
