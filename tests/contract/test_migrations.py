"""Each service migrates its own database: `migrate.upgrade()` with no URL
reads `<SERVICE>_DATABASE_URL`, the variable compose and `make stack` set for
it, and never a sibling's (a copied module once migrated fulfillment's)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from common.launcher import discover_services

MIGRATING = sorted(name for name, parts in discover_services().items() if parts.get("migrate"))


def test_every_service_has_a_migrate_entry_point() -> None:
    assert {
        "catalog",
        "orders",
        "verification",
        "fulfillment",
        "ratings",
        "notifications",
        "gateway",
    } <= set(MIGRATING)


@pytest.mark.parametrize("service", MIGRATING)
def test_upgrade_without_a_url_migrates_the_database_named_by_its_own_variable(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / f"{service}.db"
    for other in MIGRATING:
        # Every sibling's variable points at a file of its own, which must stay untouched.
        monkeypatch.setenv(f"{other.upper()}_DATABASE_URL", f"sqlite:///{tmp_path / f'{other}.db'}")
    upgrade = discover_services([service])[service].get("migrate")
    assert upgrade is not None
    upgrade()
    with sqlite3.connect(own) as database:
        tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master")}
    assert "alembic_version" in tables
    # SQLite's write-ahead files of the service's own database are its own too.
    touched = sorted(path.name for path in tmp_path.iterdir() if not path.name.startswith(own.name))
    assert touched == []
