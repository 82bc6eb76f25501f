"""Helpers for tests that need the real PostgreSQL and RabbitMQ.

They fail with a clear message when a server is missing: nothing is skipped
silently. Every helper makes names unique per run so parallel runs and
leftovers from a crashed run never collide.
"""

from __future__ import annotations

import fcntl
import os
import random
import socket
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


class ServerMissing(RuntimeError):
    """A server the test needs is not reachable."""


def unique_name(stem: str) -> str:
    return f"{stem}_{uuid.uuid4().hex[:10]}"


def _admin_connect() -> psycopg.Connection:
    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise ServerMissing(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({exc}); "
            "start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start"
        ) from exc


def postgres_url(database: str) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{database}"


def create_database(name: str) -> str:
    with _admin_connect() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return postgres_url(name)


def drop_database(name: str) -> None:
    with _admin_connect() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def fresh_postgres_database(stem: str = "lt") -> Iterator[str]:
    """A new, empty PostgreSQL database; yields its URL and drops it afterwards."""
    name = unique_name(stem)
    url = create_database(name)
    try:
        yield url
    finally:
        drop_database(name)


@contextmanager
def migrated_database(upgrade: Callable[[str], None], stem: str) -> Iterator[str]:
    """A fresh PostgreSQL database with a service's migrations applied; yields its URL."""
    with fresh_postgres_database(stem) as url:
        upgrade(url)
        yield url


def truncate(engine: Engine, tables: Sequence[str]) -> Engine:
    """Empty the tables (and restart their sequences) so each test starts clean."""
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    return engine


def table_snapshot(engine: Engine, tables: Sequence[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: equal before and after a
    refused request proves it wrote nothing."""
    with engine.connect() as connection:
        return {
            table: sorted(
                map(tuple, connection.execute(text(f"SELECT * FROM {table}"))),  # noqa: S608 - the test's own table names
                key=repr,
            )
            for table in tables
        }


def require_rabbitmq(url: str = RABBITMQ_URL) -> str:
    """Fail loudly unless RabbitMQ answers on its AMQP port."""
    host, port = "127.0.0.1", 5672
    try:
        with socket.create_connection((host, port), timeout=3):
            pass
    except OSError as exc:
        raise ServerMissing(
            f"RabbitMQ is not reachable at {host}:{port} ({exc}); start it with: rabbitmq-server -detached"
        ) from exc
    return url


# Ports handed out by free_port(): below the kernel's ephemeral range, so no
# outgoing connection is ever given one, and each held under an advisory lock
# (released when its holder exits) so parallel test processes never pick the
# same port between choosing it and a server binding it.
PORT_LOCKS = Path(tempfile.gettempdir()) / "licensing-test-ports"
_held_ports: dict[int, int] = {}


def free_port() -> int:
    """A port on 127.0.0.1 that nobody listens on, reserved for this process
    until release_port() or its exit."""
    low, high = _reservable_range()
    PORT_LOCKS.mkdir(mode=0o777, exist_ok=True)
    for _ in range(500):
        port = random.randrange(low, high)  # spreads the choices; not a secret
        if port in _held_ports:
            continue
        lock = os.open(PORT_LOCKS / f"{port}.lock", os.O_CREAT | os.O_RDWR, 0o666)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            continue
        if _bindable(port):
            _held_ports[port] = lock
            return port
        os.close(lock)
    raise RuntimeError(f"no free port between {low} and {high}")


def release_port(port: int) -> None:
    """Give back a port of free_port() (a stopped stack's): another process may take it."""
    lock = _held_ports.pop(port, None)
    if lock is not None:
        os.close(lock)


def _reservable_range() -> tuple[int, int]:
    """From 10000 up to the start of the ephemeral range (Linux: 32768 by default)."""
    try:
        ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768
    return 10000, max(ephemeral_low, 12000)


def _bindable(port: int) -> bool:
    # As gunicorn and werkzeug bind: SO_REUSEADDR, so a connection of an earlier
    # server still in TIME_WAIT does not count as a listener.
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def eventually(check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.1) -> Any:
    """Poll until check() returns something truthy: the system is asynchronous.

    This waits for an outcome; it never asserts how long the outcome took.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s; last value: {last!r}")


@contextmanager
def statements_on(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` sends while the block runs (each one's first line):
    for tests that hold a request's round trips to a count so it cannot creep back."""
    seen: list[str] = []

    def record(*args: object) -> None:  # (conn, cursor, statement, parameters, context, many)
        seen.append(str(args[2]).split("\n")[0][:100])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
