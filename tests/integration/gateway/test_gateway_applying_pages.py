"""The applicant's journey through the pages, on the real catalog, orders and
verification: start, task list, questions, uploads, delivery, check, pay."""

from __future__ import annotations

import io
import logging
import re
from typing import Any
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from PIL import Image

from common.testing import eventually

from .journeys import (
    DECLINED_CARD,
    GOOD_CARD,
    HTML_AS_JPEG,
    LICENCE,
    Browser,
    fee_of,
    hidden,
    photo,
    yuan,
)


def bomb() -> bytes:
    """A PNG that declares 8000 × 6000 pixels but weighs a few kilobytes."""
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, "PNG")
    return out.getvalue()


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _tags(html: str) -> dict[str, str]:
    """Task list: section name → status tag."""
    rows = re.findall(r'<li class="task-list-item">(.*?)</li>', html, re.S)
    found = {}
    for row in rows:
        name = re.sub(r"<[^>]+>", "", row.split('<span class="task-status"')[0]).strip()
        tag = re.search(r'<strong class="tag[^"]*">([^<]+)</strong>', row)
        found[name] = tag.group(1) if tag else ""
    return found


def test_an_applicant_applies_pays_and_finds_the_application_submitted(browser: Browser) -> None:
    order_id = browser.start()
    tasks = _text(browser.get(f"/applications/{order_id}/tasks"))
    assert _tags(tasks) == {
        "Your details": "Not started",
        "Upload documents": "Not started",
        "Delivery": "Not started",
        "Check and pay": "Cannot start yet",
    }
    assert f'href="/applications/{order_id}/check"' not in tasks

    browser.answer_all(order_id)
    browser.upload_all(order_id)
    browser.choose_courier(order_id)
    tasks = _text(browser.get(f"/applications/{order_id}/tasks"))
    assert _tags(tasks)["Your details"] == "Completed"
    assert _tags(tasks)["Delivery"] == "Completed"

    eventually(lambda: browser.get(f"/applications/{order_id}/check").status_code == 200)
    check = _text(browser.get(f"/applications/{order_id}/check"))
    fee = fee_of(browser.client)
    fees = [yuan(fee[name]) for name in ("production_fen", "delivery_fen", "total_fen")]
    for shown in ("张三", "C1 car", "Lost", "香港中路 1 号", *fees, fee["approval_ref"]):
        assert shown in check, shown
    assert f'href="/applications/{order_id}/questions/id_number?change=1"' in check
    assert "pay within 30 minutes" in check
    browser.client.set_cookie("lang", "zh-CN")
    chinese = _text(browser.get(f"/applications/{order_id}/check"))
    assert "请在 30 分钟内完成支付。" in chinese
    assert "山东省青岛市市南区香港中路 1 号" in chinese  # an address is not split by commas
    browser.client.set_cookie("lang", "en")

    submitted = browser.submit(order_id)
    assert submitted.status_code == 303
    assert submitted.headers["Location"].endswith(f"/applications/{order_id}/pay")
    pay_page = _text(browser.get(f"/applications/{order_id}/pay"))
    assert "Sandbox: use test card 4242 4242 4242 4242" in pay_page
    assert f"Pay {fees[2]}" in pay_page

    paid = browser.pay(order_id, GOOD_CARD)
    assert paid.status_code == 303, _text(paid)
    assert paid.headers["Location"].endswith(f"/applications/{order_id}/confirmation")
    confirmation = _text(browser.get(f"/applications/{order_id}/confirmation"))
    reference = re.search(r'<strong class="reference">(LT\d+)</strong>', confirmation)
    assert reference and "Application submitted" in confirmation
    assert "within 3 working days" in confirmation

    mine = _text(browser.get("/applications"))
    assert reference.group(1) in mine and "Submitted" in mine
    page = _text(browser.get(f"/applications/{order_id}"))
    for shown in ("Application started", "Submitted; the fee is locked at",
                  "the payment provider holds it until the application is approved",
                  "The payment provider", "You", "ending 4242"):  # fmt: skip
        assert shown in page, shown


def test_a_double_click_on_start_makes_one_draft_and_a_new_visit_another(
    browser: Browser,
) -> None:
    html = _text(browser.get(f"/items/{LICENCE}"))
    form = {"csrf_token": hidden(html, "csrf_token"), "attempt": hidden(html, "attempt")}
    first = browser.client.post(f"/items/{LICENCE}/start", data=form)
    second = browser.client.post(f"/items/{LICENCE}/start", data=form)
    assert first.headers["Location"] == second.headers["Location"]
    assert browser.start() not in first.headers["Location"]


