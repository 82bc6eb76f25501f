"""Alembic environment for the fulfillment database: the outbox and inbox live next
to the service's own tables (and the sandbox courier's), so all are included."""

from __future__ import annotations

from alembic import context

import fulfillment.couriers.sandbox  # noqa: F401 - its tables share the service's metadata
from common.events.tables import bus_metadata
from common.migrations import run_alembic_env
from fulfillment.models import metadata

run_alembic_env(context, [metadata, bus_metadata], "fulfillment")
