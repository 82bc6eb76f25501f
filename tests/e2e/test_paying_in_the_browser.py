"""Paying in a real browser with JavaScript turned off, on a 390 px phone in
Chinese: Pay answers at once, the payment-in-progress page reloads itself
(meta refresh) until the provider's webhook is in, and the browser arrives at
the confirmation by itself; the pay page says the card is held, not paid."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from common.processes import Stack

from .test_applying_in_the_browser import Applicant, _sign_in

PHONE = {"width": 390, "height": 844}
# The page reloads every 2 seconds and the sandbox answers about a second after
# the card: enough for a few reloads on a busy machine.
SETTLE_MS = 20_000


@pytest.fixture
def phone_without_script(browser: Browser, stack: Stack) -> Iterator[Page]:
    context = browser.new_context(
        base_url=stack.url("gateway"), viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _shot(page: Page, path: Path) -> None:
    # Written when missing or when asked (UPDATE_SCREENSHOTS=1), so test runs leave the tree clean.
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not path.exists():
        page.screenshot(path=str(path), full_page=True)


def test_without_javascript_pay_shows_progress_then_the_confirmation_by_itself(
    phone_without_script: Page, stack: Stack, screenshots_dir: Path
) -> None:
    page = phone_without_script
    applicant = Applicant(stack)
    order = applicant.awaiting_payment()
    page.goto("/language?lang=zh-CN&next=/sign-in")
    _sign_in(page, applicant.email, english=False)
    page.goto(f"/applications/{order['id']}/pay")
    expect(page.get_by_text("现在只冻结该金额（预授权）：审核通过后才扣款")).to_be_visible()
    _shot(page, screenshots_dir / "apply-pay.zh.png")
    page.get_by_label("卡号").fill("4242 4242 4242 4242")
    page.get_by_label("有效期").fill("12/30")
    page.get_by_label("安全码").fill("123")
    page.get_by_role("button", name=re.compile(r"^支付 ¥")).click()

    heading = page.get_by_role("heading", level=1)
    if heading.inner_text() == "支付处理中":  # the webhook had not come back yet
        assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "2"
        _shot(page, screenshots_dir / "payment-in-progress.zh.png")
    expect(heading).to_have_text("申请已提交", timeout=SETTLE_MS)
    expect(page.locator(".reference")).to_have_text(order["reference"])
