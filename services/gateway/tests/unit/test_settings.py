"""The gateway's settings: the services it needs are required, the upload limit has a default."""

from __future__ import annotations

import pytest

from common.settings import Env, InvalidSetting, MissingSetting
from gateway.settings import Settings

REQUIRED = {
    "GATEWAY_DATABASE_URL": "sqlite://",
    "GATEWAY_SECRET_KEY": "a-secret-key-of-enough-length",
    "CATALOG_URL": "http://catalog:8001",
    "ORDERS_URL": "http://orders:8002/",
    "VERIFICATION_URL": "http://verification:8003",
    "INTERNAL_TOKEN_SECRET": "internal",
}


@pytest.mark.parametrize("name", ["ORDERS_URL", "VERIFICATION_URL"])
def test_start_up_stops_naming_a_missing_service_address(name: str) -> None:
    values = {key: value for key, value in REQUIRED.items() if key != name}
    with pytest.raises(MissingSetting, match=name):
        Settings.from_env(Env(values))


def test_service_addresses_lose_a_trailing_slash_and_uploads_default_to_ten_megabytes() -> None:
    settings = Settings.from_env(Env(REQUIRED))
    assert settings.orders_url == "http://orders:8002"
    assert settings.verification_url == "http://verification:8003"
    assert settings.max_upload_bytes == 10 * 1024 * 1024


def test_the_upload_limit_can_be_changed_but_not_to_nonsense() -> None:
    assert (
        Settings.from_env(Env({**REQUIRED, "GATEWAY_MAX_UPLOAD_BYTES": "5242880"})).max_upload_bytes
        == 5 * 1024 * 1024
    )
    with pytest.raises(InvalidSetting, match="GATEWAY_MAX_UPLOAD_BYTES"):
        Settings.from_env(Env({**REQUIRED, "GATEWAY_MAX_UPLOAD_BYTES": "12"}))
    with pytest.raises(InvalidSetting, match="GATEWAY_MAX_UPLOAD_BYTES"):
        Settings.from_env(Env({**REQUIRED, "GATEWAY_MAX_UPLOAD_BYTES": "ten"}))


def test_the_wallet_sandbox_pages_are_forwarded_only_while_the_sandbox_has_an_address() -> None:
    assert Settings.from_env(Env(REQUIRED)).wallet_sandbox_proxy is False
    assert (
        Settings.from_env(Env({**REQUIRED, "WALLET_SANDBOX_URL": ""})).wallet_sandbox_proxy is False
    )
    with_sandbox = Settings.from_env(
        Env({**REQUIRED, "WALLET_SANDBOX_URL": "http://127.0.0.1:8000"})
    )
    assert with_sandbox.wallet_sandbox_proxy is True
