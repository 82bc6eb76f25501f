"""Alembic environment of the gateway (run by `gateway.migrate:upgrade`)."""

from __future__ import annotations

from alembic import context

from common.db import make_engine
from gateway.models import metadata

config = context.config


def run_migrations() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