def test_a_visitor_who_starts_is_sent_to_sign_in_and_back_to_the_item(
    client: FlaskClient, submit
) -> None:
    answer = submit(client, f"/items/{LICENCE}", {}, f"/items/{LICENCE}/start")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/sign-in?next=/items/{LICENCE}&reason=start"
    tasks = client.get("/applications/some-id/tasks")
    assert unquote(tasks.headers["Location"]) == "/sign-in?next=/applications/some-id/tasks"


def test_a_refused_answer_keeps_what_was_typed_and_links_the_summary_to_the_field(
    browser: Browser,
) -> None:
    order_id = browser.start()
    page = f"/applications/{order_id}/questions/id_number"
    refused = browser.post(page, {"answer": "110105194912310021"})
    html = _text(refused)
    assert refused.status_code == 422
    assert "<title>Error:" in html
    assert '<a href="#answer">Enter a valid 18-character resident ID number' in html
    assert 'value="110105194912310021"' in html and 'aria-invalid="true"' in html
    empty = browser.post(f"/applications/{order_id}/questions/licence_class", {})
    assert empty.status_code == 422
    assert "Select an answer to “Licence class”." in _text(empty)
    # Nothing was saved: the task is still not started.
    assert (
        _tags(_text(browser.get(f"/applications/{order_id}/tasks")))["Your details"]
        == "Not started"
    )


def test_questions_follow_one_another_with_back_links_and_change_returns_to_check(
    browser: Browser,
) -> None:
    order_id = browser.start()
    first = browser.post(f"/applications/{order_id}/questions/full_name", {"answer": "张三"})
    assert first.headers["Location"] == f"/applications/{order_id}/questions/id_number"
    html = _text(browser.get(f"/applications/{order_id}/questions/id_number"))
    assert f'class="back-link" href="/applications/{order_id}/questions/full_name"' in html
    changed = browser.post(
        f"/applications/{order_id}/questions/phone?change=1", {"answer": "13900139000"}
    )
    assert changed.headers["Location"] == f"/applications/{order_id}/check"
    tasks = _tags(_text(browser.get(f"/applications/{order_id}/tasks")))
    assert tasks["Your details"] == "In progress"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (HTML_AS_JPEG, "photo.jpg", "The selected file is not a JPEG or PNG photo."),
        (photo(7, 320, 240), "small.jpg", "The photo is too small: it needs at least 640 × 480 pixels."),
        (photo(8)[:2000], "cut.jpg", "The photo is damaged and cannot be opened."),
        (b"", "empty.jpg", "The selected file is empty."),
        (photo(9) + b"<html><script>alert(1)</script></html>", "polyglot.jpg",
         "The selected file contains something besides a picture"),
        (bomb(), "huge.png", "The photo has too many pixels to process."),
    ],
)  # fmt: skip
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # that is the point
def test_a_refused_upload_is_told_in_words_beside_the_field(
    browser: Browser, content: bytes, filename: str, message: str
) -> None:
    order_id = browser.start()
    answer = eventually(
        lambda: (
            (a := browser.upload(order_id, "id_card_front", content, filename)).status_code != 409
            and a
        )
    )
    html = _text(answer)
    assert answer.status_code == 422
    assert message in html
    assert '<a href="#file">' in html


def test_a_photo_over_the_upload_limit_is_refused_before_it_goes_anywhere(
    browser: Browser, app
) -> None:
    order_id = browser.start()
    limit = app.extensions["gateway"].settings.max_upload_bytes
    answer = browser.upload(order_id, "id_card_front", b"\xff" * (limit + 1))
    assert answer.status_code == 413
    assert "The selected file must be smaller than 10 MB." in _text(answer)


def test_the_same_photo_for_two_documents_is_refused_as_a_duplicate(browser: Browser) -> None:
    order_id = browser.start()
    eventually(lambda: browser.upload(order_id, "id_card_front", photo(1)).status_code == 303)
    duplicate = browser.upload(order_id, "id_card_back", photo(1))
    assert duplicate.status_code == 422
    assert "You have already uploaded this photo for another document." in _text(duplicate)


