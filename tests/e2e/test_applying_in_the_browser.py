"""The applicant's journey in Chromium through the real gateway, catalog, orders
and verification processes: every page checked by axe-core on the way."""

from __future__ import annotations

import io
import os
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from common.processes import Stack
from common.testing import eventually

Check = Callable[[Page], None]
PASSWORD = "applicant password 2026"
ITEM = "driving-licence-replacement"
ITEM_TITLE = "Replace a lost driving licence"
DOCUMENTS = {
    "id_card_front": "ID card, photo side",
    "id_card_back": "ID card, national emblem side",
    "selfie_with_id_card": "Selfie holding your ID card",
    "portrait_photo": "Recent passport-style photo",
}
ANSWERS = {
    "full_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "licence_class": "c1",
    "reason": "lost",
}
ADDRESS = {
    "recipient": "张三",
    "phone": "13800138000",
    "province": "山东省",
    "city": "青岛市",
    "district": "市南区",
    "street": "香港中路 1 号",
}


def photo(seed: int) -> bytes:
    """A distinct 800×600 JPEG per seed: verification refuses the same picture twice."""
    picture = Image.new("RGB", (800, 600), (200, 210 - seed % 50, 190 + seed % 60))
    pen = ImageDraw.Draw(picture)
    for index in range(6):
        left, top = (seed * 37 + index * 131) % 680, (seed * 53 + index * 97) % 510
        pen.rectangle(
            (left, top, left + 110, top + 80), fill=((seed * 41 + index * 60) % 256, 40, 90)
        )
    pen.text((20, 560), f"No. {seed:06d}", fill=(0, 0, 0))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


class Applicant:
    """An account made through the public API, which can also prepare an application."""

    def __init__(self, stack: Stack) -> None:
        self.base = stack.url("gateway") + "/api/v1"
        self.email = f"e2e-{uuid.uuid4().hex[:8]}@example.cn"
        body = {"identifier": self.email, "password": PASSWORD}
        self.call("POST", "/accounts", json=body)
        token = self.call("POST", "/sessions", json=body)["token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**getattr(self, "headers", {}), **kwargs.pop("headers", {})}
        answer = requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)
        assert answer.ok, f"{method} {path}: {answer.status_code} {answer.text}"
        return answer.json() if answer.content else None

    def awaiting_payment(self) -> dict[str, Any]:
        """An application answered, with its photos and delivery, sent and waiting for payment."""
        key = {"Idempotency-Key": uuid.uuid4().hex}
        order = self.call("POST", "/applications", json={"item_code": ITEM}, headers=key)
        path = f"/applications/{order['id']}"
        self.call("PUT", path + "/answers", json={"answers": ANSWERS})
        for seed, code in enumerate(DOCUMENTS, start=uuid.uuid4().int % 1000):
            eventually(lambda c=code, s=seed: self._upload(path, c, photo(s)))
        self.call("PUT", path + "/delivery", json={"kind": "courier", "address": ADDRESS})
        eventually(lambda: self.call("GET", path)["documents"]["complete"])
        submitted = self.call(
            "POST", path + "/submit", headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        return dict(submitted)

    def _upload(self, path: str, code: str, content: bytes) -> bool:
        answer = requests.put(
            f"{self.base}{path}/documents/{code}",
            headers=self.headers,
            files={"file": (f"{code}.jpg", content, "image/jpeg")},
            timeout=30,
        )
        assert answer.status_code in {201, 409}, answer.text  # 409: the case is opening
        return answer.status_code == 201


def _sign_in(page: Page, email: str, english: bool = True) -> None:
    page.goto("/sign-in")
    if english:
        page.get_by_role("link", name="English").click()
        page.get_by_label("Email address or mobile number").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    else:
        page.get_by_label("电子邮箱或手机号码").fill(email)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")


def _choose_file(page: Page, name: str, content: bytes, mime: str = "image/jpeg") -> None:
    page.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}
    )


def _upload_photo(page: Page, check: Check, code: str, seed: int) -> None:
    """Upload on a document's page; while verification opens the case it says try again."""
    for _ in range(20):
        _choose_file(page, f"{code}.jpg", photo(seed))
        with page.expect_navigation():
            page.get_by_role("button", name="Upload the photo").click()
        if page.get_by_role("status").count():
            break
        expect(page.get_by_role("alert")).to_contain_text("try again in a moment")
        time.sleep(0.25)
    expect(page.get_by_role("status")).to_have_text("The photo is uploaded.")
    expect(page.get_by_role("img", name=re.compile("Your uploaded photo"))).to_be_visible()
    check(page)


