"""Many applications through the whole lifecycle while a nemesis breaks the
broker, the workers, the databases and the network, then an oracle reads
every service's database and the broker.

Size: FAULT_APPLICATIONS applications (default 12) on FAULT_THREADS threads
(default 6); every fault once, then FAULT_MIXED_ROUNDS rounds of two or three
faults at once (default 1), and more mixed rounds while applications are still
on the way. FAULT_ONLY (words of the faults' names, comma-separated) keeps only
those faults. `make faults` runs 200 applications and 5 mixed rounds.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from common.processes import Stack
from common.testing import POSTGRES_ADMIN_URL, RABBITMQ_URL

from ..conftest import SERVICES, stack_environment
from .lifecycle import Driver
from .nemesis import RECOVERY_LIMIT, Nemesis
from .oracle import KINDS, Before, Findings, check, settle
from .proxy import Proxy
from .trace import trace

APPLICATIONS = int(os.environ.get("FAULT_APPLICATIONS", "12"))
THREADS = int(os.environ.get("FAULT_THREADS", "6"))
MIXED_ROUNDS = int(os.environ.get("FAULT_MIXED_ROUNDS", "1"))
ONLY = [word for word in os.environ.get("FAULT_ONLY", "").split(",") if word]
TRACED = 5  # lost orders traced service by service in the report
PROXIED = "orders"  # the heart of the lifecycle: its payments, its timeline, most events


@dataclass
class ProxiedStack(Stack):
    """A stack whose one service reaches the broker and its database through proxies."""

    broker_port: int = 0
    database_port: int = 0

    def wait_ready(self, service: str, timeout: float = 120.0) -> None:
        # Seven web processes and seven workers import at once on two cores.
        super().wait_ready(service, timeout)

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        if name.startswith(f"{PROXIED}-"):
            # Kept with the process, so a restart goes through the proxies again.
            env = {
                **(env or {}),
                "BUS_URL": _through(RABBITMQ_URL, self.broker_port),
                f"{PROXIED.upper()}_DATABASE_URL": _through(
                    self.databases[PROXIED], self.database_port
                ),
            }
        super()._spawn(name, command, env)


def _through(url: str, port: int) -> str:
    host, rest = url.split("@", 1)
    return f"{host}@127.0.0.1:{port}/{rest.split('/', 1)[1]}"


def _port(url: str) -> int:
    return int(url.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def proxies() -> Iterator[tuple[Proxy, Proxy]]:
    broker = Proxy("127.0.0.1", _port(RABBITMQ_URL))
    database = Proxy("127.0.0.1", _port(POSTGRES_ADMIN_URL))
    try:
        yield broker, database
    finally:
        broker.close()
        database.close()


@pytest.fixture(scope="module")
def fault_stack(tmp_path_factory: pytest.TempPathFactory, proxies) -> Iterator[Stack]:
    workdir: Path = tmp_path_factory.mktemp("fault-stack")
    broker, database = proxies
    running = ProxiedStack(
        workdir=workdir, services=SERVICES, extra_env=stack_environment(workdir),
        broker_port=broker.port, database_port=database.port,
    ).start()  # fmt: skip
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.timeout(600 + APPLICATIONS * 30)
def test_every_application_ends_where_it_should_with_each_effect_once_through_faults(
    fault_stack, proxies, capsys
):
    started = time.monotonic()
    before = Before.read(fault_stack)
    driver = Driver(fault_stack, APPLICATIONS, THREADS)
    nemesis = Nemesis(fault_stack, *proxies, proxied=PROXIED, only=ONLY)
    driving = threading.Thread(target=driver.run, daemon=True)
    driving.start()
    nemesis.run(MIXED_ROUNDS, keep_going=driving.is_alive)
    driving.join()
    settle(fault_stack)
    findings = check(fault_stack, driver.applications, driver.calls, before)

    with capsys.disabled():
        print(report(fault_stack, driver, nemesis, findings, time.monotonic() - started))
    assert {kind: len(findings.items[kind]) for kind in KINDS} == dict.fromkeys(KINDS, 0), (
        findings.table()
    )
    slow = [r for r in nemesis.recoveries if r.answering > RECOVERY_LIMIT]
    assert not slow, f"not answering within {RECOVERY_LIMIT}s of a fault's end: {slow}"


def report(
    stack: Stack, driver: Driver, nemesis: Nemesis, findings: Findings, seconds: float
) -> str:
    retried = ", ".join(f"{k} {v}" for k, v in driver.calls.retried.most_common()) or "none"
    lines = [
        "",
        f"{len(driver.applications)} applications on {driver.threads} threads in {seconds:.0f}s",
        f"calls retried through faults: {retried}",
        f"{'fault (seconds from its end to)':<72}{'answering':>10}{'consuming':>10}",
        *(
            f"{r.fault:<72}{r.answering:>9.1f}s{r.consuming:>9.1f}s  {r.last} last"
            for r in nemesis.recoveries
        ),
        findings.table(),
        *(trace(stack, order_id) for order_id in findings.stopped[:TRACED]),
    ]
    return "\n".join(lines)