def test_an_upload_before_the_case_opens_says_to_try_again_in_a_moment(
    browser: Browser, app, monkeypatch: pytest.MonkeyPatch
) -> None:
    from common.service_client import ServiceConflict
    from gateway.clients.verification import UploadRefused

    order_id = browser.start()
    not_ready = ServiceConflict(
        "verification", 409, "The case is not open yet.", problem_type="/problems/case-not-ready"
    )

    def refuse(*_args: Any) -> None:
        raise UploadRefused(not_ready, "case-not-ready")

    monkeypatch.setattr(app.extensions["gateway"].verification, "upload", refuse)
    answer = browser.upload(order_id, "id_card_front", photo(3))
    assert answer.status_code == 409
    assert "We are preparing your application; try again in a moment." in _text(answer)


def test_an_uploaded_photo_is_previewed_to_its_owner_only(
    browser: Browser, client: FlaskClient, app, make_applicant, sign_in_page
) -> None:
    order_id = browser.start()
    eventually(lambda: browser.upload(order_id, "portrait_photo", photo(4)).status_code == 303)
    page = _text(browser.get(f"/applications/{order_id}/documents/portrait_photo"))
    thumbnail = f"/applications/{order_id}/documents/portrait_photo/thumbnail"
    assert f'src="{thumbnail}"' in page
    assert 'alt="Your uploaded photo: Recent passport-style photo"' in page
    assert "Choose a different photo" in page
    picture = browser.get(thumbnail)
    assert picture.status_code == 200
    assert picture.mimetype == "image/jpeg" and picture.data[:2] == b"\xff\xd8"
    assert "no-store" in picture.headers["Cache-Control"]

    stranger = app.test_client()
    sign_in_page(stranger, make_applicant().label)
    assert stranger.get(thumbnail).status_code == 404
    assert stranger.get(f"/applications/{order_id}/tasks").status_code == 404


def test_pickup_at_an_office_costs_no_courier_fee(browser: Browser) -> None:
    order_id = browser.start()
    delivery = _text(browser.get(f"/applications/{order_id}/delivery"))
    fee = fee_of(browser.client)
    assert f"Courier fee {yuan(fee['delivery_fen'])}" in delivery and "No courier fee" in delivery
    assert "Monday to Friday" in delivery
    none = browser.post(f"/applications/{order_id}/delivery", {})
    assert none.status_code == 422 and "Select how you want to receive it." in _text(none)
    chosen = browser.post(f"/applications/{order_id}/delivery", {"delivery": "pickup-huangdao"})
    assert chosen.status_code == 303
    page = _text(browser.get(f"/applications/{order_id}"))
    assert yuan(fee["production_fen"]) in page and "¥0.00" in page


def test_an_address_names_each_missing_line(browser: Browser) -> None:
    order_id = browser.start()
    page = f"/applications/{order_id}/delivery/address"
    refused = browser.post(page, {"recipient": "张三", "phone": "12345"})
    html = _text(refused)
    assert refused.status_code == 422
    for message in ("Enter the province.", "Enter the city.", "Enter the street address."):
        assert message in html
    assert 'value="张三"' in html
    wrong_phone = browser.post(page, {**{"recipient": "张三", "phone": "12345", "province": "山东省",
                               "city": "青岛市", "district": "市南区", "street": "香港中路 1 号"}})  # fmt: skip
    assert wrong_phone.status_code == 422
    assert "Enter a China mainland mobile number" in _text(wrong_phone)


