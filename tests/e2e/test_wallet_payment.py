"""Paying with a wallet in a real browser, on a 390 px phone in Chinese: the
pay page offers the card, the page wallet and the QR wallet, each saying what
happens to the money ("held" or "paid, refunded if refused"); the page wallet
goes to the sandbox's cashier page (a QR code and a simulated phone) and comes
back to the confirmation; the QR wallet shows its code on the gateway's page,
and "I have paid" has orders ask the wallet and shows the confirmation."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from common.processes import Stack

from .test_applying_in_the_browser import Applicant, _sign_in

PHONE = {"width": 390, "height": 844}
# Back from the wallet, orders asks it at once: slow only on a busy machine.
SETTLE_MS = 30_000


def _shot(page: Page, path: Path) -> None:
    # Written when missing or when asked (UPDATE_SCREENSHOTS=1), so test runs leave the tree clean.
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not path.exists():
        page.screenshot(path=str(path), full_page=True)


def _to_the_pay_page(page: Page, stack: Stack) -> dict:
    page.set_viewport_size(PHONE)
    applicant = Applicant(stack)
    order = applicant.awaiting_payment()
    page.goto("/language?lang=zh-CN&next=/sign-in")
    _sign_in(page, applicant.email, english=False)
    page.goto(f"/applications/{order['id']}/pay")
    return order


def _nothing_cut_off(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than the phone"


def test_the_page_wallet_pays_at_its_cashier_and_comes_back_to_the_confirmation(
    page: Page, stack: Stack, screenshots_dir: Path, assert_accessible
) -> None:
    order = _to_the_pay_page(page, stack)
    expect(page.get_by_role("heading", name="钱包付款")).to_be_visible()
    expect(page.get_by_text("付款时即扣款；申请未通过或您取消申请时，全额退款。")).to_be_visible()
    expect(page.get_by_text("付款时只冻结该金额（预授权）")).to_be_visible()
    expect(page.get_by_text("现在只冻结该金额（预授权）")).to_be_visible()  # the card
    _nothing_cut_off(page)
    assert_accessible(page)
    _shot(page, screenshots_dir / "payment-choice.zh.png")

    page.get_by_role("button", name=re.compile(r"^去钱包收银台付款 ¥")).click()
    expect(page.get_by_role("heading", name="钱包收银台（测试环境）")).to_be_visible()
    expect(page.locator("svg").first).to_be_visible()
    _nothing_cut_off(page)
    _shot(page, screenshots_dir / "wallet-cashier.zh.png")
    page.get_by_role("button", name="模拟手机扫码付款").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交", timeout=SETTLE_MS)
    expect(page.get_by_text(re.compile(r"^已支付 ¥.*将全额退款。$"))).to_be_visible()
    page.goto(f"/applications/{order['id']}")
    expect(page.get_by_text(re.compile(r"已通过钱包支付¥"))).to_be_visible()
    expect(page.get_by_text("网页钱包", exact=True)).to_be_visible()


def test_the_qr_wallet_shows_its_code_and_i_have_paid_shows_the_confirmation(
    page: Page, stack: Stack, assert_accessible, another_page
) -> None:
    order = _to_the_pay_page(page, stack)
    page.get_by_role("button", name="显示付款码").click()
    expect(page.get_by_role("heading", name="用手机扫码付款")).to_be_visible()
    expect(page.locator(".qr-code svg")).to_be_visible()
    expect(page.get_by_text("付款时只冻结该金额（预授权）")).to_be_visible()
    _nothing_cut_off(page)
    assert_accessible(page)

    phone_url = page.get_by_role("link", name=re.compile("模拟手机")).get_attribute("href")
    assert phone_url
    phone = another_page()
    phone.set_viewport_size(PHONE)
    phone.goto(phone_url)
    phone.get_by_role("button", name="确认付款").click()
    expect(phone.get_by_role("status")).to_contain_text("资金已冻结")

    page.get_by_role("link", name="我已付款，查看结果").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申请已提交", timeout=SETTLE_MS)
    expect(page.get_by_text(re.compile(r"^已预授权 ¥"))).to_be_visible()
    page.goto(f"/applications/{order['id']}")
    expect(page.get_by_text("扫码钱包", exact=True)).to_be_visible()
