"""The worker: its parts, its stop, and the one-process mode on the in-memory bus."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from common.clock import FrozenClock
from common.events.memory import MemoryBus
from common.events.rabbit import RabbitTransport
from common.events.tables import outbox
from common.events.testkit import (
    EVENT_TYPE,
    bus_engine,
    effects_by_event,
    publish_in_outbox,
    record_effect,
    uow_factory,
    worker_settings,
)
from common.events.transport import transport_from_url
from common.settings import CommonSettings
from common.testing import eventually
from common.worker import Worker, WorkerCrashed, service_worker

SERVICE = "svc"


def settings(bus_url: str = "memory://") -> CommonSettings:
    return worker_settings(SERVICE, bus_url)


@pytest.fixture
def engine(tmp_path):
    engine = bus_engine(f"sqlite:///{tmp_path / 'worker.db'}")
    yield engine
    engine.dispose()


def test_a_worker_on_the_memory_bus_relays_handles_and_sweeps_until_stopped(engine):
    bus = MemoryBus()
    sweeps: list[datetime] = []
    worker = Worker(
        SERVICE,
        settings(),
        engine,
        {EVENT_TYPE: record_effect},
        uow_factory(engine),
        bindings=["test.*"],
        transport=bus,
        timers=[("note", sweeps.append, 0.01)],
    )
    handle = worker.start_in_background()
    try:
        ids = publish_in_outbox(engine, 120)
        eventually(lambda: sorted(effects_by_event(engine)) == sorted(ids), timeout=10)
        eventually(lambda: len(sweeps) >= 2)
    finally:
        handle.stop(timeout=5)
    assert not handle.alive
    assert bus.idle(SERVICE)


def test_run_returns_once_its_stop_event_is_set(engine):
    stop = threading.Event()
    worker = Worker(SERVICE, settings(), engine, {}, uow_factory(engine), ["test.*"], MemoryBus())
    runner = threading.Thread(target=worker.run, args=(stop,))
    runner.start()
    stop.set()
    runner.join(5)
    assert not runner.is_alive()


def test_a_worker_started_while_the_broker_is_unreachable_waits_and_can_be_stopped(engine, caplog):
    nowhere = RabbitTransport("amqp://guest:guest@127.0.0.1:1/%2F", "t")  # nothing listens
    worker = Worker(SERVICE, settings(), engine, {}, uow_factory(engine), ["test.*"], nowhere)
    stop = threading.Event()
    runner = threading.Thread(target=worker.run, args=(stop,))
    runner.start()
    eventually(lambda: "the broker does not answer" in caplog.text, timeout=10)
    assert runner.is_alive()  # waiting, not exited
    stop.set()
    runner.join(15)
    assert not runner.is_alive()


def test_a_worker_comes_up_once_the_broker_answers(engine):
    class BrokerBackAfterTwoTries(MemoryBus):
        tries = 0

        def declare(self, *args, **kwargs):
            self.tries += 1
            if self.tries <= 2:
                raise ConnectionRefusedError("the broker is restarting")
            return super().declare(*args, **kwargs)

    bus = BrokerBackAfterTwoTries()
    publish_in_outbox(engine, 1)
    worker = Worker(SERVICE, settings(), engine, {}, uow_factory(engine), ["test.*"], bus)
    stop = threading.Event()
    runner = threading.Thread(target=worker.run, args=(stop,))
    runner.start()
    try:
        eventually(lambda: bus.tries == 3 and _relayed(engine) == 1, timeout=15)
    finally:
        stop.set()
        runner.join(15)


def _relayed(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_not(None))
        ).scalar_one()


def test_a_part_that_crashes_stops_the_worker_and_run_says_so(engine):
    class BusWithoutConsumers(MemoryBus):
        def consumer(self, *args, **kwargs):
            raise OSError("the consumer's socket is gone for good")

    worker = Worker(
        SERVICE, settings(), engine, {}, uow_factory(engine), ["test.*"], BusWithoutConsumers()
    )
    with pytest.raises(WorkerCrashed, match="consumer ended"):
        worker.run(threading.Event())


def test_a_failing_timer_sweep_is_logged_and_the_worker_keeps_sweeping(engine, caplog):
    calls = []

    def broken(now):
        calls.append(now)
        raise RuntimeError("sweep failed")

    worker = Worker(
        SERVICE,
        settings(),
        engine,
        {},
        uow_factory(engine),
        ["test.*"],
        MemoryBus(),
        timers=[("broken", broken, 0.01)],
    )
    handle = worker.start_in_background()
    try:
        eventually(lambda: len(calls) >= 3)
    finally:
        handle.stop(timeout=5)
    assert "timer broken failed" in caplog.text


def test_sigterm_stops_a_worker_running_in_the_main_thread(tmp_path):
    script = textwrap.dedent(
        f"""
        from common.events.memory import MemoryBus
        from common.events.testkit import bus_engine, uow_factory
        from common.settings import CommonSettings, Env
        from common.worker import Worker, WorkerCrashed

        environ = {{
            "SVC_DATABASE_URL": "sqlite://",
            "BUS_URL": "memory://",
            "INTERNAL_TOKEN_SECRET": "not-used-here",
        }}
        settings = CommonSettings.from_env("svc", Env(environ))
        engine = bus_engine("sqlite:///{tmp_path / "signal.db"}")
        # The first timer tick comes after the signal handlers are in place.
        ready = [("ready", lambda now: print("running", flush=True), 60.0)]
        worker = Worker(
            "svc", settings, engine, {{}}, uow_factory(engine), ["test.*"], MemoryBus(), ready
        )
        worker.run()
        print("stopped", flush=True)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "running"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert out.strip() == "stopped"


