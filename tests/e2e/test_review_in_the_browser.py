"""The review in Chromium through the real gateway, orders and verification
processes: a reviewer works a case from the queue to a decision, an applicant
sends new photos and talks with the office, a supervisor reads the audit log.
Every page is checked by axe-core on the way."""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from common.processes import Stack
from common.testing import eventually

from .conftest import SUPERVISOR_PASSWORD
from .test_applying_in_the_browser import (
    ADDRESS,
    ANSWERS,
    DOCUMENTS,
    ITEM,
    PASSWORD,
    Applicant,
    photo,
)

Check = Callable[[Page], None]
ID_CHECK = "id_number_matches_id_card"
SELFIE = "selfie_with_id_card"
# The picture's own width once it has loaded (0 when it fails to).
LOADED_WIDTH = """img => img.complete ? img.naturalWidth : new Promise(done => {
    img.addEventListener("load", () => done(img.naturalWidth));
    img.addEventListener("error", () => done(0));
})"""
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= innerWidth"
# Where a photo is drawn, where its box is, and the screen, in CSS pixels.
PLACED = """img => {
    const drawn = img.getBoundingClientRect(), box = img.closest('.photo-box').getBoundingClientRect();
    return {top: drawn.top, bottom: drawn.bottom, left: drawn.left, right: drawn.right,
            width: drawn.width, box_top: box.top, box_bottom: box.bottom, box_left: box.left,
            box_right: box.right, box_width: box.width, natural: img.naturalWidth,
            screen_width: innerWidth, screen_height: innerHeight};
}"""
CARD = "id_card_front"
TABS = ("Unassigned", "Mine", "Awaiting applicant", "All")


# --- the applicant's side ------------------------------------------------------------


