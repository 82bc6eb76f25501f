"""Run a service's Alembic migrations from code (used by its migrate command
and by the one-process mode), so web workers never race to migrate; and the
body every service's migrations/env.py shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

from common.db import make_engine


def upgrade(script_location: Path, database_url: str, revision: str = "head") -> None:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, revision)


def run_alembic_env(
    context: Any, target_metadata: MetaData | Sequence[MetaData], service: str
) -> None:
    """Run the migrations Alembic asked for, offline (SQL script) or online.

    The URL comes from the Config the runner passes (`upgrade` above sets
    `sqlalchemy.url`). SQLite alters tables in batch mode: it cannot drop or
    change a column in place.

        # services/<name>/migrations/env.py
        from alembic import context
        run_alembic_env(context, [metadata, bus_metadata], "<name>")
    """
    url = database_url(context.config.get_main_option("sqlalchemy.url"), service)
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


def database_url(configured: str | None, service: str) -> str:
    """The configured URL, or a start-up error saying how to run the migrations."""
    if not configured:
        raise RuntimeError(f"no database URL: run `python -m {service}.migrate`")
    return configured
