"""Making and delivering in Chromium through the real processes (fulfillment
included): production staff make a batch and print its sheet, a dispatcher
creates the waybill, prints the label and hands the parcel over; an applicant
on a phone (390 px) follows the tracking and confirms receipt; a pickup is
handed over at the counter after a wrong code. Both languages; every page is
checked by axe-core on the way."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from playwright.sync_api import Page, expect

from common.processes import Stack
from common.testing import eventually

from .conftest import REVIEWER_EMAIL, SUPERVISOR_PASSWORD
from .test_applying_in_the_browser import ANSWERS, DOCUMENTS, ITEM, Applicant, photo
from .test_review_in_the_browser import sign_in_applicant, sign_in_staff

Check = Callable[[Page], None]
PHONE = {"width": 390, "height": 844}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= innerWidth"
LOADED_WIDTH = """img => img.complete ? img.naturalWidth : new Promise(done => {
    img.addEventListener("load", () => done(img.naturalWidth));
    img.addEventListener("error", () => done(0));
})"""
LICENCE_FILE_NUMBER = "370212345678"


class Staff:
    """A member of staff on the public API (to move an order along off screen)."""

    def __init__(self, stack: Stack, email: str) -> None:
        self.base = stack.url("gateway") + "/api/v1"
        body = {"identifier": email, "password": SUPERVISOR_PASSWORD}
        answer = requests.post(self.base + "/sessions", json=body, timeout=30)
        assert answer.status_code == 201, answer.text
        self.headers = {"Authorization": f"Bearer {answer.json()['token']}"}

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = requests.request(
            method, self.base + path, headers=self.headers, timeout=30, **kwargs
        )
        assert answer.ok, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None


def approved(stack: Stack, applicant: Applicant, *, pickup: bool = False) -> dict[str, Any]:
    """An application paid, reviewed and approved through the API: its job is queued."""
    order = awaiting_pickup(applicant) if pickup else applicant.awaiting_payment()
    path = f"/applications/{order['id']}"
    card = {"card_number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}
    applicant.call("POST", path + "/payment/card", json=card,
                   headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
    eventually(lambda: applicant.call("GET", path)["status"] == "submitted")
    reviewer = Staff(stack, REVIEWER_EMAIL)
    case = f"/staff/reviews/{order['id']}"
    eventually(lambda: _queued(reviewer, case))
    reviewer.call("POST", case + "/claim")
    review = reviewer.call("GET", case)
    for document in review["documents"]:
        reviewer.call(
            "PUT", f"{case}/documents/{document['code']}/verdict", json={"verdict": "accepted"}
        )
    for check in review["checks"]:
        reviewer.call("PUT", f"{case}/checks/{check['code']}", json={"result": "match"})
    reviewer.call("POST", case + "/decision", json={"decision": "approve"})
    eventually(lambda: applicant.call("GET", path)["status"] == "approved", timeout=30)
    return dict(order)


def awaiting_pickup(applicant: Applicant) -> dict[str, Any]:
    """As Applicant.awaiting_payment, with pickup at the Shinan office instead of the courier."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    order = applicant.call("POST", "/applications", json={"item_code": ITEM}, headers=key)
    path = f"/applications/{order['id']}"
    applicant.call("PUT", path + "/answers", json={"answers": ANSWERS})
    for seed, code in enumerate(DOCUMENTS, start=uuid.uuid4().int % 1000):
        eventually(lambda c=code, s=seed: applicant._upload(path, c, photo(s)))
    applicant.call(
        "PUT", path + "/delivery", json={"kind": "pickup", "office_code": "pickup-shinan"}
    )
    eventually(lambda: applicant.call("GET", path)["documents"]["complete"])
    key = {"Idempotency-Key": uuid.uuid4().hex}
    return dict(applicant.call("POST", path + "/submit", headers=key))


def _queued(reviewer: Staff, case: str) -> bool:
    answer = requests.get(reviewer.base + case, headers=reviewer.headers, timeout=30)
    return answer.status_code == 200 and answer.json()["status"] == "queued"


def produced_by_api(stack: Stack, email: str, order_id: str) -> None:
    production = Staff(stack, email)
    eventually(lambda: order_id in {
        j["order_id"] for j in production.call("GET", "/staff/production/jobs")["jobs"]
    }, timeout=20)  # fmt: skip
    batch = production.call("POST", "/staff/production/batches", json={"order_ids": [order_id]})
    production.call("PUT", f"/staff/production/jobs/{order_id}/credential",
                    json={"credential_number": LICENCE_FILE_NUMBER})  # fmt: skip
    production.call("POST", f"/staff/production/batches/{batch['id']}/produced")


