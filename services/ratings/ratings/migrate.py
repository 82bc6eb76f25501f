"""Bring the ratings database to the latest schema; run once before web workers start."""

from __future__ import annotations

import logging
from pathlib import Path

from common import migrations
from common.logging import configure_logging
from common.settings import Env
from ratings.settings import SERVICE, Settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
log = logging.getLogger("ratings.migrate")


def upgrade(database_url: str | None = None) -> None:
    """Migrate `database_url`, or RATINGS_DATABASE_URL when none is given."""
    if database_url is None:
        # Only the URL: migrating needs neither the bus nor the token secret.
        database_url = Env().str("RATINGS_DATABASE_URL")
    migrations.upgrade(MIGRATIONS, database_url)


def main() -> None:
    settings = Settings.from_env()
    configure_logging(SERVICE, settings.common.log_format)
    upgrade(settings.database_url)
    log.info("ratings database migrated to the latest revision")


if __name__ == "__main__":
    main()
