"""`python -m gateway.staff create`: staff accounts come from a command."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from gateway import staff

from .conftest import PASSWORD, unique_email


def test_creates_a_staff_account_with_its_roles(
    client: FlaskClient, gateway_database_url: str, monkeypatch: pytest.MonkeyPatch, sign_in_page
) -> None:
    email = unique_email("cmd")
    monkeypatch.setenv("GATEWAY_STAFF_PASSWORD", PASSWORD)
    code = staff.main(
        [
            "create",
            "--email",
            email,
            "--role",
            "supervisor",
            "--role",
            "reviewer",
            "--database-url",
            gateway_database_url,
        ]
    )
    assert code == 0
    assert sign_in_page(client, email, staff=True).status_code == 303
    assert "审核人员、主管" in client.get("/staff").get_data(as_text=True)


def test_refuses_a_short_password_and_a_second_account_with_the_same_email(
    client: FlaskClient,
    gateway_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    email = unique_email("cmd")
    args = [
        "create",
        "--email",
        email,
        "--role",
        "production",
        "--database-url",
        gateway_database_url,
    ]
    monkeypatch.setenv("GATEWAY_STAFF_PASSWORD", "short")
    assert staff.main(args) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.setenv("GATEWAY_STAFF_PASSWORD", PASSWORD)
    assert staff.main(args) == 0
    assert staff.main(args) == 1
    assert "exists" in capsys.readouterr().err


def test_refuses_an_unknown_role() -> None:
    with pytest.raises(SystemExit):
        staff.main(["create", "--email", "a@example.cn", "--role", "janitor"])
