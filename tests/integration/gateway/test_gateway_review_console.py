"""The staff review console on the real catalog, orders and verification:
the queue, claiming, verdicts, checks, the decision with its confirmation,
reveal with a reason, the pictures, the chat, and refusals told in words
with nothing changed."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest

from common.testing import eventually

from .journeys import LICENCE_DOCUMENTS, ApiApplicant
from .review_steps import ID_CHECK, StaffBrowser, error_summary, submitted_order


@pytest.fixture
def reviewer(sign_in_staff: Callable[..., StaffBrowser]) -> StaffBrowser:
    return sign_in_staff("reviewer")


def _order(applicant: ApiApplicant, order_id: str) -> dict[str, Any]:
    return dict(applicant.call("GET", f"/applications/{order_id}").get_json())


def _reviewing(applicant: ApiApplicant, reviewer: StaffBrowser) -> str:
    order_id = submitted_order(applicant)
    assert reviewer.claim(order_id).status_code == 303
    # The claim reaches orders by event: wait for it, so "nothing changed" means what it says.
    eventually(lambda: _order(applicant, order_id)["status"] == "in_review")
    return order_id


def test_the_queue_lists_a_submitted_order_and_a_reviewer_assigns_it_to_themselves(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = submitted_order(applicant)
    reference = _order(applicant, order_id)["reference"]

    # The search box echoes the reference at once: wait for the case's row itself.
    def queue_with_the_case() -> str | None:
        page = reviewer.text(f"/staff/reviews?q={reference}")
        return page if "Assign to me" in page else None

    queue = eventually(queue_with_the_case)
    assert "Unassigned" in queue
    answer = reviewer.post(f"/staff/reviews?q={reference}", {}, f"/staff/reviews/{order_id}/claim")
    assert answer.status_code == 303
    case = reviewer.text(answer.headers["Location"])
    assert "The case is assigned to you." in case
    assert reference in reviewer.text(f"/staff/reviews?tab=mine&q={reference}")
    eventually(lambda: _order(applicant, order_id)["status"] == "in_review")


def test_the_case_page_shows_the_identity_bar_fitted_photos_answers_and_checklist(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    page = reviewer.text(f"/staff/reviews/{order_id}")
    assert _order(applicant, order_id)["reference"] in page
    assert "张三" in page  # the applicant's name in the identity bar
    case = f"/staff/reviews/{order_id}/documents"
    for code in LICENCE_DOCUMENTS:
        assert f'src="{case}/{code}/image?size=fit&amp;rotate=0"' in page
        assert f'href="{case}/{code}/image?size=full&amp;rotate=0"' in page
        assert f'href="{case}/{code}/image?size=large&amp;rotate=0"' in page
    # The ID card beside the selfie holding it, then the rest.
    shown = re.findall(r'<section class="review-document" id="document-([a-z_]+)"', page)
    assert shown[:2] == ["id_card_front", "selfie_with_id_card"]
    # The assignee compares the number with the card: shown in full beside it.
    card = page[page.index('id="document-id_card_front"') : page.index('id="document-selfie')]
    assert "11010519491231002X" in card
    assert "The ID number on the form matches the ID card" in page
    # Answers given as codes are said as the catalog's choices.
    assert "C1 car" in page and "Lost" in page


def test_a_turn_is_a_link_to_the_page_with_that_photo_turned(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    page = reviewer.text(f"/staff/reviews/{order_id}?turn-id_card_front=90")
    case = f"/staff/reviews/{order_id}/documents"
    assert f'src="{case}/id_card_front/image?size=fit&amp;rotate=90"' in page
    assert 'width="600" height="800"' in page  # the 800 × 600 photo, standing up
    assert "turn-id_card_front=180" in page and "turn-id_card_front=0" in page
    turned = reviewer.get(f"{case}/id_card_front/image?size=fit&rotate=90")
    assert turned.status_code == 200 and turned.mimetype == "image/jpeg"
    assert reviewer.get(f"{case}/id_card_front/image?size=huge").status_code == 404
    assert reviewer.get(f"{case}/id_card_front/image?rotate=45").status_code == 404


def test_another_reviewer_sees_the_masked_number_and_no_reveal_form(
    applicant: ApiApplicant, reviewer: StaffBrowser, app, make_staff, sign_in_page
) -> None:
    order_id = _reviewing(applicant, reviewer)
    second = app.test_client()
    assert sign_in_page(second, make_staff("reviewer").label, staff=True).status_code == 303
    second.set_cookie("lang", "en")
    page = StaffBrowser(second).text(f"/staff/reviews/{order_id}")
    assert "11010519491231002X" not in page
    assert "110***********002X" in page
    assert "/reveal" not in page


def test_a_picture_is_proxied_under_the_staff_identity_and_audited(
    applicant: ApiApplicant, reviewer: StaffBrowser, sign_in_staff
) -> None:
    order_id = _reviewing(applicant, reviewer)
    picture = reviewer.get(f"/staff/reviews/{order_id}/documents/id_card_front/image")
    assert picture.status_code == 200
    assert picture.mimetype == "image/jpeg"
    assert picture.data[:2] == b"\xff\xd8"
    assert "no-store" in picture.headers["Cache-Control"]
    for _ in range(2):  # two loads of the page's every picture
        for code in LICENCE_DOCUMENTS:
            assert reviewer.get(f"/staff/reviews/{order_id}/documents/{code}/image?size=fit")
    history = reviewer.text(f"/staff/reviews/{order_id}")
    assert history.count("Viewed a picture") == 1  # once per person per case per hour


def test_verdicts_checks_and_an_approval_after_confirmation_capture_the_payment(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    reviewer.accept_everything(order_id)
    page = f"/staff/reviews/{order_id}/decision"
    confirmation = reviewer.post(page, {"decision": "approve"}, page)
    assert confirmation.status_code == 200
    assert "Approve" in confirmation.get_data(as_text=True)
    assert _order(applicant, order_id)["status"] == "in_review"  # nothing sent yet
    answer = reviewer.decide(order_id, decision="approve")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    eventually(lambda: _order(applicant, order_id)["status"] == "approved")
    payment = _order(applicant, order_id)["payment"]
    assert payment["status"] == "captured"
    assert payment["captured_fen"] == payment["amount_fen"]


def test_a_reviewer_asks_for_new_photos_with_a_deadline(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    reviewer.accept_everything(order_id)
    refused = reviewer.verdict(
        order_id, "selfie_with_id_card", verdict="refused", reason_code="blurred", note=""
    )
    assert refused.status_code == 303
    answer = reviewer.decide(order_id, decision="request_resubmission", deadline_days="5")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    eventually(lambda: _order(applicant, order_id)["status"] == "needs_resubmission")
    case = reviewer.text(f"/staff/reviews/{order_id}")
    assert "Awaiting applicant" in case
    assert "Clock paused" in case


def test_a_reviewer_rejects_with_a_reason_and_the_payment_is_released(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    answer = reviewer.decide(
        order_id,
        decision="reject",
        reason_code="identity-mismatch",
        note="The face on the selfie is not the face on the card.",
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    eventually(lambda: _order(applicant, order_id)["status"] == "closed")
    assert _order(applicant, order_id)["payment"]["status"] == "voided"


def _all_verdicts(**overrides: str) -> dict[str, Any]:
    """The case page's one form: every photo accepted and the check a match, unless told."""
    form: dict[str, Any] = {"document": LICENCE_DOCUMENTS, "check": [ID_CHECK]}
    form.update({f"{code}-verdict": "accepted" for code in LICENCE_DOCUMENTS})
    form[f"{ID_CHECK}-result"] = "match"
    form.update(overrides)
    return form