def dispatched_by_api(stack: Stack, email: str, order_id: str) -> str:
    dispatcher = Staff(stack, email)
    made = dispatcher.call("POST", "/staff/dispatch/waybills", json={"order_ids": [order_id]})
    waybill = made["shipments"][0]["waybill"]
    dispatcher.call("POST", "/staff/dispatch/hand-over", json={"waybills": [waybill]})
    return str(waybill)


def reload_until(page: Page, text: str, timeout: float = 30) -> None:
    def arrived() -> bool:
        if page.get_by_text(text, exact=False).count():
            return True
        page.reload()
        return False

    eventually(arrived, timeout=timeout)


def _screenshot(page: Page, path: Path, width: int = 1200) -> None:
    # Written when missing or when asked (UPDATE_SCREENSHOTS=1), so test runs leave the tree clean.
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not path.exists():
        page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
        page.screenshot(path=str(path), full_page=True)


# --- production and dispatch --------------------------------------------------------------------


def test_a_batch_is_produced_and_dispatched_with_its_label_printed(
    page: Page, stack: Stack, make_staff, assert_accessible: Check, screenshots_dir: Path
):
    applicant = Applicant(stack)
    order = approved(stack, applicant)
    reference = order["reference"]

    sign_in_staff(page, make_staff("production"))
    page.get_by_role("link", name="Production queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Production queue")
    reload_until(page, reference)
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "production-queue.en.png")
    page.get_by_role("button", name="Start production").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick at least one.")
    page.get_by_label(f"Select {reference}").check()
    page.get_by_role("button", name="Start production").click()
    expect(page.get_by_role("status")).to_have_text("The batch is in production.")
    card = page.locator("section.job-card", has_text=reference)
    card.get_by_label("Licence file number").fill("12345")
    card.get_by_role("button", name=re.compile("^Save the number")).click()
    expect(page.get_by_role("alert")).to_contain_text("A licence file number is exactly 12 digits.")
    assert_accessible(page)
    page.locator("section.job-card", has_text=reference).get_by_label("Licence file number").fill(
        LICENCE_FILE_NUMBER
    )
    page.locator("section.job-card", has_text=reference).get_by_role(
        "button", name=re.compile("^Save the number")
    ).click()
    expect(page.get_by_role("status")).to_have_text("The number is saved.")
    page.get_by_role("button", name="Mark produced").click()
    expect(page.get_by_role("status")).to_have_text("The batch is produced.")
    page.get_by_role("link", name="Print the production sheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Production sheet")
    expect(page.locator("table.sheet")).to_contain_text(LICENCE_FILE_NUMBER)
    expect(page.locator("table.sheet")).to_contain_text("110***********002X")
    assert "11010519491231002X" not in page.content(), "never the full ID number"
    assert page.locator("script").count() == 0
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "production-sheet.en.png")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")

    page.context.clear_cookies()
    sign_in_staff(page, make_staff("dispatcher"))
    page.get_by_role("link", name="Dispatch", exact=True).click()
    reload_until(page, reference)
    assert_accessible(page)
    page.get_by_label(f"Select {reference}").check()
    page.get_by_role("button", name="Create waybills").click()
    expect(page.get_by_role("status")).to_have_text("Waybills created: print the labels.")
    row = page.locator("tbody tr", has_text=reference)
    waybill = row.locator(".waybill").inner_text()
    assert re.fullmatch(r"[A-Z]{2}\d{9}CN", waybill)
    row.get_by_role("link", name=re.compile("^Print label")).click()
    label = page.get_by_role("img", name=f"Label of waybill {waybill}")
    assert label.evaluate(LOADED_WIDTH) > 0, "the label's SVG did not load"
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "dispatch-label.en.png")
    page.go_back()
    page.get_by_label(f"Select {reference}").check()
    page.get_by_role("button", name="Hand over to the courier").click()
    expect(page.get_by_role("status")).to_have_text("The parcels were handed over.")
    eventually(lambda: applicant.call("GET", f"/applications/{order['id']}")["status"]
               in {"shipped", "delivered"}, timeout=30)  # fmt: skip

    # The same desk in Chinese: no English words, no codes.
    page.get_by_role("link", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("寄递")
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "dispatch.zh.png")


