"""A new service item is data, not code: in Chromium, a supervisor creates
"补领机动车行驶证" in the staff console (both languages, a document with its photo
guidance, a VIN question with its named format on the vehicle page, a choice,
courier delivery, the SLA, the first fee with its approval reference),
previews it and publishes it; an applicant then drafts it, answers, uploads
the photo the item asks for, chooses delivery, submits and pays; a reviewer
sees the case with the new item's document. Every page is checked by
axe-core; the new item's pages are photographed at 390 px in Chinese."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from .test_applying_in_the_browser import (
    ADDRESS,
    Applicant,
    _continue,
    _upload_photo,
)
from .test_review_in_the_browser import claim_from_queue, sign_in_applicant, sign_in_staff

Check = Callable[[Page], None]
TITLE_ZH = "补领机动车行驶证"
TITLE_EN = "Replace a lost vehicle registration certificate"
DOCUMENT_EN = "The car from its front left, at 45°"
GUIDANCE_ZH = "在车辆左前方 45 度拍摄，车身完整、号牌清晰可见。"
VIN = "LSVAU2180N2183294"

CONSOLE_FORM = {
    "title_zh": TITLE_ZH,
    "title_en": TITLE_EN,
    "description_zh": "机动车行驶证遗失、被盗或损毁的，可在线申请补领，新证寄递到家或到车管所领取。",
    "description_en": "If your vehicle licence is lost, stolen or damaged, apply online for a new one.",
    "sla_working_days": "2",
    "document-0-code": "vehicle_front_left",
    "document-0-title_zh": "车辆左前方 45 度照片",
    "document-0-title_en": DOCUMENT_EN,
    "document-0-guidance_zh": GUIDANCE_ZH,
    "document-0-guidance_en": "Stand at the car's front left, at 45°: the whole car and its plate readable.",
    "question-0-name": "vin",
    "question-0-label_zh": "车辆识别代号",
    "question-0-label_en": "Vehicle identification number (VIN)",
    "question-0-hint_zh": "17 位字母和数字，见行驶证或车辆铭牌。",
    "question-0-hint_en": "17 letters and digits, on the old licence or the car's plate.",
    "question-1-name": "reason",
    "question-1-label_zh": "补领原因",
    "question-1-label_en": "Why you need a new one",
    "question-1-choices": "lost = 遗失 / Lost\nstolen = 被盗 / Stolen\ndamaged = 损毁 / Damaged",
    "production_yuan": "10",
    "delivery_yuan": "15",
    "approval_ref": "鲁价费发〔2017〕58号",
}


def create_and_publish(page: Page, check: Check, code: str) -> None:
    page.get_by_role("link", name="Manage services and fees").click()
    page.get_by_role("link", name="New service item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New service item")
    check(page)
    page.locator("#code").fill(code)
    for name, value in CONSOLE_FORM.items():
        page.locator(f"#{name}").fill(value)
    page.locator("#question-0-section").select_option("vehicle")
    page.locator("#question-0-pattern").select_option("vin")
    page.locator("#question-1-type").select_option("choice")
    page.locator("#courier").check()
    page.locator("#office-pickup-shinan").check()
    page.get_by_role("button", name="Save and preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_EN)
    expect(page.get_by_text("This is what an applicant will see.")).to_be_visible()
    vehicle_page = page.get_by_role("region", name="Your vehicle")
    expect(vehicle_page.get_by_text("17 letters and digits, on the old licence")).to_be_visible()
    expect(page.get_by_role("heading", name=DOCUMENT_EN)).to_be_visible()
    check(page)
    page.get_by_role("button", name=f"Publish “{TITLE_EN}”").click()
    expect(page.get_by_role("status")).to_be_visible()


def apply_and_pay(page: Page, check: Check, code: str) -> str:
    page.goto(f"/items/{code}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_EN)
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your application")
    check(page)

    page.get_by_role("link", name="Your details").click()
    page.get_by_label("Stolen").check()
    _continue(page, check)
    page.get_by_role("link", name="Your vehicle").click()
    page.get_by_label("Vehicle identification number (VIN)").fill("lsvau2180n21832")  # too short
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page)
    page.get_by_label("Vehicle identification number (VIN)").fill(VIN.lower())  # tidied to capitals
    _continue(page, check)

    page.get_by_role("link", name="Upload documents").click()
    page.get_by_role("link", name=f"Upload {DOCUMENT_EN}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(DOCUMENT_EN)
    _upload_photo(page, check, "vehicle_front_left", uuid.uuid4().int % 10_000)
    page.get_by_role("link", name="Continue").click()
    expect(page.locator(".summary-list .tag")).to_have_text(["Uploaded"])
    page.get_by_role("link", name="Back to your application").click()

    page.get_by_role("link", name="Delivery").click()
    page.get_by_label("By EMS courier to my address").check()
    _continue(page, check)
    for name, label in (("recipient", "Recipient's name"), ("phone", "Recipient's mobile number"),
                        ("province", "Province"), ("city", "City"),
                        ("district", "District or county"), ("street", "Street address")):  # fmt: skip
        page.get_by_label(label, exact=True).fill(ADDRESS[name])
    _continue(page, check)

    page.get_by_role("link", name="Check and pay").click()
    expect(page.get_by_text(VIN)).to_be_visible()
    expect(page.get_by_text("鲁价费发〔2017〕58号")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Accept and pay").click()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry date").fill("12/30")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay ¥25\.00$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    check(page)
    return page.locator(".reference").inner_text()


def photograph_in_chinese(page: Page, check: Check, code: str, shots: Path) -> None:
    """The new item's pages at 390 px in Chinese, as a phone shows them."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/items/{code}")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_ZH)
    expect(page.get_by_text(GUIDANCE_ZH)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    check(page)
    page.screenshot(path=str(shots / "new-item-page.zh.png"), full_page=True)


def test_a_supervisor_publishes_a_new_item_and_an_applicant_applies_for_it(
    page: Page,
    another_page: Callable[[], Page],
    assert_accessible: Check,
    screenshots_dir: Path,
    make_staff: Callable[[str], str],
    stack,
) -> None:
    code = f"vehicle-licence-replacement-{uuid.uuid4().hex[:6]}"
    sign_in_staff(page, make_staff("supervisor"))
    create_and_publish(page, assert_accessible, code)

    applicant_page = another_page()
    sign_in_applicant(applicant_page, Applicant(stack))
    reference = apply_and_pay(applicant_page, assert_accessible, code)
    assert re.fullmatch(r"LT\d{14}", reference), reference

    reviewer_page = another_page()
    sign_in_staff(reviewer_page, make_staff("reviewer"))
    claim_from_queue(reviewer_page, reference)
    expect(reviewer_page.get_by_role("heading", name=DOCUMENT_EN)).to_be_visible()
    expect(reviewer_page.get_by_text(VIN)).to_be_visible()
    assert_accessible(reviewer_page)

    photograph_in_chinese(another_page(), assert_accessible, code, screenshots_dir)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/language?lang=zh-CN&next=/staff/items/{code}/preview")
    expect(page.get_by_text("这是申请人将看到的页面。")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert_accessible(page)
    page.screenshot(path=str(screenshots_dir / "new-item-preview.zh.png"), full_page=True)
