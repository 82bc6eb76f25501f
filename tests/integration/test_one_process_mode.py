"""`make run`: the whole system in one process on SQLite and the in-memory bus."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import pytest
import requests

from common.testing import eventually, free_port

from .conftest import Applicant, StaffMember, _status_becomes, _submitted

DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture
def one_process(tmp_path):
    ports = {name: free_port() for name in ("gateway", "catalog", "orders", "verification")}
    env = {
        **os.environ,
        "RUN_DATA_DIR": str(tmp_path),
        **{f"{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    env.pop("BUS_URL", None)
    log = (tmp_path / "run.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "common.launcher"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    try:
        eventually(lambda: _answers(gateway + "/readyz"), timeout=60)
        yield gateway, process, tmp_path / "run.log"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(15)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.ConnectionError:
        return False


def test_it_serves_the_seeded_store_and_prints_the_url_and_demo_logins(one_process):
    gateway, _process, log = one_process
    items = requests.get(gateway + "/api/v1/items", timeout=10).json()
    assert {item["code"] for item in items} >= {"driving-licence-replacement"}
    printed = log.read_text()
    assert "running at http://localhost:" in printed
    assert "supervisor@demo.example" in printed


def test_its_worker_relays_events_onto_the_in_memory_bus(one_process):
    gateway, _process, log = one_process
    token = requests.post(
        gateway + "/api/v1/sessions",
        json={"identifier": "supervisor@demo.example", "password": "demo-password-2026"},
        timeout=10,
    ).json()["token"]
    answer = requests.post(
        gateway + "/api/v1/staff/items/annual-licence-verification/fees",
        json={"production_fen": 0, "delivery_fen": 1200, "approval_ref": f"demo-{uuid.uuid4()}"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    item = requests.get(gateway + "/api/v1/items/annual-licence-verification", timeout=10).json()
    assert item["fee"]["delivery_fen"] == 1200
    # The relay moves the change's event from the catalog's outbox onto the bus.
    catalog_db = log.parent / "catalog.db"
    eventually(lambda: _unsent_events(catalog_db) == 0)


def _unsent_events(database: Path) -> int:
    with closing(sqlite3.connect(database)) as connection:
        return int(
            connection.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0]
        )


def test_it_stops_cleanly_when_asked(one_process):
    _gateway, process, _log = one_process
    process.send_signal(signal.SIGTERM)
    assert process.wait(15) == 0


class _OneProcess:
    """Where the one process answers, in the shape the whole-system helpers take."""

    def __init__(self, gateway: str) -> None:
        self.gateway = gateway

    def url(self, service: str) -> str:
        assert service == "gateway", "only the gateway is public"
        return self.gateway


def test_an_application_is_reviewed_talked_about_and_approved_on_sqlite(one_process):
    gateway, _process, _log = one_process
    here = _OneProcess(gateway)
    applicant = Applicant(here)
    order_id = _submitted(applicant)
    reviewer = StaffMember(here, "reviewer", email="reviewer@demo.example", password=DEMO_PASSWORD)
    reviewer.claim(order_id)
    reviewer.verdicts(order_id)
    applicant.call("POST", f"/applications/{order_id}/messages", 201, json={"body": "Thanks!"})
    thread = reviewer.call("GET", f"/staff/reviews/{order_id}/messages", 200)
    assert [m["body"] for m in thread["messages"]] == ["Thanks!"]
    reviewer.decide(order_id, "approve")
    approved = _status_becomes(applicant, order_id, "approved")
    assert approved["payment"]["status"] == "captured"
    supervisor = StaffMember(
        here, "supervisor", email="supervisor@demo.example", password=DEMO_PASSWORD
    )
    entries = supervisor.call("GET", f"/staff/audit?order_id={order_id}", 200)["entries"]
    assert {"case.claimed", "document.verdict", "case.approved"} <= {e["action"] for e in entries}


def test_an_application_rejected_on_sqlite_is_closed_with_its_payment_voided(one_process):
    gateway, _process, log = one_process
    here = _OneProcess(gateway)
    applicant = Applicant(here)
    order_id = _submitted(applicant)
    reviewer = StaffMember(here, "reviewer", email="reviewer@demo.example", password=DEMO_PASSWORD)
    reviewer.claim(order_id)
    reviewer.decide(
        order_id, "reject", reason_code="documents-invalid",
        note="The ID card photographed is not an original.",
    )  # fmt: skip
    closed = _status_becomes(applicant, order_id, "closed")
    assert (closed["payment"]["status"], closed["payment"]["captured_fen"]) == ("voided", 0)
    entries = applicant.call("GET", f"/applications/{order_id}/timeline", 200)["entries"]
    assert [e["to_status"] for e in entries][-2:] == ["rejected", "closed"]
    assert "database is locked" not in log.read_text()
