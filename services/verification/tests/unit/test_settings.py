"""Verification's settings, read from a given environment: what is required,
what is refused, and demo mode's key."""

from __future__ import annotations

import stat

import pytest
from cryptography.fernet import Fernet

from common.settings import Env, InvalidSetting, MissingSetting
from verification.settings import Settings
from verification.storage import DEMO_KEY_FILE, open_store

KEY = Fernet.generate_key().decode()
ENVIRONMENT = {
    "VERIFICATION_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/x",
    "BUS_URL": "memory://",
    "INTERNAL_TOKEN_SECRET": "x",
}


def test_outside_demo_mode_the_keys_are_required() -> None:
    environment = {**ENVIRONMENT, "VERIFICATION_STORAGE_DIR": "/srv/files"}
    with pytest.raises(MissingSetting) as missing:
        Settings.from_env(Env(environment))
    assert missing.value.name == "VERIFICATION_ENCRYPTION_KEYS"


def test_outside_demo_mode_the_storage_directory_is_required() -> None:
    with pytest.raises(MissingSetting) as missing:
        Settings.from_env(Env({**ENVIRONMENT, "VERIFICATION_ENCRYPTION_KEYS": KEY}))
    assert missing.value.name == "VERIFICATION_STORAGE_DIR"


def test_a_malformed_key_stops_the_service_naming_the_variable(tmp_path) -> None:
    environment = {
        **ENVIRONMENT,
        "VERIFICATION_STORAGE_DIR": str(tmp_path),
        "VERIFICATION_ENCRYPTION_KEYS": f"{KEY},not-a-key",
    }
    settings = Settings.from_env(Env(environment))
    assert settings.encryption_keys == (KEY, "not-a-key")
    with pytest.raises(InvalidSetting) as invalid:
        open_store(settings)
    assert invalid.value.name == "VERIFICATION_ENCRYPTION_KEYS"
    assert "key 2" in str(invalid.value) and KEY not in str(invalid.value)
    assert KEY not in repr(settings)


def test_in_demo_mode_a_key_is_made_once_and_kept_beside_the_files(tmp_path) -> None:
    environment = {**ENVIRONMENT, "DEMO_MODE": "true", "RUN_DATA_DIR": str(tmp_path)}
    settings = Settings.from_env(Env(environment))
    assert settings.storage_dir == tmp_path / "verification-files"
    name = open_store(settings).put(b"demo picture")
    key_file = settings.storage_dir / DEMO_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert open_store(Settings.from_env(Env(environment))).get(name) == b"demo picture"


def test_limits_below_one_are_refused() -> None:
    environment = {**ENVIRONMENT, "DEMO_MODE": "true", "VERIFICATION_MIN_WIDTH": "0"}
    with pytest.raises(InvalidSetting) as invalid:
        Settings.from_env(Env(environment))
    assert invalid.value.name == "VERIFICATION_MIN_WIDTH"


def test_the_limits_are_read_from_the_environment() -> None:
    environment = {
        **ENVIRONMENT,
        "DEMO_MODE": "true",
        "VERIFICATION_MAX_UPLOAD_BYTES": "2000000",
        "VERIFICATION_MAX_PIXELS": "1000000",
        "VERIFICATION_MIN_WIDTH": "800",
        "VERIFICATION_MIN_HEIGHT": "600",
    }
    settings = Settings.from_env(Env(environment))
    assert (settings.max_upload_bytes, settings.max_pixels) == (2_000_000, 1_000_000)
    assert (settings.min_width, settings.min_height) == (800, 600)
    assert settings.max_content_length > settings.max_upload_bytes
