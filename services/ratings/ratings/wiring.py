"""Where ratings is wired, once for the web app and once for the worker: the
use cases' Context from the settings, the engine and the clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from common.clock import Clock
from common.db import unit_of_work_factory
from ratings.services import Context
from ratings.settings import SERVICE, Settings


def build_context(settings: Settings, engine: Engine, clock: Clock | None) -> Context:
    return Context(
        uow=unit_of_work_factory(engine, SERVICE, clock),
        window=timedelta(days=settings.window_days),
        invite_after=timedelta(days=settings.invite_after_days),
        min_for_average=settings.min_for_average,
        contact_working_days=settings.contact_working_days,
        answer_working_days=settings.rectify_working_days,
        accept_after=timedelta(days=settings.accept_days),
    )
