"""Bring the orders database to the latest schema; run once before web workers start."""

from __future__ import annotations

import logging
from pathlib import Path

from common import migrations
from common.logging import configure_logging
from common.settings import Env
from orders.settings import SERVICE

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
log = logging.getLogger("orders.migrate")


def upgrade(database_url: str | None = None) -> None:
    """Migrate `database_url`, or ORDERS_DATABASE_URL when none is given."""
    if database_url is None:
        # Only the URL: migrating needs neither the bus, the catalog nor any secret.
        database_url = Env().str("ORDERS_DATABASE_URL")
    migrations.upgrade(MIGRATIONS, database_url)


def main() -> None:
    env = Env()
    configure_logging(SERVICE, env.str("LOG_FORMAT", "json"))
    upgrade(env.str("ORDERS_DATABASE_URL"))
    log.info("orders database migrated to the latest revision")


if __name__ == "__main__":
    main()