# --- the applicant ---------------------------------------------------------------------------------


def test_an_applicant_on_a_phone_follows_the_tracking_and_confirms_receipt(
    page: Page, stack: Stack, make_staff, assert_accessible: Check, screenshots_dir: Path
):
    applicant = Applicant(stack)
    order = approved(stack, applicant)
    produced_by_api(stack, make_staff("production"), order["id"])
    waybill = dispatched_by_api(stack, make_staff("dispatcher"), order["id"])
    eventually(lambda: applicant.call("GET", f"/applications/{order['id']}")["status"]
               == "delivered", timeout=40)  # fmt: skip

    page.set_viewport_size(PHONE)
    sign_in_applicant(page, applicant)
    page.get_by_role("link", name="简体中文").click()
    page.goto(f"/applications/{order['id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(order["reference"])
    tracking = page.locator("table", has=page.locator("caption", has_text="物流跟踪"))
    for word in ("揽收", "在途", "派件", "签收"):
        expect(tracking).to_contain_text(word)
    expect(page.locator("dd .waybill")).to_have_text(waybill)
    expect(page.get_by_text("中国邮政 EMS", exact=True)).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways at 390 px"
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "delivery-tracking.zh.png", width=390)

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=2, name="Making and delivery")).to_be_visible()
    expect(page.locator("table", has=page.locator("caption", has_text="Tracking"))).to_contain_text(
        "Signed for"
    )
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "delivery-tracking.en.png", width=390)
    page.get_by_role("button", name="Confirm receipt").click()
    expect(page.get_by_role("status")).to_have_text(
        "Receipt confirmed: your application is complete."
    )
    expect(page.locator(".tag-completed").first).to_have_text("Completed")
    assert page.get_by_role("button", name="Confirm receipt").count() == 0
    assert_accessible(page)


# --- the counter -----------------------------------------------------------------------------------


def test_a_pickup_is_handed_over_at_the_counter_after_a_wrong_code(
    page: Page, another_page, stack: Stack, make_staff, assert_accessible: Check,
    screenshots_dir: Path,
):  # fmt: skip
    applicant = Applicant(stack)
    order = approved(stack, applicant, pickup=True)
    produced_by_api(stack, make_staff("production"), order["id"])
    eventually(lambda: applicant.call("GET", f"/applications/{order['id']}")["status"]
               == "ready_for_pickup", timeout=30)  # fmt: skip
    code = applicant.call("GET", f"/applications/{order['id']}/pickup-code")["code"]

    phone = another_page()
    phone.set_viewport_size(PHONE)
    sign_in_applicant(phone, applicant)
    phone.get_by_role("link", name="简体中文").click()
    phone.goto(f"/applications/{order['id']}")
    expect(phone.locator(".pickup-code .code")).to_have_text(f"{code[:3]} {code[3:]}")
    assert phone.get_by_role("img", name="取件码二维码").evaluate(LOADED_WIDTH) > 0
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), "the page scrolls sideways at 390 px"
    assert_accessible(phone)
    _screenshot(phone, screenshots_dir / "pickup-code.zh.png", width=390)

    sign_in_staff(page, make_staff("dispatcher"))
    page.get_by_role("link", name="Pickup counter").click()
    page.get_by_role("textbox", name="Reference").fill(order["reference"])
    page.get_by_role("button", name="Find").click()
    wrong = "000001" if code != "000001" else "000002"
    page.get_by_label("Pickup code").fill(wrong)
    page.get_by_role("button", name="Check the code").click()
    expect(page.get_by_role("alert")).to_contain_text("The code is wrong; 4 tries left.")
    assert_accessible(page)
    page.get_by_label("Pickup code").fill(code)
    page.get_by_role("button", name="Check the code").click()
    expect(page.get_by_text("110***********002X")).to_be_visible()
    assert "11010519491231002X" not in page.content()
    page.get_by_role("button", name="Hand over").click()
    expect(page.get_by_role("alert")).to_contain_text("Tick “ID card checked in person”")
    page.get_by_label("ID card checked in person").check()
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "counter.en.png")
    page.get_by_role("button", name="Hand over").click()
    expect(page.get_by_role("status")).to_have_text("Handed over.")
    eventually(lambda: applicant.call("GET", f"/applications/{order['id']}")["status"]
               == "delivered", timeout=30)  # fmt: skip
