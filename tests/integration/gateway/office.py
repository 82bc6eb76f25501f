"""The office's side of a review, for the applicant's tests: a reviewer who
talks to the real verification service directly with a staff token, as the
staff console does through the gateway."""

from __future__ import annotations

from typing import Any

import requests

from common.auth import issue_token
from common.testing import eventually

SECRET = "gateway-tests-internal-secret"  # conftest's internal token secret


class Office:
    def __init__(self, verification_url: str, reviewer_id: str = "reviewer-1") -> None:
        self.url = verification_url.rstrip("/")
        self.reviewer_id = reviewer_id

    def call(self, method: str, path: str, expected: int | None = 200, **kw: Any) -> Any:
        token = issue_token(
            SECRET, subject=self.reviewer_id, roles=("reviewer",), audience="verification"
        )
        answer = requests.request(
            method,
            self.url + path,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
            **kw,
        )
        if expected is not None:
            assert answer.status_code == expected, f"{method} {path}: {answer.text}"
        return answer.json() if answer.content else None

    def say(self, order_id: str, body: str, internal: bool = False) -> Any:
        body_json = {"body": body, "internal": internal}
        return self.call("POST", f"/chats/{order_id}/messages", 201, json=body_json)

    def claim(self, order_id: str) -> Any:
        """Claim the case once verification has heard the order was submitted."""
        return eventually(
            lambda: (
                self.call("POST", f"/reviews/{order_id}/claim", expected=None).get("status")
                == "in_review"
            )
        )

    def ask_for_new_photos(self, order_id: str, refused: dict[str, tuple[str, str]]) -> Any:
        """Refuse the documents named (code → reason code, note), accept the others, record
        every check as a match, and ask the applicant for new photos."""
        review = self.call("GET", f"/reviews/{order_id}")
        for document in review["documents"]:
            code = document["code"]
            if code in refused:
                reason_code, note = refused[code]
                verdict = {"verdict": "refused", "reason_code": reason_code, "note": note}
            else:
                verdict = {"verdict": "accepted"}
            self.call("PUT", f"/reviews/{order_id}/documents/{code}/verdict", json=verdict)
        for check in review["checks"]:
            self.call(
                "PUT", f"/reviews/{order_id}/checks/{check['code']}", json={"result": "match"}
            )
        return self.call(
            "POST",
            f"/reviews/{order_id}/decision",
            json={"decision": "request_resubmission", "deadline_days": 7},
        )
