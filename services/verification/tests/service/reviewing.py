"""Helpers for the review's tests: a submitted case with its pictures, and
staff members calling the review API through the test client."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import text

from .conftest import DOCUMENTS, bearer

REVIEWER = "staff-1"
OTHER_REVIEWER = "staff-2"
SUPERVISOR = "boss-1"


def submitted_case(orders, uploads, photo, *, documents=DOCUMENTS, **submission: Any) -> str:
    """An order drafted, its pictures uploaded, paid and submitted: queued for review."""
    order_id = orders.draft(documents=documents)
    for seed, code in enumerate(documents):
        uploads.uploaded(order_id, code, photo(seed))
    orders.awaiting_payment(order_id)
    assert orders.submitted(order_id, **submission).action == "ack"
    return order_id


class Staff:
    """One staff member calling verification with their own identity."""

    def __init__(self, client: FlaskClient, subject: str, *roles: str) -> None:
        self.client, self.subject, self.roles = client, subject, list(roles)

    def _headers(self) -> dict[str, str]:
        return bearer(self.roles, subject=self.subject)

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(path, query_string=query or None, headers=self._headers())

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(path, json=body or {}, headers=self._headers())

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.put(path, json=body, headers=self._headers())

    def ok(self, method: str, path: str, *args: Any) -> dict[str, Any]:
        answer = getattr(self, method)(path, *args)
        assert answer.status_code == 200, answer.json
        return answer.json  # type: ignore[no-any-return]

    # the review, step by step
    def claim(self, order_id: str) -> dict[str, Any]:
        return self.ok("post", f"/reviews/{order_id}/claim")

    def verdict(self, order_id: str, code: str, verdict: str = "accepted", **more: Any) -> Any:
        return self.put(
            f"/reviews/{order_id}/documents/{code}/verdict", {"verdict": verdict, **more}
        )

    def check(self, order_id: str, code: str, result: str = "match", **more: Any) -> Any:
        return self.put(f"/reviews/{order_id}/checks/{code}", {"result": result, **more})

    def decide(self, order_id: str, decision: str, **more: Any) -> Any:
        return self.post(f"/reviews/{order_id}/decision", {"decision": decision, **more})

    def accept_everything(self, order_id: str, documents=DOCUMENTS) -> None:
        for code in documents:
            assert self.verdict(order_id, code).status_code == 200
        review = self.ok("get", f"/reviews/{order_id}")
        for check in review["checks"]:
            assert self.check(order_id, check["code"]).status_code == 200


def events_of(outbox_events, event_type: str) -> list[dict[str, Any]]:
    return [event for event in outbox_events() if event["type"] == event_type]


def audit_actions(db, order_id: str) -> list[tuple[str, str]]:
    with db.connect() as connection:
        rows = connection.execute(
            text("SELECT actor_id, action FROM audit_entries WHERE order_id = :id ORDER BY id"),
            {"id": order_id},
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def case_row(db, order_id: str) -> dict[str, Any]:
    with db.connect() as connection:
        row = connection.execute(
            text("SELECT * FROM cases WHERE order_id = :id"), {"id": order_id}
        ).mappings()
        return dict(row.one())


def problem_slug(answer: Any) -> str:
    body = json.loads(answer.data)
    return str(body["type"]).rsplit("/", 1)[-1]
