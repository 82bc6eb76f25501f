"""Fixtures for the browser tests.

The catalog and the gateway run as real servers (gunicorn processes on free
ports, each on its own fresh PostgreSQL database, migrated and seeded, the
staff created with the real `python -m gateway.staff create` command).
Chromium is the Debian package at /usr/bin/chromium driven by Playwright;
every page a test visits is checked with axe-core against WCAG 2.0, 2.1 and
2.2 A and AA.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright

from common.testing import free_port, fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
SECRET = "e2e-internal-token-secret"
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


@dataclass
class Stack:
    gateway_url: str
    catalog_url: str


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the {name} server stopped at start-up (exit {process.returncode})")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the {name} server did not answer {url}/healthz within 60 s")


def _serve(factory: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--log-level",
            "warning",
            factory,
        ],
        env={**os.environ, **env},
        cwd=ROOT,
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env={**os.environ, **env}, cwd=ROOT, check=True, timeout=120)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    if not AXE.exists():
        raise RuntimeError(f"axe-core is missing at {AXE}: run `npm ci` in {ROOT}")
    with (
        fresh_postgres_database("e2e_catalog") as catalog_db,
        fresh_postgres_database("e2e_gateway") as gateway_db,
    ):
        catalog_port, gateway_port = free_port(), free_port()
        common = {"INTERNAL_TOKEN_SECRET": SECRET, "LOG_FORMAT": "text", "BUS_URL": "memory://"}
        catalog_env = {**common, "CATALOG_DATABASE_URL": catalog_db}
        gateway_env = {
            **common,
            "GATEWAY_DATABASE_URL": gateway_db,
            "GATEWAY_SECRET_KEY": "e2e-gateway-secret-key-0123456789",
            "CATALOG_URL": f"http://127.0.0.1:{catalog_port}",
            "SESSION_COOKIE_SECURE": "false",
        }
        python = str(VENV_BIN / "python")
        _run([python, "-m", "catalog.migrate"], catalog_env)
        _run([python, "-m", "catalog.seed"], catalog_env)
        _run([python, "-m", "gateway.migrate"], gateway_env)
        for email, role in ((SUPERVISOR_EMAIL, "supervisor"), (REVIEWER_EMAIL, "reviewer")):
            command = ["-m", "gateway.staff", "create", "--email", email, "--role", role]
            _run([python, *command], {**gateway_env, "GATEWAY_STAFF_PASSWORD": SUPERVISOR_PASSWORD})
        catalog = _serve("catalog.app:create_app()", catalog_port, catalog_env)
        gateway = _serve("gateway.app:create_app()", gateway_port, gateway_env)
        try:
            _wait_until_healthy(f"http://127.0.0.1:{catalog_port}", catalog, "catalog")
            _wait_until_healthy(f"http://127.0.0.1:{gateway_port}", gateway, "gateway")
            yield Stack(
                gateway_url=f"http://127.0.0.1:{gateway_port}",
                catalog_url=f"http://127.0.0.1:{catalog_port}",
            )
        finally:
            _stop(gateway)
            _stop(catalog)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium is missing at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, stack: Stack) -> Iterator[Page]:
    # bypass_csp lets the test inject axe-core; the pages themselves run no script at all.
    context = browser.new_context(base_url=stack.gateway_url, bypass_csp=True)
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
