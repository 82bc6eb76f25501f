"""Whole-system fixtures (integration and fault tests): real processes on RabbitMQ and PostgreSQL.

One stack per test session (starting processes is the slow part); each run
has fresh databases and a unique bus prefix, and is torn down even when a
test fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pika
import pytest
import requests
from cryptography.fernet import Fernet

from common.launcher import DEFAULT_PORTS
from common.processes import RunningStack, Stack
from common.testing import POSTGRES_ADMIN_URL, RABBITMQ_URL

SERVICES = [
    "catalog",
    "orders",
    "verification",
    "fulfillment",
    "ratings",
    "notifications",
    "gateway",
]


def stack_environment(workdir: Path, **overrides: str) -> dict[str, str]:
    """What the services need beyond the defaults in a test run."""
    return {
        "VERIFICATION_STORAGE_DIR": str(workdir / "verification-files"),
        "VERIFICATION_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ORDERS_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        # The sandbox provider answers a card by webhook; keep the wait short.
        "SANDBOX_WEBHOOK_DELAY_SECONDS": "0.2",
        "SANDBOX_WEBHOOK_INTERVAL_SECONDS": "0.2",
        # The sandbox courier's events a third of a second apart, swept as often.
        "FULFILLMENT_SANDBOX_STEP_SECONDS": "0.3",
        "FULFILLMENT_TIMER_INTERVAL_SECONDS": "0.2",
        # Notifications sends through the sandbox providers, swept as often; receipts soon after.
        "SMS_PROVIDER": "sandbox",
        "EMAIL_PROVIDER": "sandbox",
        "NOTIFICATIONS_TIMER_INTERVAL_SECONDS": "0.2",
        "NOTIFICATIONS_SANDBOX_RECEIPT_SECONDS": "0.5",
        # Two connections per process kept while idle (not five): the stacks of two
        # parallel workers, and a module's own stack, fit in PostgreSQL's 100.
        "DATABASE_POOL_SIZE": "2",
        # Tests read the statistics right after the events that change them.
        "GATEWAY_STATS_CACHE_SECONDS": "0",
        **overrides,
    }


@pytest.fixture(scope="session")
def stack_env_for() -> Callable[..., dict[str, str]]:
    """stack_environment, for suites that build a Stack of their own (e2e)."""
    return stack_environment


# COMPOSE_STACK=1 (`make compose-test`): talk to the stack of docker-compose.test.yml
# through its published ports instead of starting processes. Its names and
# secret are the ones that file sets; TEST_RABBITMQ_URL and TEST_POSTGRES_URL
# point the tests' own connections at its broker and database.
COMPOSE_MODE = os.environ.get("COMPOSE_STACK") == "1"
COMPOSE_PORT_OFFSET = 10000
COMPOSE_PREFIX = "it_compose"
COMPOSE_SECRET = "compose-test-internal-token-secret-0123456789"


COMPOSE_PROJECT = os.environ.get("COMPOSE_PROJECT_NAME", "licensing-test")


def _docker(*args: str) -> str:
    """A docker command's output, stderr with stdout (a container logs to both)."""
    done = subprocess.run(
        ["docker", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, errors="replace", timeout=60, check=True,
    )  # fmt: skip
    return done.stdout


def compose_container_logs(process: str) -> str:
    """The output of every replica of a compose service ("orders", "orders-worker")."""
    containers = _docker(
        "ps", "-aq",
        "--filter", f"label=com.docker.compose.project={COMPOSE_PROJECT}",
        "--filter", f"label=com.docker.compose.service={process}",
    ).split()  # fmt: skip
    return "".join(_docker("logs", container) for container in containers)


def compose_stack(workdir: Path) -> Stack:
    postgres = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return RunningStack(
        container_logs=compose_container_logs,
        workdir=workdir,
        services=SERVICES,
        prefix=COMPOSE_PREFIX,
        secret=COMPOSE_SECRET,
        ports={name: DEFAULT_PORTS[name] + COMPOSE_PORT_OFFSET for name in SERVICES},
        databases={name: f"{postgres}/licensing_{name}" for name in SERVICES},
    ).start()


def start_stack(workdir: Path, **overrides: str) -> Stack:
    if COMPOSE_MODE:
        pytest.skip(
            "starts a stack of its own with special settings; under compose one stack runs "
            "with the suite's default settings (docs/testing.md)"
        )
    return Stack(
        workdir=workdir, services=SERVICES, extra_env=stack_environment(workdir, **overrides)
    ).start()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("stack")
    running = compose_stack(workdir) if COMPOSE_MODE else start_stack(workdir)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


class Broker:
    """The test's own view of the run's exchange: publish as a producer would, and listen."""

    def __init__(self, prefix: str) -> None:
        self.exchange = f"{prefix}.events"
        self.reconnect()

    def reconnect(self) -> None:
        self.connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()

    def publish(self, event_type: str, data: dict[str, Any], *, event_id: str | None = None,
                correlation_id: str | None = None) -> str:  # fmt: skip
        event_id = event_id or str(uuid.uuid4())
        body = {
            "id": event_id,
            "type": event_type,
            "version": 1,
            "occurred_at": datetime.now(UTC).isoformat(),
            "producer": event_type.split(".")[0],
            "correlation_id": correlation_id,
            "causation_id": None,
            "data": data,
        }
        self.publish_raw(event_type, json.dumps(body).encode())
        return event_id

    def publish_raw(self, routing_key: str, body: bytes) -> None:
        self.channel.basic_publish(
            self.exchange,
            routing_key,
            body,
            pika.BasicProperties(delivery_mode=2, content_type="application/json"),
            mandatory=True,
        )

    def listen(self, pattern: str) -> str:
        queue = self.channel.queue_declare("", exclusive=True).method.queue
        self.channel.queue_bind(queue, self.exchange, routing_key=pattern)
        return queue

    def take(self, queue: str, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            method, _props, body = self.channel.basic_get(queue, auto_ack=True)
            if method is not None:
                return json.loads(body)  # type: ignore[no-any-return]
            self.connection.process_data_events(time_limit=0.1)
        raise AssertionError(f"no message arrived on {queue} within {timeout}s")

    def count(self, queue: str) -> int:
        return int(self.channel.queue_declare(queue, passive=True).method.message_count)

    def dead_letter_reasons(self, queue: str) -> list[str]:
        """Read the reasons of every dead letter, leaving them in the queue."""
        reasons = []
        while True:
            method, props, _body = self.channel.basic_get(queue, auto_ack=False)
            if method is None:
                break
            reasons.append(str((props.headers or {}).get("x-dead-reason", "")))
        self.channel.basic_recover(requeue=True)
        return reasons

    def close(self) -> None:
        if self.connection.is_open:
            self.connection.close()


@pytest.fixture
def broker(stack: Stack) -> Iterator[Broker]:
    connection = Broker(stack.prefix)
    try:
        yield connection
    finally:
        connection.close()


STAFF_PASSWORD = "a-long-staff-password-1"


@pytest.fixture(scope="session")
def supervisor_token(stack: Stack) -> str:
    """A supervisor made with the real staff command, signed in through the public API."""
    email = f"supervisor-{uuid.uuid4().hex[:8]}@office.example"
    stack.run(
        [sys.executable, "-m", "gateway.staff", "create", "--email", email, "--role", "supervisor"],
        env={"GATEWAY_STAFF_PASSWORD": STAFF_PASSWORD},
    )
    answer = requests.post(
        stack.url("gateway") + "/api/v1/sessions",
        json={"identifier": email, "password": STAFF_PASSWORD},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


@pytest.fixture(scope="session")
def catalog_item(stack: Stack) -> Callable[[str], dict[str, Any]]:
    """Read an item straight from the catalog: the effects of events, without the
    gateway's few-second cache in between."""
    headers = stack.token_headers("catalog", subject="tests", roles=["public"])

    def read(code: str) -> dict[str, Any]:
        answer = requests.get(f"{stack.url('catalog')}/items/{code}", headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    return read
