"""Alembic environment of the gateway (run by `gateway.migrate:upgrade`): the
outbox lives next to the accounts, so both metadata objects are included."""

from __future__ import annotations

from alembic import context

from common.events.tables import bus_metadata
from common.migrations import run_alembic_env
from gateway.models import metadata

run_alembic_env(context, [metadata, bus_metadata], "gateway")
