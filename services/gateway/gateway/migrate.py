"""`python -m gateway.migrate`: bring the gateway's database to the newest schema."""

from __future__ import annotations

import os
from pathlib import Path

from common import migrations

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def upgrade(database_url: str | None = None) -> None:
    url = database_url or os.environ.get("GATEWAY_DATABASE_URL")
    if not url:
        raise SystemExit("required environment variable GATEWAY_DATABASE_URL is not set")
    migrations.upgrade(MIGRATIONS, url)


def main() -> None:
    upgrade()


if __name__ == "__main__":
    main()
