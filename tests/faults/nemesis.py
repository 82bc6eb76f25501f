"""The faults, one at a time and then mixed, and the time from each fault's end
to the system answering again.

Each fault starts, holds for a few seconds (the length of the outage, not a
wait for an outcome) and ends; then `answers()` is polled until the whole
system answers (every service's /readyz, which reaches its database and the
broker, and the gateway serving the store's item, each polled on its own; a
slow answer counts when it comes), then until a consumer is
back on every service's queue. The first is the issue's bound of 10 s; the
second includes, for a killed worker, the start of a new Python process, which
on a loaded 2-core machine alone takes 8 to 15 s, so it is printed, not bounded.

Two faults act on the whole broker, not only on this run's connections:
`rabbitmqctl close_all_connections` and `stop_app`. Run the fault suite alone
on a broker (docs/testing.md).
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pika
import psycopg
import requests

from common.events.topology import main_queue
from common.processes import Stack
from common.testing import POSTGRES_ADMIN_URL, RABBITMQ_URL

from .proxy import Proxy

ITEM = "driving-licence-replacement"
RECOVERY_LIMIT = 10.0  # seconds from a fault's end to the system answering (the bound)
PROBE_GIVE_UP = 120.0


@dataclass
class Fault:
    name: str
    begin: Callable[[], None]
    end: Callable[[], None] = lambda: None
    hold: float = 0.0


@dataclass
class Recovery:
    """Seconds from a fault's end to the system answering (every service ready, the gateway
    serving) and to every worker consuming again (a killed worker's include its restart)."""

    fault: str
    answering: float
    consuming: float
    last: str  # what answered last


def _answered(url: str, since: float) -> float:
    """Seconds from `since` to the first 200 from `url` (a slow answer is an answer)."""
    deadline = since + PROBE_GIVE_UP
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=PROBE_GIVE_UP).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return time.monotonic() - since


def _until(probe: Callable[[], bool], since: float) -> float:
    deadline = since + PROBE_GIVE_UP
    while not probe() and time.monotonic() < deadline:
        time.sleep(0.1)
    return time.monotonic() - since


@dataclass
class Nemesis:
    stack: Stack
    broker_proxy: Proxy
    database_proxy: Proxy
    proxied: str  # the service whose broker and database connections go through the proxies
    recoveries: list[Recovery] = field(default_factory=list)
    random: random.Random = field(default_factory=lambda: random.Random(7))

    only: list[str] = field(default_factory=list)  # names to keep (substrings); all if empty

    def faults(self) -> list[Fault]:
        every = [
            Fault("broker connections closed", _close_broker_connections),
            Fault(
                "broker app stopped and started",
                _rabbitmqctl("stop_app"),
                _rabbitmqctl("start_app"),
                hold=4.0,
            ),
            Fault("workers killed mid-batch", self._kill_workers, self._restart_workers, hold=2.0),
            Fault("database backends terminated", self._terminate_backends),
            Fault(f"{self.proxied}: latency to broker and database", self._slow, self._heal, 4.0),
            Fault(f"{self.proxied}: database cut", self.database_proxy.cut, self._heal, 4.0),
            Fault(f"{self.proxied}: broker cut", self.broker_proxy.cut, self._heal, 4.0),
        ]
        return [f for f in every if not self.only or any(word in f.name for word in self.only)]

    def run(self, rounds: int, keep_going: Callable[[], bool], pause: float = 3.0) -> None:
        """Every fault once, then `rounds` of mixed faults; then mixed faults for as long as
        keep_going() holds (the driver still has applications on the way)."""
        for fault in self.faults():
            self._apply([fault])
            time.sleep(pause)
        done = 0
        while done < rounds or keep_going():
            faults = self.faults()
            self._apply(self.random.sample(faults, min(self.random.choice([2, 3]), len(faults))))
            time.sleep(pause)
            done += 1

    def _apply(self, faults: list[Fault]) -> None:
        name = " + ".join(fault.name for fault in faults)
        print(f"nemesis: {name}", flush=True)
        begun: list[Fault] = []
        try:
            for fault in faults:
                fault.begin()
                begun.append(fault)
            time.sleep(max(fault.hold for fault in faults))  # the outage lasts this long
        finally:
            # Whatever happened, every fault begun ends: the broker is started again.
            for fault in reversed(begun):
                fault.end()
        ended = time.monotonic()
        answering, last = self.answering(ended)
        consuming = _until(self.consuming, ended)
        self.recoveries.append(Recovery(name, answering, consuming, last))
        print(f"nemesis: {name}: answering {answering:.1f}s ({last} last), "
              f"consuming {consuming:.1f}s after the fault ended", flush=True)  # fmt: skip

    # -- the probe ------------------------------------------------------------------

    def answering(self, since: float) -> tuple[float, str]:
        """Seconds from `since` until every service's /readyz and the gateway's store item
        have answered 200, each polled on its own; and which answered last."""
        endpoints = {name: self.stack.url(name) + "/readyz" for name in self.stack.services or []}
        endpoints["store"] = f"{self.stack.url('gateway')}/api/v1/items/{ITEM}"
        with ThreadPoolExecutor(max_workers=len(endpoints)) as pool:
            times = dict(zip(endpoints, pool.map(lambda url: _answered(url, since),
                                                 endpoints.values()), strict=True))  # fmt: skip
        slowest = max(times, key=lambda name: times[name])
        return times[slowest], slowest

    def consuming(self) -> bool:
        """A consumer on every service's queue: the workers are back."""
        try:
            return self._consumers()
        except (pika.exceptions.AMQPError, OSError):
            return False

    def _consumers(self) -> bool:
        connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
        try:
            channel = connection.channel()
            return all(
                channel.queue_declare(
                    main_queue(self.stack.prefix, name), passive=True
                ).method.consumer_count
                > 0
                for name in self.stack.services or []
                if any(p.name == f"{name}-worker" for p in self.stack.processes)
            )
        finally:
            connection.close()

    # -- the faults ---------------------------------------------------------------------

    def _workers(self) -> list[str]:
        return [p.name for p in self.stack.processes if p.name.endswith("-worker")]

    def _kill_workers(self) -> None:
        # The relay runs in the worker: a killed worker loses its relay mid-batch too.
        chosen = self.random.sample(self._workers(), 3)
        if f"{self.proxied}-worker" not in chosen:
            chosen[0] = f"{self.proxied}-worker"
        self._killed = chosen
        for name in chosen:
            self.stack.stop_process(name, signal.SIGKILL)

    def _restart_workers(self) -> None:
        for name in self._killed:
            self.stack.restart_process(name)

    def _terminate_backends(self) -> None:
        names = [url.rsplit("/", 1)[1] for url in self.stack.databases.values()]
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = ANY(%s) AND pid <> pg_backend_pid()",
                (names,),
            )

    def _slow(self) -> None:
        self.broker_proxy.latency(0.2)
        self.database_proxy.latency(0.2)

    def _heal(self) -> None:
        self.broker_proxy.restore()
        self.database_proxy.restore()


def _close_broker_connections() -> None:
    # Not checked: with the broker app stopped (a mixed round) there is nothing to close.
    subprocess.run(
        ["rabbitmqctl", "-q", "close_all_connections", "fault test"], check=False, timeout=60
    )


def _rabbitmqctl(command: str) -> Callable[[], None]:
    return lambda: subprocess.run(["rabbitmqctl", "-q", command], check=True, timeout=120)  # type: ignore[return-value]
