"""When the office needs new photos: the page that lists what to replace and
why, the upload of each refused photo, the resubmission, and the review's
steps on the timeline, on the real catalog, orders and verification."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from common.testing import eventually

from .journeys import GOOD_CARD, Browser, hidden, photo
from .office import Office

REFUSED = {
    "id_card_front": ("glare", "The light hides the ID number."),
    "selfie_with_id_card": ("face-not-visible", "<b>Hold the card lower</b>"),
}


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _status(browser: Browser, order_id: str) -> str:
    found = re.search(
        r'<strong class="tag tag-([a-z-]+)">', _text(browser.get(f"/applications/{order_id}"))
    )
    return found.group(1) if found else ""


@pytest.fixture
def asked(browser: Browser, office: Office) -> str:
    """A paid application whose reviewer refused two photos and asked for new ones."""
    order_id = browser.ready_to_check()
    assert browser.submit(order_id).status_code == 303
    assert browser.pay(order_id, GOOD_CARD).status_code == 303
    eventually(lambda: _status(browser, order_id) == "submitted")
    office.claim(order_id)
    office.ask_for_new_photos(order_id, REFUSED)
    eventually(lambda: _status(browser, order_id) == "needs-resubmission")
    return order_id


def _resubmit(browser: Browser, order_id: str) -> Any:
    return browser.post(f"/applications/{order_id}/new-photos", {})


def test_the_page_lists_each_refused_photo_with_its_reason_note_and_the_deadline(
    browser: Browser, asked: str
) -> None:
    order_page = _text(browser.get(f"/applications/{asked}"))
    assert "The office needs new photos from you." in order_page
    assert f'href="/applications/{asked}/new-photos"' in order_page

    page = _text(browser.get(f"/applications/{asked}/new-photos"))
    assert "<h1>We need new photos</h1>" in page
    rows = re.findall(r'<li class="task-list-item" id="doc-([a-z_]+)">', page)
    assert rows == ["id_card_front", "selfie_with_id_card"]
    assert "Glare hides part of the photo" in page
    assert "The light hides the ID number." in page
    assert "The face cannot be seen" in page
    assert "&lt;b&gt;Hold the card lower&lt;/b&gt;" in page  # the note is text, not markup
    assert re.search(r"Send the new photos by \d{4}-\d\d-\d\d \d\d:\d\d\.", page)
    assert "Request 1 for new photos" in page
    assert f'href="/applications/{asked}/documents/id_card_front"' in page
    assert "id_card_back" not in page  # accepted photos stay as they are


def test_resubmitting_before_replacing_names_each_photo_still_to_upload(
    browser: Browser, asked: str
) -> None:
    refused = _resubmit(browser, asked)
    assert refused.status_code == 409
    page = _text(refused)
    assert 'class="error-summary"' in page
    assert '<a href="#doc-id_card_front">Upload a new photo first: ID card, photo side' in page
    assert '<a href="#doc-selfie_with_id_card">Upload a new photo first:' in page
    assert _status(browser, asked) == "needs-resubmission"


def test_an_accepted_photo_cannot_be_replaced(browser: Browser, asked: str) -> None:
    refused = browser.upload(asked, "id_card_back", photo(90))
    assert refused.status_code == 409
    assert "This photo is accepted: there is no need to send it again." in _text(refused)


def test_replacing_the_refused_photos_and_resubmitting_puts_it_back_in_review(
    browser: Browser, asked: str
) -> None:
    upload_page = _text(browser.get(f"/applications/{asked}/documents/id_card_front"))
    assert f'class="back-link" href="/applications/{asked}/new-photos"' in upload_page
    assert browser.upload(asked, "id_card_front", photo(91)).status_code == 303
    page = _text(browser.get(f"/applications/{asked}/new-photos"))
    assert page.count("New photo uploaded") == 1 and page.count("To upload again") == 1

    assert browser.upload(asked, "selfie_with_id_card", photo(92)).status_code == 303
    sent = _resubmit(browser, asked)
    assert sent.status_code == 303
    # The page waits briefly for orders to hear of it, or says it is being processed.
    assert f"/applications/{asked}?notice=notice.resubmitted" in sent.headers["Location"]
    assert "Your new photos are sent" in _text(browser.get(sent.headers["Location"]))
    eventually(lambda: _status(browser, asked) == "in-review")

    timeline = _text(browser.get(f"/applications/{asked}"))
    for shown in ("The office started the review", "New photos needed (round 1)", "Staff"):
        assert shown in timeline, shown
    # once the office has its photos, the new-photos page sends the applicant back
    assert browser.get(f"/applications/{asked}/new-photos").status_code == 303


def test_the_new_photos_page_speaks_chinese(browser: Browser, asked: str) -> None:
    browser.client.set_cookie("lang", "zh-CN")
    page = _text(browser.get(f"/applications/{asked}/new-photos"))
    assert "我们需要新的照片" in page
    assert "照片反光，看不清内容" in page and "看不清面部" in page
    assert "需补充材料" in _text(browser.get(f"/applications/{asked}"))


def test_resubmitting_needs_the_forms_token(browser: Browser, asked: str) -> None:
    refused = browser.client.post(f"/applications/{asked}/new-photos", data={})
    assert refused.status_code == 400
    assert _status(browser, asked) == "needs-resubmission"


def test_an_application_that_needs_nothing_goes_to_its_own_page(browser: Browser) -> None:
    order_id = browser.start()
    answer = browser.get(f"/applications/{order_id}/new-photos")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/applications/{order_id}")
    page = _text(browser.get(f"/applications/{order_id}"))
    assert hidden(page, "csrf_token")
    refused = browser.post(f"/applications/{order_id}", {}, f"/applications/{order_id}/new-photos")
    assert refused.status_code == 409
    assert "This application does not need new photos now." in _text(refused)


def test_another_applicants_new_photos_page_is_not_found(
    client: FlaskClient, asked: str, make_applicant, sign_in_page
) -> None:
    other = make_applicant()
    assert sign_in_page(client, other.label).status_code == 303
    assert client.get(f"/applications/{asked}/new-photos").status_code == 404
    assert client.get(f"/applications/{asked}/documents/id_card_front").status_code == 404
