"""Alembic environment for the ratings database: the outbox and inbox live next
to the service's own tables, so both are included."""

from __future__ import annotations

from alembic import context

from common.events.tables import bus_metadata
from common.migrations import run_alembic_env
from ratings.models import metadata

run_alembic_env(context, [metadata, bus_metadata], "ratings")
