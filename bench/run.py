"""`make bench`: every benchmark, each against a baseline measured in the same run.

Writes bench/results.json and docs/benchmarks.md. Exits non-zero when a
figure misses its target, so a regression is noticed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

SUITES = ["bench.bus", "bench.storefront", "bench.apply"]
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", help="suites to run, e.g. bench.bus")
    args = parser.parse_args()
    suites = args.only or SUITES
    figures: list[dict[str, object]] = []
    for suite in suites:
        print(f"running {suite} …", flush=True)
        figures.extend(import_module(suite).run())
    for figure in figures:
        print(_line(figure))
    _write(figures)
    if not all(figure.get("passed", True) for figure in figures):
        raise SystemExit("some figures missed their targets")


def _line(figure: dict[str, object]) -> str:
    verdict = "ok" if figure.get("passed", True) else "MISSED"
    return (
        f"{figure['name']}: {figure['value']} {figure['unit']} vs {figure['baseline_name']} "
        f"{figure['baseline_value']} → {figure['ratio']}× (target {figure['target']}) {verdict}"
    )


def _write(figures: list[dict[str, object]]) -> None:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results = {"measured_at": stamp, "machine": machine, "figures": figures}
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    rows = "\n".join(
        f"| {f['name']} | {f['value']} {f['unit']} | {f['baseline_name']}: {f['baseline_value']} "
        f"| {f['ratio']}× | {f['target']} | {'met' if f.get('passed', True) else 'missed'} |"
        for f in figures
    )
    (ROOT / "docs" / "benchmarks.md").write_text(
        BENCHMARKS_MD.format(stamp=stamp, machine=machine, rows=rows)
    )


BENCHMARKS_MD = """# Benchmarks

`make bench` measures each figure against a bare baseline in the same run on
the same machine, and rewrites this page and `bench/results.json`. Ratios are
what to compare between machines; absolute numbers depend on the machine.

Last run: {stamp} on {machine}.

| figure | value | baseline | ratio | target | |
|---|---|---|---|---|---|
{rows}

## How each figure is measured

- **Relay throughput**: events written to the outbox in advance, then relayed
  to RabbitMQ by `relay_once` in confirmed batches; the baselines publish the
  same messages with raw pika, once waiting for a confirm per message and once
  without confirms.
- **Consumer throughput**: events already queued, handled by one worker
  process with the inbox on PostgreSQL (one inbox row per event, acks after
  commit); the baseline consumes and acks the same messages with raw pika.
- **Store front JSON**: `GET /api/v1/items` through the gateway (which reads
  the catalog over HTTP with an internal token), both under gunicorn with two
  workers on PostgreSQL, loaded by wrk (2 threads, 16 connections, 5 s); the
  baseline is a bare Flask endpoint returning the same bytes under the same
  gunicorn settings.
- **Draft + submit**: gateway, catalog, orders and verification as real
  processes (gunicorn, two workers each, their workers on RabbitMQ and
  PostgreSQL); 48 applications by 8 concurrent clients through `/api/v1`.
  Drafts are timed alone; submits are timed on orders already made ready
  (answers, delivery, four photos), so the submit is the submit alone; the
  per-application figure is both together. The baseline is a bare Flask
  endpoint doing one PostgreSQL insert, under the same gunicorn settings and
  the same client. The gap is CPU on a 2-core machine shared by eight
  processes: a draft crosses the gateway, orders (which reads the catalog)
  and two workers (orders' relay, verification's consumer opening the case),
  each with its token checks, JSON schemas and ORM work; a submit also reads
  the catalog afresh (the price must be the one in force) and creates a
  payment at the provider.
- **2 MB photo upload**: a 2 MB JPEG uploaded through the gateway to
  verification, which sniffs, decodes, re-encodes without EXIF, makes a
  thumbnail and encrypts both; the baseline reads the same upload in a bare
  Flask endpoint.
"""


if __name__ == "__main__":
    main()
