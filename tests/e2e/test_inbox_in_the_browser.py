"""The inbox in Chromium through the real processes (notifications included):
an applicant on a phone (390 px) sees the unread count in the page header,
reads the messages newest first and marks one read, then all; and changes the
message settings. Both languages, every page checked by axe-core, no sideways
scrolling on the phone; the Chinese pages hold no English word."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from common.processes import Stack
from common.testing import eventually

from .test_applying_in_the_browser import Applicant
from .test_delivery_in_the_browser import NO_SIDEWAYS_SCROLL, PHONE, _screenshot, approved
from .test_review_in_the_browser import sign_in_applicant

Check = Callable[[Page], None]
# Latin words a Chinese page may show: none but the reference (LT…), yuan and units.
URL = re.compile(r"https?://\S+|\S+@\S+")
ENGLISH_WORD = re.compile(r"\b(?!LT[0-9A-Z]+\b)[A-Za-z]{3,}\b")


# What sticks out past the right edge, to say why a page scrolls sideways.
STICKING_OUT = """() => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
    .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : "")
         + " " + Math.round(e.getBoundingClientRect().right) + "px: "
         + (e.innerText || "").slice(0, 60))"""


def on_a_phone(page: Page, check: Check) -> None:
    page.set_viewport_size(PHONE)
    sideways = f"{page.url} scrolls sideways at 390 px: {page.evaluate(STICKING_OUT)}"
    assert page.evaluate(NO_SIDEWAYS_SCROLL), sideways
    check(page)


def header_count(page: Page) -> str:
    return page.get_by_role("navigation").get_by_role("link", name=re.compile("^(Messages|消息)"))


def english_words(page: Page) -> list[str]:
    """English words in what a reader sees on the page (the language switch aside)."""
    seen = page.locator("main").inner_text() + page.locator("header").inner_text()
    # A message's body ends with its order's address (notifications' templates put the
    # link in every body), and the settings show the masked email address; an address
    # is read as an address, not as English.
    seen = URL.sub("", seen)
    return [w for w in ENGLISH_WORD.findall(seen) if w != "English"]


def with_messages(stack: Stack, language: str) -> tuple[Applicant, dict]:
    """An applicant whose application was submitted and approved: two unread messages,
    written in `language` (chosen before the first one)."""
    applicant = Applicant(stack)
    applicant.call("PUT", "/preferences", json={"language": language})
    order = approved(stack, applicant)
    eventually(lambda: applicant.call("GET", "/inbox/unread-count")["unread"] == 2, timeout=30)
    return applicant, order


def test_an_applicant_reads_the_inbox_on_a_phone_in_chinese(
    page: Page, stack: Stack, assert_accessible: Check, screenshots_dir: Path
):
    applicant, order = with_messages(stack, "zh-CN")
    page.set_viewport_size(PHONE)
    sign_in_applicant(page, applicant)
    page.get_by_role("link", name="中文").first.click()

    expect(header_count(page)).to_have_text(re.compile(r"消息\s*\(2 条未读\)"))
    header_count(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("消息")
    expect(page.get_by_text("未读消息：2 条")).to_be_visible()
    titles = page.locator(".inbox-title")
    expect(titles).to_have_count(2)
    on_a_phone(page, assert_accessible)
    assert english_words(page) == [], english_words(page)
    _screenshot(page, screenshots_dir / "inbox-phone.zh.png", width=390)

    # The newest (approved) is first; marking it read brings the header down to one.
    page.get_by_role("button", name=re.compile("^标为已读")).first.click()
    expect(page.get_by_role("status")).to_have_text("消息已标为已读。")
    expect(header_count(page)).to_have_text(re.compile(r"消息\s*\(1 条未读\)"))
    page.get_by_role("button", name="全部标为已读").click()
    expect(header_count(page)).to_have_text("消息")
    on_a_phone(page, assert_accessible)

    page.get_by_role("link", name="消息设置").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("消息设置")
    on_a_phone(page, assert_accessible)
    assert english_words(page) == [], english_words(page)
    _screenshot(page, screenshots_dir / "inbox-preferences-phone.zh.png", width=390)
    assert order["reference"]


def test_an_applicant_reads_the_inbox_and_changes_the_settings_in_english(
    page: Page, stack: Stack, assert_accessible: Check, screenshots_dir: Path
):
    applicant, order = with_messages(stack, "en")
    page.set_viewport_size(PHONE)
    sign_in_applicant(page, applicant)

    expect(header_count(page)).to_have_text(re.compile(r"Messages\s*\(2 unread\)"))
    header_count(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages")
    expect(page.locator(".inbox-body").first).to_contain_text(order["reference"])
    on_a_phone(page, assert_accessible)
    _screenshot(page, screenshots_dir / "inbox-phone.en.png", width=390)
    page.get_by_role("button", name=re.compile("^Mark as read")).first.click()
    expect(page.get_by_role("status")).to_have_text("The message is marked as read.")
    expect(header_count(page)).to_have_text(re.compile(r"Messages\s*\(1 unread\)"))
    assert applicant.call("GET", "/inbox/unread-count") == {"unread": 1}

    page.get_by_role("link", name="Message settings").click()
    on_a_phone(page, assert_accessible)
    page.get_by_label("Email").uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Your message settings are saved.")
    expect(page.get_by_label("Email")).not_to_be_checked()
    assert applicant.call("GET", "/preferences")["email"] is False
    on_a_phone(page, assert_accessible)
    _screenshot(page, screenshots_dir / "inbox-preferences-phone.en.png", width=390)
