"""Steps shared by the review console's page and API tests: an applicant's
order paid and submitted through the public API, and a staff member's
browser that follows the console's forms with their CSRF tokens."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from common.testing import eventually

from .journeys import GOOD_CARD, LICENCE_DOCUMENTS, ApiApplicant, hidden

CAPTURE_REFUSED_CARD = "4000 0000 0000 9995"  # the sandbox authorises it, then refuses the capture
ID_CHECK = "id_number_matches_id_card"


def submitted_order(applicant: ApiApplicant, card: str = GOOD_CARD) -> str:
    """An order paid and submitted, whose case verification has put in the queue."""
    order_id = applicant.ready_to_submit()
    assert applicant.submit(order_id).status_code == 200
    assert applicant.pay(order_id, card).status_code == 202
    eventually(
        lambda: (
            applicant.call("GET", f"/applications/{order_id}").get_json()["status"] == "submitted"
        )
    )
    return order_id


class StaffBrowser:
    """A staff member's browser on the console's pages."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, path: str) -> Any:
        return self.client.get(path)

    def text(self, path: str) -> str:
        return str(self.client.get(path).get_data(as_text=True))

    def post(self, page: str, data: dict[str, str], action: str) -> Any:
        token = hidden(self.text(page), "csrf_token")
        return self.client.post(action, data={**data, "csrf_token": token})

    def case(self, order_id: str) -> str:
        return f"/staff/reviews/{order_id}"

    def claim(self, order_id: str) -> Any:
        """Assign to me, once verification has queued the case."""
        eventually(lambda: "/claim" in self.text(self.case(order_id)))
        return self.post(self.case(order_id), {}, f"{self.case(order_id)}/claim")

    def verdict(self, order_id: str, code: str, **fields: str) -> Any:
        action = f"{self.case(order_id)}/documents/{code}/verdict"
        return self.post(self.case(order_id), fields, action)

    def check(self, order_id: str, check: str, **fields: str) -> Any:
        return self.post(self.case(order_id), fields, f"{self.case(order_id)}/checks/{check}")

    def accept_everything(self, order_id: str) -> None:
        for code in LICENCE_DOCUMENTS:
            assert self.verdict(order_id, code, verdict="accepted").status_code == 303
        assert self.check(order_id, ID_CHECK, result="match").status_code == 303

    def decide(self, order_id: str, **fields: str) -> Any:
        """The decision form, then its confirmation page's button."""
        page = f"{self.case(order_id)}/decision"
        confirmation = self.post(page, fields, page)
        if confirmation.status_code != 200 or "/decision/confirm" not in confirmation.get_data(
            as_text=True
        ):
            return confirmation
        html = confirmation.get_data(as_text=True)
        form = {
            name: hidden(html, name)
            for name in ("csrf_token", "decision", "reason_code", "note", "deadline_days")
        }
        return self.client.post(f"{page}/confirm", data=form)


def error_summary(html: str) -> str:
    found = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert found, "the page has no error summary"
    return found.group(0)
