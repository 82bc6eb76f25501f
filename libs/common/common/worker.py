"""A service's worker process: topology, outbox relay, consumer and timer sweeps.

With WORKER_METRICS_PORT set it also serves its own Prometheus `/metrics`
(the consumer's `event_hop_seconds`, see common.events.metrics): the web
process's /metrics cannot see another process's counters.

Each part runs in its own thread with its own broker connection. SIGTERM or
SIGINT (when run in the main thread) sets the stop event: the consumer
finishes and acks the messages in hand, the relay finishes its batch, the
timers finish their sweep, and `run` returns.

    worker = Worker("catalog", settings, engine, HANDLERS, uow_factory,
                    bindings=["ratings.summary_changed", "orders.completed"],
                    transport=transport_from_url(settings.bus_url, settings.bus_prefix))
    worker.run()                        # in worker.main(), blocks until SIGTERM
    handle = worker.start_in_background()   # one-process mode and tests
    handle.stop()

A service's build_worker names only what is its own:

    return service_worker("catalog", settings.common, HANDLERS, BINDINGS,
                          transport=transport, clock=clock)
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import FrameType
from typing import Any

import pika.exceptions
from prometheus_client import start_http_server
from sqlalchemy.engine import Engine

from common.clock import Clock, SystemClock
from common.db import UnitOfWork, make_engine, unit_of_work_factory
from common.events.backoff import Backoff
from common.events.consumer import Dispatcher, Handler
from common.events.metrics import HopMetrics
from common.events.relay import run_relay
from common.events.retention import outbox_purge_timer
from common.events.topology import DEFAULT_DELIVERY_LIMIT
from common.events.transport import Transport, transport_from_url
from common.logging import configure_logging, in_service
from common.settings import CommonSettings

# What a broker that is down, restarting or cut off raises when a connection is opened.
BROKER_UNREACHABLE = (pika.exceptions.AMQPConnectionError, OSError)

log = logging.getLogger("common.worker")

Timer = tuple[str, Callable[[datetime], Any], float]


Handlers = Mapping[str, Handler]


def service_worker(
    service: str,
    settings: CommonSettings,
    handlers: Handlers | Callable[[Engine, Clock], Handlers],
    bindings: Sequence[str],
    *,
    timers: Callable[[Engine, Clock], Sequence[Timer]] | None = None,
    transport: Transport | None = None,
    clock: Clock | None = None,
) -> Worker:
    """A service's worker on its own database: logging, engine, units of work and
    the configured bus (unless `transport` is given). `timers(engine, clock)`
    builds the service's timers once both exist; so does `handlers(engine,
    clock)` when the handlers need something built on them (a courier adapter)
    rather than being a plain HANDLERS map."""
    configure_logging(service, settings.log_format)
    engine = make_engine(settings.database_url)
    clock = clock or SystemClock()
    return Worker(
        service,
        settings,
        engine,
        handlers(engine, clock) if callable(handlers) else handlers,
        unit_of_work_factory(engine, service, clock),
        bindings=bindings,
        transport=transport or transport_from_url(settings.bus_url, settings.bus_prefix),
        timers=[
            *(timers(engine, clock) if timers else ()),
            outbox_purge_timer(
                engine, settings.outbox_retention_hours, settings.outbox_purge_interval_seconds
            ),
        ],
        clock=clock,
    )


class Worker:
    def __init__(
        self,
        service: str,
        settings: CommonSettings,
        engine: Engine,
        handlers: Mapping[str, Handler],
        uow_factory: Callable[[], UnitOfWork],
        bindings: Sequence[str],
        transport: Transport,
        timers: Sequence[Timer] = (),
        clock: Clock | None = None,
        *,
        delivery_limit: int = DEFAULT_DELIVERY_LIMIT,
        consumer_batch_size: int = 100,
    ) -> None:
        self.service = service
        self.settings = settings
        self.engine = engine
        self.bindings = list(bindings)
        self.transport = transport
        self.timers = list(timers)
        self.clock: Clock = clock or SystemClock()
        self.metrics = HopMetrics()
        self.dispatcher = Dispatcher(
            service,
            handlers,
            uow_factory,
            max_attempts=settings.max_attempts,
            metrics=self.metrics,
        )
        self._delivery_limit = delivery_limit
        self._batch_size = consumer_batch_size

    def run(self, stop_event: threading.Event | None = None) -> None:
        """Declare the topology and run until stopped (SIGTERM/SIGINT in the main thread).

        Raises WorkerCrashed when a part ended on its own, so the process exits
        non-zero and its supervisor restarts it.
        """
        stop = stop_event or threading.Event()
        restore = _install_signal_handlers(stop)
        try:
            if not self._declare_once_the_broker_answers(stop):
                return  # stopped before the broker came back
            handle = WorkerHandle(stop, *self._start_parts(stop), closers=self._serve_metrics())
            while not stop.wait(0.5):
                pass
            handle.stop(timeout=None)
        finally:
            restore()
        if handle.crashed:
            raise WorkerCrashed(f"worker {self.service}: {', '.join(handle.crashed)} ended")
        log.info("worker %s stopped", self.service)

    def start_in_background(self) -> WorkerHandle:
        """Declare (errors raise here), then run every part in daemon threads."""
        stop = threading.Event()
        self.declare()
        return WorkerHandle(stop, *self._start_parts(stop), closers=self._serve_metrics())

    def _serve_metrics(self) -> list[Callable[[], None]]:
        port = self.settings.worker_metrics_port
        if not port:
            return []
        server, _thread = start_http_server(
            port, self.settings.worker_metrics_host, registry=self.metrics.registry
        )
        log.info("worker %s serves /metrics on port %d", self.service, port)
        return [server.shutdown, server.server_close]

    def _declare_once_the_broker_answers(self, stop: threading.Event) -> bool:
        """Declare the topology, waiting for a broker that does not answer yet.

        A worker (re)started while the broker is down or cut off must come up
        once it is back rather than exit: its supervisor would only restart it
        into the same failure, and the parts already retry a lost connection.
        False when stopped before the broker answered."""
        backoff = Backoff(first=0.5, ceiling=10.0)
        while True:
            try:
                self.declare()
                return True
            except BROKER_UNREACHABLE as exc:
                delay = backoff.next()
                log.warning(
                    "worker %s: the broker does not answer (%s: %s); trying again in %.1f s",
                    self.service,
                    type(exc).__name__,
                    exc,
                    delay,
                )
            if stop.wait(delay):
                return False

    def declare(self) -> None:
        self.transport.declare(
            self.service,
            self.bindings,
            self.settings.retry_delays_ms,
            self._delivery_limit,
        )

    def _start_parts(self, stop: threading.Event) -> tuple[list[threading.Thread], list[str]]:
        parts: list[tuple[str, Callable[[], None]]] = [
            ("relay", lambda: self._relay(stop)),
            ("consumer", lambda: self._consume(stop)),
        ]
        for name, sweep, interval in self.timers:
            parts.append((f"timer-{name}", _timer_loop(name, sweep, interval, self.clock, stop)))
        threads: list[threading.Thread] = []
        crashed: list[str] = []
        for name, target in parts:
            thread = threading.Thread(
                target=in_service(self.service, _guarded(name, target, stop, crashed)),
                name=f"{self.service}-{name}",
                daemon=True,
            )
            thread.start()
            threads.append(thread)
        log.info("worker %s started: %s", self.service, ", ".join(name for name, _ in parts))
        return threads, crashed

    def _relay(self, stop: threading.Event) -> None:
        publisher = self.transport.publisher()
        try:
            run_relay(
                self.engine,
                publisher,
                stop,
                self.settings.relay_batch_size,
                self.settings.relay_idle_seconds,
            )
        finally:
            publisher.close()

    def _consume(self, stop: threading.Event) -> None:
        consumer = self.transport.consumer(
            self.service,
            self.dispatcher,
            prefetch=self.settings.consumer_prefetch,
            delays_ms=self.settings.retry_delays_ms,
            batch_size=self._batch_size,
        )
        consumer.run(stop)


class WorkerCrashed(RuntimeError):
    """A part of the worker (relay, consumer, a timer) ended without being asked to."""


class WorkerHandle:
    """A worker running in background threads."""

    def __init__(
        self,
        stop: threading.Event,
        threads: list[threading.Thread],
        crashed: list[str],
        closers: Sequence[Callable[[], None]] = (),
    ) -> None:
        self.stop_event = stop
        self.threads = threads
        self.crashed = crashed  # names of the parts that ended on their own
        self._closers = list(closers)

    def stop(self, timeout: float | None = 30.0) -> None:
        """Ask every part to stop and wait for each (the consumer acks what it holds)."""
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout)
        while self._closers:
            self._closers.pop(0)()

    @property
    def alive(self) -> bool:
        return any(thread.is_alive() for thread in self.threads)


def _guarded(
    name: str, target: Callable[[], None], stop: threading.Event, crashed: list[str]
) -> Callable[[], None]:
    """A part that ends before stop was asked for takes the worker down with it,
    so the process supervisor restarts a whole worker instead of half of one."""

    def run() -> None:
        try:
            target()
        except Exception:
            log.exception("worker part %s crashed", name)
        if not stop.is_set():
            log.error("worker part %s ended unexpectedly; stopping the worker", name)
            crashed.append(name)
            stop.set()

    return run


def _timer_loop(
    name: str,
    sweep: Callable[[datetime], Any],
    interval: float,
    clock: Clock,
    stop: threading.Event,
) -> Callable[[], None]:
    def run() -> None:
        while not stop.is_set():
            try:
                sweep(clock.now())
            except Exception:
                # One failed sweep is retried at the next tick; it must not stop the timers.
                log.exception("timer %s failed", name)
            stop.wait(interval)

    return run


def _install_signal_handlers(stop: threading.Event) -> Callable[[], None]:
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s received; stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
