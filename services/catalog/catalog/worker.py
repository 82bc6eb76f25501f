"""The catalog's worker: relays its outbox and keeps the rating summary and
deal count of each item up to date from other services' events.

    python -m catalog.worker
"""

from __future__ import annotations

from catalog.handlers import BINDINGS, HANDLERS
from catalog.settings import SERVICE, Settings
from common.clock import Clock
from common.events.transport import Transport
from common.worker import Worker, service_worker


def build_worker(
    settings: Settings | None = None,
    *,
    transport: Transport | None = None,
    clock: Clock | None = None,
) -> Worker:
    settings = settings or Settings.from_env()
    return service_worker(
        SERVICE, settings.common, HANDLERS, BINDINGS, transport=transport, clock=clock
    )


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