def test_every_verdict_and_the_check_go_in_one_submit(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    case = f"/staff/reviews/{order_id}"
    form = _all_verdicts(
        **{
            "selfie_with_id_card-verdict": "refused",
            "selfie_with_id_card-reason_code": "face-not-visible",
        }
    )
    answer = reviewer.post(case, form, f"{case}/verdicts")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    page = reviewer.text(answer.headers["Location"])
    assert "The verdicts are saved." in page
    assert page.count("Gave a document verdict") == len(LICENCE_DOCUMENTS)
    # The history in words: the document's title and the reason's name, not codes.
    assert "Selfie holding your ID card – Refused – Face not visible" in page
    assert "face-not-visible" not in page.split('id="history-title"')[1]


def test_one_bad_verdict_in_the_form_is_named_and_nothing_is_saved(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    case = f"/staff/reviews/{order_id}"
    form = _all_verdicts(
        **{"id_card_back-verdict": "refused", "id_card_back-note": "corner cut off"}
    )
    answer = reviewer.post(case, form, f"{case}/verdicts")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    summary = error_summary(page)
    assert 'href="#id_card_back-reason_code"' in summary
    assert "Choose why the document is refused" in summary
    assert "corner cut off" in page  # what was typed is kept
    assert "Gave a document verdict" not in page and "Recorded a check" not in page


def test_a_closed_case_shows_its_outcome_and_the_reviewer_by_name(
    applicant: ApiApplicant, app, make_staff, sign_in_page
) -> None:
    member = make_staff("reviewer")
    browser = app.test_client()
    assert sign_in_page(browser, member.label, staff=True).status_code == 303
    browser.set_cookie("lang", "en")
    reviewer = StaffBrowser(browser)
    order_id = _reviewing(applicant, reviewer)
    case = f"/staff/reviews/{order_id}"
    assert reviewer.post(case, _all_verdicts(), f"{case}/verdicts").status_code == 303
    assert reviewer.decide(order_id, decision="approve").status_code == 303

    supervisor = app.test_client()
    assert sign_in_page(supervisor, make_staff("supervisor").label, staff=True).status_code == 303
    supervisor.set_cookie("lang", "en")
    page = StaffBrowser(supervisor).text(case)
    assert 'class="tag tag-approved">Approved<' in page
    assert re.search(r"took \d+ h \d+ min", page)  # within a day: hours and minutes
    assert "hours left" not in page and "Another reviewer" not in page
    assert member.label in page  # the reviewer by name, in the bar and the history
    supervisor.set_cookie("lang", "zh-CN")
    chinese = StaffBrowser(supervisor).text(case)
    assert "已通过" in chinese and "用时" in chinese and "C1 小型汽车" in chinese
    assert "遗失" in chinese


def test_a_refused_document_without_a_reason_is_named_and_nothing_changes(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    answer = reviewer.verdict(
        order_id, "id_card_front", verdict="refused", reason_code="", note="too dark"
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    summary = error_summary(page)
    assert 'href="#id_card_front-reason_code"' in summary
    assert "Choose why the document is refused" in summary
    assert "too dark" in page  # what was typed is kept
    assert "Gave a document verdict" not in page


def test_a_rejection_without_a_note_is_refused_on_the_decision_page(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    answer = reviewer.decide(order_id, decision="reject", reason_code="not-eligible")
    assert answer.status_code == 422
    assert 'href="#note"' in error_summary(answer.get_data(as_text=True))
    assert _order(applicant, order_id)["status"] == "in_review"


def test_approving_with_documents_not_yet_accepted_is_refused_and_nothing_changes(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    answer = reviewer.decide(order_id, decision="approve")
    assert answer.status_code == 409
    summary = error_summary(answer.get_data(as_text=True))
    assert "Not every document is accepted" in summary
    assert _order(applicant, order_id)["status"] == "in_review"


def test_a_supervisor_reveals_the_id_number_with_a_reason_and_it_is_audited(
    applicant: ApiApplicant, reviewer: StaffBrowser, app, make_staff, sign_in_page
) -> None:
    order_id = _reviewing(applicant, reviewer)
    case = f"/staff/reviews/{order_id}"
    browser = app.test_client()
    assert sign_in_page(browser, make_staff("supervisor").label, staff=True).status_code == 303
    browser.set_cookie("lang", "en")
    reviewer = StaffBrowser(browser)  # not the assignee: the number stays masked to them
    short = reviewer.post(case, {"field": "id_number", "reason": "why"}, f"{case}/reveal")
    assert short.status_code == 422
    assert 'href="#reveal-id_number"' in error_summary(short.get_data(as_text=True))
    assert "11010519491231002X" not in short.get_data(as_text=True)
    reason = "The card photo is hard to read"
    shown = reviewer.post(case, {"field": "id_number", "reason": reason}, f"{case}/reveal")
    assert shown.status_code == 200
    assert "11010519491231002X" in shown.get_data(as_text=True)
    later = reviewer.text(case)
    assert "11010519491231002X" not in later
    assert "Revealed an answer" in later and html.escape(reason) in later


def test_a_case_taken_by_another_reviewer_cannot_be_claimed(
    applicant: ApiApplicant, reviewer: StaffBrowser, app, make_staff, sign_in_page
) -> None:
    order_id = _reviewing(applicant, reviewer)
    second = app.test_client()
    assert sign_in_page(second, make_staff("reviewer").label, staff=True).status_code == 303
    second.set_cookie("lang", "en")
    case = f"/staff/reviews/{order_id}"
    answer = StaffBrowser(second).post(case, {}, f"{case}/claim")
    assert answer.status_code == 409
    summary = error_summary(answer.get_data(as_text=True))
    assert "Another reviewer has already taken this case." in summary
    assert "You" in reviewer.text(case)  # still the first reviewer's


def test_a_message_and_an_internal_note_go_to_the_chat(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    case = f"/staff/reviews/{order_id}"
    sent = reviewer.post(case, {"body": "Please look at your selfie."}, f"{case}/messages")
    assert sent.status_code == 303
    noted = reviewer.post(case, {"body": "Looks fine to me.", "internal": "1"}, f"{case}/messages")
    assert noted.status_code == 303
    page = reviewer.text(case)
    assert "Please look at your selfie." in page and "Looks fine to me." in page
    thread = applicant.call("GET", f"/applications/{order_id}/messages").get_json()
    bodies = [message["body"] for message in thread["messages"]]
    assert "Please look at your selfie." in bodies
    assert "Looks fine to me." not in bodies
    empty = reviewer.post(case, {"body": "   "}, f"{case}/messages")
    assert empty.status_code == 422
    assert 'href="#body"' in error_summary(empty.get_data(as_text=True))


def test_production_staff_get_a_403_page_on_the_console(
    sign_in_staff: Callable[..., StaffBrowser],
) -> None:
    production = sign_in_staff("production")
    assert production.get("/staff/reviews").status_code == 403
    assert production.get("/staff/audit").status_code == 403


def test_the_console_speaks_chinese_by_default(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    reviewer.client.set_cookie("lang", "zh-CN")
    page = reviewer.text("/staff/reviews?tab=all")
    assert "审核队列" in page and "待领取" in page


def test_the_case_s_status_says_in_review_once_when_the_order_says_the_same(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    reviewer.client.set_cookie("lang", "zh-CN")
    page = reviewer.text(f"/staff/reviews/{order_id}")
    status = re.search(r"<dt>状态</dt><dd>(.*?)</dd>", page, re.S)
    assert status is not None and status.group(1).count("审核中") == 1


def test_a_note_over_verifications_limit_is_refused_beside_it_in_words(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    case = reviewer.text(f"/staff/reviews/{order_id}")
    assert 'maxlength="500"' in case  # verification's note_max, from GET /review/rules
    long_note = "照片" * 251
    answer = reviewer.verdict(
        order_id, "id_card_front", verdict="refused", reason_code="other", note=long_note
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    summary = error_summary(page)
    assert 'href="#id_card_front-note"' in summary
    assert "Write at most 500 characters" in summary
    assert long_note in page
    assert "Gave a document verdict" not in page


def test_a_deadline_outside_verifications_range_is_refused_by_name(
    applicant: ApiApplicant, reviewer: StaffBrowser
) -> None:
    order_id = _reviewing(applicant, reviewer)
    refused = reviewer.verdict(order_id, "id_card_front", verdict="refused", reason_code="blurred")
    assert refused.status_code == 303
    answer = reviewer.decide(order_id, decision="request_resubmission", deadline_days="31")
    assert answer.status_code == 422
    summary = error_summary(answer.get_data(as_text=True))
    assert 'href="#deadline_days"' in summary
    assert "Enter a number of days from 1 to 30" in summary
    assert _order(applicant, order_id)["status"] == "in_review"
