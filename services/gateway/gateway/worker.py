"""The gateway's worker: it relays the outbox (the account events) and consumes
nothing, so it has no handlers and binds no event.

    python -m gateway.worker
"""

from __future__ import annotations

from common.clock import Clock
from common.events.transport import Transport
from common.settings import CommonSettings
from common.worker import Worker, service_worker

SERVICE = "gateway"


def build_worker(
    settings: CommonSettings | None = None,
    *,
    transport: Transport | None = None,
    clock: Clock | None = None,
) -> Worker:
    settings = settings or CommonSettings.from_env(SERVICE)
    return service_worker(SERVICE, settings, {}, (), transport=transport, clock=clock)


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
