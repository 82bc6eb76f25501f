"""What the views take from the app: create_app puts the unit-of-work factory,
the upload intake, the review policy and the chat's rate in the app's
extensions (through api.register); the views read them here, per request."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

from common.db import UnitOfWork
from verification.review import ReviewPolicy
from verification.services import Intake

UOW_FACTORY = "verification.uow_factory"
INTAKE = "verification.intake"
POLICY = "verification.review_policy"
CHAT_MESSAGES_PER_MINUTE = "verification.chat_messages_per_minute"


def uow() -> UnitOfWork:
    factory: Callable[[], UnitOfWork] = current_app.extensions[UOW_FACTORY]
    return factory()


def intake() -> Intake:
    found: Intake = current_app.extensions[INTAKE]
    return found


def policy() -> ReviewPolicy:
    found: ReviewPolicy = current_app.extensions[POLICY]
    return found


def chat_messages_per_minute() -> int:
    return int(current_app.extensions[CHAT_MESSAGES_PER_MINUTE])
