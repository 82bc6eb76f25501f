"""Demo accounts for the one-process mode (`make run`), only when DEMO_MODE is on.

Idempotent: an account that exists is left alone. Returns the lines the
launcher prints, so a person knows how to sign in.
"""

from __future__ import annotations

import os

from sqlalchemy import select

from common.db import UnitOfWork, make_engine, make_session_factory
from common.settings import Env
from gateway import events, services
from gateway.models import accounts
from gateway.passwords import make_hasher

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed on purpose, demo mode only
DEMO_STAFF = (
    ("supervisor@demo.example", ["supervisor"]),
    ("reviewer@demo.example", ["reviewer"]),
    ("production@demo.example", ["production"]),
    ("dispatcher@demo.example", ["dispatcher"]),
)
DEMO_APPLICANT = "13800138000"


def seed(database_url: str | None = None) -> list[str]:
    if not Env().bool("DEMO_MODE"):
        return []
    url = database_url or os.environ["GATEWAY_DATABASE_URL"]
    engine = make_engine(url)
    uow = UnitOfWork(make_session_factory(engine), producer=events.PRODUCER)
    hasher = make_hasher()
    for email, roles in DEMO_STAFF:
        if not _exists(uow, services.STAFF, "email", email):
            services.create_staff(uow, hasher, email=email, password=DEMO_PASSWORD, roles=roles)
    if not _exists(uow, services.APPLICANT, "mobile", DEMO_APPLICANT):
        services.register_applicant(uow, hasher, identifier=DEMO_APPLICANT, password=DEMO_PASSWORD)
    engine.dispose()
    return [
        "Demo staff sign-in at /staff/sign-in: "
        + ", ".join(f"{email} ({roles[0]})" for email, roles in DEMO_STAFF)
        + f"; applicant {DEMO_APPLICANT}; password {DEMO_PASSWORD}",
        "Staff console: /staff (the desk), /staff/reviews, /staff/production, /staff/dispatch, "
        "/staff/counter, /staff/complaints, /staff/audit (supervisor)",
    ]


def _exists(uow: UnitOfWork, kind: str, column: str, value: str) -> bool:
    with uow:
        return (
            uow.session.execute(
                select(accounts.c.id).where(accounts.c.kind == kind, accounts.c[column] == value)
            ).first()
            is not None
        )
