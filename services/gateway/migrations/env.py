"""Alembic environment of the gateway (run by `gateway.migrate:upgrade`)."""

from __future__ import annotations

from alembic import context

from common.migrations import run_alembic_env
from gateway.models import metadata

run_alembic_env(context, metadata, "gateway")