def _continue(page: Page, check: Check) -> None:
    check(page)
    page.get_by_role("button", name="Continue").click()


def test_an_applicant_applies_uploads_pays_and_finds_it_submitted(
    page: Page, assert_accessible: Check, screenshots_dir: Path
) -> None:
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.cn"
    page.goto("/register")
    page.get_by_role("link", name="English").click()
    page.get_by_label("Email address or mobile number").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_have_text("You are registered and signed in.")

    page.get_by_role("navigation").get_by_role("link", name="Store").click()
    page.get_by_role("link", name=ITEM_TITLE).click()
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your application")
    expect(page.get_by_text("You have completed 0 of 3 sections.")).to_be_visible()
    expect(page.locator("#task-check-status")).to_have_text("Cannot start yet")
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "apply-task-list.en.png")

    page.get_by_role("link", name="Your details").click()
    page.get_by_label("Full name").fill(ANSWERS["full_name"])
    _continue(page, assert_accessible)
    page.get_by_label("Resident ID number").fill("110105194912310021")  # a wrong check digit
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter a valid 18-character resident ID number"
    )
    assert_accessible(page)
    page.get_by_role("alert").get_by_role("link").click()
    expect(page.get_by_label("Resident ID number")).to_be_focused()
    page.get_by_label("Resident ID number").fill(ANSWERS["id_number"])
    _continue(page, assert_accessible)
    page.get_by_label("Mobile number").fill(ANSWERS["phone"])
    _continue(page, assert_accessible)
    page.get_by_label("C1 car").check()
    _continue(page, assert_accessible)
    page.get_by_label("Lost").check()
    _continue(page, assert_accessible)
    _continue(page, assert_accessible)  # the licence file number is optional
    expect(page.locator("#task-details-status")).to_have_text("Completed")

    page.get_by_role("link", name="Upload documents").click()
    assert_accessible(page)
    for seed, (code, title) in enumerate(DOCUMENTS.items(), start=1):
        if seed == 1:
            page.get_by_role("link", name=f"Upload {title}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        assert_accessible(page)
        _upload_photo(page, assert_accessible, code, seed)
        page.get_by_role("link", name="Continue").click()
    expect(page.locator(".summary-list .tag")).to_have_text(["Uploaded"] * 4)
    page.get_by_role("link", name="Back to your application").click()

    page.get_by_role("link", name="Delivery").click()
    page.get_by_label("By EMS courier to my address").check()
    _continue(page, assert_accessible)
    for name, label in (("recipient", "Recipient's name"), ("phone", "Recipient's mobile number"),
                        ("province", "Province"), ("city", "City"),
                        ("district", "District or county"), ("street", "Street address")):  # fmt: skip
        page.get_by_label(label, exact=True).fill(ADDRESS[name])
    _continue(page, assert_accessible)

    expect(page.locator("#task-check-status")).to_have_text("Not started")
    page.get_by_role("link", name="Check and pay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your application"
    )
    expect(page.get_by_text("鲁价费发〔2017〕58号")).to_be_visible()
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "apply-check.en.png")
    page.get_by_role("button", name="Accept and pay").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose how to pay")
    expect(page.get_by_text("Sandbox: use test card 4242 4242 4242 4242")).to_be_visible()
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "apply-pay.en.png")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry date").fill("12/30")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay ¥[0-9.,]+$")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"LT\d{14}", reference), reference
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "apply-confirmation.en.png")

    page.get_by_role("navigation").get_by_role("link", name="My applications").click()
    row = page.locator("li.order-card", has_text=reference)
    expect(row).to_contain_text("Submitted")
    assert_accessible(page)
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Application {reference}")
    timeline = page.locator("ol.timeline")
    for happened in ("Application started", "Submitted; the fee is locked at ¥",
                     "the payment provider holds it"):  # fmt: skip
        expect(timeline).to_contain_text(happened)
    expect(page.get_by_text("ending 4242")).to_be_visible()
    assert_accessible(page)


