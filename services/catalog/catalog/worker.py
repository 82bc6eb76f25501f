"""The catalog's worker: relays its outbox and keeps the rating summary and
deal count of each item up to date from other services' events.

    python -m catalog.worker
"""

from __future__ import annotations

from catalog.handlers import BINDINGS, HANDLERS
from catalog.settings import SERVICE, Settings
from common.clock import Clock, SystemClock
from common.db import UnitOfWork, make_engine, make_session_factory
from common.events.transport import Transport, transport_from_url
from common.logging import configure_logging
from common.worker import Worker


def build_worker(
    settings: Settings | None = None,
    *,
    transport: Transport | None = None,
    clock: Clock | None = None,
) -> Worker:
    settings = settings or Settings.from_env()
    configure_logging(SERVICE, settings.common.log_format)
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    clock = clock or SystemClock()

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(sessions, SERVICE, clock)

    return Worker(
        SERVICE,
        settings.common,
        engine,
        HANDLERS,
        uow_factory,
        bindings=BINDINGS,
        transport=transport
        or transport_from_url(settings.common.bus_url, settings.common.bus_prefix),
        clock=clock,
    )


def main() -> None:
    build_worker().run()


if __name__ == "__main__":
    main()
