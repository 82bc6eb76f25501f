"""The whole lifecycle under load: applications from draft to completed, and the
event hop latency at half the largest rate the stack sustains.

Every service runs as the stack runs it (common.processes.Stack: gunicorn web
and a worker per service, RabbitMQ, PostgreSQL; the relay at its default idle
poll, RELAY_IDLE_SECONDS=0.2, woken by LISTEN/NOTIFY). An application is the
journey of the whole-system tests, through their own helpers
(tests/integration): an account, a draft, its answers, four photos, delivery,
submit, a card payment through the sandbox, a reviewer's claim, verdicts and
approval, production, a waybill handed to the sandbox courier, the courier's
signed tracking until delivered, and the applicant's confirmation of receipt.
The photos come from a pool of four JPEGs made once per run (one per required
document: verification refuses the same picture twice in one case, not across
cases). The helpers wait for each asynchronous step by polling; under load they
poll every POLL_SECONDS (not the tests' 0.1 s), so the waiting applicants do
not become the load, and allow TIMEOUT_FACTOR times the tests' timeouts.

1. **Largest sustained rate.** Applications are started open-loop at a fixed
   rate for STEP_SECONDS (each on its own thread; its time counts from when
   it was due, so a start delayed by a full pool counts too), then the run
   waits for all of them. A rate is sustained when every application
   completes and the backlog does not grow: the median time to complete of
   the last quarter started is at most GROWTH times that of the first
   quarter (above capacity, the in-flight work and with it the time to
   complete grow with every second). The rate starts at START_RATE and grows
   by RAMP until a step is not sustained; the largest sustained one is kept.
2. **Event hop at half that rate.** Another STEP_SECONDS of applications at
   half the largest rate; before and after, every worker's own /metrics
   (`event_hop_seconds`, common.events.metrics: from an event's occurred_at to
   the consumer's commit) is read and the difference taken, so the figures
   are this phase's alone. p50 and p99 per event type (summed over the
   services consuming it) are interpolated within the histogram's buckets, as
   Prometheus's histogram_quantile does.
3. **Baseline.** The raw hop on the same broker: pika publishes timestamped
   messages with publisher confirms to a queue of its own at the events' rate
   of phase 2, another connection consumes and acks them; p50/p99 of
   (ack time - publish time).

`python -m bench.lifecycle --short` tries it in a few minutes (shorter steps,
a faster ramp); `python -m bench.run lifecycle` prints the full run's figures.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pika
from prometheus_client.parser import text_string_to_metric_families

from common import testing
from common.processes import Stack
from common.testing import RABBITMQ_URL

POLL_SECONDS = 0.5
TIMEOUT_FACTOR = 4
GROWTH = 1.5
TARGET_P99_SECONDS = 0.1


@dataclass(frozen=True)
class Plan:
    step_seconds: float
    start_rate: float  # applications a second
    ramp: float
    max_steps: int
    grace_seconds: float  # how long the last application of a step may take


FULL = Plan(step_seconds=60, start_rate=0.2, ramp=1.5, max_steps=8, grace_seconds=180)
SHORT = Plan(step_seconds=25, start_rate=0.25, ramp=2.0, max_steps=4, grace_seconds=120)


@dataclass
class Step:
    rate: float
    started: int = 0
    completed: int = 0
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # in order of start
    elapsed: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before, after

    @property
    def growth(self) -> float:
        quarter = max(len(self.latencies) // 4, 1)
        first = statistics.median(self.latencies[:quarter])
        last = statistics.median(self.latencies[-quarter:])
        return last / first

    @property
    def sustained(self) -> bool:
        return (
            not self.failures
            and self.completed == self.started
            and len(self.latencies) >= 4
            and self.growth <= GROWTH
        )

    def describe(self) -> str:
        median = statistics.median(self.latencies) if self.latencies else float("nan")
        growth = f"{self.growth:.2f}" if len(self.latencies) >= 4 else "-"
        verdict = "sustained" if self.sustained else "NOT sustained"
        note = (
            f"; {len(self.failures)} failed, e.g. {self.failures[0][:300]}" if self.failures else ""
        )
        return (
            f"{self.rate:.3f}/s: {self.completed}/{self.started} completed, "
            f"median {median:.1f} s, last/first quarter {growth}, "
            f"load {self.load[0]:.1f}→{self.load[1]:.1f}: {verdict}{note}"
        )


def run(short: bool | None = None) -> list[dict[str, object]]:
    if short is None:
        short = os.environ.get("BENCH_LIFECYCLE_SHORT") == "1"
    plan = SHORT if short else FULL
    with tempfile.TemporaryDirectory(prefix="bench-lifecycle-") as tmp:
        stack = _start_stack(Path(tmp))
        try:
            with _helpers_under_load():
                lifecycle = _lifecycle(stack)
                lifecycle()  # warm-up, untimed: staff accounts, caches, connections
                steps, best = _ramp(lifecycle, plan)
                half = best / 2
                print(f"  lifecycle: event hop at {half:.3f}/s …", flush=True)
                before = _hop_buckets(stack)
                phase = _offer(lifecycle, half, plan.step_seconds, plan.grace_seconds)
                after = _hop_buckets(stack)
                print(f"  lifecycle: {phase.describe()}", flush=True)
        finally:
            stack.stop()
    hops = _quantiles(_difference(after, before))
    events_per_second = sum(h["count"] for h in hops.values()) / max(phase.elapsed, 1.0)
    raw = _raw_hop(max(events_per_second, 5.0), count=300 if short else 1000)
    pipeline = {
        "woken": _pipeline_hop(poll_only=False, count=100 if short else 300),
        "polling": _pipeline_hop(poll_only=True, count=100 if short else 300),
    }
    return _figures(plan, steps, best, phase, hops, raw, pipeline, short)


# --- the stack and the journey ------------------------------------------------------------


def _start_stack(workdir: Path) -> Stack:
    from tests.conftest import SERVICES, stack_environment

    # The relay's default idle poll, not the tests' 0.05 s: the wake-up is what is measured.
    env = stack_environment(workdir, RELAY_IDLE_SECONDS="0.2")
    for attempt in range(3):
        try:
            return Stack(workdir=workdir, services=SERVICES, extra_env=env).start()
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            # A machine shared with other runs can be too slow for one start's deadlines.
            print(f"  lifecycle: the stack did not start ({str(exc)[:200]}); again", flush=True)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@contextlib.contextmanager
def _helpers_under_load() -> Iterator[None]:
    """The tests' helpers as they are, with their photos from a pool and their waits
    polling less often and longer (see the module's docstring)."""
    from tests.integration import conftest, test_delivery_journeys, test_ratings_journeys

    def patient(check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.1) -> Any:
        return testing.eventually(check, timeout * TIMEOUT_FACTOR, max(interval, POLL_SECONDS))

    modules = (conftest, test_delivery_journeys, test_ratings_journeys)
    saved = [(module, vars(module)["eventually"]) for module in modules]
    saved_photo = conftest._photo
    try:
        for module in modules:
            vars(module)["eventually"] = patient
        conftest._photo = functools.lru_cache(maxsize=None)(saved_photo)
        for seed in range(1, 5):
            conftest._photo(seed)  # the pool, made before anything is timed
        yield
    finally:
        for module, original in saved:
            vars(module)["eventually"] = original
        conftest._photo = saved_photo


def _lifecycle(stack: Stack) -> Callable[[], None]:
    from tests.integration.conftest import Applicant
    from tests.integration.test_ratings_journeys import delivered

    def one() -> None:
        applicant = Applicant(stack)
        order_id = delivered(stack, applicant)
        answer = applicant.call("POST", f"/applications/{order_id}/confirm-receipt", 200)
        if answer["status"] != "completed":
            raise AssertionError(f"confirmed receipt left the order {answer['status']}")

    return one


# --- offering a rate ---------------------------------------------------------------------------


def _ramp(lifecycle: Callable[[], None], plan: Plan) -> tuple[list[Step], float]:
    steps: list[Step] = []
    rate, best = plan.start_rate, 0.0
    for _ in range(plan.max_steps):
        step = _offer(lifecycle, rate, plan.step_seconds, plan.grace_seconds)
        steps.append(step)
        print(f"  lifecycle: {step.describe()}", flush=True)
        if step.sustained:
            best = rate
            rate *= plan.ramp
        elif best:
            break
        else:
            rate /= 2  # not even the first rate: look below it
    if not best:
        raise RuntimeError("no rate was sustained:\n" + "\n".join(s.describe() for s in steps))
    return steps, best


def _offer(lifecycle: Callable[[], None], rate: float, seconds: float, grace: float) -> Step:
    """Start applications open-loop at `rate` for `seconds`; wait for them all."""
    count = max(round(rate * seconds), 4)
    step = Step(rate=rate, started=count)
    lock = threading.Lock()
    latencies: dict[int, float] = {}

    def timed(index: int, due: float) -> None:
        try:
            lifecycle()
        except Exception as exc:  # a failure is a figure, not a crash
            with lock:
                step.failures.append(f"{type(exc).__name__}: {exc}")
            return
        with lock:
            latencies[index] = time.monotonic() - due
            step.completed += 1

    load_before = os.getloadavg()[0]
    begin = time.monotonic()
    # Enough threads that a start waits for a thread only when the stack is far behind.
    with ThreadPoolExecutor(max_workers=min(count, 96)) as pool:
        futures: list[Future[None]] = []
        for index in range(count):
            due = begin + index / rate
            time.sleep(max(due - time.monotonic(), 0))
            futures.append(pool.submit(timed, index, due))
        deadline = time.monotonic() + grace
        for future in futures:
            with contextlib.suppress(Exception):
                future.result(timeout=max(deadline - time.monotonic(), 0.1))
    step.elapsed = time.monotonic() - begin
    step.latencies = [latencies[i] for i in sorted(latencies)]
    step.load = (load_before, os.getloadavg()[0])
    return step


# --- the services' own histograms --------------------------------------------------------------

Buckets = dict[str, dict[float, float]]  # event type → upper bound → cumulative count


def _hop_buckets(stack: Stack) -> Buckets:
    """`event_hop_seconds` buckets of every worker, summed per event type."""
    summed: Buckets = defaultdict(lambda: defaultdict(float))
    for port in stack.worker_metrics_ports.values():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
            text = answer.read().decode()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "event_hop_seconds_bucket":
                    bound = float(sample.labels["le"])
                    summed[sample.labels["event_type"]][bound] += sample.value
    return summed


def _difference(after: Buckets, before: Buckets) -> Buckets:
    return {
        kind: {le: count - before.get(kind, {}).get(le, 0.0) for le, count in buckets.items()}
        for kind, buckets in after.items()
    }


def _quantiles(buckets: Buckets) -> dict[str, dict[str, float]]:
    found = {}
    for kind, cumulative in sorted(buckets.items()):
        total = cumulative.get(float("inf"), 0.0)
        if total <= 0:
            continue
        found[kind] = {
            "count": total,
            "p50": _quantile(0.5, cumulative),
            "p99": _quantile(0.99, cumulative),
        }
    return found


def _quantile(q: float, cumulative: dict[float, float]) -> float:
    """Linear interpolation within the bucket holding the rank (histogram_quantile)."""
    bounds = sorted(cumulative)
    rank = q * cumulative[float("inf")]
    lower_bound, lower_count = 0.0, 0.0
    for bound in bounds:
        count = cumulative[bound]
        if count >= rank:
            if bound == float("inf"):
                return lower_bound  # beyond the last finite bucket: its bound, as Prometheus
            width = count - lower_count
            share = (rank - lower_count) / width if width else 1.0
            return lower_bound + (bound - lower_bound) * share
        lower_bound, lower_count = bound, count
    return lower_bound


# --- the bare baseline ----------------------------------------------------------------------------


def _raw_hop(rate: float, count: int) -> dict[str, float]:
    """Raw pika on the same broker: confirmed publish → consume + ack, at `rate`."""
    queue = f"bench_hop_{uuid.uuid4().hex[:10]}"
    publisher = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    consumer = pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL))
    hops: list[float] = []
    try:
        out = publisher.channel()
        out.confirm_delivery()
        out.queue_declare(queue, durable=True)
        inbound = consumer.channel()
        inbound.basic_qos(prefetch_count=200)

        def on_message(channel: Any, method: Any, _properties: Any, body: bytes) -> None:
            channel.basic_ack(method.delivery_tag)
            hops.append(time.time() - float(body))

        inbound.basic_consume(queue, on_message)
        done = threading.Event()

        def consume() -> None:
            while not done.is_set() or len(hops) < count:
                consumer.process_data_events(time_limit=0.1)
                if len(hops) >= count:
                    return

        thread = threading.Thread(target=consume, daemon=True)
        thread.start()
        begin = time.monotonic()
        for index in range(count):
            time.sleep(max(begin + index / rate - time.monotonic(), 0))
            out.basic_publish(
                "", queue, repr(time.time()).encode(), pika.BasicProperties(delivery_mode=2)
            )
        done.set()
        thread.join(60)
        out.queue_delete(queue)
    finally:
        publisher.close()
        consumer.close()
    ordered = sorted(hops)
    return {
        "p50": ordered[len(ordered) // 2],
        "p99": ordered[min(int(len(ordered) * 0.99), len(ordered) - 1)],
        "rate": rate,
    }


# --- one service's own hop, woken and polling -------------------------------------------------


def _pipeline_hop(poll_only: bool, count: int, rate: float = 10.0) -> dict[str, float]:
    """One worker (relay + consumer, RabbitMQ, PostgreSQL) handling its own events, one
    event a transaction at `rate`: p50/p99 of its event_hop_seconds, with the relay woken
    by the outbox's NOTIFY or (poll_only) only polling every 0.2 s, as before."""
    from common.events import relay
    from common.events.rabbit import RabbitTransport
    from common.events.testkit import (
        EVENT_TYPE,
        bus_engine,
        publish_in_outbox,
        rabbit_topology,
        record_effect,
        uow_factory,
    )
    from common.events.wakeup import Sleep
    from common.settings import CommonSettings
    from common.worker import Worker

    service = "hop"
    settings = CommonSettings(
        service=service, database_url="", bus_url="", bus_prefix="", internal_token_secret="",
        log_format="text", consumer_prefetch=200, max_attempts=3, retry_delays_ms=(1000,),
        relay_batch_size=500, relay_idle_seconds=0.2,
    )  # fmt: skip
    original = relay.outbox_wakeup
    with (
        testing.fresh_postgres_database("bench_hop") as url,
        rabbit_topology([service], settings.retry_delays_ms, stem="bench_hop") as (amqp, prefix),
    ):
        engine = bus_engine(url)
        try:
            if poll_only:
                relay.outbox_wakeup = lambda _engine: Sleep()  # type: ignore[assignment,misc]
            worker = Worker(service, settings, engine, {EVENT_TYPE: record_effect},
                            uow_factory(engine, service), bindings=["test.*"],
                            transport=RabbitTransport(amqp, prefix))  # fmt: skip
            handle = worker.start_in_background()
            try:
                begin = time.monotonic()
                for index in range(count):
                    time.sleep(max(begin + index / rate - time.monotonic(), 0))
                    publish_in_outbox(engine, 1)
                hop = worker.metrics.hop.labels(event_type=EVENT_TYPE)
                testing.eventually(lambda: _observed(worker, EVENT_TYPE) >= count, timeout=60)
            finally:
                handle.stop(timeout=10)
                relay.outbox_wakeup = original
        finally:
            engine.dispose()
    del hop
    cumulative = _registry_buckets(worker.metrics.registry)[EVENT_TYPE]
    return {"p50": _quantile(0.5, cumulative), "p99": _quantile(0.99, cumulative)}


def _observed(worker: Any, event_type: str) -> float:
    return _registry_buckets(worker.metrics.registry).get(event_type, {}).get(float("inf"), 0.0)


def _registry_buckets(registry: Any) -> Buckets:
    found: Buckets = defaultdict(dict)
    for family in registry.collect():
        for sample in family.samples:
            if sample.name == "event_hop_seconds_bucket":
                found[sample.labels["event_type"]][float(sample.labels["le"])] = sample.value
    return found


# --- the figures -------------------------------------------------------------------------------


def _figures(
    plan: Plan,
    steps: list[Step],
    best: float,
    phase: Step,
    hops: dict[str, dict[str, float]],
    raw: dict[str, float],
    pipeline: dict[str, dict[str, float]],
    short: bool,
) -> list[dict[str, object]]:
    if not hops:
        raise RuntimeError("the workers' /metrics recorded no event hop in the half-rate phase")
    worst_p99 = max(h["p99"] for h in hops.values())
    worst_type = max(hops, key=lambda kind: hops[kind]["p99"])
    median_p50 = statistics.median(h["p50"] for h in hops.values())
    details = _details(plan, steps, best, phase, hops, raw, pipeline, short)
    mode = " (short mode)" if short else ""
    return [
        {
            "name": f"lifecycle: largest sustained rate, draft → completed{mode}",
            "value": round(best * 60, 1),
            "unit": "applications/min",
            "baseline_name": "none (no bare equivalent of seven services' lifecycle)",
            "baseline_value": "-",
            "ratio": "-",
            "target": "recorded",
            "passed": True,
            "details": details,
        },
        {
            "name": f"event hop p99 at half that rate, worst event type ({worst_type})",
            "value": round(worst_p99 * 1000, 1),
            "unit": "ms",
            "baseline_name": "raw pika confirmed publish → consume + ack, p99",
            "baseline_value": round(raw["p99"] * 1000, 1),
            "ratio": round(worst_p99 / raw["p99"], 1),
            "target": "<= 100 ms",
            "passed": worst_p99 <= TARGET_P99_SECONDS,
        },
        {
            "name": "event hop p50 at half that rate, median over event types",
            "value": round(median_p50 * 1000, 1),
            "unit": "ms",
            "baseline_name": "raw pika confirmed publish → consume + ack, p50",
            "baseline_value": round(raw["p50"] * 1000, 1),
            "ratio": round(median_p50 / raw["p50"], 1),
            "target": "recorded",
            "passed": True,
        },
        {
            "name": "one worker's own event hop p99, relay woken by NOTIFY (10 events/s)",
            "value": round(pipeline["woken"]["p99"] * 1000, 1),
            "unit": "ms",
            "baseline_name": "the same, relay polling every 0.2 s (before)",
            "baseline_value": round(pipeline["polling"]["p99"] * 1000, 1),
            "ratio": round(pipeline["woken"]["p99"] / pipeline["polling"]["p99"], 2),
            "target": "<= 100 ms",
            "passed": pipeline["woken"]["p99"] <= TARGET_P99_SECONDS,
        },
    ]


def _details(
    plan: Plan,
    steps: list[Step],
    best: float,
    phase: Step,
    hops: dict[str, dict[str, float]],
    raw: dict[str, float],
    pipeline: dict[str, dict[str, float]],
    short: bool,
) -> str:
    lines = [
        f"Ramp ({'short mode, ' if short else ''}{plan.step_seconds:.0f} s a step):",
        "",
        *(f"- {step.describe()}" for step in steps),
        "",
        f"Largest sustained: {best:.3f}/s ({best * 60:.1f} a minute). "
        f"At half of it: {phase.describe()}.",
        "",
        "| event type | hops | p50 | p99 |",
        "|---|---|---|---|",
        *(
            f"| {kind} | {int(h['count'])} | {h['p50'] * 1000:.1f} ms | {h['p99'] * 1000:.1f} ms |"
            for kind, h in hops.items()
        ),
        "",
        f"Raw pika on the same broker at {raw['rate']:.1f} messages/s: "
        f"p50 {raw['p50'] * 1000:.1f} ms, p99 {raw['p99'] * 1000:.1f} ms.",
        "",
        "One worker (relay and consumer) handling its own events, one a transaction at "
        f"10 a second: woken by NOTIFY p50 {pipeline['woken']['p50'] * 1000:.1f} ms, "
        f"p99 {pipeline['woken']['p99'] * 1000:.1f} ms; polling every 0.2 s "
        f"p50 {pipeline['polling']['p50'] * 1000:.1f} ms, "
        f"p99 {pipeline['polling']['p99'] * 1000:.1f} ms.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="the lifecycle benchmark alone")
    parser.add_argument("--short", action="store_true", help="a few minutes instead of ~20")
    args = parser.parse_args()
    for figure in run(short=args.short):
        print(
            f"{figure['name']}: {figure['value']} {figure['unit']} "
            f"(baseline {figure['baseline_value']}, target {figure['target']})"
        )
        if "details" in figure:
            print(figure["details"])


if __name__ == "__main__":
    main()
