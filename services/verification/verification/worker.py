"""Verification's worker: relays its outbox (the document-set events) and keeps
each order's document case in step with orders' events; its timers purge the
pictures of orders final for longer than the retention period and reject the
cases whose resubmission deadline passed (timers.py).

    python -m verification.worker
"""

from __future__ import annotations

from common.clock import Clock
from common.events.transport import Transport
from common.worker import Worker, service_worker
from verification import handlers, timers
from verification.sealing import open_seal
from verification.settings import SERVICE, Settings


def build_worker(
    settings: Settings | None = None,
    *,
    transport: Transport | None = None,
    clock: Clock | None = None,
) -> Worker:
    settings = settings or Settings.from_env()
    return service_worker(
        SERVICE,
        settings.common,
        handlers.handlers_for(open_seal(settings)),
        handlers.BINDINGS,
        timers=lambda engine, clock: timers.timers(settings, engine, clock),
        transport=transport,
        clock=clock,
    )


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
