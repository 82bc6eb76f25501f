"""Journeys through the real gateway and catalog in Chromium, each page checked by axe-core."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import REVIEWER_EMAIL, SUPERVISOR_EMAIL, SUPERVISOR_PASSWORD

Check = Callable[[Page], None]
PASSWORD = "applicant password 2026"


def _visible_yuan(text: str) -> list[str]:
    return re.findall(r"¥[\d,]+\.\d{2}", text)


def test_a_visitor_browses_the_store_and_reads_an_item(
    page: Page, assert_accessible: Check, screenshots_dir: Path
) -> None:
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("全部服务")
    cards = page.locator(".item-card")
    expect(cards.first).to_be_visible()
    # The three seeded items, and any a console test of this run has published.
    assert cards.count() >= 3
    assert _visible_yuan(cards.first.inner_text())
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "store-front.png")

    cards.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="您需要准备的材料")).to_be_visible()
    expect(page.get_by_role("heading", name="费用")).to_be_visible()
    assert_accessible(page)


def test_the_store_front_in_english(
    page: Page, assert_accessible: Check, screenshots_dir: Path
) -> None:
    page.goto("/")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("All services")
    expect(
        page.get_by_text(re.compile(r"out of 5, [\d,]+ ratings|No ratings yet")).first
    ).to_be_visible()
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "store-front.en.png")


def test_an_applicant_registers_signs_out_and_signs_in_again(
    page: Page, assert_accessible: Check
) -> None:
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.cn"
    page.goto("/register")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)

    page.get_by_label("Email address or mobile number").fill(email)
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Confirm password").fill("short")
    page.get_by_role("button", name="Register").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The password needs at least 10 characters.")
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Password", exact=True)).to_be_focused()

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_have_text("You are registered and signed in.")
    expect(page.get_by_text(email).first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    page.get_by_role("navigation").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address or mobile number").fill(email)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The email address, mobile number or password is not right."
    )
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def test_the_language_can_be_switched_back_and_forth_on_any_page(
    page: Page, assert_accessible: Check
) -> None:
    page.goto("/sign-in")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_role("link", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    assert_accessible(page)


def test_the_skip_link_comes_first_and_moves_focus_to_the_content(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_a_supervisor_changes_a_fee_and_the_store_shows_the_new_price(
    page: Page, assert_accessible: Check
) -> None:
    page.goto("/staff/items")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/staff/sign-in\?next="))
    assert_accessible(page)
    page.get_by_label("Work email address").fill(SUPERVISOR_EMAIL)
    page.get_by_label("Password").fill(SUPERVISOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage services and fees")
    assert_accessible(page)

    first_row = page.locator("tbody tr").first
    title = first_row.locator("td").first.inner_text()  # the service, named in words
    first_row.get_by_role("link", name=re.compile("Change fee")).click()
    page.get_by_label("Production cost (yuan)").fill("12.345")
    page.get_by_label("Courier fee (yuan)").fill("-3")
    page.get_by_role("button", name="Save the new fee").click()
    expect(page.get_by_role("alert")).to_contain_text("at most 2 decimal places")
    expect(page.get_by_role("alert")).to_contain_text("cannot be negative")
    assert_accessible(page)

    production = f"{37 + int(uuid.uuid4().int % 50)}.80"
    page.get_by_label("Production cost (yuan)").fill(production)
    page.get_by_label("Courier fee (yuan)").fill("18")
    page.get_by_label("Price approval reference").fill("QD-PRICE-2026-E2E")
    page.get_by_role("button", name="Save the new fee").click()
    expect(page.get_by_role("status")).to_have_text("The new fee is saved.")
    assert_accessible(page)

    page.get_by_role("navigation").get_by_role("link", name="Store").click()
    card = page.locator(".item-card", has_text=title)
    expect(card).to_contain_text(f"¥{production}")
    expect(card).to_contain_text("¥18.00")


def _screenshot(page: Page, path: Path) -> None:
    # Written when missing or when asked (UPDATE_SCREENSHOTS=1), so test runs leave the tree clean.
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not path.exists():
        page.set_viewport_size({"width": 1200, "height": 900})
        page.screenshot(path=str(path), full_page=True)


def test_a_reviewer_sees_the_staff_desk_but_not_the_fee_pages(
    page: Page, assert_accessible: Check
) -> None:
    page.goto("/staff/sign-in")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Work email address").fill(REVIEWER_EMAIL)
    page.get_by_label("Password").fill(SUPERVISOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff desk")
    expect(page.get_by_text("Your roles: reviewer")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="简体中文").click()
    expect(page.get_by_text("您的角色：审核人员")).to_be_visible()
    page.get_by_role("link", name="English").click()
    response = page.goto("/staff/items")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    assert_accessible(page)


def test_an_unknown_page_is_a_helpful_404(page: Page, assert_accessible: Check) -> None:
    response = page.goto("/items/no-such-service")
    assert response is not None and response.status == 404
    expect(page.get_by_role("link", name="返回服务店首页")).to_be_visible()
    assert_accessible(page)
