"""Alembic environment for the notifications database: the outbox and inbox live
next to the service's own tables (and the sandbox providers'), so all are included."""

from __future__ import annotations

import notifications.providers.sandbox  # noqa: F401 - its tables share the service's metadata
from alembic import context
from notifications.models import metadata

from common.events.tables import bus_metadata
from common.migrations import run_alembic_env

run_alembic_env(context, [metadata, bus_metadata], "notifications")
