"""The declarative base and the one MetaData every table of verification shares
(Alembic's env.py and the tests' create_all read it from verification.models)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from common.db import make_metadata

metadata = make_metadata()


class Base(DeclarativeBase):
    metadata = metadata
