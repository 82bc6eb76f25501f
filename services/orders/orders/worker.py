"""The orders worker: relays the outbox, follows verification's events (the
document verdicts, each step of the review), fulfillment's (production and
delivery) and ratings' complaints, fires the timers (unpaid expiry, idle
drafts, the capture after an approval and the release of the money after a
rejection, the auto-confirmation of receipt) and delivers the sandbox
provider's due webhooks.

    python -m orders.worker
"""

from __future__ import annotations

from datetime import timedelta

from common.clock import Clock
from common.events.transport import Transport
from common.worker import Worker, service_worker
from orders.handlers import BINDINGS, build_handlers
from orders.settings import SERVICE, Settings
from orders.wiring import worker_timers


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
        build_handlers(timedelta(days=settings.auto_confirm_days)),
        BINDINGS,
        timers=lambda engine, clock: worker_timers(settings, engine, clock),
        transport=transport,
        clock=clock,
    )


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
