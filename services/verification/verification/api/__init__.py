"""Verification's HTTP API: thin views (parse, call one use case, dump), one
module per part, each with its Blueprint:

- cases.py: the applicant's case, documents, pictures and resubmission;
- review.py: the staff review, and the review rules (`GET /review/rules`);
- audit.py: the audit log for supervisors;
- chat.py: the order chat and the canned replies.

Every call needs an internal token for audience `verification` (common.web).
`register` is the one place they are put on the app, with what they need.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask_smorest import Api

from common.db import UnitOfWork
from verification.api import audit, cases, chat, context, review
from verification.review import ReviewPolicy
from verification.services import Intake


def register(
    app: Flask,
    api: Api,
    *,
    uow_factory: Callable[[], UnitOfWork],
    intake: Intake,
    policy: ReviewPolicy,
    chat_messages_per_minute: int,
) -> None:
    """Give the views what they use and register every blueprint."""
    app.extensions[context.UOW_FACTORY] = uow_factory
    app.extensions[context.INTAKE] = intake
    app.extensions[context.POLICY] = policy
    app.extensions[context.CHAT_MESSAGES_PER_MINUTE] = chat_messages_per_minute
    for module in (cases, review, audit, chat):
        api.register_blueprint(module.blp)
