"""The SQL a draft and a submit cost orders' database: each statement is a
round trip on the request's path, so the count is held here and cannot creep
back unnoticed. (The sandbox provider's own statements, in its own
transaction, are counted with the submit: they run on the same database.)"""

from __future__ import annotations

from contextlib import AbstractContextManager as ContextManager

from flask import Flask

from common.testing import statements_on

# What each use case costs today; lower it when a change saves one.
# A draft: the key's replay check, the day's reference (one upsert), the order,
# its timeline entry, its idle timer, the outbox event, the key's answer.
DRAFT_STATEMENTS = 7
# A submit: the order, the key's replay check, the sandbox's payment (its
# lookup and insert), the order's update, the timeline entry, the outbox event,
# the payment, the unpaid-expiry timer, the key's answer.
SUBMIT_STATEMENTS = 10


def counted(app: Flask) -> ContextManager[list[str]]:
    return statements_on(app.extensions["orders.engine"])


def test_a_draft_costs_a_fixed_number_of_statements(app, applicant):
    applicant.draft()  # the catalog item is read (and cached) once per process
    with counted(app) as seen:
        applicant.draft()
    assert len(seen) == DRAFT_STATEMENTS, seen


def test_a_submit_costs_a_fixed_number_of_statements(app, applicant):
    order = applicant.ready()
    with counted(app) as seen:
        assert applicant.submit(order["id"]).status_code == 200
    assert len(seen) == SUBMIT_STATEMENTS, seen