def submitted(applicant: Applicant) -> dict[str, Any]:
    """An application paid by card through the public API, in the review queue."""
    order = applicant.awaiting_payment()
    card = {"card_number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}
    path = f"/applications/{order['id']}"
    applicant.call(
        "POST", path + "/payment/card", json=card, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    eventually(lambda: applicant.call("GET", path)["status"] == "submitted")
    return order


def sign_in_applicant(page: Page, applicant: Applicant) -> None:
    page.goto("/sign-in")
    page.get_by_role("link", name="English").click()
    page.get_by_label("Email address or mobile number").fill(applicant.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def open_application(page: Page, reference: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=re.compile("^My applications")).click()
    # The reference links to the application, whether the list is a table or cards.
    page.get_by_role("main").get_by_role("link", name=reference, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Application {reference}")


# --- the reviewer's side --------------------------------------------------------------


def sign_in_staff(page: Page, email: str) -> None:
    page.goto("/staff/sign-in")
    page.get_by_role("link", name="English").click()
    page.get_by_label("Work email address").fill(email)
    page.get_by_label("Password").fill(SUPERVISOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff desk")


def reload_until(page: Page, locator: Locator) -> None:
    """The queue and the order follow events: look again until the change has arrived."""

    def arrived() -> bool:
        if locator.count():
            return True
        page.reload()
        return False

    eventually(arrived)


def queue_row(page: Page, tab: str, reference: str) -> Locator:
    """The case's row in one tab of the queue, found with the reference search."""
    page.get_by_role("navigation", name="Case tabs").get_by_role(
        "link", name=re.compile(f"^{tab} ")
    ).click()
    expect(page.get_by_role("heading", level=2, name=tab)).to_be_visible()
    page.get_by_label("Search by reference").fill(reference)
    page.get_by_role("button", name="Apply filters").click()
    row = page.locator("tbody tr", has_text=reference)
    reload_until(page, row)
    return row


def claim_from_queue(page: Page, reference: str) -> None:
    page.get_by_role("link", name="Review queue").click()
    row = queue_row(page, "Unassigned", reference)
    row.get_by_role("button", name=f"Assign to me – {reference}").click()
    expect(page.get_by_role("status")).to_have_text("The case is assigned to you.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review {reference}")


def give_verdicts(page: Page, refuse: dict[str, tuple[str, str]] | None = None) -> None:
    """Every photo's verdict and the ID check in the case page's one form, one submit."""
    refuse = refuse or {}
    for code in DOCUMENTS:
        section = page.locator(f"#document-{code}")
        if code in refuse:
            reason, note = refuse[code]
            section.get_by_label("Refused", exact=True).check()
            section.get_by_label("Why it is refused").select_option(label=reason)
            section.get_by_label("Note (optional)").fill(note)
        else:
            section.get_by_label("Accepted", exact=True).check()
    page.locator(f"#check-{ID_CHECK}").get_by_label("Matches", exact=True).check()
    page.get_by_role("button", name="Save the verdicts").click()
    expect(page.get_by_role("status")).to_have_text("The verdicts are saved.")
    for code in DOCUMENTS:
        verdict = page.locator(f"#document-{code}").locator("p.verdict-now")
        expect(verdict).to_contain_text("Refused" if code in refuse else "Accepted")
    expect(page.locator(f"#check-{ID_CHECK} p").first).to_contain_text("Matches")


def placed(page: Page, code: str) -> dict[str, float]:
    image = page.locator(f"#document-{code} img.document-image")
    assert image.evaluate(LOADED_WIDTH) > 0, f"the photo of {code} did not load"
    return dict(image.evaluate(PLACED))


def assert_fully_on_screen_and_in_its_box(where: dict[str, float], code: str) -> None:
    assert where["top"] >= 0 and where["bottom"] <= where["screen_height"], (code, where)
    assert where["left"] >= 0 and where["right"] <= where["screen_width"], (code, where)
    assert where["top"] >= where["box_top"] - 0.5, (code, where)
    assert where["bottom"] <= where["box_bottom"] + 0.5, (code, where)
    assert where["left"] >= where["box_left"] - 0.5, (code, where)
    assert where["right"] <= where["box_right"] + 0.5, (code, where)


def phone_photo(seed: int, width: int, height: int) -> bytes:
    """A phone camera's picture size (4032 × 3024), distinct per seed."""
    picture = Image.new("RGB", (width, height), (190, 200 - seed % 50, 180 + seed % 60))
    pen = ImageDraw.Draw(picture)
    for index in range(8):
        left, top = (
            (seed * 97 + index * 431) % (width - 600),
            (seed * 61 + index * 313) % (height - 400),
        )
        pen.rectangle(
            (left, top, left + 600, top + 400), fill=((seed * 41 + index * 60) % 256, 60, 90)
        )
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return out.getvalue()


def submitted_with_phone_photos(applicant: Applicant) -> dict[str, Any]:
    """An application whose ID card and selfie are 4032 × 3024 phone photos (the selfie
    upright), paid and in the queue."""
    key = {"Idempotency-Key": uuid.uuid4().hex}
    order = applicant.call("POST", "/applications", json={"item_code": ITEM}, headers=key)
    path = f"/applications/{order['id']}"
    applicant.call("PUT", path + "/answers", json={"answers": ANSWERS})
    base = uuid.uuid4().int % 1000
    pictures = {
        CARD: phone_photo(base, 4032, 3024),
        SELFIE: phone_photo(base + 1, 3024, 4032),
        "id_card_back": photo(base + 2),
        "portrait_photo": photo(base + 3),
    }
    for code, content in pictures.items():
        eventually(lambda c=code, b=content: applicant._upload(path, c, b))
    applicant.call("PUT", path + "/delivery", json={"kind": "courier", "address": ADDRESS})
    eventually(lambda: applicant.call("GET", path)["documents"]["complete"])
    submitted = applicant.call(
        "POST", path + "/submit", headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    card = {"card_number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123"}
    applicant.call(
        "POST", path + "/payment/card", json=card, headers={"Idempotency-Key": uuid.uuid4().hex}
    )
    eventually(lambda: applicant.call("GET", path)["status"] == "submitted")
    return dict(submitted)


def tab_to(page: Page, target: Locator, presses: int = 60) -> None:
    """Press Tab until the target has the focus, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


# --- the tests ----------------------------------------------------------------------


def test_a_reviewer_works_a_case_from_the_queue_to_approval_and_the_payment_is_captured(
    page: Page,
    stack: Stack,
    make_staff: Callable[[str], str],
    another_page: Callable[[], Page],
    assert_accessible: Check,
    screenshots_dir: Path,
) -> None:
    applicant = Applicant(stack)
    order = submitted(applicant)
    reference = order["reference"]
    sign_in_staff(page, make_staff("reviewer"))

    page.get_by_role("link", name="Review queue").click()
    for tab in TABS:
        link = page.get_by_role("navigation", name="Case tabs").get_by_role(
            "link", name=re.compile(f"^{tab} ")
        )
        link.click()
        expect(link).to_have_attribute("aria-current", "page")
        assert_accessible(page)
    row = queue_row(page, "Unassigned", reference)
    expect(row).to_contain_text("Queued")
    expect(row).to_contain_text("Nobody yet")
    _screenshot(page, screenshots_dir / "review-queue.en.png")

    row.get_by_role("button", name=f"Assign to me – {reference}").click()
    expect(page.get_by_role("status")).to_have_text("The case is assigned to you.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review {reference}")
    expect(page.locator(".identity-bar")).to_contain_text("In review")
    for title in DOCUMENTS.values():
        image = page.get_by_role("img", name=f"{title} of {reference}")
        expect(image).to_be_visible()
        assert image.evaluate(LOADED_WIDTH) == 800  # an 800 px photo is never enlarged
    assert_accessible(page)
    for width in (1200, 768, 320):  # the page never scrolls sideways
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"the case page scrolls sideways at {width}px"
        assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    give_verdicts(page)
    assert_accessible(page)
    history = page.locator("table[aria-labelledby=history-title] tbody")
    expect(history).to_contain_text("Selfie holding your ID card – Accepted")
    expect(history).not_to_contain_text(SELFIE)

    page.get_by_role("link", name="Decide", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your decision on {reference}")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()  # nothing chosen yet
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Choose a decision")
    assert_accessible(page)
    summary.get_by_role("link", name="Choose a decision").click()
    expect(page.get_by_label("Approve", exact=True)).to_be_focused()

    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Confirm your decision on {reference}"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Your decision is sent.")
    expect(page.locator(".identity-bar")).to_contain_text("Approved")
    expect(page.locator(".identity-bar")).to_contain_text(re.compile(r"took \d+ h \d+ min"))
    expect(page.locator(".identity-bar")).not_to_contain_text("hours left")
    assert_accessible(page)

    applicant_page = another_page()
    sign_in_applicant(applicant_page, applicant)
    open_application(applicant_page, reference)
    reload_until(applicant_page, applicant_page.locator("p .tag-approved"))
    # The payment's facts, beside the production and delivery panel's own.
    expect(applicant_page.locator(".facts", has_text="Amount")).to_contain_text("Paid")
    expect(applicant_page.locator("ol.timeline")).to_contain_text("Approved")
    assert_accessible(applicant_page)


def test_an_applicant_replaces_a_refused_photo_and_the_case_is_back_in_review(
    page: Page,
    stack: Stack,
    make_staff: Callable[[str], str],
    another_page: Callable[[], Page],
    assert_accessible: Check,
    screenshots_dir: Path,
) -> None:
    applicant = Applicant(stack)
    order = submitted(applicant)
    reference = order["reference"]
    sign_in_staff(page, make_staff("reviewer"))
    claim_from_queue(page, reference)
    give_verdicts(page, refuse={SELFIE: ("Face not visible", "Hold the card lower.")})

    # The decision with the keyboard only: Tab to the choice, arrows to choose, Enter to send.
    page.get_by_role("link", name="Decide", exact=True).click()
    tab_to(page, page.locator("input[name=decision]").first)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Ask for new photos", exact=True)).to_be_checked()
    tab_to(page, page.get_by_label("Days to send new photos"))
    page.keyboard.press("Control+A")
    page.keyboard.type("5")
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Confirm your decision on {reference}"
    )
    expect(page.locator(".summary")).to_contain_text("5 days")
    expect(page.locator("ul.bullets")).to_contain_text("Selfie holding your ID card")
    assert_accessible(page)
    tab_to(page, page.get_by_role("button", name="Ask for new photos"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Your decision is sent.")
    expect(page.locator(".identity-bar")).to_contain_text("Awaiting applicant")
    page.get_by_role("link", name="Back").first.click()
    waiting = queue_row(page, "Awaiting applicant", reference)
    expect(waiting).to_contain_text("Resubmission round 1")
    expect(waiting).to_contain_text("Clock paused")

    applicant_page = another_page()
    sign_in_applicant(applicant_page, applicant)
    open_application(applicant_page, reference)
    reload_until(
        applicant_page, applicant_page.get_by_text("The office needs new photos from you.")
    )
    assert_accessible(applicant_page)
    applicant_page.get_by_role("link", name="See which photos to send again").click()
    expect(applicant_page.get_by_role("heading", level=1)).to_have_text("We need new photos")
    refused = applicant_page.locator(f"#doc-{SELFIE}")
    expect(refused).to_contain_text("Hold the card lower.")
    expect(refused).to_contain_text("To upload again")
    expect(applicant_page.locator(".task-list-item")).to_have_count(1)
    assert_accessible(applicant_page)
    _screenshot(applicant_page, screenshots_dir / "new-photos.en.png")

    applicant_page.get_by_role("button", name="Send the new photos for review").click()
    expect(applicant_page.get_by_role("alert")).to_contain_text("Selfie holding your ID card")
    assert_accessible(applicant_page)

    refused.get_by_role("link", name=re.compile("^Upload a new photo")).click()
    expect(applicant_page.get_by_role("heading", level=1)).to_have_text(
        "Selfie holding your ID card"
    )
    applicant_page.locator("input[type=file]").set_input_files(
        {"name": "selfie.jpg", "mimeType": "image/jpeg", "buffer": photo(uuid.uuid4().int % 9999)}
    )
    applicant_page.get_by_role("button", name="Upload the photo").click()
    expect(applicant_page.get_by_role("status")).to_have_text("The photo is uploaded.")
    assert_accessible(applicant_page)
    applicant_page.get_by_role("link", name="Continue").click()
    expect(applicant_page.locator(f"#doc-{SELFIE}")).to_contain_text("New photo uploaded")
    applicant_page.get_by_role("button", name="Send the new photos for review").click()
    expect(applicant_page.get_by_role("heading", level=1)).to_have_text(f"Application {reference}")
    expect(applicant_page.get_by_role("status")).to_be_visible()
    reload_until(applicant_page, applicant_page.locator("p .tag-in-review"))
    assert_accessible(applicant_page)

    page.goto(applicant_page.url.replace("/applications/", "/staff/reviews/").split("?")[0])
    expect(page.locator(".identity-bar")).to_contain_text("In review")
    expect(page.locator(f"#document-{SELFIE}")).to_contain_text("replaced in round 1")
    expect(page.locator(f"#document-{SELFIE}").locator("p.verdict-now")).to_contain_text("None yet")
    assert_accessible(page)


def test_the_applicant_and_the_reviewer_talk_and_internal_notes_stay_with_the_staff(
    page: Page,
    stack: Stack,
    make_staff: Callable[[str], str],
    another_page: Callable[[], Page],
    assert_accessible: Check,
) -> None:
    applicant = Applicant(stack)
    order = submitted(applicant)
    reference = order["reference"]
    question = f"Is my selfie clear enough? ({uuid.uuid4().hex[:6]})"
    answer = "Yes, it is clear. We will review it today."
    note = "Applicant asked twice by phone; be quick."

    sign_in_applicant(page, applicant)
    open_application(page, reference)
    page.get_by_label("Your message").fill(question)
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("status")).to_have_text("Your message is sent.")
    expect(page.locator(".chat-messages")).to_contain_text(question)
    assert_accessible(page)

    reviewer = another_page()
    sign_in_staff(reviewer, make_staff("reviewer"))
    reviewer.get_by_role("link", name="Review queue").click()
    expect(queue_row(reviewer, "Unassigned", reference)).to_contain_text("1 unread")
    reviewer.get_by_role("link", name=reference, exact=True).click()
    chat = reviewer.locator(".chat-messages")
    expect(chat).to_contain_text(question)
    expect(chat.locator(".chat-message").first).to_contain_text("Applicant")

    reviewer.get_by_label("Your message").fill(answer)
    reviewer.get_by_role("button", name="Send message").click()
    expect(reviewer.get_by_role("status")).to_have_text("The message is sent to the applicant.")
    reviewer.get_by_label("Your message").fill(note)
    reviewer.get_by_label("Internal note (the applicant never sees it)").check()
    reviewer.get_by_role("button", name="Send message").click()
    expect(reviewer.get_by_role("status")).to_have_text("The internal note is saved.")
    expect(reviewer.locator(".chat-message-internal")).to_contain_text(note)
    assert_accessible(reviewer)
    reviewer.get_by_role("link", name="简体中文").click()
    expect(reviewer.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(reviewer.locator(".chat-message-internal")).to_contain_text("内部备注")
    assert_accessible(reviewer)

    page.goto("/account")
    expect(page.get_by_role("navigation")).to_contain_text("1 new messages")
    open_application(page, reference)
    messages = page.locator(".chat-messages")
    expect(messages).to_contain_text(answer)
    expect(messages.locator(".chat-message").last).to_contain_text("The office")
    expect(page.get_by_text(note)).to_have_count(0)
    expect(page.locator(".chat-message-internal")).to_have_count(0)
    expect(page.get_by_role("navigation")).not_to_contain_text("new messages")
    assert_accessible(page)
    page.get_by_role("link", name="简体中文").click()
    expect(page.get_by_role("heading", level=2, name="与办理人员的对话")).to_be_visible()
    assert_accessible(page)


def test_the_review_pages_pass_the_accessibility_check_in_chinese_and_the_audit_log(
    page: Page,
    stack: Stack,
    make_staff: Callable[[str], str],
    assert_accessible: Check,
) -> None:
    applicant = Applicant(stack)
    order = submitted(applicant)
    reference = order["reference"]
    sign_in_staff(page, make_staff("supervisor"))
    claim_from_queue(page, reference)

    page.get_by_role("link", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"审核 {reference}")
    assert_accessible(page)
    page.get_by_role("link", name="作出审核决定").click()
    assert_accessible(page)
    page.get_by_label("不予通过", exact=True).check()
    page.get_by_role("button", name="继续").click()
    expect(page.get_by_role("alert")).to_contain_text("请选择不予通过的原因")
    assert_accessible(page)
    page.goto("/staff/reviews")
    for tab in ("待领取", "我的案件", "等待申请人", "全部"):
        page.get_by_role("navigation", name="案件分类").get_by_role(
            "link", name=re.compile(f"^{tab} ")
        ).click()
        expect(page.get_by_role("heading", level=2, name=tab)).to_be_visible()
        assert_accessible(page)

    page.goto(f"/staff/audit?order_id={order['id']}")
    expect(page.locator("tbody")).to_contain_text("领取案件")
    assert_accessible(page)
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review audit log")
    expect(page.locator("tbody")).to_contain_text("Claimed the case")
    assert_accessible(page)
    page.get_by_label("From (inclusive)").fill("yesterday")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a day like 2026-11-22")
    assert_accessible(page)


def test_the_card_and_the_selfie_are_side_by_side_on_the_first_screen_and_one_a_row_at_768(
    page: Page,
    stack: Stack,
    make_staff: Callable[[str], str],
    another_page: Callable[[], Page],
    assert_accessible: Check,
    screenshots_dir: Path,
) -> None:
    applicant = Applicant(stack)
    order = submitted_with_phone_photos(applicant)
    reference = order["reference"]
    email = make_staff("reviewer")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_staff(page, email)
    claim_from_queue(page, reference)

    # 1280 × 800: the ID card beside the selfie holding it, both whole on the first screen.
    card, selfie = placed(page, CARD), placed(page, SELFIE)
    for code, where in ((CARD, card), (SELFIE, selfie)):
        assert_fully_on_screen_and_in_its_box(where, code)
        assert where["natural"] <= 1280, "a phone photo is served fitted, never at 4032 px"
    assert abs(card["box_top"] - selfie["box_top"]) < 1 and card["right"] <= selfie["left"]
    # The number on the form, beside the card, in full for the case's reviewer.
    expect(page.locator(f"#document-{CARD} .id-beside")).to_contain_text(ANSWERS["id_number"])
    expect(page.locator(".case-side")).to_contain_text("C1 car")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert_accessible(page)
    _first_screen(page, screenshots_dir / "review-case.en.png")

    # Full size and a quarter turn are links the server answers.
    page.locator(f"#document-{CARD}").get_by_role("link", name=re.compile("^Turn right")).click()
    turned = page.locator(f"#document-{CARD} img.document-image")
    expect(turned).to_have_attribute("src", re.compile("rotate=90"))
    where = placed(page, CARD)
    assert where["natural"] == 960  # 1280 × 960 fitted, standing up after the turn
    full = page.locator(f"#document-{CARD}").get_by_role("link", name=re.compile("^Full size"))
    assert page.request.get(full.get_attribute("href") or "").status == 200

    # 768 px: one photo a row, fitted to the width.
    page.goto(page.url.split("?")[0].split("#")[0])
    page.set_viewport_size({"width": 768, "height": 1024})
    card, selfie = placed(page, CARD), placed(page, SELFIE)
    assert selfie["box_top"] >= card["box_bottom"], "one photo a row at 768 px"
    assert card["width"] >= card["box_width"] - 1, "the landscape card fills the width"
    for where in (card, selfie):
        assert where["right"] <= where["screen_width"]
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert_accessible(page)
    _first_screen(page, screenshots_dir / "review-case-768.en.png")

    # Chinese: the same first screen, choices and history in words.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="简体中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"审核 {reference}")
    expect(page.locator(".case-side")).to_contain_text("C1 小型汽车")
    expect(page.locator(".case-side")).to_contain_text("遗失")
    for code in (CARD, SELFIE):
        assert_fully_on_screen_and_in_its_box(placed(page, code), code)
    assert_accessible(page)
    _first_screen(page, screenshots_dir / "review-case.zh.png")

    # A supervisor sees the reviewer by name and the number masked.
    supervisor = another_page()
    sign_in_staff(supervisor, make_staff("supervisor"))
    supervisor.goto(page.url.split("?")[0].split("#")[0])
    expect(supervisor.locator(".identity-bar")).to_contain_text(email)
    expect(supervisor.locator(f"#document-{CARD} .id-beside")).not_to_contain_text(
        ANSWERS["id_number"]
    )
    assert_accessible(supervisor)


def _first_screen(page: Page, path: Path) -> None:
    """What the reviewer sees before scrolling, at the page's current size."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not path.exists():
        page.evaluate("scrollTo(0, 0)")
        page.screenshot(path=str(path))


def _screenshot(page: Page, path: Path) -> None:
    # Written when missing or when asked (UPDATE_SCREENSHOTS=1), so test runs leave the tree clean.
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not path.exists():
        page.set_viewport_size({"width": 1200, "height": 900})
        page.screenshot(path=str(path), full_page=True)
