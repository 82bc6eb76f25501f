"""Bring the verification database to the latest schema; run once before web workers start."""

from __future__ import annotations

import logging
from pathlib import Path

from common import migrations
from common.logging import configure_logging
from common.settings import Env
from verification.settings import SERVICE, Settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
log = logging.getLogger("verification.migrate")


def upgrade(database_url: str | None = None) -> None:
    """Migrate `database_url`, or VERIFICATION_DATABASE_URL when none is given."""
    if database_url is None:
        # Only the URL: migrating needs neither the bus, the secret nor the keys.
        database_url = Env().str("VERIFICATION_DATABASE_URL")
    migrations.upgrade(MIGRATIONS, database_url)


def main() -> None:
    settings = Settings.from_env()
    configure_logging(SERVICE, settings.common.log_format)
    upgrade(settings.database_url)
    log.info("verification database migrated to the latest revision")


if __name__ == "__main__":
    main()
