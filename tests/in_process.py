"""Every installed service's app in this process, for whole-API tests (contract, fuzz).

`service_apps()` builds each service's web app as the one-process mode does
(`make run`: found through the entry points, one in-memory bus). By default
each has its own SQLite file; with `postgres=True` each gets a fresh
PostgreSQL database, migrated and seeded (demo data), its workers run on the
in-memory bus so events flow between services, and every app is served over
HTTP on its own port, so the gateway reaches the others as it does in the
real deployment. Everything is torn down (databases dropped, environment
restored) when the block ends.

`internal_headers()` signs the internal token a service expects from the gateway.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask

from common.auth import issue_token
from common.launcher import ServiceParts, discover_services, one_process_environment, ordered
from common.processes import in_parallel
from common.testing import (
    create_database,
    drop_database,
    free_port,
    postgres_url,
    release_port,
    unique_name,
)
from common.testing_http import serve_in_thread

WEB_SERVICES = sorted(name for name, parts in discover_services().items() if "web" in parts.parts)


@dataclass
class ServiceApps:
    apps: dict[str, Flask]
    secret: str
    urls: dict[str, str] = field(default_factory=dict)
    databases: dict[str, str] = field(default_factory=dict)


def internal_headers(
    secret: str, service: str, *, subject: str = "tests", roles: Iterable[str] = ("supervisor",)
) -> dict[str, str]:
    """A fresh internal token (they live a minute) for a call to `service`."""
    token = issue_token(secret, subject=subject, roles=list(roles), audience=service)
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def service_apps(data_dir: Path, *, postgres: bool = False) -> Iterator[ServiceApps]:
    saved = dict(os.environ)
    with ExitStack() as cleanup:
        cleanup.callback(_restore, saved)
        env = one_process_environment(WEB_SERVICES, data_dir)
        if postgres:
            env.update(_postgres_environment(data_dir, cleanup))
        os.environ.update(env)
        found = discover_services()
        if not postgres:
            yield ServiceApps(
                {name: found[name].parts["web"]() for name in WEB_SERVICES},
                env["INTERNAL_TOKEN_SECRET"],
            )
            return
        from common.events.memory import MemoryBus  # the bus of the one-process mode

        services = ordered(found)
        for service in services:  # one at a time: alembic's context is global to the process
            _step(service, "migrate")
        # Each service seeds its own database: side by side, as Stack does.
        in_parallel(lambda service: _step(service, "seed"), services)
        bus = MemoryBus()
        for service in services:
            if "worker" in service.parts:
                handle = service.parts["worker"](transport=bus).start_in_background()
                cleanup.callback(handle.stop, 10.0)
        apps = {name: found[name].parts["web"]() for name in WEB_SERVICES}
        for name, app in apps.items():
            _url, stop = serve_in_thread(app, int(env[f"{name.upper()}_PORT"]))
            cleanup.callback(stop)
        yield ServiceApps(
            apps,
            env["INTERNAL_TOKEN_SECRET"],
            urls={name: env[f"{name.upper()}_URL"] for name in WEB_SERVICES},
            databases={name: env[f"{name.upper()}_DATABASE_URL"] for name in WEB_SERVICES},
        )


def _step(service: ServiceParts, role: str) -> None:
    step: Callable[[], object] | None = service.get(role)
    if step:
        step()


def _postgres_environment(data_dir: Path, cleanup: ExitStack) -> dict[str, str]:
    env = {
        "VERIFICATION_STORAGE_DIR": str(data_dir / "verification-files"),
        "VERIFICATION_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ORDERS_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SMS_PROVIDER": "sandbox",
        "EMAIL_PROVIDER": "sandbox",
        # Seven relays polling in one process take turns with the web threads for the GIL.
        "RELAY_IDLE_SECONDS": "0.5",
        "DATABASE_POOL_SIZE": "2",
    }
    databases = {name: unique_name(f"fz_{name}") for name in WEB_SERVICES}
    cleanup.callback(in_parallel, drop_database, databases.values())
    in_parallel(create_database, databases.values())
    for name in WEB_SERVICES:
        upper = name.upper()
        env[f"{upper}_DATABASE_URL"] = postgres_url(databases[name])
        port = free_port()
        cleanup.callback(release_port, port)
        env[f"{upper}_PORT"] = str(port)
        env[f"{upper}_URL"] = f"http://127.0.0.1:{port}"
    return env


def _restore(saved: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(saved)
