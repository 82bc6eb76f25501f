"""Alembic environment for the orders database.

The URL comes from the Config the runner passes (common.migrations.upgrade
sets `sqlalchemy.url`); the outbox and inbox live next to the orders service's own
tables, so both metadata objects are included.
"""

from __future__ import annotations

from alembic import context

import orders.payments.sandbox  # noqa: F401 - its tables belong to the metadata
from common.db import make_engine
from common.events.tables import bus_metadata
from orders.models import metadata

config = context.config
target_metadata = [metadata, bus_metadata]


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: run `python -m orders.migrate`")
    return url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
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


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
