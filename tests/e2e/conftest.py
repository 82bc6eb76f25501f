"""Fixtures for the browser tests.

The catalog, orders, verification and the gateway run as real processes
(common.processes.Stack: gunicorn on free ports, each on its own fresh
PostgreSQL database, migrated and seeded, their workers on RabbitMQ, the
orders worker delivering the sandbox payment provider's webhooks; the staff
are created with the real `python -m gateway.staff create` command).
Chromium is the Debian package at /usr/bin/chromium driven by Playwright;
the pages a test checks are run through axe-core against WCAG 2.0, 2.1 and
2.2 A and AA, and every page any test's browser loads is read for words in
the other language (page_text.py): a Chinese page with English words, or an
English page with Chinese, fails the test that loaded it.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from common.processes import Stack

from .page_text import PageTextCheck

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
SUPERVISOR_EMAIL = "supervisor@e2e.example.cn"
SUPERVISOR_PASSWORD = "supervisor password 2026"
REVIEWER_EMAIL = "reviewer@e2e.example.cn"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory, stack_env_for: Callable[..., dict[str, str]]
) -> Iterator[Stack]:
    if not AXE.exists():
        raise RuntimeError(f"axe-core is missing at {AXE}: run `npm ci` in {ROOT}")
    workdir = tmp_path_factory.mktemp("e2e-stack")
    running = Stack(
        workdir=workdir,
        services=[
            "catalog",
            "orders",
            "verification",
            "fulfillment",
            "ratings",
            "notifications",
            "gateway",
        ],
        web_workers=1,
        extra_env=stack_env_for(workdir, SESSION_COOKIE_SECURE="false"),
    )
    running.start()
    try:
        for email, role in ((SUPERVISOR_EMAIL, "supervisor"), (REVIEWER_EMAIL, "reviewer")):
            running.run(
                [sys.executable, "-m", "gateway.staff", "create", "--email", email, "--role", role],
                env={"GATEWAY_STAFF_PASSWORD": SUPERVISOR_PASSWORD},
            )
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium is missing at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_text() -> Iterator[PageTextCheck]:
    """Every page the test's browsers load speaks only its own language (page_text.py)."""
    check = PageTextCheck()
    yield check
    problems = check.problems()
    assert not problems, "foreign words on these pages:\n" + "\n".join(problems)


@pytest.fixture
def page(browser: Browser, stack: Stack, page_text: PageTextCheck) -> Iterator[Page]:
    # bypass_csp lets the test inject axe-core; the pages themselves run no script at all.
    context = browser.new_context(base_url=stack.url("gateway"), bypass_csp=True)
    page_text.watch(context)
    page = context.new_page()
    yield page
    context.close()


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


@pytest.fixture
def assert_accessible() -> Callable[[Page], None]:
    """Run axe-core on the page as it is now; fail listing every violation."""

    def check(page: Page) -> None:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        assert result["passes"], "axe-core checked nothing: is the page empty?"
        violations = result["violations"]
        assert violations == [], f"{page.url}:\n{_describe(violations)}"

    return check


@pytest.fixture
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def make_staff(stack: Stack) -> Callable[[str], str]:
    """A new staff member with one role (the real staff command), so that each test
    has a reviewer of its own whose "Mine" tab holds only its cases; returns the email.
    The password is SUPERVISOR_PASSWORD, as for the session's staff."""

    def make(role: str) -> str:
        email = f"{role}-{uuid.uuid4().hex[:8]}@e2e.example.cn"
        stack.run(
            [sys.executable, "-m", "gateway.staff", "create", "--email", email, "--role", role],
            env={"GATEWAY_STAFF_PASSWORD": SUPERVISOR_PASSWORD},
        )
        return email

    return make


@pytest.fixture
def another_page(
    browser: Browser, stack: Stack, page_text: PageTextCheck
) -> Iterator[Callable[[], Page]]:
    """Open one more browser of its own (cookies included): an applicant and a
    reviewer side by side."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(base_url=stack.url("gateway"), bypass_csp=True)
        page_text.watch(context)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
