"""Rating and complaining in Chromium through the real processes (ratings
included): an applicant on a phone (390 px) rates a completed order, then a
bad rating is answered and followed up; a complaint goes from opening to
acceptance with a supervisor answering in a browser of their own; the
public statistics and the staff dashboard. Both languages, every page checked
by axe-core, no sideways scrolling on the phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from common.processes import Stack
from common.testing import eventually

from .conftest import SUPERVISOR_EMAIL
from .test_applying_in_the_browser import Applicant
from .test_delivery_in_the_browser import (
    NO_SIDEWAYS_SCROLL,
    PHONE,
    Staff,
    _screenshot,
    approved,
    dispatched_by_api,
    produced_by_api,
)
from .test_review_in_the_browser import sign_in_applicant, sign_in_staff

Check = Callable[[Page], None]


def delivered(stack: Stack, make_staff: Callable[[str], str], applicant: Applicant) -> str:
    order = approved(stack, applicant)
    produced_by_api(stack, make_staff("production"), order["id"])
    dispatched_by_api(stack, make_staff("dispatcher"), order["id"])
    path = f"/applications/{order['id']}"
    eventually(lambda: applicant.call("GET", path)["status"] == "delivered", timeout=40)
    return str(order["id"])


def completed(stack: Stack, make_staff: Callable[[str], str], applicant: Applicant) -> str:
    order_id = delivered(stack, make_staff, applicant)
    applicant.call("POST", f"/applications/{order_id}/confirm-receipt")
    eventually(lambda: applicant.call("GET", f"/applications/{order_id}/rating")["can_rate"],
               timeout=20)  # fmt: skip
    return order_id


def on_a_phone(page: Page, check: Check) -> None:
    page.set_viewport_size(PHONE)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{page.url} scrolls sideways at 390 px"
    check(page)


def choose_scores(page: Page, score: str) -> None:
    for dimension in ("Processing speed", "Staff service", "Delivery"):
        page.get_by_role("group", name=dimension).get_by_label(score, exact=True).check()


def test_an_applicant_rates_on_a_phone_and_follows_up_a_bad_rating(
    page: Page, stack: Stack, make_staff, assert_accessible: Check, screenshots_dir: Path
):
    applicant = Applicant(stack)
    good, bad = completed(stack, make_staff, applicant), completed(stack, make_staff, applicant)
    page.set_viewport_size(PHONE)
    sign_in_applicant(page, applicant)

    page.goto(f"/applications/{good}/rating")
    on_a_phone(page, assert_accessible)
    page.get_by_label(re.compile(r"5 stars · Very satisfied")).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Quick processing").check()
    choose_scores(page, "5")
    page.get_by_label("Comment").fill("办得很快，第二天就收到了。")
    on_a_phone(page, assert_accessible)
    _screenshot(page, screenshots_dir / "rating-phone.en.png", width=390)
    page.get_by_role("button", name="Send the rating").click()
    expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
    on_a_phone(page, assert_accessible)

    # A very dissatisfied rating opens a case; the follow-up waits for the office's answer.
    page.goto(f"/applications/{bad}/rating")
    page.get_by_label(re.compile(r"1 stars? · Very dissatisfied")).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Slow processing").check()
    choose_scores(page, "1")
    page.get_by_role("button", name="Send the rating").click()
    expect(page.get_by_text("Thank you for your rating.")).to_be_visible()
    rating: dict[str, Any] = applicant.call("GET", f"/applications/{bad}/rating")["rating"]
    supervisor = Staff(stack, SUPERVISOR_EMAIL)
    case = f"/staff/complaints/{rating['case_id']}"
    supervisor.call("POST", case + "/contact", json={"note": "电话联系了申请人。"})
    supervisor.call(
        "POST", case + "/answer", json={"feedback": "已调整排班，今后两个工作日内审结。"}
    )

    page.goto(f"/applications/{bad}/rating/follow-up")
    on_a_phone(page, assert_accessible)
    page.get_by_label(re.compile(r"4 stars · Satisfied")).check()
    page.get_by_role("button", name="Continue").click()
    choose_scores(page, "4")
    page.get_by_role("button", name="Send the follow-up").click()
    expect(page.get_by_text("Your follow-up rating has been sent.")).to_be_visible()

    page.goto(f"/items/{rating['item_code']}?level=1")
    expect(page.get_by_text("Follow-up").first).to_be_visible()
    on_a_phone(page, assert_accessible)
    page.get_by_role("link", name="中文").first.click()
    on_a_phone(page, assert_accessible)
    _screenshot(page, screenshots_dir / "rating-item-phone.zh.png", width=390)


def test_a_complaint_goes_from_opening_to_acceptance(
    page: Page, stack: Stack, make_staff, another_page, assert_accessible: Check,
    screenshots_dir: Path,
):  # fmt: skip
    applicant = Applicant(stack)
    order_id = delivered(stack, make_staff, applicant)
    page.set_viewport_size(PHONE)
    sign_in_applicant(page, applicant)
    page.goto(f"/applications/{order_id}/complaints/new")
    on_a_phone(page, assert_accessible)
    page.get_by_role("button", name="Send the complaint").click()
    expect(page.get_by_text("Enter a description").first).to_be_visible()
    page.get_by_label("Delivery").check()
    page.get_by_label("Description").fill("快递盒破损，驾驶证有折痕。")
    page.get_by_role("button", name="Send the complaint").click()
    expect(page.get_by_text("Your complaint has been sent.")).to_be_visible()
    case_url = page.url

    office = another_page()
    sign_in_staff(office, SUPERVISOR_EMAIL)
    office.goto("/staff/complaints")
    assert_accessible(office)
    case_id = case_url.rstrip("/").rsplit("/", 1)[-1]
    office.goto(f"/staff/complaints/{case_id}")
    assert_accessible(office)
    office.get_by_label("How you reached the applicant").fill("电话联系了申请人。")
    office.get_by_role("button", name="Record the contact").click()
    expect(office.get_by_text("The contact is recorded.")).to_be_visible()
    office.get_by_label("Feedback").fill("已补制新证并寄出。")
    office.get_by_role("button", name="Send the feedback").click()
    expect(office.get_by_text("The feedback is recorded.")).to_be_visible()
    _screenshot(office, screenshots_dir / "complaint-case-staff.en.png")

    page.goto(case_url)
    on_a_phone(page, assert_accessible)
    page.get_by_role("link", name="中文").first.click()
    on_a_phone(page, assert_accessible)
    _screenshot(page, screenshots_dir / "complaint-phone.zh.png", width=390)
    page.get_by_role("link", name="English").first.click()
    page.get_by_role("button", name="Accept the answer").click()
    expect(page.get_by_text("You accepted the answer; the case is closed.")).to_be_visible()
    on_a_phone(page, assert_accessible)


def test_the_statistics_and_the_dashboard_read_well_in_both_languages(
    page: Page, stack: Stack, assert_accessible: Check, screenshots_dir: Path
):
    page.goto("/stats")
    page.get_by_role("link", name="English").first.click()
    expect(page.locator("svg").first).to_be_visible()
    assert page.locator("table").count() >= 1
    assert_accessible(page)
    page.get_by_role("link", name="中文").first.click()
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "stats.zh.png")
    on_a_phone(page, assert_accessible)
    _screenshot(page, screenshots_dir / "stats-phone.zh.png", width=390)

    sign_in_staff(page, SUPERVISOR_EMAIL)
    # The dashboard is part of the staff desk every staff role lands on.
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="中文").first.click()
    assert_accessible(page)
    _screenshot(page, screenshots_dir / "dashboard.zh.png")
    on_a_phone(page, assert_accessible)
