"""`make bench`: every benchmark, each against a baseline measured in the same run.

Writes bench/results.json and docs/benchmarks.md. Exits non-zero when a
figure misses its target, so a regression is noticed.

    python -m bench.run              # every suite; rewrites the page and results.json
    python -m bench.run apply        # some suites (bus, storefront, apply): printed only
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
    parser.add_argument("suites", nargs="*", help="suites to run, e.g. apply (default: all)")
    parser.add_argument("--only", nargs="*", default=[], help="the same, as bench.apply")
    args = parser.parse_args()
    chosen = [_suite(name) for name in [*args.suites, *args.only]]
    suites = chosen or SUITES
    figures: list[dict[str, object]] = []
    for suite in suites:
        print(f"running {suite} …", flush=True)
        figures.extend(import_module(suite).run())
    for figure in figures:
        print(_line(figure))
    if suites == SUITES:  # a partial run must not leave the page with half its figures
        _write(figures)
    if not all(figure.get("passed", True) for figure in figures):
        raise SystemExit("some figures missed their targets")


def _suite(name: str) -> str:
    suite = name if name.startswith("bench.") else f"bench.{name}"
    if suite not in SUITES:
        raise SystemExit(f"no suite {name!r}; choose among {', '.join(SUITES)}")
    return suite


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
  the catalog over HTTP with an internal token), both under the same gunicorn
  settings (`common.processes.gunicorn_options`: one gthread worker of eight
  threads, keep-alive 30 s, as scripts/stack.sh and docker-compose.yml run the
  services) on PostgreSQL, loaded by wrk (2 threads, 16 connections, 5 s); the
  baseline is a bare Flask endpoint returning the same bytes.
- **Draft + submit**: gateway, catalog, orders and verification as real
  processes (gunicorn as above, their workers on RabbitMQ and PostgreSQL); 48
  applications by 8 concurrent clients through `/api/v1`.
  Drafts are timed alone; submits are timed on orders already made ready
  (answers, delivery, four photos), so the submit is the submit alone; the
  per-application figure is both together. The baseline is a bare Flask
  endpoint doing one PostgreSQL insert, under the same gunicorn settings and
  the same client (one PostgreSQL connection per thread). The gap is CPU on a
  2-core machine shared by eight
  processes: a draft crosses the gateway, orders (which reads the catalog)
  and two workers (orders' relay, verification's consumer opening the case),
  each with its token checks, JSON schemas and ORM work; a submit also reads
  the catalog afresh (the price must be the one in force) and creates a
  payment at the provider.
- **2 MB photo upload**: a 2 MB JPEG uploaded through the gateway to
  verification, which sniffs, decodes, re-encodes without EXIF, makes a
  thumbnail and encrypts both; the baseline reads the same upload in a bare
  Flask endpoint.

## Measuring one suite, and profiling

`python -m bench.run apply` (or `bus`, `storefront`) runs only those suites
and prints their figures without rewriting this page. The machine is often
shared: compare the ratios of one run, and run again when a figure jumps.

`python -m bench.profile [--drafts 400] [--submits 120] [--out DIR]` (py-spy:
`pip install py-spy`; root, or ptrace allowed) starts the journey's stack,
makes orders ready, then samples every busy process (gateway, orders,
catalog, orders' worker with its relay, verification's worker) at 250 Hz
with `py-spy record --subprocesses` while drafts, then submits, run under the
benchmark's load. It prints, per phase and process, the busy milliseconds
per request (samples in waits left out) and the functions holding the most
samples, and leaves the collapsed stacks in DIR. Profiles are one machine's
measurements: they are not committed.

## The order path: before and after (issue 13)

Figures of `python -m bench.run apply`, ratios to the bare insert of the same
run; the machine was shared with other test runs (load average 4 to 8 on
2 cores), so each was repeated.

| change | draft | submit | draft + submit | bare insert |
|---|---|---|---|---|
| last full run before (two sync workers per service) | 0.167× | 0.103× | 0.064× | 581/s |
| the same code, this machine busy (first run of the day) | 0.118× (26.2/s) | 0.088× (19.4/s) | 0.050× (11.2/s) | 221/s |
| gthread, two workers of four threads, keep-alive | 0.067× (26.1/s) | 0.054× (20.9/s) | 0.030× (11.6/s) | 391/s |
| gthread, one worker of eight threads | 0.087× (27.5/s) | 0.071× (22.4/s) | 0.039× (12.3/s) | 316/s |
| final `make bench`, the same settings and the submit's statement saved | 0.082× (33.3/s) | 0.065× (26.4/s) | 0.036× (14.7/s) | 406/s |

What each change gained:

- **gthread workers with keep-alive**: the services' own figures moved by
  under 10 % (draft 26 → 27.5/s, submit 19 → 22/s); the bare baseline gained
  more (221 → 316–391/s) because its client's connections now stay open too,
  so the ratios fell. The same settings apply to both, as they must. One
  process per service instead of two saves four processes' memory and
  switches on two cores, and measured ahead of two processes.
- **Statements**: a draft costs 7 statements on orders' database, a submit
  10 (one fewer: the unpaid-expiry timer is added without looking for one);
  `services/orders/tests/service/test_statements.py` holds both counts.
- **Internal token checks**: PyJWT's decode is under 1 % of orders' busy
  samples per draft; caching verified tokens would gain nothing measurable.

What stands in the way of the targets (draft ≥ 0.4×, draft + submit ≥ 0.25×),
from `bench.profile` (busy ms per request, 300 drafts and 80 submits):

| process | per draft | per submit |
|---|---|---|
| gateway (web) | 10.5 | 11.5 |
| orders (web) | 25.5 | 24.2 |
| catalog (web) | 0.1 (cached) | 22.9 |
| orders' worker (relay) | 4.5 | 4.8 |
| verification's worker | 8.4 | 10.1 |

A draft keeps about 49 ms of work busy across five processes and a submit
about 74 ms, against well under 5 ms for the bare insert: on two cores that
caps drafts near 40/s and submits near 27/s before any other load. Within
orders, a draft's time is the request's path itself (the idempotency replay
22 %, the new draft 18 %, the answer remembered 19 %, the outbox 7 %), each a
statement with its ORM work, not one hot spot. In the gateway, 30–40 % of a
request is resolving the session (a PostgreSQL read and, on submit,
`token_hash` at 19 % of its samples): the gateway's own session lookup, not
touched here. On submit, the catalog's fresh read of the item costs the
catalog 23 ms (its item query and transaction, 46 % of its samples); a
conditional read (the item's fee version sent, "unchanged" answered without
building the item) needs the catalog to answer it, which it does not yet.
Meeting 0.4× needs the draft's whole path near 12 ms of work: fewer
processes on the path (the gateway's session cached, the catalog's read
conditional) rather than a faster statement.
"""


if __name__ == "__main__":
    main()