def test_the_bus_url_chooses_the_transport():
    assert isinstance(transport_from_url("memory://", "p"), MemoryBus)
    rabbit = transport_from_url("amqp://guest:guest@127.0.0.1:5672/%2F", "p")
    assert isinstance(rabbit, RabbitTransport) and rabbit.prefix == "p"
    with pytest.raises(ValueError, match="unsupported bus URL scheme in 'redis'"):
        transport_from_url("redis://secret@host", "p")


def test_a_service_worker_runs_on_its_database_with_timers_built_on_its_engine_and_clock(
    tmp_path,
):
    url = f"sqlite:///{tmp_path / 'service.db'}"
    clock = FrozenClock(datetime(2026, 3, 2, tzinfo=UTC))
    built = []

    def timers(engine, timer_clock):
        built.append((engine, timer_clock))
        return [("tick", lambda now: 0, 1.0)]

    worker = service_worker(
        SERVICE,
        replace(settings(), database_url=url),
        {},
        ["x.happened"],
        timers=timers,
        clock=clock,
    )
    try:
        assert str(worker.engine.url) == url
        assert built == [(worker.engine, clock)]
        assert [name for name, _sweep, _interval in worker.timers] == ["tick", "outbox-purge"]
        assert worker.clock is clock
        assert isinstance(worker.transport, MemoryBus)  # from BUS_URL, as configured
        assert worker.bindings == ["x.happened"]
    finally:
        worker.engine.dispose()


def test_a_service_worker_builds_handlers_that_need_its_engine_and_clock_once_both_exist(
    tmp_path,
):
    url = f"sqlite:///{tmp_path / 'service.db'}"
    clock = FrozenClock(datetime(2026, 3, 2, tzinfo=UTC))
    built = []

    def handle(event, uow):
        return None

    def handlers(engine, handler_clock):
        built.append((engine, handler_clock))
        return {"x.happened": handle}

    worker = service_worker(
        SERVICE, replace(settings(), database_url=url), handlers, ["x.happened"], clock=clock
    )
    try:
        assert built == [(worker.engine, clock)]
        assert worker.dispatcher.handlers == {"x.happened": handle}
    finally:
        worker.engine.dispose()