def test_a_declined_card_shows_why_and_leaves_it_payable_then_another_card_pays(
    browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    order_id = browser.ready_to_check()
    browser.submit(order_id)
    declined = browser.pay(order_id, DECLINED_CARD)
    html = _text(declined)
    assert declined.status_code == 200
    assert "Your card was declined and you have not been charged." in html
    assert "4000 0000 0000 0002" not in html and "4000000000000002" not in html
    bad = browser.pay(order_id, "4242 4242 4242 4241", expiry="13/30", cvc="1")
    assert bad.status_code == 422
    for message in ("Enter a valid card number", "Enter an expiry date", "security code"):
        assert message in _text(bad)
    paid = browser.pay(order_id, GOOD_CARD)
    assert paid.headers["Location"].endswith("/confirmation")
    for record in caplog.records:
        said = record.getMessage() + str(record.__dict__)
        assert "4242424242424242" not in said and "4000000000000002" not in said


def test_cancelling_asks_first_then_closes_an_unpaid_application(browser: Browser) -> None:
    order_id = browser.ready_to_check()
    browser.submit(order_id)
    page = _text(browser.get(f"/applications/{order_id}"))
    assert f'href="/applications/{order_id}/cancel"' in page
    confirm = _text(browser.get(f"/applications/{order_id}/cancel"))
    assert "Are you sure you want to cancel application" in confirm
    assert "nothing is charged" in confirm
    done = browser.post(f"/applications/{order_id}/cancel", {"reason": "Found my licence"})
    assert done.headers["Location"] == f"/applications/{order_id}?notice=notice.cancelled"
    after = _text(browser.get(done.headers["Location"]))
    assert "The application is cancelled." in after and "Closed unpaid" in after
    assert f'href="/applications/{order_id}/cancel"' not in after
    again = browser.client.post(
        f"/applications/{order_id}/cancel", data={"csrf_token": hidden(after, "csrf_token")}
    )
    assert again.status_code == 409
    assert "can no longer be cancelled" in _text(again)


def test_a_draft_cancelled_is_discarded(browser: Browser) -> None:
    order_id = browser.start()
    browser.post(f"/applications/{order_id}/cancel", {})
    page = _text(browser.get(f"/applications/{order_id}"))
    assert "Discarded" in page and "You cancelled the application" in page
    assert browser.get(f"/applications/{order_id}/tasks").status_code == 303


def test_my_applications_is_empty_at_first_and_in_chinese_by_default(
    browser: Browser,
) -> None:
    browser.client.set_cookie("lang", "zh-CN")
    html = _text(browser.get("/applications"))
    assert "<h1>我的申请</h1>" in html and "您还没有申请。" in html


def test_pay_answers_at_once_with_a_page_that_refreshes_itself_until_the_answer(
    browser: Browser,
) -> None:
    order_id = browser.ready_to_check()
    browser.submit(order_id)
    pressed = browser.hand_card(order_id, GOOD_CARD)
    assert pressed.status_code == 303
    assert pressed.headers["Location"].endswith(f"/applications/{order_id}/pay")
    # Orders marked the payment processing before answering; the webhook comes later.
    waiting = browser.get(f"/applications/{order_id}/pay")
    if waiting.status_code == 200:  # the webhook has not come back yet
        html = _text(waiting)
        assert '<meta http-equiv="refresh" content="2">' in html
        assert "Payment in progress" in html and "every 2 seconds" in html
        assert f'href="/applications/{order_id}/pay">Check again' in html
    eventually(
        lambda: (
            browser.get(f"/applications/{order_id}/pay")
            .headers.get("Location", "")
            .endswith("/confirmation")
        )
    )


def test_an_application_with_nothing_to_pay_is_submitted_without_the_pay_page(
    browser: Browser, make_staff, api_token
) -> None:
    # The inspection mark is free (other tests may have priced it): a supervisor says so.
    supervisor = {"Authorization": f"Bearer {api_token(make_staff('supervisor').label)}"}
    free = {"production_fen": 0, "delivery_fen": 1500, "approval_ref": "鲁价费发〔2017〕58号"}
    assert browser.client.post("/api/v1/staff/items/annual-licence-verification/fees",
                               json=free, headers=supervisor).status_code == 201  # fmt: skip
    annual = {
        "owner_name": "张三",
        "id_number": "11010519491231002X",
        "phone": "13800138000",
        "plate_number": "鲁B12345",
        "vin_last6": "A12345",
        "registration_date": "2022-05-18",
        "insurance_valid_until": "2027-05-17",
    }
    order_id = browser.start("annual-licence-verification")
    tasks = _tags(_text(browser.get(f"/applications/{order_id}/tasks")))
    # Which questions make "Your vehicle" is the catalog's word (test_journey, test_task_list).
    assert list(tasks)[-3:] == ["Upload documents", "Delivery", "Check and pay"]
    browser.answer_all(order_id, annual)
    codes = ["id_card_front", "id_card_back", "selfie_with_id_card", "vehicle_licence_photo",
             "insurance_certificate_photo"]  # fmt: skip
    browser.upload_all(order_id, codes)
    browser.post(f"/applications/{order_id}/delivery", {"delivery": "pickup-shinan"})
    eventually(lambda: browser.get(f"/applications/{order_id}/check").status_code == 200)
    check = _text(browser.get(f"/applications/{order_id}/check"))
    assert "Accept and send" in check
    assert "30 minutes" not in check  # nothing to pay, nothing to pay in time
    browser.client.set_cookie("lang", "zh-CN")
    assert "30 分钟" not in _text(browser.get(f"/applications/{order_id}/check"))
    browser.client.set_cookie("lang", "en")
    sent = browser.submit(order_id)
    assert browser.get(sent.headers["Location"]).headers["Location"].endswith("/confirmation")
    confirmation = _text(browser.get(f"/applications/{order_id}/confirmation"))
    assert "There is nothing to pay for this application." in confirmation
