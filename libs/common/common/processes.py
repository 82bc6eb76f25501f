"""Run the system as real processes for whole-system tests and benchmarks.

`Stack` gives each service a fresh PostgreSQL database and the run a unique
bus prefix, migrates, optionally seeds, then starts every web process under
gunicorn and every worker as `python -m <service>.worker`, each in its own
process group with its output in a log file. `stop()` always tears down the
processes, the databases and the broker objects, even after a failure.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pika

from common.auth import issue_token
from common.launcher import discover_services, ordered
from common.testing import (
    RABBITMQ_URL,
    create_database,
    drop_database,
    free_port,
    release_port,
    require_rabbitmq,
    unique_name,
)


def gunicorn_options(workers: int, threads: int) -> list[str]:
    """How every web process runs (the stack, the benchmarks' bare baselines,
    scripts/stack.sh and docker-compose.yml say the same): gthread workers, so
    a service calling another keeps its connection alive between requests
    instead of opening one per call, as a sync worker forces. An idle
    connection is kept 30 s (gunicorn's default is 2), so a caller between
    bursts rarely finds its connection closed as it sends."""
    return [
        "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
        "--keep-alive", "30",
    ]  # fmt: skip


T = TypeVar("T")

# One process of eight threads per service: on a 2-core machine running five
# services and their workers, a second process per service only adds memory
# and context switches (bench.apply measured 1 x 8 ahead of 2 x 4 and of two
# sync workers); the threads let a request wait on PostgreSQL or another
# service while another runs.
WEB_WORKERS = 1
WEB_THREADS = 8


@dataclass
class RunningProcess:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)  # its own, over the stack's

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Stack:
    """The chosen services (default: all installed) as real processes."""

    workdir: Path
    services: list[str] | None = None
    web_workers: int = WEB_WORKERS
    web_threads: int = WEB_THREADS
    seed: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    prefix: str = field(default_factory=lambda: unique_name("it"))
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    ports: dict[str, int] = field(default_factory=dict)
    # Each worker's own Prometheus /metrics (WORKER_METRICS_PORT), by service.
    worker_metrics_ports: dict[str, int] = field(default_factory=dict)
    databases: dict[str, str] = field(default_factory=dict)
    processes: list[RunningProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        installed = {parts.name: parts for parts in ordered(discover_services(self.services))}
        chosen = self.services or list(installed)
        self._parts = [installed[name] for name in installed if name in chosen]
        self.services = [parts.name for parts in self._parts]

    # -- environment -------------------------------------------------------
    def environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.endswith("_DATABASE_URL") and not key.startswith("BUS_")
        }
        env.update(
            BUS_URL=RABBITMQ_URL,
            BUS_PREFIX=self.prefix,
            INTERNAL_TOKEN_SECRET=self.secret,
            GATEWAY_SECRET_KEY=self.secret + "-session",
            LOG_FORMAT="json",
            PYTHONUNBUFFERED="1",
        )
        for name in self.services or []:
            upper = name.upper()
            env[f"{upper}_DATABASE_URL"] = self.databases[name]
            env[f"{upper}_URL"] = self.url(name)
        env.update(self.extra_env)
        return env

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def token_headers(self, service: str, *, subject: str, roles: list[str]) -> dict[str, str]:
        token = issue_token(self.secret, subject=subject, roles=roles, audience=service)
        return {"Authorization": f"Bearer {token}"}

    def log_files(self) -> list[Path]:
        """Every process's output so far: `<service>-web.log`, `<service>-worker.log`
        and the one-shots' (`<service>-migrate.log`, `<service>-seed.log`)."""
        return sorted(self.workdir.glob("*.log"))

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> Stack:
        require_rabbitmq()
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            names = self.services or []
            for name in names:
                self.ports[name] = free_port()
            # Every service's own database, migrations and seed are independent of the
            # others': done side by side, while one waits on PostgreSQL another imports.
            in_parallel(self._create_database, names)
            in_parallel(self._prepare, [parts.name for parts in self._parts])
            for parts in self._parts:
                if "worker" in parts.parts:
                    metrics_port = self.worker_metrics_ports[parts.name] = free_port()
                    self._spawn(
                        f"{parts.name}-worker",
                        [sys.executable, "-m", f"{parts.name}.worker"],
                        {"WORKER_METRICS_PORT": str(metrics_port)},
                    )
                if "web" in parts.parts:
                    self._spawn(f"{parts.name}-web", self._gunicorn(parts.name))
            for name in self.services or []:
                self.wait_ready(name)
        except BaseException:
            self.stop()
            raise
        return self

    def _create_database(self, name: str) -> None:
        url = create_database(unique_name(f"it_{name}"))
        self.databases[name] = url

    def _prepare(self, name: str) -> None:
        parts = next(parts for parts in self._parts if parts.name == name)
        self._run_once(name, "migrate")
        if self.seed and "seed" in parts.parts:
            self._run_once(name, "seed")

    def _gunicorn(self, name: str) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn",
            *gunicorn_options(self.web_workers, self.web_threads),
            "--bind", f"127.0.0.1:{self.ports[name]}",
            "--graceful-timeout", "5",
            f"{name}.app:create_app()",
        ]  # fmt: skip

    def _run_once(self, name: str, command: str) -> None:
        log_path = self.workdir / f"{name}-{command}.log"
        with log_path.open("wb") as log:
            result = subprocess.run(
                [sys.executable, "-m", f"{name}.{command}"],
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=120,
                check=False,
            )
        if result.returncode != 0:
            raise RuntimeError(f"{name}.{command} failed:\n{log_path.read_text()[-3000:]}")

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        log_path = self.workdir / f"{name}.log"
        # Appended to: a process restarted (the fault suite kills workers) keeps
        # what it wrote before, which is what explains a failure afterwards.
        log = log_path.open("ab")
        process = subprocess.Popen(
            command,
            env={**self.environment(), **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(RunningProcess(name, process, log_path, dict(env or {})))

    def run(self, args: list[str], env: dict[str, str] | None = None) -> str:
        """Run a one-off command (e.g. `python -m gateway.staff create …`) in the stack's env."""
        result = subprocess.run(
            args,
            env={**self.environment(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def wait_ready(self, service: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            for running in self.processes:
                if running.process.poll() is not None:
                    raise RuntimeError(f"{running.name} exited early:\n{running.log_tail()}")
            try:
                with urllib.request.urlopen(self.url(service) + "/readyz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError) as exc:
                last_error = str(exc)
            time.sleep(0.1)
        raise RuntimeError(f"{service} was not ready within {timeout}s: {last_error}")

    def stop_process(self, name: str, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Stop one process (by its name, e.g. 'catalog-worker') and return its exit code."""
        for running in self.processes:
            if running.name == name:
                return stop_process_group(running.process, sig, timeout)
        raise KeyError(name)

    def restart_process(self, name: str) -> None:
        for running in list(self.processes):
            if running.name == name:
                stop_process_group(running.process, signal.SIGTERM, 10.0)
                self.processes.remove(running)
                command = [str(part) for part in running.process.args]  # type: ignore[union-attr]
                self._spawn(name, command, running.env)
                return
        raise KeyError(name)

    def stop(self) -> None:
        # All at once: each process takes its own time to finish, so the stack
        # stops in the time of the slowest rather than in the sum of them all.
        stop_process_groups([running.process for running in self.processes], signal.SIGTERM, 10.0)
        self.processes.clear()
        databases = [url.rsplit("/", 1)[1] for url in self.databases.values()]
        self.databases.clear()
        cleanups: list[Callable[[], None]] = [
            *(lambda name=name: drop_database(name) for name in databases),
            lambda: delete_broker_objects(self.prefix),
        ]
        try:
            in_parallel(lambda cleanup: cleanup(), cleanups)
        finally:
            for port in [*self.ports.values(), *self.worker_metrics_ports.values()]:
                release_port(port)


def in_parallel(action: Callable[[T], None], items: Iterable[T]) -> None:
    """action(item) for every item at once, each in a thread; every one runs to
    its end, then the first error (if any) is raised."""
    items = list(items)
    if not items:
        return
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        futures = [pool.submit(action, item) for item in items]
    for future in futures:
        future.result()


def stop_process_group(process: subprocess.Popen[bytes], sig: int, timeout: float) -> int:
    stop_process_groups([process], sig, timeout)
    return process.returncode  # type: ignore[return-value]


def stop_process_groups(processes: list[subprocess.Popen[bytes]], sig: int, timeout: float) -> None:
    """Signal every process's group, then wait for them all (killing what is left
    after the timeout)."""
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def delete_broker_objects(prefix: str) -> None:
    """Delete every queue and exchange whose name starts with the run's prefix."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        names = tuple(pool.map(_rabbitmqctl_names, ["list_queues", "list_exchanges"]))
    queues, exchanges = (
        [name for name in group if name.startswith(prefix + ".") or name == prefix]
        for group in names
    )
    if not queues and not exchanges:
        return
    connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    try:
        channel = connection.channel()
        for queue in queues:
            channel.queue_delete(queue)
        for exchange in exchanges:
            channel.exchange_delete(exchange)
    finally:
        connection.close()


def _rabbitmqctl_names(command: str) -> list[str]:
    result = subprocess.run(
        ["rabbitmqctl", "-q", command, "--no-table-headers", "name"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


@dataclass
class RunningStack(Stack):
    """A stack someone else started (`make compose-test`): talked to through its
    published ports, never started, stopped or cleaned up from here.

    `ports` maps each service to its published port, `databases` each service
    to a URL of its database; the bus and PostgreSQL addresses the tests use
    themselves come from TEST_RABBITMQ_URL and TEST_POSTGRES_URL as usual.
    Seeding (the catalog's items), as Stack does, runs here against those
    databases: compose migrates but seeds nothing.

    `container_logs(process)`, when given, returns the output of every replica
    of a process's containers ("orders" is the web process, "orders-worker"
    the worker); log_files() writes it into the workdir under Stack's names,
    so a test reads the logs one way under both."""

    container_logs: Callable[[str], str] | None = None

    def start(self) -> RunningStack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for name in self.services or []:
            self.wait_ready(name, timeout=120.0)
        for parts in self._parts:
            if self.seed and "seed" in parts.parts:
                self._run_once(parts.name, "seed")
        return self

    def log_files(self) -> list[Path]:
        if self.container_logs is not None:
            for name in self.services or []:
                for process, suffix in ((name, "web"), (f"{name}-worker", "worker")):
                    log = self.workdir / f"{name}-{suffix}.log"
                    log.write_text(self.container_logs(process), errors="replace")
        return super().log_files()

    def stop(self) -> None:
        """Nothing to do: whoever started the stack tears it down."""
