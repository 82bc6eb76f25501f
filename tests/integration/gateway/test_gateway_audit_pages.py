"""The supervisor's pages: the review audit log (filters, CSV export) and the
actions on an order whose capture the provider refused (retry, cancel with a
refund). Reviewers get a 403 page on both."""

from __future__ import annotations

from html import unescape
from typing import Any

from common.testing import eventually

from .journeys import ApiApplicant
from .review_steps import CAPTURE_REFUSED_CARD, StaffBrowser, error_summary, submitted_order


def _status(applicant: ApiApplicant, order_id: str) -> str:
    return str(applicant.call("GET", f"/applications/{order_id}").get_json()["status"])


def _approved_but_not_captured(applicant: ApiApplicant, supervisor: StaffBrowser) -> str:
    order_id = submitted_order(applicant, CAPTURE_REFUSED_CARD)
    assert supervisor.claim(order_id).status_code == 303
    supervisor.accept_everything(order_id)
    assert supervisor.decide(order_id, decision="approve").status_code == 303
    eventually(lambda: _status(applicant, order_id) == "capture_failed")
    return order_id


def test_a_reviewer_gets_a_403_page_on_the_audit_log(sign_in_staff) -> None:
    reviewer = sign_in_staff("reviewer")
    assert reviewer.get("/staff/audit").status_code == 403
    assert reviewer.get("/staff/audit.csv").status_code == 403


def test_a_supervisor_reads_the_audit_log_of_an_order_and_exports_it_as_csv(
    applicant: ApiApplicant, sign_in_staff
) -> None:
    supervisor = sign_in_staff("supervisor")
    order_id = submitted_order(applicant)
    assert supervisor.claim(order_id).status_code == 303
    page = supervisor.text(f"/staff/audit?order_id={order_id}")
    assert "Claimed the case" in page
    exported = supervisor.get(f"/staff/audit.csv?order_id={order_id}&action=case.claimed")
    assert exported.status_code == 200
    assert exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    assert order_id in exported.get_data(as_text=True)
    assert "case.claimed" in exported.get_data(as_text=True)


def test_a_filter_that_is_not_a_day_is_named_in_the_error_summary(sign_in_staff) -> None:
    supervisor = sign_in_staff("supervisor")
    answer = supervisor.get("/staff/audit?since=yesterday&order_id=someone")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'href="#since"' in error_summary(page)
    assert 'value="someone"' in page  # what was typed is kept


def test_the_audit_log_finds_an_application_by_its_reference_and_names_the_staff(
    applicant: ApiApplicant, client, make_staff, sign_in_page
) -> None:
    reviewer = make_staff("reviewer")
    assert sign_in_page(client, reviewer.label, staff=True).status_code == 303
    order_id = submitted_order(applicant)
    assert StaffBrowser(client).claim(order_id).status_code == 303
    reference = applicant.call("GET", f"/applications/{order_id}").get_json()["reference"]
    supervisor = make_staff("supervisor")
    assert sign_in_page(client, supervisor.label, staff=True).status_code == 303
    client.set_cookie("lang", "zh-CN")
    staff = StaffBrowser(client)
    # By reference, as people read it (any case), not only by the internal id.
    page = unescape(staff.text(f"/staff/audit?order_id={reference.lower()}"))
    row = next(r for r in page.split("<tbody>")[1].split("<tr>") if "领取案件" in r)
    assert reviewer.label in row and reviewer.account_id not in row  # a name, not an id
    assert "审核人员" in row  # the role in words
    # The person filter lists staff by name and filters by the one chosen.
    assert f'<option value="{reviewer.account_id}">{reviewer.label}</option>' in page
    mine = unescape(staff.text(f"/staff/audit?actor={reviewer.account_id}&order_id={reference}"))
    assert reference in mine
    others = unescape(
        staff.text(f"/staff/audit?actor={supervisor.account_id}&order_id={reference}")
    )
    assert "<tbody>" not in others and "没有符合条件的记录。" in others
    nowhere = staff.text("/staff/audit?order_id=LT20990101000001")
    assert "没有符合条件的记录。" in nowhere


def test_a_supervisor_retries_a_refused_capture_and_is_told_the_providers_reason(
    applicant: ApiApplicant, sign_in_staff
) -> None:
    supervisor = sign_in_staff("supervisor")
    order_id = _approved_but_not_captured(applicant, supervisor)
    case = f"/staff/reviews/{order_id}"
    assert "Approved, but the payment capture failed" in supervisor.text(case)
    answer = supervisor.post(case, {}, f"/staff/orders/{order_id}/capture")
    assert answer.status_code == 409
    assert "insufficient_funds" in error_summary(answer.get_data(as_text=True))
    assert _status(applicant, order_id) == "capture_failed"


def test_a_supervisor_cancels_a_refused_capture_with_a_reason(
    applicant: ApiApplicant, sign_in_staff
) -> None:
    supervisor = sign_in_staff("supervisor")
    order_id = _approved_but_not_captured(applicant, supervisor)
    page = f"/staff/orders/{order_id}/cancel"
    without_reason = supervisor.post(page, {"reason": " "}, page)
    assert without_reason.status_code == 422
    assert 'href="#reason"' in error_summary(without_reason.get_data(as_text=True))
    assert _status(applicant, order_id) == "capture_failed"
    answer = supervisor.post(page, {"reason": "x" * 501}, page)
    assert answer.status_code == 422
    summary = error_summary(answer.get_data(as_text=True))
    assert 'href="#reason"' in summary and "The reason is too long" in summary
    assert _status(applicant, order_id) == "capture_failed"
    answer = supervisor.post(page, {"reason": "The card cannot be charged."}, page)
    assert answer.status_code == 303
    assert _status(applicant, order_id) == "cancelled"
    payment: dict[str, Any] = applicant.call("GET", f"/applications/{order_id}").get_json()[
        "payment"
    ]
    assert payment["status"] in {"voided", "refunded"}


def test_a_reviewer_cannot_retry_a_capture(applicant: ApiApplicant, sign_in_staff) -> None:
    order_id = _approved_but_not_captured(applicant, sign_in_staff("supervisor"))
    reviewer = sign_in_staff("reviewer")
    # A valid CSRF token (from the queue's page), so only the role can refuse the post.
    answer = reviewer.post("/staff/reviews", {}, f"/staff/orders/{order_id}/capture")
    assert answer.status_code == 403
    assert reviewer.get(f"/staff/orders/{order_id}/cancel").status_code == 403
    assert _status(applicant, order_id) == "capture_failed"


def test_a_too_long_cancellation_reason_is_orders_422_naming_the_reason(
    applicant: ApiApplicant, sign_in_staff, staff_api
) -> None:
    # Orders owns the limit: the gateway passes its refusal on, field and all.
    order_id = _approved_but_not_captured(applicant, sign_in_staff("supervisor"))
    supervisor = staff_api("supervisor")
    refused = supervisor.call(
        "POST", f"/staff/orders/{order_id}/cancel", 422, json={"reason": "x" * 501}
    ).get_json()
    assert list(refused["errors"]) == ["reason"]
    assert _status(applicant, order_id) == "capture_failed"
    supervisor.call("POST", f"/staff/orders/{order_id}/cancel", 200, json={"reason": "x" * 500})
    assert _status(applicant, order_id) == "cancelled"
