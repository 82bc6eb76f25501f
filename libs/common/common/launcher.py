"""`make run`: the whole system in one process, needing nothing but Python.

Every installed service is found through the `licensing.services` entry-point
group (no service is imported by name). Each gets its own SQLite file and its
own HTTP port, all share one in-memory bus, and the gateway reaches the others
over HTTP exactly as in the real deployment, so this mode exercises the same
paths. Demo data is seeded on every start (seeding is idempotent).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import threading
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from common.logging import configure_logging, service_context

log = logging.getLogger("common.launcher")

ENTRY_POINT_GROUP = "licensing.services"
DEFAULT_PORTS = {
    "gateway": 8000,
    "catalog": 8001,
    "orders": 8002,
    "verification": 8003,
    "fulfillment": 8004,
    "ratings": 8005,
    "notifications": 8006,
}
# Services start in this order so that a service's seed can rely on the ones before it.
START_ORDER = [
    "catalog",
    "orders",
    "verification",
    "fulfillment",
    "ratings",
    "notifications",
    "gateway",
]


@dataclass
class ServiceParts:
    name: str
    parts: dict[str, Callable[..., Any]] = field(default_factory=dict)

    def get(self, role: str) -> Callable[..., Any] | None:
        return self.parts.get(role)


def discover_services(only: Collection[str] | None = None) -> dict[str, ServiceParts]:
    """Every installed service's web, worker, migrate and seed callables; with
    `only`, just those services' (the others are not even imported)."""
    found: dict[str, ServiceParts] = defaultdict(lambda: ServiceParts(name=""))
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        service, _, role = entry.name.partition(".")
        if only is not None and service not in only:
            continue
        parts = found[service]
        parts.name = service
        parts.parts[role] = entry.load()
    return dict(found)


def ordered(services: dict[str, ServiceParts]) -> list[ServiceParts]:
    rank = {name: index for index, name in enumerate(START_ORDER)}
    return sorted(services.values(), key=lambda parts: (rank.get(parts.name, 50), parts.name))


def one_process_environment(services: list[str], data_dir: Path) -> dict[str, str]:
    """Environment for the embedded mode; anything already set wins."""
    values = {
        "BUS_URL": "memory://",
        "BUS_PREFIX": "run",
        "INTERNAL_TOKEN_SECRET": secrets.token_urlsafe(32),
        "GATEWAY_SECRET_KEY": secrets.token_urlsafe(32),
        "LOG_FORMAT": "text",
        "DEMO_MODE": "true",
    }
    for name in services:
        upper = name.upper()
        port = int(os.environ.get(f"{upper}_PORT") or DEFAULT_PORTS.get(name, 8010))
        values[f"{upper}_DATABASE_URL"] = f"sqlite:///{data_dir / (name + '.db')}"
        values[f"{upper}_URL"] = f"http://127.0.0.1:{port}"
        values[f"{upper}_PORT"] = str(port)
    return {key: os.environ.get(key) or value for key, value in values.items()}


class _ServerThread(threading.Thread):
    def __init__(self, name: str, app: Any, port: int, host: str) -> None:
        super().__init__(name=f"web-{name}", daemon=True)
        self.server = make_server(
            host, port, app, threaded=True, request_handler=_request_handler_of(name)
        )

    def run(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()


def _request_handler_of(service: str) -> type[WSGIRequestHandler]:
    """werkzeug's handler, whose access-log lines (written after the app has
    answered) name the service that answered."""

    class Handler(WSGIRequestHandler):
        def handle(self) -> None:
            with service_context(service):
                super().handle()

    return Handler


def main() -> None:
    data_dir = Path(os.environ.get("RUN_DATA_DIR") or "var/run").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    services = ordered(discover_services())
    if not services:
        raise SystemExit("no service is installed: run `make venv` first")
    os.environ.update(one_process_environment([s.name for s in services], data_dir))
    configure_logging("licensing", os.environ["LOG_FORMAT"])

    from common.events.memory import MemoryBus  # the bus exists only in this mode

    bus = MemoryBus()
    demo_logins: list[str] = []
    for service in services:
        migrate, seed = service.get("migrate"), service.get("seed")
        if migrate:
            migrate()
        if seed:
            demo_logins.extend(seed() or [])
    workers = [
        service.parts["worker"](transport=bus).start_in_background()
        for service in services
        if "worker" in service.parts
    ]
    host = os.environ.get("RUN_HOST") or "127.0.0.1"
    servers = [
        _ServerThread(s.name, s.parts["web"](), int(os.environ[f"{s.name.upper()}_PORT"]), host)
        for s in services
        if "web" in s.parts
    ]
    for server in servers:
        server.start()
    _announce(host, demo_logins)
    _wait_for_signal()
    for server in servers:
        server.stop()
    for worker in workers:
        worker.stop()


def _announce(host: str, demo_logins: list[str]) -> None:
    port = os.environ.get("GATEWAY_PORT") or "8000"
    shown = "localhost" if host in {"127.0.0.1", "0.0.0.0"} else host  # noqa: S104
    lines = [f"The licensing store is running at http://{shown}:{port}/", *demo_logins]
    lines.append("Press Ctrl-C to stop.")
    print("\n".join(lines), flush=True)


def _wait_for_signal() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()


if __name__ == "__main__":
    main()
