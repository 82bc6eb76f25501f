"""Alembic environment for the orders database: the outbox and inbox live next to
the service's own tables, so both metadata objects are included."""

from __future__ import annotations

from alembic import context

import orders.payments.sandbox  # noqa: F401 - its tables belong to the metadata
from common.events.tables import bus_metadata
from common.migrations import run_alembic_env
from orders.models import metadata

run_alembic_env(context, [metadata, bus_metadata], "orders")