def test_a_declined_card_is_explained_and_another_card_pays(
    page: Page, stack: Stack, assert_accessible: Check
) -> None:
    applicant = Applicant(stack)
    order = applicant.awaiting_payment()
    _sign_in(page, applicant.email)
    page.goto(f"/applications/{order['id']}/pay")
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_label("Expiry date").fill("12/30")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay ¥[0-9.,]+$")).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your card was declined and you have not been charged.")
    expect(page.get_by_label("Card number")).to_have_value("")  # never shown back
    assert_accessible(page)

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry date").fill("12/30")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name=re.compile(r"^Pay ¥[0-9.,]+$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    expect(page.locator(".reference")).to_have_text(order["reference"])
    assert_accessible(page)


def test_a_web_page_named_jpg_is_refused_with_the_reason_in_words(
    page: Page, stack: Stack, assert_accessible: Check
) -> None:
    applicant = Applicant(stack)
    _sign_in(page, applicant.email, english=False)
    page.goto(f"/items/{ITEM}")
    page.get_by_role("button", name="开始申请").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申请事项")
    page.get_by_role("link", name="上传材料照片").click()
    page.get_by_role("link", name="上传 居民身份证人像面").click()
    html = b"<!doctype html><html><body><script>alert('x')</script></body></html>"
    for _ in range(20):
        _choose_file(page, "id-card.jpg", html)
        with page.expect_navigation():
            page.get_by_role("button", name="上传照片").click()
        if "请稍候片刻再试" not in page.get_by_role("alert").inner_text():
            break
        time.sleep(0.25)
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("所选文件不是 JPEG 或 PNG 照片。")
    expect(page).to_have_title(re.compile("^错误："))
    assert_accessible(page)
    alert.get_by_role("link").click()
    expect(page.locator("input[type=file]")).to_be_focused()


def test_an_unpaid_application_is_cancelled_after_a_confirmation_page(
    page: Page, stack: Stack, assert_accessible: Check
) -> None:
    applicant = Applicant(stack)
    order = applicant.awaiting_payment()
    _sign_in(page, applicant.email)
    page.get_by_role("navigation").get_by_role("link", name="My applications").click()
    row = page.locator("li.order-card", has_text=order["reference"])
    expect(row).to_contain_text("Awaiting payment")
    row.get_by_role("link", name=order["reference"]).click()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel this application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Are you sure you want to cancel application {order['reference']}?"
    )
    assert_accessible(page)
    page.get_by_label("Why are you cancelling? (optional)").fill("I found my licence")
    page.get_by_role("button", name="Yes, cancel the application").click()
    expect(page.get_by_role("status")).to_have_text("The application is cancelled.")
    expect(page.locator(".tag-closed-unpaid").first).to_have_text("Closed unpaid")
    expect(page.get_by_role("link", name="Cancel this application")).to_have_count(0)
    assert_accessible(page)


def _screenshot(page: Page, path: Path) -> None:
    # Written when missing or when asked (UPDATE_SCREENSHOTS=1), so test runs leave the tree clean.
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not path.exists():
        page.set_viewport_size({"width": 1200, "height": 900})
        page.screenshot(path=str(path), full_page=True)


def test_on_a_phone_start_says_why_to_sign_in_and_registering_comes_back_to_the_service(
    page: Page, assert_accessible: Check
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/language?lang=zh-CN&next=/items/{ITEM}")
    page.get_by_role("button", name="开始申请").click()
    expect(page.get_by_role("status")).to_contain_text("开始申请前请先登录。")
    assert_accessible(page)
    page.get_by_role("main").get_by_role("link", name="还没有账户？注册").click()
    expect(page.get_by_role("status")).to_contain_text("开始申请前请先登录。")
    page.get_by_label("电子邮箱或手机号码").fill(f"e2e-{uuid.uuid4().hex[:8]}@example.cn")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page).to_have_url(re.compile(f"/items/{ITEM}$"))  # back at the service, not the account
    page.get_by_role("button", name="开始申请").click()
    expect(page).to_have_url(re.compile(r"/applications/[^/]+/tasks$"))

    page.get_by_role("navigation").get_by_role("link", name=re.compile("^我的申请")).click()
    card = page.locator("li.order-card").first
    expect(card).to_contain_text("补领机动车驾驶证")
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    # The service's name reads as a line of words, not a character a line.
    title = card.locator(".order-card-title").bounding_box()
    assert title is not None and title["width"] > 200
    assert_accessible(page)
