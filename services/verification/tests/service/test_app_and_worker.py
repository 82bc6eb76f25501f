"""The processes around the code: readiness, the worker's wiring, the entry
points, and the one-process mode on SQLite. (That each
event's example fits its schema is the contract suite's, tests/contract.)"""

from __future__ import annotations

import shutil
import uuid
from importlib.metadata import entry_points

from common.auth import Identity
from common.db import make_engine, unit_of_work_factory
from common.events.consumer import Dispatcher
from common.events.envelope import Envelope
from common.launcher import ENTRY_POINT_GROUP
from common.testing import eventually, free_port
from verification import events
from verification.app import create_app
from verification.migrate import upgrade
from verification.services import get_case
from verification.worker import build_worker

from ..pictures import drawing, encode
from .conftest import HANDLERS, KEY, Orders, Uploader


def readiness(settings) -> tuple[int, dict]:
    app = create_app(settings)
    try:
        answer = app.test_client().get("/readyz")
        return answer.status_code, answer.json
    finally:
        app.extensions["verification.engine"].dispose()


def test_the_app_is_ready_when_database_broker_and_storage_answer(
    db, database_url, storage_dir, settings_for, rabbitmq_url
) -> None:
    status, body = readiness(settings_for(database_url, storage_dir, bus_url=rabbitmq_url))
    assert status == 200
    assert body["checks"] == ["bus", "database", "storage"]


def test_the_app_is_not_ready_without_its_storage_and_says_so(
    db, database_url, storage_dir, settings_for
) -> None:
    settings = settings_for(database_url, storage_dir)
    app = create_app(settings)
    try:
        shutil.rmtree(storage_dir)
        answer = app.test_client().get("/readyz")
        assert answer.status_code == 503
        assert list(answer.json["errors"]) == ["storage"]
    finally:
        app.extensions["verification.engine"].dispose()


def test_the_app_is_not_ready_without_its_broker(db, database_url, storage_dir, settings_for):
    unreachable = f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"
    status, body = readiness(settings_for(database_url, storage_dir, bus_url=unreachable))
    assert status == 503 and list(body["errors"]) == ["bus"]


def test_the_api_is_documented(client) -> None:
    paths = client.get("/openapi.json").json["paths"]
    assert set(paths) == {
        "/cases/{order_id}",
        "/cases/{order_id}/documents/{code}",
        "/cases/{order_id}/documents/{code}/image",
        "/cases/{order_id}/documents/{code}/thumbnail",
        "/cases/{order_id}/resubmit",
        "/review/rules",
        "/reviews",
        "/reviews/{order_id}",
        "/reviews/{order_id}/claim",
        "/reviews/{order_id}/release",
        "/reviews/{order_id}/documents/{code}/verdict",
        "/reviews/{order_id}/verdicts",
        "/reviews/{order_id}/checks/{check}",
        "/reviews/{order_id}/decision",
        "/reviews/{order_id}/reveal",
        "/audit",
        "/audit.csv",
        "/chats/{order_id}",
        "/chats/{order_id}/messages",
        "/chats/unread",
        "/canned-replies",
    }
    upload = paths["/cases/{order_id}/documents/{code}"]["put"]
    assert "multipart/form-data" in upload["requestBody"]["content"]


def test_the_launcher_finds_the_app_the_worker_and_the_migration_through_entry_points() -> None:
    # Only verification's own entries: the test must not need (or load) any sibling.
    found = {
        entry.name: entry.load()
        for entry in entry_points(group=ENTRY_POINT_GROUP)
        if entry.name.startswith("verification.")
    }
    assert found == {
        "verification.web": create_app,
        "verification.worker": build_worker,
        "verification.migrate": upgrade,
    }


def test_the_worker_opens_cases_from_orders_events_and_relays_the_document_set(
    database_url, db, storage_dir, clock, uow_factory, settings_for, memory_bus
) -> None:
    bus = memory_bus
    bus.declare("observer", ["verification.*"], (10,))
    worker = build_worker(settings_for(database_url, storage_dir), transport=bus, clock=clock)
    handle = worker.start_in_background()
    order_id = str(uuid.uuid4())
    try:
        draft = Envelope(
            type="orders.draft_created",
            producer="orders",
            correlation_id=order_id,
            data={
                "order_id": order_id,
                "reference": "LT20260302000001",
                "applicant_id": "applicant-1",
                "item_code": "licence-plate-replacement",
                "required_documents": [
                    {"code": "vehicle_photo", "title": {"zh": "车辆照片", "en": "Vehicle"}}
                ],
            },
        )
        bus.publish_batch([draft])
        eventually(lambda: bus.ready("observer") == 1)
    finally:
        handle.stop()
    seen = []
    observer = Dispatcher(
        "observer", {events.DOCUMENT_SET_INCOMPLETE: lambda e, _: seen.append(e)}, uow_factory
    )
    bus.process("observer", observer)
    assert [(e.data["revision"], e.data["missing"], e.causation_id) for e in seen] == [
        (1, ["vehicle_photo"], draft.id)
    ]


def test_the_worker_defaults_to_rabbitmq_from_the_environment(
    database_url, tmp_path, monkeypatch, rabbitmq_url
) -> None:
    monkeypatch.setenv("VERIFICATION_DATABASE_URL", database_url)
    monkeypatch.setenv("VERIFICATION_STORAGE_DIR", str(tmp_path))
    monkeypatch.setenv("VERIFICATION_ENCRYPTION_KEYS", KEY)
    monkeypatch.setenv("BUS_URL", rabbitmq_url)
    monkeypatch.setenv("INTERNAL_TOKEN_SECRET", "x")
    worker = build_worker()
    try:
        assert type(worker.transport).__name__ == "RabbitTransport"
        # orders.closed and orders.completed only start the pictures' retention.
        assert sorted(worker.bindings) == sorted(HANDLERS)
    finally:
        worker.transport.close()
        worker.engine.dispose()


def test_the_one_process_mode_runs_on_sqlite(tmp_path, settings_for, frozen_clock) -> None:
    url = f"sqlite:///{tmp_path / 'verification.db'}"
    upgrade(url)
    clock = frozen_clock
    app = create_app(settings_for(url, tmp_path / "files"), clock=clock)
    engine = make_engine(url)
    try:
        uow_factory = unit_of_work_factory(engine, "verification", clock)
        orders = Orders(Dispatcher("verification", HANDLERS, uow_factory))
        order_id = orders.draft(documents=("vehicle_photo",))
        uploads = Uploader(app.test_client())
        uploads.uploaded(order_id, "vehicle_photo", encode(drawing()))
        owner = Identity(subject="applicant-1", roles=("applicant",))
        case = get_case(uow_factory(), order_id, owner)
        assert case["complete"] is True and case["revision"] == 2
    finally:
        engine.dispose()
        app.extensions["verification.engine"].dispose()
